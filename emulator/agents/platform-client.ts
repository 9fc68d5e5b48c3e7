import { requestText } from './http-text.ts';

/** Where an OAuth client logs in and calls the platform API (one origin for an emulator, two for an org). */
export interface PlatformHosts {
  loginBase: string;
  apiBase: string;
}

/** A platform API call that did not succeed; `detail` is the Genesys error body. */
export class PlatformCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: unknown,
  ) {
    super(message);
    this.name = 'PlatformCallError';
  }
}

/**
 * The platform API as an OAuth client sees it: logs in with client credentials on first use (and again
 * once when a token is refused as expired or unknown, as after an emulator reset), then calls the API
 * with the bearer token. Failures name who called what and what Genesys answered.
 */
export class PlatformClient {
  #token?: string;

  constructor(
    readonly label: string,
    private readonly hosts: PlatformHosts,
    private readonly client: { id: string; secret: string },
  ) {}

  call(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.#request(method, path, body, false, true);
  }

  /** GET that answers undefined for 404 (no such entity) and throws on other failures. */
  find(path: string): Promise<unknown> {
    return this.#request('GET', path, undefined, true, true);
  }

  async #request(
    method: string,
    path: string,
    body: unknown,
    notFoundIsUndefined: boolean,
    mayLogInAgain: boolean,
  ): Promise<unknown> {
    if (!this.#token) await this.#login();
    const res = await requestText(
      method,
      `${this.hosts.apiBase}${path}`,
      { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
    const parsed = jsonOrText(res.text);
    if (res.status === 404 && notFoundIsUndefined) return undefined;
    const code = (parsed as { code?: string } | undefined)?.code;
    if (res.status === 401 && mayLogInAgain) {
      this.#token = undefined;
      return this.#request(method, path, body, notFoundIsUndefined, false);
    }
    if (!ok(res.status))
      throw new PlatformCallError(
        `${this.label}: ${method} ${path} failed with ${res.status} ${code ?? ''}`.trimEnd(),
        res.status,
        code,
        parsed,
      );
    return parsed;
  }

  async #login(): Promise<void> {
    const res = await requestText(
      'POST',
      `${this.hosts.loginBase}/oauth/token`,
      {
        authorization: `Basic ${Buffer.from(`${this.client.id}:${this.client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      'grant_type=client_credentials',
    );
    const parsed = jsonOrText(res.text);
    if (!ok(res.status))
      throw new PlatformCallError(
        `${this.label}: login failed with ${res.status}`,
        res.status,
        undefined,
        parsed,
      );
    this.#token = (parsed as { access_token: string }).access_token;
  }
}

const ok = (status: number) => status >= 200 && status < 300;

/** A body as JSON when it is JSON (a gateway in front of a real org may answer HTML). */
function jsonOrText(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
