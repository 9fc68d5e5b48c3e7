/**
 * Every provider state of the contracts, as a parameterised sentence (pact-js's recommended form: the
 * sentence names the situation, `{placeholders}` name its parameters, and the consumer passes example
 * values). The consumer tests say `given(...)` with these; the provider verifications key their state
 * handlers by them (contracts/provider/state-handlers.ts), so a sentence changed here changes both.
 *
 * States that create something the consumer cannot know (ids, tokens) return it, and the consumer's
 * requests take it with `fromProviderState('${name}', example)`; their `returns` lists those names.
 */
export const STATES = {
  // ── Web Messaging ──────────────────────────────────────────────────────────────────────────────
  messengerDeployment:
    'a Messenger deployment {deploymentId} routes to queue {queueName} and leaves ended conversations read-only',
  flowGreets: 'the inbound flow of Messenger deployment {deploymentId} greets with {greeting}',
  guestSession: 'guest session {token} is configured on Messenger deployment {deploymentId}',
  guestStarted: 'guest session {token} has started a conversation',
  messageAnswered: 'agent {agentName} has answered the conversation of guest session {token}',
  messageSaid: 'agent {agentName} has said {text} to guest session {token}',
  messageTyping: 'agent {agentName} is typing to guest session {token}',
  messageEnded: 'agent {agentName} has ended the conversation of guest session {token}',
  sessionExpired: 'guest session {token} has expired',
  rateSpent: 'guest session {token} has sent two messages within the last second',
  connectionRefused: 'a further connection for guest session {token} has been refused',
  historyJwt: 'guest session {token} holds a JWT for the history API',
  // ── WebChat v2 ─────────────────────────────────────────────────────────────────────────────────
  webChatDeployment:
    'a WebChat deployment {deploymentId} of organization {organizationId} routes chats to queue {queueName}',
  noSuchQueue: 'organization {organizationId} has no queue named {queueName}',
  guestChat: 'a guest chat is open on WebChat deployment {deploymentId}',
  chatAgentAvailable: 'agent {agentName} is available on queue {queueName}',
  chatAnswered: 'agent {agentName} has joined the guest chat',
  chatSaid: 'agent {agentName} has said {text} in the guest chat',
  chatTyping: 'agent {agentName} is typing in the guest chat',
  chatEnded: 'agent {agentName} has ended the guest chat',
  chatTransferred: 'agent {agentName} has transferred the guest chat to queue {queueName}',
  streamQuiet: 'the guest chat stream has been quiet for {seconds} seconds',
  // ── Open Messaging ─────────────────────────────────────────────────────────────────────────────
  platformClient: 'OAuth client {clientId} with secret {clientSecret} may call the Platform API',
  openIntegration:
    'Open Messaging integration {integrationId} signs its webhook with {secret} and routes to queue {queueName}',
  openFlowGreets:
    'the inbound message flow of Open Messaging integration {integrationId} greets with {greeting}',
  openCustomer:
    'customer {customerId} has started a conversation on Open Messaging integration {integrationId}',
  openAnswered: 'agent {agentName} has answered the conversation of Open Messaging customer {customerId}',
  openSaid: 'agent {agentName} has said {text} to Open Messaging customer {customerId}',
  openTyping: 'agent {agentName} is typing to Open Messaging customer {customerId}',
  openTransferred:
    'agent {agentName} has transferred Open Messaging customer {customerId} to queue {queueName}',
  openEnded: 'agent {agentName} has ended the conversation of Open Messaging customer {customerId}',
  notificationChannel: 'the Platform API client has a notification channel',
} as const;

export type StateKey = keyof typeof STATES;

/** The `{placeholder}` names of a sentence, as a union of string literals. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | Placeholders<Rest>
  : never;

export type StateParams<K extends StateKey> = Record<Placeholders<(typeof STATES)[K]>, string>;

/** What a state returns for injection into the consumer's requests (`fromProviderState`). */
export const STATE_RETURNS = {
  webChatDeployment: ['organizationId', 'deploymentId', 'queueName'],
  guestChat: ['conversationId', 'memberId', 'jwt'],
  chatAnswered: ['agentMemberId'],
  historyJwt: ['jwt'],
  platformClient: ['accessToken'],
  // Loading the integration reloads the org, which forgets tokens: the client's new one.
  openIntegration: ['accessToken'],
  openFlowGreets: ['accessToken'],
  openCustomer: ['conversationId', 'customerParticipantId'],
  openSaid: ['messageId'],
  notificationChannel: ['channelId', 'queueId'],
} as const satisfies Partial<Record<StateKey, readonly string[]>>;

/** A state with its parameters, ready for `.given(name, params)`. */
export interface GivenState {
  name: string;
  params: Record<string, string>;
}

export function state<K extends StateKey>(key: K, params: StateParams<K>): GivenState {
  return { name: STATES[key], params };
}

/** The key of a sentence, for handlers that receive the sentence from the verifier. */
export function stateKeyOf(sentence: string): StateKey | undefined {
  return (Object.keys(STATES) as StateKey[]).find((key) => STATES[key] === sentence);
}
