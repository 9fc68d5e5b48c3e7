import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * No answer leaves before its request's body has arrived. A request can be answered while its body is
 * still coming (no API key, a body too large or unparsable), and Node then closes the connection as soon
 * as the answer is written whenever the client asked for `Connection: close` (and fastify asks for it on
 * a refused body): closing a socket with unread data makes the kernel send a reset, so a client still
 * writing saw EPIPE or ECONNRESET instead of the answer. The rest of the body is read and dropped
 * first; the request timeout bounds how long. (The emulator has the same lines: the bridge imports
 * nothing of it.) Only real connections: inject's requests have no `complete` flag.
 */
export function installBodyDrain(app: FastifyInstance): void {
  // A callback hook: most answers pass straight through, without a promise per response.
  app.addHook('onSend', (request, _reply, payload, done) => {
    const raw = request.raw;
    if (raw.complete !== false || raw.readableEnded || raw.destroyed) return done(null, payload);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      done(null, payload);
    };
    raw.once('end', finish);
    raw.once('close', finish);
    raw.once('error', finish);
    raw.resume();
  });
}

/** From the error handler: once a refused body has been read, the connection may be reused. */
export function keepConnectionAfterRefusedBody(request: FastifyRequest, reply: FastifyReply): void {
  if (request.raw.complete !== false) return;
  reply.removeHeader('connection');
}
