/**
 * Example values of the consumer tests. They appear in the pact files as the examples of every
 * interaction; the provider turns them into real things (a deployment with this id, an agent with this
 * name) through the provider states, or replaces them with what it created (ids, tokens, JWTs) through
 * `fromProviderState`. Ids are UUIDs because the bridge's configuration requires Genesys ids.
 */
export const EXAMPLE = {
  organizationId: '3f0c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c01',
  webChatDeploymentId: '6b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  messengerDeploymentId: 'a2b3c4d5-e6f7-4809-9a1b-2c3d4e5f6a7b',
  queueName: 'General',
  transferQueueName: 'Grocery Support',
  agentName: 'Mia Welch',
  transferAgentName: 'Alda Moore',
  greeting: 'Welcome! An agent will be with you shortly.',
  agentText: 'Hi, I am Mia. How can I help?',

  // Web Messaging guest session
  guestToken: '5d0f6a8e-2b4c-4e1a-9f3d-7c8b6a5e4d21',
  messageId: '9b5c3e1a-7d2f-4a6b-8c0e-1f2a3b4c5d6e',
  outboundMessageId: '5befde6373a23f32f20b59b4e1cba0e6',
  jwt: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJndWVzdCJ9.c2lnbmF0dXJl',
  jwtExpSeconds: 1767261600,
  time: '2026-01-01T09:00:00.000Z',

  // WebChat guest chat
  conversationId: '8e2f4a6c-1b3d-4f5e-9a7c-0d2e4f6a8b1c',
  guestMemberId: '4c6e8a0b-2d4f-4a6c-8e0b-3d5f7a9c1e2b',
  agentMemberId: '7a9c1e3b-5d7f-4b1d-9f3a-6c8e0a2c4e6d',
  transferAgentMemberId: '2e4a6c8e-0b2d-4f6a-8c1e-5b7d9f1a3c5e',
  chatJwt: 'eyJhbGciOiJSUzI1NiJ9.eyJjb252ZXJzYXRpb25JZCI6IjhlMmYifQ.c2lnbmF0dXJl',
  chatMessageId: '0f1e2d3c-4b5a-4968-8776-655443322110',
  customer: { id: 'customer-42', displayName: 'Jane Doe' },
  chatAttributes: { botConversationId: 'bot-conversation-42', intent: 'billing' },
  customerText: 'I need help with my invoice',

  // Open Messaging integration and the bridge's Platform API client
  integrationId: 'c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f',
  webhookSecret: 'contract-open-messaging-secret-0123',
  platformClientId: 'd1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a',
  platformClientSecret: 'contract-platform-client-secret',
  accessToken: 'contract-access-token-0123456789',
  /** The customer's `channel.from.id`: the bridge sends its session id. */
  openCustomerId: 'contract-session',
  openMessageId: 'contract-message-1',
  genesysMessageId: '7c1e5a9b3d2f4e6a8b0c1d2e3f4a5b6c',
  customerParticipantId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  agentUserId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  queueId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  channelId: 'streaming-0-0123456789abcdef',
  openAttributes: { QueueName: 'General', botConversationId: 'bot-conversation-42' },
} as const;

/** An ISO-8601 UTC timestamp, the form of every Genesys `time`/`timestamp` the bridge parses. */
export const ISO_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';
