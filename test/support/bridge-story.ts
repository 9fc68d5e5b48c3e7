import { onTestFinished } from 'vitest';
import type { GenesysChannel } from '../../bridge/index.ts';
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
  if (channel === 'webMessaging') {
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
  return {
    loginUrl: emulator.url,
    organizationId: fx.org.id,
    deploymentId: channel === 'webChat' ? fx.deployments.webchat[0]!.id : fx.deployments.messenger[0]!.id,
    channel,
    // WebChat needs a default routing target; the transfer's QueueName metadata overrides it.
    ...(channel === 'webChat' ? { queueName: 'General' } : {}),
  };
}
