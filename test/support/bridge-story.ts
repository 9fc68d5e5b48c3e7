import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { onTestFinished } from 'vitest';
import type { Bridge, GenesysChannel } from '../../bridge/index.ts';
import { defaultFixture, type Fixture, parseFixtureSource } from '../../emulator/index.ts';
import { sdkAgents } from './agents.ts';
import type { EmulatorDoors } from './emulators.ts';
import { chatAgents } from './webchat.ts';

/** Shared by the bridge's story tests (library and service) against the emulator. */

/** The default org, with the Messenger deployment telling the guest when the agent ends the conversation. */
export function storyFixture(): Fixture {
  const base = structuredClone(defaultFixture());
  const [messenger, ...others] = base.deployments.messenger;
  return parseFixtureSource({
    ...base,
    deployments: {
      ...base.deployments,
      messenger: [{ ...messenger!, conversationDisconnect: { enabled: true, type: 'Send' } }, ...others],
    },
  });
}

/** Message agents (sdkAgents) and chat agents (chatAgents) behind one shape. */
export async function agentsFor(channel: GenesysChannel, emulator: EmulatorDoors) {
  if (channel !== 'webChat') {
    const agents = await sdkAgents(emulator);
    onTestFinished(agents.closeAll);
    return async (name: string) => {
      const agent = await agents.agent(name);
      return { ...agent, alert: (cid: string | undefined) => agent.alert(cid) };
    };
  }
  const agents = await chatAgents(emulator);
  onTestFinished(agents.closeAll);
  return async (name: string) => {
    const agent = await agents.agent(name);
    return {
      ...agent,
      alert: async (cid: string | undefined) => ({ conversationId: cid!, ...(await agent.alert(cid!)) }),
    };
  };
}

export function bridgeConfig(channel: GenesysChannel, emulator: EmulatorDoors) {
  const fx = emulator.fixture;
  if (channel === 'openMessaging') {
    // The org's Open Messaging integration; its OAuth client is the org-level one.
    const integration = fx.openMessaging[0]!;
    const client = fx.clients.find((c) => c.user === undefined)!;
    return {
      loginUrl: emulator.url,
      channel,
      platformApi: { clientId: client.id, clientSecret: client.secret },
      openMessaging: { integrationId: integration.id, webhookSecret: integration.secret },
    };
  }
  return {
    loginUrl: emulator.url,
    organizationId: fx.org.id,
    deploymentId: channel === 'webChat' ? fx.deployments.webchat[0]!.id : fx.deployments.messenger[0]!.id,
    channel,
    // WebChat needs a default routing target; the transfer's QueueName metadata overrides it.
    ...(channel === 'webChat' ? { queueName: 'General' } : {}),
  };
}

/**
 * The bridge's Open Messaging webhook receiver for a test: a loopback HTTP server running the bridge's
 * own listener (`bridge.openMessagingWebhook.listener`, the handler a user mounts), and the org's
 * integration pointed at it through the public API (PATCH outboundNotificationWebhookUrl). `seen` is
 * called for each delivery, so a shared timeline knows about the traffic.
 */
export async function openMessagingReceiver(emulator: EmulatorDoors, seen: () => void = () => {}) {
  let bridge: Bridge | undefined;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seen();
    response.on('finish', seen);
    if (!bridge) {
      response.writeHead(503).end();
      return;
    }
    bridge.openMessagingWebhook.listener(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/openmessaging/webhook`;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const fx = emulator.fixture;
  const client = fx.clients.find((c) => c.user === undefined)!;
  const token = await emulator.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: 'grant_type=client_credentials',
  });
  const patched = await emulator.inject({
    method: 'PATCH',
    url: `/api/v2/conversations/messaging/integrations/open/${fx.openMessaging[0]!.id}`,
    headers: { authorization: `Bearer ${token.json().access_token}` },
    payload: { outboundNotificationWebhookUrl: url },
  });
  if (patched.statusCode !== 200)
    throw new Error(`could not point the integration at ${url}: ${patched.body}`);
  return {
    url,
    /** The bridge whose listener answers deliveries (503 until one is attached). */
    attach(b: Bridge) {
      bridge = b;
    },
  };
}
