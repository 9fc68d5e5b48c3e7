// The agent's connection to the emulator's public platform API, as any Genesys client would use it:
// a client-credentials login at /oauth/token, then bearer calls under /api/v2/.

export class ApiError extends Error {
  constructor(status, body) {
    const message = body?.message ?? body?.error_description ?? `HTTP ${status}`;
    super(message);
    this.status = status;
    this.code = body?.code ?? body?.error;
  }
}

async function parse(response) {
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { message: text };
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** The console's own read-only endpoints under /console/api/ (not Genesys API; see the README). */
export async function consoleGet(path) {
  return parse(await fetch(`/console/api/${path}`, { headers: { accept: 'application/json' } }));
}

export class PlatformClient {
  #clientId;
  #secret;
  #token;

  constructor(clientId, secret) {
    this.#clientId = clientId;
    this.#secret = secret;
  }

  /** Client-credentials grant with the client in a Basic header, as the SDKs send it. */
  async login() {
    const response = await fetch('/oauth/token', {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa(`${this.#clientId}:${this.#secret}`)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = await parse(response);
    this.#token = body.access_token;
  }

  /** One API call; an expired token (401) is renewed once and the call repeated. */
  async request(method, path, body) {
    if (!this.#token) await this.login();
    let response = await this.#send(method, path, body);
    if (response.status === 401) {
      await this.login();
      response = await this.#send(method, path, body);
    }
    return parse(response);
  }

  #send(method, path, body) {
    const headers = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
}
