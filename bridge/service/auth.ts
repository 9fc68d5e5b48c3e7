import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.ts';
import { ServiceError } from './errors.ts';

/**
 * API-key authentication for every route but the health checks and the Open Messaging webhook (Genesys
 * signs its deliveries instead): `Authorization: Bearer <key>` or `X-API-Key: <key>`. Keys are compared as SHA-256 digests with timingSafeEqual, against every configured
 * key without stopping at a match, so neither a key's length nor which key matched shows in the timing.
 */
export const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/v1/openmessaging/webhook']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function keyMatcher(keys: readonly string[]): (candidate: string) => boolean {
  const digests = keys.map(digest);
  return (candidate) => {
    const presented = digest(candidate);
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(known, presented) || matched;
    return matched;
  };
}

/** The key a request presents, or undefined; a malformed Authorization header counts as none. */
export function presentedKey(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (bearer) return bearer[1];
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

export function installApiKeyAuth(app: FastifyInstance, keys: readonly string[]): void {
  const matches = keyMatcher(keys);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC_PATHS.has(path)) return;
    const key = presentedKey(request);
    if (key === undefined) {
      return sendError(
        request,
        reply,
        new ServiceError(
          'UNAUTHORIZED',
          'an API key is required: send Authorization: Bearer <key> or X-API-Key',
        ),
      );
    }
    if (!matches(key))
      return sendError(request, reply, new ServiceError('UNAUTHORIZED', 'the API key is not valid'));
  });
}
