import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { installBodyDrain, keepConnectionAfterRefusedBody } from './drain-body.ts';
import { retryAfterSeconds, ServiceError } from './errors.ts';

/**
 * The one place errors become HTTP answers: `{ error: { code, message, retryable, requestId, ... } }`,
 * a `Retry-After` when the caller should come back later, and an X-Request-Id on every response.
 * Anything unexpected is logged and answered as INTERNAL without its internals.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installBodyDrain(app);

  app.setErrorHandler((thrown: FastifyError, request, reply) => {
    // A body refused before it was read (too large, unparsable) is read to its end before the answer
    // goes (drain-body.ts), so the connection stays usable.
    keepConnectionAfterRefusedBody(request, reply);
    const error =
      thrown instanceof Error && !isFrameworkError(thrown) ? ServiceError.from(thrown) : undefined;
    const answer = error ?? fromFrameworkError(thrown);
    if (answer.status >= 500 && answer.body.code === 'INTERNAL') {
      request.log.error({ err: thrown }, 'unhandled error');
      return sendError(request, reply, new ServiceError('INTERNAL', 'internal error'));
    }
    return sendError(request, reply, answer);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ServiceError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
    ),
  );
}

export function errorPayload(error: ServiceError, requestId: string) {
  return { error: { ...error.body, requestId } };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ServiceError) {
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  if (error.body.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="genesys-bridge"');
  return reply.status(error.status).send(errorPayload(error, request.id));
}

/** fastify's own errors carry a `FST_` code and a statusCode (bad JSON, body too large, media type ...). */
function isFrameworkError(error: Error): boolean {
  const code = (error as FastifyError).code;
  return typeof code === 'string' && code.startsWith('FST_');
}

function fromFrameworkError(error: FastifyError): ServiceError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServiceError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServiceError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    default:
      break;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ServiceError('INVALID_REQUEST', error.message);
  return new ServiceError('INTERNAL', error.message);
}

/**
 * Errors fastify raises before routing (a broken percent-encoding, an over-long URL) get the same body and
 * request id as everything else.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  void sendError(request, reply, new ServiceError('INVALID_REQUEST', `malformed request: ${error.message}`));
}
