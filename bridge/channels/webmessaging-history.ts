import type { Clock } from '../clock.ts';
import { failure } from '../errors.ts';
import { genesysErrorCode, type HttpClient } from '../http/http-client.ts';
import { parseStructured, type StructuredBody } from './webmessaging-frames.ts';

/**
 * The guest history API (guest-protocols.md §2.8): `GET {api}/api/v2/webmessaging/messages?pageNumber&pageSize`
 * authorised with `Authorization: bearer <jwt>`, the JWT coming from the socket's `getJwt` action. Pages
 * are newest-first (page 1 = most recent), so catching up walks pages until it reaches a page holding one
 * of the `knownIds` (what the caller had before the gap), a short or last page, or historyMaxPages.
 */
export interface GuestJwt {
  jwt: string;
  /** Expiry, epoch seconds. */
  expSeconds?: number;
}

export interface HistoryOptions {
  http: HttpClient;
  clock: Clock;
  apiBase: string;
  origin?: string;
  pageSize: number;
  maxPages: number;
}

/** Genesys's SDK treats the JWT as stale 5 s before `exp`. */
const JWT_MARGIN_MS = 5000;
/** Without an `exp`, a JWT is reused for this long. */
const JWT_DEFAULT_LIFETIME_MS = 60_000;

export class WebMessagingHistory {
  readonly #options: HistoryOptions;
  #jwt: { value: string; validUntil: number } | undefined;

  constructor(options: HistoryOptions) {
    this.#options = options;
  }

  /**
   * The newest messages back to (and including) the page that holds one of `knownIds`, or the whole
   * reachable history, oldest first. Callers skip what they already have.
   */
  async fetchSince(
    requestJwt: () => Promise<GuestJwt>,
    knownIds: ReadonlySet<string>,
  ): Promise<StructuredBody[]> {
    const { pageSize, maxPages } = this.#options;
    const collected: StructuredBody[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const { entities, pageCount } = await this.#page(requestJwt, page);
      collected.push(...entities);
      const reachedKnown = entities.some((m) => knownIds.has(m.id));
      const lastPage = entities.length < pageSize || (pageCount !== undefined && page >= pageCount);
      if (reachedKnown || lastPage) break;
    }
    return collected.reverse();
  }

  async #page(
    requestJwt: () => Promise<GuestJwt>,
    pageNumber: number,
  ): Promise<{ entities: StructuredBody[]; pageCount?: number }> {
    const jwt = await this.#currentJwt(requestJwt);
    const { http, apiBase, origin, pageSize } = this.#options;
    const url = `${apiBase}/api/v2/webmessaging/messages?pageNumber=${pageNumber}&pageSize=${pageSize}`;
    const response = await http.request({
      method: 'GET',
      url,
      headers: { Authorization: `bearer ${jwt}`, ...(origin ? { Origin: origin } : {}) },
      retry: 'idempotent',
    });
    if (response.status === 401) {
      this.#jwt = undefined;
      throw failure('AUTH_FAILED', 'Genesys refused the guest JWT for the history API', {
        provider: { code: 401 },
      });
    }
    if (response.status < 200 || response.status >= 300) {
      const { code, message } = genesysErrorCode(response.body);
      throw failure(
        'PROVIDER_UNAVAILABLE',
        `history request failed with ${response.status}${message ? `: ${message}` : ''}`,
        {
          retryable: response.status === 429 || response.status >= 500,
          provider: { code: code ?? response.status },
        },
      );
    }
    const body =
      typeof response.body === 'object' && response.body !== null
        ? (response.body as Record<string, unknown>)
        : {};
    const raw = Array.isArray(body['entities']) ? body['entities'] : [];
    const entities = raw
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map(parseStructured)
      .filter((m): m is StructuredBody => m !== undefined);
    const pageCount = typeof body['pageCount'] === 'number' ? body['pageCount'] : undefined;
    return { entities, ...(pageCount !== undefined ? { pageCount } : {}) };
  }

  async #currentJwt(requestJwt: () => Promise<GuestJwt>): Promise<string> {
    const now = this.#options.clock.now();
    if (this.#jwt && this.#jwt.validUntil > now) return this.#jwt.value;
    const fresh = await requestJwt();
    const expiry = fresh.expSeconds !== undefined ? fresh.expSeconds * 1000 : now + JWT_DEFAULT_LIFETIME_MS;
    this.#jwt = { value: fresh.jwt, validUntil: expiry - JWT_MARGIN_MS };
    return fresh.jwt;
  }
}
