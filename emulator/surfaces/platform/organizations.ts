import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';

/** GET /api/v2/organizations/me: the fixture's org. */
export const organizationsRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.get('/api/v2/organizations/me', async () => {
    const { org } = runtime.org();
    const slug =
      org.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'org';
    return {
      id: org.id,
      name: org.name,
      defaultLanguage: 'en-us',
      defaultCountryCode: 'US',
      thirdPartyOrgName: slug,
      domain: slug,
      version: 1,
      state: 'active',
      productPlatform: 'PureCloud',
      features: {},
      selfUri: `/api/v2/organizations/${org.id}`,
    };
  });
};
