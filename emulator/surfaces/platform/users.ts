import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { FixtureUser } from '../../config/fixture-schema.ts';
import { ApiError, errors } from '../../domain/errors.ts';
import { agentState } from '../../domain/routing/agent-state.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { principalOf } from './auth-hook.ts';
import { presentUserPresence } from './presence.ts';
import { presentOrganization, presentRoutingStatus, presentUser, type UserExpansions } from './presenters.ts';

const UserParams = z.object({ userId: z.string().min(1) });

/** One value, a comma-separated list, or repeated (`expand=a&expand=b` as the SDK sends it, or `expand[]=`). */
const multi = z
  .union([z.string().max(512), z.array(z.string().max(512)).max(50)])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()));

const UserQuery = z
  .object({ expand: multi.optional(), 'expand[]': multi.optional() })
  .transform((q) => new Set([...(q.expand ?? []), ...(q['expand[]'] ?? [])]));

/**
 * The expands the emulator fills: the user's routing status, presence (the presence service's, which
 * moves with the routing status) and, on /users/me, the organization. Genesys has many more expands
 * (station, skills, authorization...); those are ignored, as Genesys ignores an expand it cannot fill
 * for the caller (UNCONFIRMED for unknown names).
 */
function expansionsOf(runtime: EmulatorRuntime, user: FixtureUser, expand: Set<string>, me: boolean) {
  const out: UserExpansions = {};
  if (expand.has('routingStatus')) out.routingStatus = presentRoutingStatus(agentState(runtime, user.id));
  if (expand.has('presence')) out.presence = presentUserPresence(runtime.presence.get(user.id));
  if (me && expand.has('organization')) out.organization = presentOrganization(runtime.org());
  return out;
}

/** GET /api/v2/users/me and /api/v2/users/{userId}, with `?expand=`. */
export const usersRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  app.get('/api/v2/users/me', async (request) => {
    const expand = parseInput(UserQuery, request.query, 'query');
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
    return presentUser(runtime.org(), user, expansionsOf(runtime, user, expand, true));
  });

  app.get('/api/v2/users/:userId', async (request) => {
    const { userId } = parseInput(UserParams, request.params, 'params');
    const expand = parseInput(UserQuery, request.query, 'query');
    const user = runtime.org().userById(userId);
    if (!user) throw errors.notFound(`user ${userId}`, { entityId: userId });
    return presentUser(runtime.org(), user, expansionsOf(runtime, user, expand, false));
  });
};
