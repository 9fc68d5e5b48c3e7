import type { VerifierOptions } from '@pact-foundation/pact';
import { STATES, type StateKey, type StateParams } from '../states.ts';
import type { Stage } from './stage.ts';

type Returned = Record<string, string> | undefined;
type Handlers = { [K in StateKey]: (stage: Stage, params: StateParams<K>) => Promise<Returned> };

/**
 * What each provider state (contracts/states.ts) does, for any world: one entry per sentence, checked
 * complete by the compiler. States that create what the consumer cannot know return it for the
 * consumer's `fromProviderState` expressions.
 */
const HANDLERS: Handlers = {
  messengerDeployment: async (stage, p) => {
    await stage.messaging.deployment({ deploymentId: p.deploymentId, queueName: p.queueName });
    return undefined;
  },
  flowGreets: async (stage, p) => {
    await stage.messaging.greeting(p.greeting);
    return undefined;
  },
  guestSession: async (stage, p) => {
    await stage.messaging.configure(p.token);
    return undefined;
  },
  guestStarted: async (stage, p) => {
    await stage.messaging.startConversation(p.token);
    return undefined;
  },
  messageAnswered: async (stage, p) => {
    await stage.messaging.agentAnswers(p.agentName, p.token);
    return undefined;
  },
  messageSaid: async (stage, p) => {
    await stage.messaging.agentSays(p.agentName, p.text, p.token);
    return undefined;
  },
  messageTyping: async (stage, p) => {
    await stage.messaging.agentTypes(p.agentName, p.token);
    return undefined;
  },
  messageEnded: async (stage, p) => {
    await stage.messaging.agentEnds(p.agentName, p.token);
    return undefined;
  },
  sessionExpired: async (stage, p) => {
    await stage.messaging.expire(p.token);
    return undefined;
  },
  rateSpent: async (stage, p) => {
    await stage.messaging.spendRate(p.token);
    return undefined;
  },
  connectionRefused: async (stage, p) => {
    await stage.messaging.refuseConnection(p.token);
    return undefined;
  },
  historyJwt: async (stage, p) => ({ jwt: await stage.messaging.historyJwt(p.token) }),
  webChatDeployment: async (stage, p) => {
    const { organizationId, deploymentId, queueName } = await stage.chat.deployment({
      organizationId: p.organizationId,
      deploymentId: p.deploymentId,
      queueName: p.queueName,
    });
    return { organizationId, deploymentId, queueName };
  },
  noSuchQueue: async (stage, p) => {
    await stage.chat.noQueueNamed(p.organizationId, p.queueName);
    return undefined;
  },
  guestChat: async (stage) => stage.chat.open(),
  chatAgentAvailable: async (stage, p) => {
    await stage.chat.agentAvailable(p.agentName);
    return undefined;
  },
  chatAnswered: async (stage, p) => ({ agentMemberId: await stage.chat.agentJoins(p.agentName) }),
  chatSaid: async (stage, p) => {
    await stage.chat.agentSays(p.agentName, p.text);
    return undefined;
  },
  chatTyping: async (stage, p) => {
    await stage.chat.agentTypes(p.agentName);
    return undefined;
  },
  chatEnded: async (stage, p) => {
    await stage.chat.agentEnds(p.agentName);
    return undefined;
  },
  chatTransferred: async (stage, p) => {
    await stage.chat.agentTransfers(p.agentName, p.queueName);
    return undefined;
  },
  streamQuiet: async (stage, p) => {
    await stage.chat.quiet(Number(p.seconds));
    return undefined;
  },
  platformClient: async (stage, p) => ({
    accessToken: await stage.open.client({ clientId: p.clientId, clientSecret: p.clientSecret }),
  }),
  // Both reload the org, which forgets the client's token: they answer the new one.
  openIntegration: async (stage, p) =>
    stage.open.integration({ integrationId: p.integrationId, secret: p.secret, queueName: p.queueName }),
  openFlowGreets: async (stage, p) => stage.open.greeting(p.greeting),
  openCustomer: async (stage, p) => stage.open.startCustomer(p.customerId),
  openAnswered: async (stage, p) => {
    await stage.open.agentAnswers(p.agentName, p.customerId);
    return undefined;
  },
  openSaid: async (stage, p) => ({
    messageId: await stage.open.agentSays(p.agentName, p.text, p.customerId),
  }),
  openTyping: async (stage, p) => {
    await stage.open.agentTypes(p.agentName, p.customerId);
    return undefined;
  },
  openTransferred: async (stage, p) => {
    await stage.open.agentTransfers(p.agentName, p.customerId, p.queueName);
    return undefined;
  },
  openEnded: async (stage, p) => {
    await stage.open.agentEnds(p.agentName, p.customerId);
    return undefined;
  },
  notificationChannel: async (stage) => stage.open.channel(),
};

/** Pact's state handlers, keyed by sentence, acting on the stage of the interaction being verified. */
export function stateHandlers(stage: () => Stage): NonNullable<VerifierOptions['stateHandlers']> {
  return Object.fromEntries(
    (Object.keys(HANDLERS) as StateKey[]).map((key) => [
      STATES[key],
      (params?: unknown) =>
        (HANDLERS[key] as (stage: Stage, params: Record<string, string>) => Promise<Returned>)(
          stage(),
          (params ?? {}) as Record<string, string>,
        ),
    ]),
  );
}
