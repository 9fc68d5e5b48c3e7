import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errors, OAuthError } from '../domain/errors.ts';
import { installBodyDrain, keepConnectionAfterRefusedBody } from './drain-body.ts';

/**
 * The single place where errors become wire bodies: Genesys's ErrorBody
 * (`message, code, status, messageParams, contextId, details, errors`) with the `inin-correlation-id`
 * header on every response, or the OAuth shape for the token endpoint. Anything unexpected is logged
 * and answered as a 500 without internals.
 */
export function installErrorHandling(app: FastifyInstance, options: { controlPlane: boolean }): void {
  // Callback hooks on every request's path: no promise per request for work that never waits.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('inin-correlation-id', request.id);
    done();
  });
  installBodyDrain(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A body refused before it was read (too large, unparsable) is read to its end before the answer
    // goes (drain-body.ts), so the connection stays usable.
    keepConnectionAfterRefusedBody(request, reply);
    if (error instanceof OAuthError) {
      return reply
        .status(error.status)
        .send({ error: error.error, description: error.message, error_description: error.message });
    }
    const apiError = error instanceof ApiError ? error : fromFrameworkError(error, request);
    if (!(error instanceof ApiError) && apiError.status >= 500)
      request.log.error({ err: error }, 'unhandled error');
    // The token endpoint answers every error in the OAuth shape (platform-architect.md §1.1), including
    // the ones raised before its handler runs (malformed JSON, body too large, unsupported content type).
    if (request.routeOptions.url === '/oauth/token') {
      if (apiError.init.headers) reply.headers(apiError.init.headers);
      const error = apiError.status >= 500 ? 'server_error' : 'invalid_request';
      return reply
        .status(apiError.status)
        .send({ error, description: apiError.message, error_description: apiError.message });
    }
    return sendApiError(request, reply, apiError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (!options.controlPlane && (path === '/__emulator' || path.startsWith('/__emulator/')))
      return sendApiError(request, reply, controlPlaneOff(request.method, path));
    return sendApiError(request, reply, errors.notEmulated(request.method, path));
  });
}

/** A control-plane path on an emulator started without it: say how to turn it on. */
function controlPlaneOff(method: string, path: string): ApiError {
  return new ApiError(
    404,
    'not.found',
    `The requested resource was not found: ${method} ${path} is on the emulator's control plane, which is ` +
      'off. Start the emulator with --control-plane (or startEmulator({ controlPlane: true })) to enable /__emulator/.',
    { messageParams: { method, path } },
  );
}

export function errorBody(error: ApiError, contextId: string) {
  return {
    message: error.message,
    code: error.code,
    status: error.status,
    ...(error.init.entityId ? { entityId: error.init.entityId } : {}),
    ...(error.init.entityName ? { entityName: error.init.entityName } : {}),
    messageParams: error.init.messageParams ?? {},
    contextId,
    details: error.init.details ?? [],
    errors: [],
    ...(error.init.limit ? { limit: error.init.limit } : {}),
  };
}

export function sendApiError(request: FastifyRequest, reply: FastifyReply, error: ApiError) {
  if (error.init.headers) reply.headers(error.init.headers);
  return reply.status(error.status).send(errorBody(error, request.id));
}

/** Maps fastify's own errors (body parsing, size limits, content types) onto the catalogue. */
function fromFrameworkError(error: FastifyError, request: FastifyRequest): ApiError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // fastify's message carries no number; the route's limit is the one that was exceeded.
      return errors.payloadTooLarge(request.routeOptions.bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(request.headers['content-type'] || 'none');
    default:
      break;
  }
  if (error instanceof SyntaxError) return errors.badRequest(`Malformed JSON body: ${error.message}`);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(status, 'bad.request', error.message);
  return errors.internal();
}

/**
 * Errors fastify raises before routing (a broken percent-encoding, an over-long path parameter) go
 * through the same Genesys body and correlation header as everything else.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('inin-correlation-id', request.id);
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void sendApiError(
    request,
    reply,
    new ApiError(status, 'bad.request', `Malformed request URL: ${error.message}`),
  );
}
