import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestText } from '../../emulator/agents/http-text.ts';
import { TLS_CERT, TLS_KEY } from '../support/tls-cert.ts';

/**
 * The scripted agents' HTTP exchange (emulator/agents/http-text.ts): what it sends (method, headers,
 * body with its length), what it gives back for any status, and that an https org is reached over TLS
 * with the certificate checked.
 */
const servers: { close(): void; closeAllConnections(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

describe('requestText', () => {
  it('sends the method, headers and body (with its byte length) and gives back any status with the body text', async () => {
    const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
        res.end(req.url === '/missing' ? '{"code":"not.found"}' : 'é ok');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const posted = await requestText('POST', `${base}/x?a=1`, { authorization: 'Bearer t' }, '{"text":"é"}');
    expect(posted).toEqual({ status: 200, text: 'é ok' });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"text":"é"}' });
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer t', 'content-length': '13' });

    expect(await requestText('GET', `${base}/missing`, {})).toEqual({
      status: 404,
      text: '{"code":"not.found"}',
    });
    expect(seen[1]).toMatchObject({ method: 'GET', body: '' });
    expect(seen[1]!.headers['content-length']).toBeUndefined();
  });

  it('reaches an https address over TLS and refuses a certificate it cannot verify', async () => {
    let requests = 0;
    const server = createTlsServer({ key: TLS_KEY, cert: TLS_CERT }, (_req, res) => {
      requests++;
      res.end('should not be reached');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/users/me`;
    await expect(requestText('GET', url, {})).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(requests).toBe(0);
  });

  it('rejects when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(requestText('GET', `http://127.0.0.1:${port}/`, {})).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
