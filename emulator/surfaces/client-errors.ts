import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from '../domain/errors.ts';
import { errorBody } from './error-handler.ts';

/**
 * Errors Node's HTTP parser raises before fastify sees a request (fastify's `clientErrorHandler`): a
 * request line or header block over 16 KB (431), a control character in the request line or any other
 * unparsable request (400), and the header and request timeouts (408). They get the Genesys ErrorBody
 * and an `inin-correlation-id` like every other answer, instead of fastify's `{error, message,
 * statusCode}`.
 *
 * The answer is followed by a lingering close: the emulator stops writing but keeps reading (and
 * dropping) what the client still sends for a moment, so the client reads the answer instead of a
 * connection reset (closing a socket with unread data makes the kernel send RST, which can discard
 * the answer before the client reads it).
 */

/** How long a refused connection is still read after its answer before it is destroyed (real ms). */
const LINGER_MS = 2_000;

/** Sockets already answered (the parser reports the same error again for every later chunk). */
const answered = new WeakSet<Socket>();

function describe(error: NodeJS.ErrnoException & { reason?: string }): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        431,
        'request.header.fields.too.large',
        'The request line and headers exceed the maximum size of 16384 bytes.',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(
        408,
        'request.timeout',
        'The request did not arrive in time: its headers or body were too slow (see headerTimeoutMs and requestTimeoutMs).',
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ApiError(413, 'request.entity.too.large', 'The chunk extensions are too large.');
    default:
      return new ApiError(
        400,
        'bad.request',
        `The request could not be parsed: ${error.reason ?? error.message} (${error.code ?? 'unknown'}).`,
      );
  }
}

/** Stops writing, keeps reading for LINGER_MS, then closes for good. */
function lingeringClose(socket: Socket): void {
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}

/** The server's `clientErrorHandler`; `newId` gives the correlation id. */
export function clientErrorHandler(newId: () => string) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (answered.has(socket)) return;
    answered.add(socket);
    // As Node does: never write into a response that has started (its bytes would corrupt it).
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const id = newId();
    const apiError = describe(error);
    const body = JSON.stringify(errorBody(apiError, id));
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `inin-correlation-id: ${id}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
    lingeringClose(socket);
  };
}
