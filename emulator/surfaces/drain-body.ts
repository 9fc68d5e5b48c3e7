import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * No answer leaves before its request's body has arrived. A request can be answered while its body is
 * still coming (a hook refused it, or the body was too large or unparsable), and Node then closes the
 * connection as soon as the answer is written whenever the client asked for `Connection: close` (and
 * fastify asks for it on a refused body): closing a socket with unread data makes the kernel send a
 * reset, so a client still writing saw EPIPE or ECONNRESET instead of the answer (4 times in 10 for a
 * 2 MB POST). The rest of the body is read and dropped first; the request timeout bounds how long.
 *
 * Only real connections: `complete` is Node's flag on an incoming request (inject's requests lack it).
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

/**
 * From the error handler: a refused body is read to its end (above), after which the connection is as
 * good as any, so fastify's `Connection: close` for it is dropped and the client may reuse it.
 */
export function keepConnectionAfterRefusedBody(request: FastifyRequest, reply: FastifyReply): void {
  if (request.raw.complete !== false) return;
  reply.removeHeader('connection');
}
