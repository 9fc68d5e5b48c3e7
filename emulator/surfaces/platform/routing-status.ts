import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { errors } from '../../domain/errors.ts';
import { agentState, ROUTING_STATUSES } from '../../domain/routing/agent-state.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { presentRoutingStatus } from './presenters.ts';

const UserParams = z.object({ userId: z.string().min(1) });
const RoutingStatusBody = z.object({ status: z.enum(ROUTING_STATUSES), startTime: z.string().optional() });

/**
 * GET/PUT /api/v2/users/{userId}/routingstatus. PUT accepts IDLE (go on queue, also the way back from
 * NOT_RESPONDING) and OFF_QUEUE; which other transitions Genesys accepts is UNCONFIRMED
 * (platform-architect.md §2.6), so they are refused with the allowed values named.
 */
export const routingStatusRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.get('/api/v2/users/:userId/routingstatus', async (request) => {
    const { userId } = parseInput(UserParams, request.params, 'params');
    return presentRoutingStatus(agentState(runtime, userId));
  });

  app.put('/api/v2/users/:userId/routingstatus', async (request) => {
    const { userId } = parseInput(UserParams, request.params, 'params');
    const { status } = parseInput(RoutingStatusBody, request.body, 'body');
    if (!runtime.org().userById(userId)) throw errors.notFound(`user ${userId}`, { entityId: userId });
    runtime.router.setRoutingStatus(userId, status);
    return presentRoutingStatus(agentState(runtime, userId));
  });
};
