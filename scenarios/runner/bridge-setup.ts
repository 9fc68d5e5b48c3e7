import { type Bridge, type BridgeDeps, createBridge } from '../../bridge/index.ts';
import type { Fixture } from '../../emulator/index.ts';
import type { BridgeOptions } from './world.ts';

/**
 * The real bridge a run drives, configured as an integrator would: the target's login URL, the org and
 * the channel's first deployment from the fixture (unless the scenario names another), and a default
 * queue. Without a fixture (a real org with no --target-fixture) only the scenario can name them.
 */
export function scenarioBridge(
  loginUrl: string,
  fixture: Fixture | undefined,
  options: BridgeOptions,
  deps: BridgeDeps,
): Bridge {
  if (options.channel === 'openmessaging') return openMessagingBridge(loginUrl, fixture, options, deps);
  const webchat = options.channel === 'webchat';
  const deployment = webchat ? fixture?.deployments.webchat[0] : fixture?.deployments.messenger[0];
  const deploymentId = options.deploymentId ?? deployment?.id;
  if (!deploymentId) {
    throw new Error(
      fixture
        ? `the fixture has no ${webchat ? 'webchat' : 'messenger'} deployment`
        : 'the target has no control plane to read its deployments from: give --target-fixture FILE',
    );
  }
  // WebChat needs a routing target; the fixture's General queue (or its first) is the default.
  const queueName =
    options.queueName ?? (fixture?.queues.find((q) => q.name === 'General') ?? fixture?.queues[0])?.name;
  return createBridge(
    {
      loginUrl,
      ...(fixture ? { organizationId: fixture.org.id } : {}),
      deploymentId,
      ...(options.origin ? { origin: options.origin } : {}),
      ...(queueName === undefined ? {} : { queueName }),
      channel: webchat ? 'webChat' : 'webMessaging',
      ...(options.queueMetadataKey ? { metadata: { queueNameKey: options.queueMetadataKey } } : {}),
    },
    deps,
  );
}

/**
 * An Open Messaging bridge: the fixture's first integration (its id and webhook secret) and its
 * org-level OAuth client for the inbound API and notifications; the world hosts the webhook receiver.
 */
function openMessagingBridge(
  loginUrl: string,
  fixture: Fixture | undefined,
  options: BridgeOptions,
  deps: BridgeDeps,
): Bridge {
  const integration = fixture?.openMessaging[0];
  const client = fixture?.clients.find((c) => c.user === undefined);
  if (!integration || !client) {
    throw new Error(
      fixture
        ? 'the fixture has no openMessaging integration, or no org-level OAuth client (one without a user)'
        : 'the target has no control plane to read its integrations from: give --target-fixture FILE',
    );
  }
  return createBridge(
    {
      loginUrl,
      channel: 'openMessaging',
      platformApi: { clientId: client.id, clientSecret: client.secret },
      openMessaging: { integrationId: integration.id, webhookSecret: integration.secret },
      ...(options.queueName ? { queueName: options.queueName } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.queueMetadataKey ? { metadata: { queueNameKey: options.queueMetadataKey } } : {}),
    },
    deps,
  );
}
