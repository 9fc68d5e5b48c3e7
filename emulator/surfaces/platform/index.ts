import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';
import { named } from '../plugin-name.ts';
import { requireBearer } from './auth-hook.ts';
import { communicationRoutes } from './conversations/communication-routes.ts';
import { participantRoutes } from './conversations/participant-routes.ts';
import { conversationReadRoutes } from './conversations/read-routes.ts';
import { transferRoutes } from './conversations/transfer-routes.ts';
import { extraPlatformRoutes } from './extra-routes.ts';
import { organizationsRoutes } from './organizations.ts';
import { routingQueuesRoutes } from './routing-queues.ts';
import { routingStatusRoutes } from './routing-status.ts';
import { usersRoutes } from './users.ts';
import { utilizationRoutes } from './utilization.ts';

/** The agent-side platform API under /api/v2/: every route in this scope needs a valid bearer token. */
export const platformSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, opts) => {
  requireBearer(app, opts.runtime);
  for (const routes of [
    usersRoutes,
    organizationsRoutes,
    routingQueuesRoutes,
    routingStatusRoutes,
    utilizationRoutes,
    conversationReadRoutes,
    participantRoutes,
    communicationRoutes,
    transferRoutes,
    ...extraPlatformRoutes,
  ]) {
    await app.register(named(routes), opts);
  }
};
