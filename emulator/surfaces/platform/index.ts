import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';
import { requireBearer } from './auth-hook.ts';
import { organizationsRoutes } from './organizations.ts';
import { routingQueuesRoutes } from './routing-queues.ts';
import { usersRoutes } from './users.ts';

/** The agent-side platform API under /api/v2/: every route in this scope needs a valid bearer token. */
export const platformSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, opts) => {
  requireBearer(app, opts.runtime);
  await app.register(usersRoutes, opts);
  await app.register(organizationsRoutes, opts);
  await app.register(routingQueuesRoutes, opts);
};
