import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

/**
 * HTTP as a misbehaving client speaks it: raw bytes on a TCP socket (an over-long request line, a control
 * character, headers or a body sent a byte at a time), and what the server answered before it closed.
 * Nothing here sleeps: a test waits for the server to answer or to close the connection.
 */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with everything the server sent once the connection has closed. */
  closed: Promise<string>;
}

export async function openRaw(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    data += chunk;
  });
  // A reset after the answer still counts as closed; the answer is what the test looks at.
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(data)));
  onTestFinished(() => {
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed };
}

/** Sends `text` on a new connection and resolves with all the server sent once it closed the connection. */
export async function rawExchange(port: number, text: string | Buffer): Promise<string> {
  const connection = await openRaw(port);
  connection.socket.write(text);
  return connection.closed;
}

/**
 * Writes `text` one byte at a time, `everyMs` apart, until the server closes the connection (a slow
 * client: the pace is the client's, the test waits only for the server). Resolves with what the server
 * sent and how many bytes went out.
 */
export async function trickle(
  connection: RawConnection,
  text: string,
  everyMs: number,
): Promise<{ answer: string; sent: number }> {
  let sent = 0;
  const timer = setInterval(() => {
    if (connection.socket.destroyed || !connection.socket.writable) return;
    connection.socket.write(text[sent % text.length]!);
    sent++;
  }, everyMs);
  const answer = await connection.closed;
  clearInterval(timer);
  return { answer, sent };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses the first HTTP/1.1 response in `text` (a Content-Length body). */
export function parseResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP response in: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1]);
  return { status, headers, body: text.slice(end + 4, end + 4 + length) };
}

/**
 * One POST of `body` with a plain node:http client, the way most HTTP code sends a body: all at once,
 * reading the answer when it comes. Resolves with the status, or with the socket error's code (EPIPE,
 * ECONNRESET) when the answer was lost.
 */
export function plainPost(
  url: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status?: number; error?: string; headers?: IncomingHttpHeaders; text?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}
