import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildBridgeService } from '../../bridge/service/index.ts';
import { startEmulator } from '../support/emulators.ts';
import { openRaw, parseResponse, rawExchange, trickle } from '../support/raw-http.ts';

/**
 * What a misbehaving HTTP client meets before any route runs (issue 14, items 4, 5 and 6), on the
 * emulator and on the bridge service, over real sockets:
 * - a 16 KB+ request line or header block (431) and a control character in the request line (400)
 *   answer in the server's one error shape with its correlation header, not fastify's default body;
 * - a refused body (413) is read to its end, so the client reads the answer and the connection lives on;
 * - headers trickled, a body trickled and an idle keep-alive connection are cut off on (short, configured)
 *   deadlines.
 * Nothing sleeps: each test waits for the server's answer or for it to close the connection.
 */

const KEY = 'edge-test-api-key-0123456789';
const TIMEOUTS = { headerTimeoutMs: 150, requestTimeoutMs: 300, idleTimeoutMs: 150 };
const LONG_URL = `/api/v2/users/${'a'.repeat(17_000)}`;

interface Server {
  name: string;
  port: number;
  /** A POST route whose body is refused when over 1 MiB (no credentials needed to reach the parser). */
  bodyPath: string;
  /** A GET answered 200 without credentials. */
  getPath: string;
  headers: Record<string, string>;
  expectError(text: string, status: number, code: string): void;
}

async function emulatorServer(): Promise<Server> {
  const emulator = await startEmulator({ ...TIMEOUTS });
  return {
    name: 'emulator',
    port: emulator.port,
    bodyPath: '/__emulator/fixture',
    getPath: '/console/api/clock',
    headers: {},
    expectError(text, status, code) {
      const res = parseResponse(text);
      expect(res.status, text).toBe(status);
      const body = JSON.parse(res.body);
      // The Genesys ErrorBody, every field, and the correlation header equal to its contextId.
      expect(body).toEqual({
        message: expect.any(String),
        code,
        status,
        messageParams: {},
        contextId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        details: [],
        errors: [],
      });
      expect(res.headers['inin-correlation-id']).toBe(body.contextId);
      expect(body).not.toHaveProperty('statusCode');
    },
  };
}

async function bridgeServer(): Promise<Server> {
  const emulator = await startEmulator();
  const service = await buildBridgeService({
    config: {
      loginUrl: emulator.url,
      deploymentId: emulator.fixture.deployments.messenger[0]!.id,
      channel: 'webMessaging',
    },
    apiKeys: [KEY],
    http: TIMEOUTS,
  });
  onTestFinished(() => service.close());
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    name: 'bridge service',
    port: (service.app.server.address() as AddressInfo).port,
    bodyPath: '/v1/transfers',
    getPath: '/healthz',
    headers: { authorization: `Bearer ${KEY}` },
    expectError(text, status, code) {
      const res = parseResponse(text);
      expect(res.status, text).toBe(status);
      const body = JSON.parse(res.body);
      expect(body).toEqual({
        error: {
          code,
          message: expect.any(String),
          retryable: expect.any(Boolean),
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      });
      expect(res.headers['x-request-id']).toBe(body.error.requestId);
    },
  };
}

const SERVERS = [
  {
    name: 'emulator',
    start: emulatorServer,
    tooLarge: 'request.header.fields.too.large',
    bad: 'bad.request',
    timeout: 'request.timeout',
  },
  {
    name: 'bridge service',
    start: bridgeServer,
    tooLarge: 'HEADERS_TOO_LARGE',
    bad: 'INVALID_REQUEST',
    timeout: 'REQUEST_TIMEOUT',
  },
] as const;

describe.each(SERVERS)('the $name before routing', ({ start, tooLarge, bad, timeout }) => {
  it('a request line over 16 KB is 431 in the one error shape', async () => {
    const server = await start();
    const text = await rawExchange(server.port, `GET ${LONG_URL} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    server.expectError(text, 431, tooLarge);
  });

  it('a header block over 16 KB is 431 in the one error shape', async () => {
    const server = await start();
    const headers = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'b'.repeat(500)}`).join('\r\n');
    const text = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n\r\n`);
    server.expectError(text, 431, tooLarge);
  });

  it.each([
    ['a control character in the path', 'GET /api/v2/us\x01ers HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a DEL in the path', 'GET /api\x7f HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a NUL in the method', 'G\x00T / HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a broken HTTP version', 'GET / HTTP/9.x\r\nHost: localhost\r\n\r\n'],
  ])('%s is 400 in the one error shape', async (_what, request) => {
    const server = await start();
    server.expectError(await rawExchange(server.port, request), 400, bad);
  });

  it('headers trickled a byte at a time are cut off with 408 at the header deadline', async () => {
    const server = await start();
    const connection = await openRaw(server.port);
    connection.socket.write(`GET ${server.getPath} HTTP/1.1\r\nHost: localhost\r\n`);
    // The client keeps sending (one header byte every 10 ms) and never finishes its headers.
    const { answer, sent } = await trickle(connection, 'X-Slow: abcdefghijklmnopqrstuvwxyz\r\n', 10);
    server.expectError(answer, 408, timeout);
    expect(sent).toBeGreaterThan(0);
  });

  it('a connection that sends nothing is closed with 408 at the header deadline', async () => {
    const server = await start();
    const connection = await openRaw(server.port);
    server.expectError(await connection.closed, 408, timeout);
  });

  it('a body trickled a byte at a time is cut off with 408 at the request deadline', async () => {
    const server = await start();
    const connection = await openRaw(server.port);
    const head = Object.entries({
      ...server.headers,
      'content-type': 'application/json',
      'content-length': '100000',
    })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    connection.socket.write(`POST ${server.bodyPath} HTTP/1.1\r\nHost: localhost\r\n${head}\r\n\r\n`);
    const { answer } = await trickle(connection, '{"x":1}', 10);
    server.expectError(answer, 408, timeout);
  });

  it('an idle keep-alive connection is closed after the idle timeout', async () => {
    const server = await start();
    const connection = await openRaw(server.port);
    connection.socket.write(
      `GET ${server.getPath} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`,
    );
    const closedText = await connection.closed;
    const first = parseResponse(closedText);
    expect(first.status).toBe(200);
    expect(first.headers['connection']).toBe('keep-alive');
    // Only the one answer came: the server closed an idle connection, it did not answer anything else.
    expect(closedText.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });
});

describe.each(SERVERS)('a body over the limit on the $name', ({ start, timeout }) => {
  it('is not answered before it has arrived: a client that stops half-way meets the request deadline', async () => {
    // Answering 413 at once and closing (the client said Connection: close) resets a connection the
    // client is still writing to, and it may never read the answer. So the answer waits for the body;
    // this client never finishes it, so what it gets is the request deadline's 408, and only that.
    const server = await start();
    const connection = await openRaw(server.port);
    const head = Object.entries({
      ...server.headers,
      'content-type': 'application/json',
      'content-length': String(2 * 1024 * 1024),
      connection: 'close',
    })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    connection.socket.write(
      `POST ${server.bodyPath} HTTP/1.1\r\nHost: localhost\r\n${head}\r\n\r\n${'a'.repeat(1000)}`,
    );
    const answer = await connection.closed;
    server.expectError(answer, 408, timeout);
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('is answered 413 and the rest of the body is read: the connection stays usable', async () => {
    const server = await start();
    // One socket for both requests: the second reuses the first's connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    onTestFinished(() => agent.destroy());
    const body = Buffer.alloc(2 * 1024 * 1024, 'a');
    const post = () =>
      new Promise<{ status: number; connection?: string; reused: boolean; body: string }>(
        (resolve, reject) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port: server.port,
              method: 'POST',
              path: server.bodyPath,
              agent,
              headers: {
                ...server.headers,
                'content-type': 'application/json',
                'content-length': body.length,
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8').on('data', (chunk: string) => {
                text += chunk;
              });
              res.on('end', () =>
                resolve({
                  status: res.statusCode!,
                  ...(res.headers.connection ? { connection: res.headers.connection } : {}),
                  reused: req.reusedSocket,
                  body: text,
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
    const first = await post();
    expect(first.status, first.body).toBe(413);
    expect(first.connection).not.toBe('close');
    const second = await post();
    expect(second.status, second.body).toBe(413);
    expect(second.reused).toBe(true);
  });
});
