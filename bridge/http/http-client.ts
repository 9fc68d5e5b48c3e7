import type { Clock } from '../clock.ts';
import { failure } from '../errors.ts';

/**
 * JSON over fetch with the retry rules Genesys calls for (platform-architect.md §1.4): a 429 and a 503 are
 * refusals (the service did not handle the request; Genesys sends both with `Retry-After`), so they are
 * retried for every request, waiting for `Retry-After`; other 5xx (not 501) and network failures are
 * retried only for idempotent requests, since a non-idempotent POST may have taken effect.
 * Waits use the injected clock. Non-2xx answers that are not retried are returned for the caller to map.
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<FetchResponse>;

/** What the bridge reads of a fetch answer; global fetch's Response is one. */
export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  /** Cancelled when the answer's body is not read (webhook deliveries), to free the connection. */
  body: { cancel(): Promise<void> } | null;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** JSON-encoded when present; a URLSearchParams is sent as a form (the OAuth token request). */
  body?: unknown;
  /** `idempotent`: GET/DELETE and the like; `refusalsOnly`: retry only what Genesys certainly refused (429, 503). */
  retry: 'idempotent' | 'refusalsOnly';
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  headers: FetchResponse['headers'];
}

export interface HttpClientOptions {
  fetch: FetchLike;
  clock: Clock;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After beyond this is not waited for: the 429 or 503 is returned instead. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  random?: () => number;
}

export class HttpClient {
  readonly #fetch: FetchLike;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #timeoutMs: number;
  readonly #random: () => number;

  constructor(options: HttpClientOptions) {
    this.#fetch = options.fetch;
    this.#clock = options.clock;
    this.#maxAttempts = options.maxAttempts ?? 4;
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 8000;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 16_000;
    this.#random = options.random ?? Math.random;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.#maxAttempts;
      let response: HttpResponse;
      try {
        response = await this.#once(request);
      } catch (thrown) {
        if (last || request.retry !== 'idempotent') {
          const reason = thrown instanceof Error ? thrown.message : String(thrown);
          throw failure('PROVIDER_UNAVAILABLE', `${request.method} ${request.url} failed: ${reason}`, {
            retryable: true,
          });
        }
        await this.#sleep(this.#backoff(attempt));
        continue;
      }
      const { status } = response;
      if ((status === 429 || status === 503) && !last) {
        const wait =
          retryAfterMs(response.headers.get('retry-after'), this.#clock.now()) ?? this.#backoff(attempt);
        if (wait > this.#maxRetryAfterMs) return response;
        await this.#sleep(wait);
        continue;
      }
      if (status >= 500 && status !== 501 && request.retry === 'idempotent' && !last) {
        await this.#sleep(this.#backoff(attempt));
        continue;
      }
      return response;
    }
  }

  async #once(request: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    const timer = this.#clock.setTimeout(
      () => controller.abort(new Error(`timed out after ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    );
    try {
      const headers: Record<string, string> = { Accept: 'application/json', ...(request.headers ?? {}) };
      const init: RequestInit = { method: request.method, headers, signal: controller.signal };
      if (request.body instanceof URLSearchParams) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        init.body = request.body.toString();
      } else if (request.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(request.body);
      }
      const response = await this.#fetch(request.url, init);
      const text = await response.text();
      return { status: response.status, body: parseBody(text), headers: response.headers };
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  /** Exponential backoff with full jitter, capped. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#clock.setTimeout(resolve, ms));
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `Retry-After` as delta seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Genesys ErrorBody fields, when the body is one. */
export function genesysErrorCode(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  return {
    ...(typeof record['code'] === 'string' ? { code: record['code'] } : {}),
    ...(typeof record['message'] === 'string' ? { message: record['message'] } : {}),
  };
}
