import type { Clock } from '../clock.ts';
import { bridgeError, failure } from '../errors.ts';
import {
  genesysErrorCode,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from '../http/http-client.ts';
import type { GenesysHosts } from '../regions.ts';

/**
 * The Platform API as an OAuth client-credentials integration uses it (platform-architect.md §1.1): a
 * token from `{login}/oauth/token` (Basic client id and secret), kept until shortly before it expires
 * and fetched again then, or at once when Genesys answers 401. One client per configuration, shared by
 * its sessions: the Open Messaging inbound API, the notification channel and conversation reads.
 */
export interface PlatformCredentials {
  clientId: string;
  clientSecret: string;
}

/** A token is renewed this long before Genesys says it expires. */
const RENEW_BEFORE_MS = 60_000;

export class PlatformClient {
  readonly #hosts: GenesysHosts;
  readonly #credentials: PlatformCredentials;
  readonly #http: HttpClient;
  readonly #clock: Clock;
  #token: { value: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(hosts: GenesysHosts, credentials: PlatformCredentials, http: HttpClient, clock: Clock) {
    this.#hosts = hosts;
    this.#credentials = credentials;
    this.#http = http;
    this.#clock = clock;
  }

  get apiBase(): string {
    return this.#hosts.apiBase;
  }

  /** A valid access token (one login at a time, however many callers ask). */
  token(): Promise<string> {
    if (this.#token && this.#clock.now() < this.#token.renewAt) return Promise.resolve(this.#token.value);
    this.#pending ??= this.#login().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** A Platform API call with the bearer token; a 401 logs in again once and repeats the call. */
  async request(request: Omit<HttpRequest, 'url' | 'headers'> & { path: string }): Promise<HttpResponse> {
    const { path, ...rest } = request;
    const call = async () =>
      this.#http.request({
        ...rest,
        url: `${this.#hosts.apiBase}${path}`,
        headers: { Authorization: `Bearer ${await this.token()}` },
      });
    const first = await call();
    if (first.status !== 401) return first;
    this.#token = undefined;
    return call();
  }

  async #login(): Promise<string> {
    const { clientId, clientSecret } = this.#credentials;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const response = await this.#http.request({
      method: 'POST',
      url: `${this.#hosts.loginBase}/oauth/token`,
      headers: { Authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      retry: 'refusalsOnly',
    });
    const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<
      string,
      unknown
    >;
    const token = body['access_token'];
    if (response.status !== 200 || typeof token !== 'string') {
      const described =
        typeof body['error_description'] === 'string'
          ? body['error_description']
          : (genesysErrorCode(body).message ?? `Genesys answered ${response.status}`);
      throw failure('AUTH_FAILED', `the Platform API login failed: ${described}`, {
        provider: { code: typeof body['error'] === 'string' ? body['error'] : response.status },
        correctiveAction:
          'Check platformApi.clientId and platformApi.clientSecret (an OAuth client-credentials client)',
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    const expiresIn = typeof body['expires_in'] === 'number' ? body['expires_in'] * 1000 : 3_600_000;
    this.#token = { value: token, renewAt: this.#clock.now() + Math.max(0, expiresIn - RENEW_BEFORE_MS) };
    return token;
  }
}

/** A 4xx/5xx of a Platform API call as a BridgeError (for calls whose failure is only reported). */
export function platformCallError(what: string, response: HttpResponse) {
  const { code, message } = genesysErrorCode(response.body);
  return bridgeError(
    response.status === 401 ? 'AUTH_FAILED' : response.status === 403 ? 'FORBIDDEN' : 'PROVIDER_UNAVAILABLE',
    `${what}: ${message ?? `Genesys answered ${response.status}`}`,
    {
      provider: { code: code ?? response.status },
      retryable: response.status >= 500 || response.status === 429,
    },
  );
}
