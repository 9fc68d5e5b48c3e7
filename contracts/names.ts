/**
 * The names a pact file is keyed by, shared by the consumer tests that write them and the provider
 * verifications that read them: the pacticipants, and the descriptions of message interactions (Pact maps
 * each message description to the provider function that produces it). Names only, never wire shapes:
 * the bridge's expectations live in the consumer tests and the emulator's frames come from the emulator.
 */
export const CONSUMER = 'genesys-bridge';

export const PROVIDERS = {
  webMessaging: 'genesys-cloud-webmessaging',
  webChat: 'genesys-cloud-webchat',
  openMessaging: 'genesys-cloud-openmessaging',
} as const;

export type ProviderKey = keyof typeof PROVIDERS;

/** The pact file Pact writes for a provider: `{consumer}-{provider}.json`. */
export function pactFileName(provider: ProviderKey): string {
  return `${CONSUMER}-${PROVIDERS[provider]}.json`;
}

/** Web Messaging frames the bridge sends, each with the reply it relies on (synchronous messages). */
export const WEB_MESSAGING_EXCHANGES = {
  configureNew: 'configureSession with a new guest token is answered by a connected SessionResponse',
  configureResume: 'configureSession with the token of a live guest session resumes it',
  configureReadOnly: 'configureSession after a read-only disconnect is answered with readOnly',
  configureExpired: 'configureSession with the token of an expired guest session is refused with 4006',
  sendText: 'onMessage Text with custom attributes is echoed with its tracingId',
  sendTyping: 'onMessage Typing is echoed with its tracingId',
  echo: 'echo is answered with its tracingId',
  getJwt: 'getJwt is answered with a JwtResponse',
  presenceClear: 'onMessage Presence Clear is answered with SessionClearedEvent',
  tooManyRequests: 'onMessage over the rate limit is refused with TooManyRequestsErrorMessage',
  attributesTooLarge: 'onMessage with oversized custom attributes is refused with 4013',
  textTooLong: 'onMessage with over-long text is refused with 4011',
  readOnlyRefusal: 'onMessage on a read-only guest session is refused with 409',
} as const;

/** Web Messaging frames Genesys pushes unasked (asynchronous messages). */
export const WEB_MESSAGING_PUSHES = {
  agentText: 'an agent text message (Outbound StructuredMessage from a Human)',
  botText: 'a flow text message (Outbound StructuredMessage from a Bot)',
  agentTyping: 'an agent typing event (Outbound Typing On)',
  disconnect: 'a Presence Disconnect event when the agent ends the conversation',
  sessionExpired: 'a SessionExpiredEvent when the guest session expires',
  connectionClosed: 'a ConnectionClosedEvent when a further connection is refused',
} as const;

/** WebChat v2 event-stream frames (asynchronous messages). */
export const WEB_CHAT_FRAMES = {
  agentConnected: 'a member-change frame: an agent connected',
  agentAlerting: 'a member-change frame: another agent is alerted after a transfer',
  agentDisconnected: 'a member-change frame: the agent left after a transfer',
  guestDisconnected: 'a member-change frame: the guest was disconnected when the agent ended the chat',
  agentMessage: 'a message frame from the agent',
  agentTyping: 'a typing-indicator frame from the agent',
  heartbeat: 'a heartbeat frame on a quiet stream',
} as const;

/** Bodies Genesys POSTs to the Open Messaging integration's webhook (asynchronous messages, signed). */
export const OPEN_MESSAGING_WEBHOOKS = {
  agentText: "a webhook delivery of an agent's text (Outbound Text from a Human), signed",
  botText: "a webhook delivery of the flow's text (Outbound Text from a Bot), signed",
  agentTyping: 'a webhook delivery of agent typing (Outbound Event Typing On), signed',
} as const;

/** Queue notification frames the bridge follows an Open Messaging conversation by (asynchronous messages). */
export const OPEN_MESSAGING_NOTIFICATIONS = {
  agentJoined: 'a queue conversation notification: an agent connected to the customer',
  transferred: 'a queue conversation notification: the agent transferred the customer to a queue',
  ended: 'a queue conversation notification: the agent ended the conversation',
} as const;
