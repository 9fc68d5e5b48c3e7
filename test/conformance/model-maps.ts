/**
 * Which of Genesys's models each platform route answers with and each notification topic carries: the
 * return type the SDK's d.ts names for the route's method, and the topic's event model
 * (platform-extra.md §7, platform-architect.md §3.4). Data, not code: a route or topic the harness
 * records but cannot find here fails the test, so a new surface has to be mapped before it ships.
 */

/** Where a model lives: the platform SDK, or the WebChat guest SDK (purecloud-guest-chat-client). */
export type ModelSource = 'platform' | 'guest';

export interface RouteModel {
  /** The success body's model, or `none` for an answer without a body (202/204). */
  model: string | 'none';
  source: ModelSource;
}

const platform = (model: string): RouteModel => ({ model, source: 'platform' });
const guest = (model: string): RouteModel => ({ model, source: 'guest' });
const NONE: RouteModel = { model: 'none', source: 'platform' };

const MSG = '/api/v2/conversations/messages/{conversationId}';
const CHAT = '/api/v2/conversations/chats/{conversationId}';
const CONV = '/api/v2/conversations/{conversationId}';
const GUEST = '/api/v2/webchat/guest/conversations';
const OPEN = '/api/v2/conversations/messaging/integrations/open';
const INBOUND = '/api/v2/conversations/messages/{integrationId}/inbound/open';

/** `METHOD path-template` as the SDKs pass it to ApiClient.callApi. Errors always carry ErrorBody. */
export const ROUTE_MODELS: Readonly<Record<string, RouteModel>> = {
  'GET /api/v2/users/me': platform('UserMe'),
  'GET /api/v2/users/{userId}': platform('User'),
  'GET /api/v2/users/{userId}/routingstatus': platform('RoutingStatus'),
  'PUT /api/v2/users/{userId}/routingstatus': platform('RoutingStatus'),
  'GET /api/v2/organizations/me': platform('Organization'),
  'GET /api/v2/routing/queues': platform('QueueEntityListing'),
  'GET /api/v2/routing/queues/{queueId}': platform('Queue'),
  'GET /api/v2/routing/queues/{queueId}/members': platform('QueueMemberEntityListing'),
  'GET /api/v2/routing/utilization': platform('UtilizationResponse'),
  'GET /api/v2/routing/users/{userId}/utilization': platform('AgentMaxUtilizationResponse'),

  'POST /api/v2/notifications/channels': platform('Channel'),
  'GET /api/v2/notifications/channels': platform('ChannelEntityListing'),
  'GET /api/v2/notifications/channels/{channelId}/subscriptions': platform('ChannelTopicEntityListing'),
  'PUT /api/v2/notifications/channels/{channelId}/subscriptions': platform('ChannelTopicEntityListing'),
  'POST /api/v2/notifications/channels/{channelId}/subscriptions': platform('ChannelTopicEntityListing'),

  'GET /api/v2/conversations': platform('ConversationEntityListing'),
  [`GET ${CONV}`]: platform('Conversation'),
  [`PATCH ${CONV}/participants/{participantId}`]: NONE,
  [`PATCH ${CONV}/participants/{participantId}/attributes`]: NONE,
  [`POST ${CONV}/participants/{participantId}/replace/queue`]: NONE,
  [`POST ${CONV}/participants/{participantId}/replace/agent`]: NONE,
  [`GET ${CONV}/participants/{participantId}/wrapupcodes`]: platform('Array<WrapupCode>'),

  'GET /api/v2/conversations/messages': platform('MessageConversationEntityListing'),
  [`GET ${MSG}`]: platform('MessageConversation'),
  [`GET ${MSG}/messages/{messageId}`]: platform('MessageData'),
  [`POST ${MSG}/communications/{communicationId}/messages`]: platform('MessageData'),
  [`POST ${MSG}/communications/{communicationId}/typing`]: NONE,
  [`PATCH ${MSG}/participants/{participantId}`]: NONE,
  [`PATCH ${MSG}/participants/{participantId}/attributes`]: platform('ParticipantAttributes'),
  [`POST ${MSG}/participants/{participantId}/replace`]: NONE,
  [`GET ${MSG}/participants/{participantId}/wrapupcodes`]: platform('Array<WrapupCode>'),
  'GET /api/v2/conversations/messages/{messageId}/details': platform('MessageData'),

  // The ACD chat routes left SDK 262 with Web Chat's retirement (platform-architect.md §3.1, "≤252");
  // older SDKs answered them with these models, two of which the guest SDK still ships.
  [`GET ${CHAT}`]: platform('ChatConversation'),
  [`GET ${CHAT}/messages`]: guest('WebChatMessageEntityList'),
  [`POST ${CHAT}/communications/{communicationId}/messages`]: guest('WebChatMessage'),
  [`POST ${CHAT}/communications/{communicationId}/typing`]: NONE,

  // The WebChat v2 guest API (purecloud-guest-chat-client).
  [`POST ${GUEST}`]: guest('CreateWebChatConversationResponse'),
  [`GET ${GUEST}/{conversationId}/members`]: guest('WebChatMemberInfoEntityList'),
  [`GET ${GUEST}/{conversationId}/members/{memberId}`]: guest('WebChatMemberInfo'),
  [`DELETE ${GUEST}/{conversationId}/members/{memberId}`]: { model: 'none', source: 'guest' },
  [`POST ${GUEST}/{conversationId}/members/{memberId}/messages`]: guest('WebChatMessage'),
  [`POST ${GUEST}/{conversationId}/members/{memberId}/typing`]: guest('WebChatTyping'),
  [`GET ${GUEST}/{conversationId}/messages`]: guest('WebChatMessageEntityList'),
  [`GET ${GUEST}/{conversationId}/messages/{messageId}`]: guest('WebChatMessage'),

  // Open Messaging: integrations, message routing recipients, the inbound API (platform-extra.md §1).
  [`POST ${OPEN}`]: platform('OpenIntegration'),
  [`GET ${OPEN}`]: platform('OpenIntegrationEntityListing'),
  [`GET ${OPEN}/{integrationId}`]: platform('OpenIntegration'),
  [`PATCH ${OPEN}/{integrationId}`]: platform('OpenIntegration'),
  [`DELETE ${OPEN}/{integrationId}`]: NONE,
  'GET /api/v2/routing/message/recipients': platform('RecipientListing'),
  'GET /api/v2/routing/message/recipients/{recipientId}': platform('Recipient'),
  'PUT /api/v2/routing/message/recipients/{recipientId}': platform('Recipient'),
  'GET /api/v2/flows': platform('FlowEntityListing'),
  [`POST ${INBOUND}/message`]: platform('OpenMessageNormalizedMessage'),
  [`POST ${INBOUND}/event`]: platform('OpenEventNormalizedMessage'),
  [`POST ${INBOUND}/receipt`]: platform('OpenReceiptNormalizedMessage'),
};

export interface TopicModel {
  /** The topic as Genesys documents it, `{id}` standing for the user, queue or conversation id. */
  topic: string;
  pattern: RegExp;
  /** The event body's model; a function when one topic carries two kinds of body. */
  model: (frame: { metadata?: { type?: string } }) => { model: string; source: ModelSource };
}

const topic = (name: string, model: string, source: ModelSource = 'platform'): TopicModel => ({
  topic: name,
  pattern: new RegExp(`^${name.replace(/\./g, '\\.').replace('{id}', '[^.]+')}$`),
  model: () => ({ model, source }),
});

export const TOPIC_MODELS: readonly TopicModel[] = [
  topic('v2.users.{id}.conversations', 'ConversationEventTopicConversation'),
  topic('v2.users.{id}.conversations.messages', 'ConversationMessageEventTopicMessageConversation'),
  topic('v2.users.{id}.conversations.chats', 'ConversationChatEventTopicChatConversation'),
  topic('v2.routing.queues.{id}.conversations', 'QueueConversationEventTopicConversation'),
  topic(
    'v2.routing.queues.{id}.conversations.messages',
    'QueueConversationMessageEventTopicMessageConversation',
  ),
  topic('v2.routing.queues.{id}.conversations.chats', 'QueueConversationChatEventTopicChatConversation'),
  topic('v2.users.{id}.routingStatus', 'UserRoutingStatusUserRoutingStatus'),
  topic('v2.users.{id}.presence', 'PresenceEventUserPresence'),
  topic(
    'v2.users.{id}.conversations.inbound.typing.event',
    'V2ConversationMessageTypingEventForUserTopicMessageData',
  ),
  {
    // The WebChat v2 stream's topic, which agent tools subscribe to as well (guest-protocols.md §1.5);
    // the platform SDK has no model for it, the guest SDK has the two bodies it carries.
    ...topic('v2.conversations.chats.{id}.messages', 'WebChatMessage', 'guest'),
    model: (frame) => ({
      model: frame.metadata?.type === 'typing-indicator' ? 'WebChatTyping' : 'WebChatMessage',
      source: 'guest',
    }),
  },
];

/** Envelope-level frames with no event model: heartbeats, pongs, socket closing. */
export const UNMODELLED_TOPICS = new Set(['channel.metadata', 'v2.system.socket_closing']);

export function topicModelOf(topicName: string): TopicModel | undefined {
  return TOPIC_MODELS.find((t) => t.pattern.test(topicName));
}
