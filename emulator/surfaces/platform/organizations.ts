import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';
import { presentOrganization } from './presenters.ts';

/** GET /api/v2/organizations/me: the fixture's org. */
export const organizationsRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.get('/api/v2/organizations/me', async () => presentOrganization(runtime.org()));
};
