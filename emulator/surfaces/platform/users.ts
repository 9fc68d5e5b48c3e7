import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiError, errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { principalOf } from './auth-hook.ts';
import { presentUser } from './presenters.ts';

const UserParams = z.object({ userId: z.string().min(1) });

/** GET /api/v2/users/me and /api/v2/users/{userId}. */
export const usersRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  app.get('/api/v2/users/me', async (request) => {
    const principal = principalOf(request);
    if (principal.userId === undefined) {
      // A client-credentials token has no user behind it. The real status for this is UNCONFIRMED;
      // 400 with a message that says why is what a user needs to fix their setup.
      throw new ApiError(
        400,
        'bad.request',
        'This request requires a user context. The token was issued to a client-credentials client with no user; ' +
          'bind the client to a user in the fixture (clients[].user) to act as an agent.',
      );
    }
    const user = runtime.org().userById(principal.userId);
    if (!user) throw errors.notFound(`user ${principal.userId}`);
    return presentUser(runtime.org(), user);
  });

  app.get('/api/v2/users/:userId', async (request) => {
    const { userId } = parseInput(UserParams, request.params, 'params');
    const user = runtime.org().userById(userId);
    if (!user) throw errors.notFound(`user ${userId}`, { entityId: userId });
    return presentUser(runtime.org(), user);
  });
};
