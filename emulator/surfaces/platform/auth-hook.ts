import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateBearer, type Principal } from '../../domain/auth.ts';
import { errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Bearer check on every route of the scope it is installed in (all of /api/v2/ platform routes). */
export function requireBearer(app: FastifyInstance, runtime: EmulatorRuntime): void {
  // A callback hook (no promise per request): the token lookup never waits.
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      request.principal = authenticateBearer(runtime, request.headers.authorization);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw errors.authenticationRequired();
  return request.principal;
}
