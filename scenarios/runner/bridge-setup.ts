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
