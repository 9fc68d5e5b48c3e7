import { ExpectationFailed, type PlatformHosts } from './world.ts';

/**
 * The platform API as an OAuth client sees it: logs in with client credentials on first use, then
 * calls the API with the bearer token. Failures are expectation failures naming who called what.
 */
export class PlatformClient {
  #token?: string;

  constructor(
    readonly label: string,
    private readonly hosts: PlatformHosts,
    private readonly client: { id: string; secret: string },
  ) {}

  call(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.#request(method, path, body, false);
  }

  /** GET that answers undefined for 404 (no such entity) and throws on other failures. */
  find(path: string): Promise<unknown> {
    return this.#request('GET', path, undefined, true);
  }

  async #request(
    method: string,
    path: string,
    body: unknown,
    notFoundIsUndefined: boolean,
  ): Promise<unknown> {
    if (!this.#token) await this.#login();
    const res = await fetch(`${this.hosts.apiBase}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.status === 404 && notFoundIsUndefined) return undefined;
    if (!res.ok) {
      const code = (parsed as { code?: string } | undefined)?.code ?? res.status;
      throw new ExpectationFailed(
        `${this.label}: ${method} ${path} failed with ${res.status} ${code}`,
        parsed,
      );
    }
    return parsed;
  }

  async #login(): Promise<void> {
    const res = await fetch(`${this.hosts.loginBase}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.client.id}:${this.client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (!res.ok) throw new ExpectationFailed(`${this.label}: login failed with ${res.status}`);
    this.#token = ((await res.json()) as { access_token: string }).access_token;
  }
}
