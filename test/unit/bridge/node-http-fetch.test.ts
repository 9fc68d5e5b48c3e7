import http from 'node:http';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { nodeHttpFetch } from '../../../bridge/index.ts';
import { listenForTest } from '../../support/test-server.ts';
import { TLS_CERT, TLS_KEY } from '../../support/tls-cert.ts';

/** A loopback server whose handler is the test's; resolves with its base URL. */
async function serve(handler: http.RequestListener): Promise<string> {
  const port = await listenForTest(http.createServer(handler));
  return `http://127.0.0.1:${port}`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
  });
}

describe('nodeHttpFetch (the bridge calls Genesys over node:http)', () => {
  it('sends the method, headers and body, and answers with the status, headers and text', async () => {
    const seen: {
      method?: string;
      url?: string;
      auth?: string;
      type?: string;
      length?: string;
      body?: string;
    } = {};
    const base = await serve(async (req, res) => {
      Object.assign(seen, {
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        length: req.headers['content-length'],
        body: await readBody(req),
      });
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(429, { 'Retry-After': '3', 'Content-Type': 'application/json' });
      res.end('{"code":"too.many.requests"}');
    });
    const response = await nodeHttpFetch(`${base}/api/v2/conversations?x=1`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: '{"text":"héllo"}',
    });
    expect(seen).toEqual({
      method: 'POST',
      url: '/api/v2/conversations?x=1',
      auth: 'Bearer t',
      type: 'application/json',
      length: String(Buffer.byteLength('{"text":"héllo"}')),
      body: '{"text":"héllo"}',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('Retry-After')).toBe('3');
    expect(response.headers.get('x-absent')).toBeNull();
    // A header sent more than once reads as fetch's Headers.get gives it: the values joined.
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await response.text()).toBe('{"code":"too.many.requests"}');
  });

  it('takes headers as a Headers object or pairs, and a form or no body, as fetch does', async () => {
    const seen: { method?: string; type?: string; trace?: string; body: string }[] = [];
    const base = await serve(async (req, res) => {
      seen.push({
        method: req.method,
        type: req.headers['content-type'],
        trace: req.headers['x-trace'] as string | undefined,
        body: await readBody(req),
      });
      res.end();
    });
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'a b' });
    await nodeHttpFetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: new Headers({ 'Content-Type': 'application/x-www-form-urlencoded', 'X-Trace': 't1' }),
      body: form,
    });
    await nodeHttpFetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'X-Trace': 't3' },
      body: new URLSearchParams({ a: 'é' }),
    });
    // A name given twice in pairs is sent once, its values joined (as fetch's Headers does).
    await nodeHttpFetch(`${base}/`, {
      method: 'DELETE',
      headers: [
        ['X-Trace', 't2'],
        ['x-trace', 't2b'],
      ],
      body: null,
    });
    await nodeHttpFetch(`${base}/`, {});
    expect(seen).toEqual([
      {
        method: 'POST',
        type: 'application/x-www-form-urlencoded',
        trace: 't1',
        body: 'grant_type=client_credentials&scope=a+b',
      },
      {
        method: 'POST',
        type: 'application/x-www-form-urlencoded;charset=UTF-8',
        trace: 't3',
        body: 'a=%C3%A9',
      },
      { method: 'DELETE', type: undefined, trace: 't2, t2b', body: '' },
      { method: 'GET', type: undefined, trace: undefined, body: '' },
    ]);
  });

  it('speaks TLS to an https address and refuses a certificate it cannot verify', async () => {
    let requests = 0;
    const port = await listenForTest(
      https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (_req, res) => {
        requests++;
        res.end('should not be reached');
      }),
    );
    const error = await nodeHttpFetch(`https://127.0.0.1:${port}/api/v2/users/me`, {}).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(requests).toBe(0);
  });

  it('keeps the connection alive between calls, as fetch does', async () => {
    const sockets = new Set<unknown>();
    const base = await serve((req, res) => {
      sockets.add(req.socket);
      res.end('ok');
    });
    for (let i = 0; i < 3; i++) expect(await (await nodeHttpFetch(`${base}/`, {})).text()).toBe('ok');
    expect(sockets.size).toBe(1);
  });

  it('returns a redirect as it is (Genesys does not redirect its API)', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(302, { Location: '/elsewhere' });
      res.end();
    });
    const response = await nodeHttpFetch(`${base}/`, { method: 'GET' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/elsewhere');
    expect(await response.text()).toBe('');
  });

  it('fails as fetch does when nothing listens: TypeError "fetch failed" with the cause', async () => {
    const closed = http.createServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)),
    );
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await nodeHttpFetch(`http://127.0.0.1:${port}/`, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('fails when the connection is lost mid-answer', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
    });
    const error = await nodeHttpFetch(`${base}/`, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
  });

  it('rejects with the signal reason when aborted, before or during the call', async () => {
    let arrived!: () => void;
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const base = await serve(() => arrived()); // never answers
    const early = new AbortController();
    early.abort(new Error('given up already'));
    await expect(nodeHttpFetch(`${base}/`, { signal: early.signal })).rejects.toThrow('given up already');

    const controller = new AbortController();
    const call = nodeHttpFetch(`${base}/`, { signal: controller.signal });
    await held;
    controller.abort(new Error('timed out after 16000 ms'));
    await expect(call).rejects.toThrow('timed out after 16000 ms');
  });

  it('refuses what it cannot send instead of sending something else', async () => {
    const refused = await nodeHttpFetch('ftp://127.0.0.1/', {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toBe('fetch failed');
    expect(((refused as TypeError).cause as Error).message).toBe('unsupported protocol ftp:');
    const base = await serve((_req, res) => res.end());
    await expect(
      nodeHttpFetch(`${base}/`, { method: 'POST', body: new Blob(['x']) as unknown as string }),
    ).rejects.toThrow('string, Uint8Array or URLSearchParams');
  });
});
