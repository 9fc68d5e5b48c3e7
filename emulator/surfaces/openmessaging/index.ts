import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';
import { requireBearer } from '../platform/auth-hook.ts';
import { named } from '../plugin-name.ts';
import { OpenInbound } from './inbound.ts';
import { inboundRoutes } from './inbound-routes.ts';
import { integrationRoutes } from './integration-routes.ts';
import { OpenCustomers } from './open-customers.ts';
import { recipientRoutes } from './recipient-routes.ts';
import { WebhookDeliveries } from './webhook-deliveries.ts';
import { WebhookHttp } from './webhook-http.ts';
import { translateToWebhooks } from './webhook-translator.ts';

/**
 * Open Messaging (platform-extra.md §1): integration CRUD, message routing recipients, the inbound API an
 * integration calls with an OAuth token, and the signed webhook Genesys calls back. Customers talk to the
 * one conversation core, so an open conversation is an ordinary message conversation (`messengerType:
 * "open"`) on the agent side: the same platform API, notifications and console as Web Messaging.
 */
export const openMessagingSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  requireBearer(app, runtime);
  const http = new WebhookHttp(runtime.clock);
  const deliveries = new WebhookDeliveries(runtime, http);
  const unsubscribe = translateToWebhooks(runtime, deliveries);
  runtime.onReset(() => deliveries.reset());
  // Deliveries in flight are process state and do not survive a restart; pending creations do.
  runtime.onRestore(() => runtime.openIntegrations.restored());
  app.addHook('preClose', async () => {
    unsubscribe();
    deliveries.reset();
    http.close();
  });
  const inbound = new OpenInbound(runtime, new OpenCustomers(runtime));
  await app.register(named(integrationRoutes), { runtime });
  await app.register(named(recipientRoutes), { runtime });
  await app.register(named(inboundRoutes), { runtime, inbound });
};
