import type { FastifyInstance } from 'fastify';
import { ServiceError } from './errors.ts';

/**
 * JSON bodies only (anything else is 415). An empty JSON body counts as no body, because HTTP clients
 * commonly send `Content-Type: application/json` on body-less POSTs such as `/end`. Non-empty bodies go
 * through fastify's own JSON parser, which refuses `__proto__` and `constructor.prototype` keys.
 */
export function installJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(.+\+)?json\b/i, { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, value) => {
      if (error)
        done(new ServiceError('INVALID_REQUEST', `malformed JSON body: ${error.message}`), undefined);
      else done(null, value);
    });
  });
}
