import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';
import { named } from '../plugin-name.ts';
import { configRoute } from './config-route.ts';
import { WebMessagingGateway } from './gateway.ts';
import { historyRoute } from './history-route.ts';
import { guestSocketRoute } from './socket-route.ts';
import { translateEvents } from './translator.ts';

/**
 * The Web Messaging guest API (guest-protocols.md PART 2): the guest WebSocket at `/v1`, the history
 * endpoint with the guest JWT, and the deployment's `config.json`. Guests talk to the same conversation
 * core agents use, so a Messenger conversation is an ordinary message conversation on the agent side.
 */
export const webMessagingSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const gateway = new WebMessagingGateway(runtime);
  const unsubscribe = translateEvents(gateway);
  runtime.onReset(() => gateway.reset());
  runtime.onRestore(() => gateway.restored());
  runtime.guestLinks.register((conversationId) => {
    const token = gateway.sessions.tokenOf(conversationId);
    const connections = token === undefined ? [] : gateway.connections.of(token);
    for (const connection of connections) connection.socket.terminate();
    return connections.length;
  });
  app.addHook('preClose', async () => {
    unsubscribe();
    gateway.shutdown();
  });
  for (const routes of [guestSocketRoute, historyRoute, configRoute])
    await app.register(named(routes), { gateway });
};
