import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { errors } from '../domain/errors.ts';

/**
 * Body parsing as Genesys clients need it:
 * - JSON with an empty body counts as no body: the official SDKs send `Content-Type: application/json`
 *   with nothing on body-less POSTs (toolchain.md), which fastify's own parser would refuse.
 * - Form bodies for POST /oauth/token.
 * - YAML text for loading a fixture through the control plane.
 */
export async function installContentParsers(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(/^application\/(.+\+)?json/i, { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(errors.badRequest(`Malformed JSON body: ${(e as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser(/^(application|text)\/(x-)?yaml/i, { parseAs: 'string' }, (_request, body, done) =>
    done(null, String(body)),
  );
  await app.register(formbody);
}
