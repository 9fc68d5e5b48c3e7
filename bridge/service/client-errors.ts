import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorPayload } from './error-handler.ts';
import { ServiceError } from './errors.ts';

/**
 * Errors Node's HTTP parser raises before fastify sees a request (fastify's `clientErrorHandler`): a
 * request line or header block over 16 KB (431 HEADERS_TOO_LARGE), an unparsable request such as a
 * control character in the request line (400 INVALID_REQUEST), and the header and request timeouts
 * (408 REQUEST_TIMEOUT). They get the service's error shape and an X-Request-Id like every other answer.
 *
 * The answer is followed by a lingering close: the service stops writing but keeps reading (and
 * dropping) what the client still sends for a moment, so the client reads the answer instead of a
 * connection reset.
 */

/** How long a refused connection is still read after its answer before it is destroyed (real ms). */
const LINGER_MS = 2_000;

/** Sockets already answered (the parser reports the same error again for every later chunk). */
const answered = new WeakSet<Socket>();

function describe(error: NodeJS.ErrnoException & { reason?: string }): ServiceError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ServiceError('HEADERS_TOO_LARGE', 'the request line and headers exceed 16384 bytes');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ServiceError(
        'REQUEST_TIMEOUT',
        'the request did not arrive in time: its headers or body were too slow (service.http.headerTimeoutMs, requestTimeoutMs)',
        { retryable: true },
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ServiceError('PAYLOAD_TOO_LARGE', 'the chunk extensions are too large');
    default:
      return new ServiceError(
        'INVALID_REQUEST',
        `the request could not be parsed: ${error.reason ?? error.message} (${error.code ?? 'unknown'})`,
      );
  }
}

function lingeringClose(socket: Socket): void {
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}

/** The server's `clientErrorHandler`. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (answered.has(socket)) return;
  answered.add(socket);
  // As Node does: never write into a response that has started (its bytes would corrupt it).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const refusal = describe(error);
  const body = JSON.stringify(errorPayload(refusal, requestId));
  socket.write(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  lingeringClose(socket);
}
