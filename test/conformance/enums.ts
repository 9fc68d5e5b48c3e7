/**
 * Enum values the SDK's d.ts cannot tell (it types them all as `string`), taken from the wire reference
 * (/work/shared/reference, which cites the SDKs' `allowed_values`). A rule applies to a field of every
 * model whose name matches `models`; a value outside `values` is a mismatch.
 */
export interface EnumRule {
  field: string;
  models: RegExp;
  values: readonly string[];
  source: string;
}

/** Participant / communication states of the media views and their topic models. */
const PARTICIPANT_STATES = [
  'alerting',
  'dialing',
  'contacting',
  'offering',
  'connected',
  'disconnected',
  'terminated',
  'converting',
  'uploading',
  'transmitting',
  'scheduled',
  'parked',
  'none',
] as const;

/** A communication (participants[].messages[] / chats[] of the generic view) is narrower. */
const COMMUNICATION_STATES = ['alerting', 'connected', 'parked', 'disconnected'] as const;

const DISCONNECT_TYPES = [
  'endpoint',
  'endpoint.dnd',
  'endpoint.donotdisturb',
  'client',
  'system',
  'transfer',
  'timeout',
  'transfer.conference',
  'transfer.consult',
  'transfer.forward',
  'transfer.noanswer',
  'transfer.notavailable',
  'transfer.dnd',
  'transfer.donotdisturb',
  'transport.failure',
  'error',
  'peer',
  'other',
  'spam',
  'uncallable',
  'inactivity',
  'session.expired',
  'takeover',
] as const;

const MESSAGE_STATUSES = [
  'queued',
  'sent',
  'failed',
  'received',
  'delivery-success',
  'delivery-failed',
  'read',
  'removed',
  'published',
] as const;

const MESSENGER_TYPES = [
  'apple',
  'facebook',
  'instagram',
  'kakao',
  'line',
  'open',
  'sms',
  'telegram',
  'twitter',
  'viber',
  'wechat',
  'webmessaging',
  'whatsapp',
  'unknown',
] as const;

/** Media participants (flattened views and their topic models). */
const MEDIA_PARTICIPANT = /(MessageMediaParticipant|ChatMediaParticipant)$/;
/** Communications of the generic view (REST `Message` / `ConversationChat`, topic `...EventTopicMessage`). */
const COMMUNICATION = /^(Message|ConversationChat|(Queue)?ConversationEventTopic(Message|Chat))$/;
/** Participants of either view, and communications. */
const PARTICIPANT_OR_LEG =
  /^(Participant|Message|ConversationChat|(Queue)?ConversationEventTopic(Participant|Message|Chat))$|(MessageMediaParticipant|ChatMediaParticipant)$/;

export const ENUM_RULES: readonly EnumRule[] = [
  {
    field: 'state',
    models: MEDIA_PARTICIPANT,
    values: PARTICIPANT_STATES,
    source: 'platform-extra.md §7; platform-architect.md §3.2 (media view)',
  },
  {
    field: 'initialState',
    models: MEDIA_PARTICIPANT,
    values: PARTICIPANT_STATES,
    source: 'platform-extra.md §7',
  },
  {
    field: 'state',
    models: COMMUNICATION,
    values: COMMUNICATION_STATES,
    source: 'platform-architect.md §3.2 (communication state), §3.4',
  },
  {
    field: 'initialState',
    models: COMMUNICATION,
    values: COMMUNICATION_STATES,
    source: 'platform-architect.md §3.2',
  },
  {
    field: 'disconnectType',
    models: PARTICIPANT_OR_LEG,
    values: DISCONNECT_TYPES,
    source: 'platform-extra.md §7; platform-architect.md §3.2',
  },
  {
    field: 'direction',
    models: PARTICIPANT_OR_LEG,
    values: ['inbound', 'outbound'],
    source: 'platform-architect.md §3.2',
  },
  {
    field: 'purpose',
    models:
      /^(Participant|(Queue)?ConversationEventTopicParticipant)$|(MessageMediaParticipant|ChatMediaParticipant)$/,
    // `workflow` is the Architect flow's purpose (analytics enum; UNCONFIRMED in the conversation API).
    values: ['agent', 'user', 'customer', 'external', 'acd', 'ivr', 'workflow'],
    source: 'platform-architect.md §3.2 (purpose)',
  },
  {
    field: 'type',
    models: /^(Message|(Queue)?ConversationEventTopicMessage)$|MessageMediaParticipant$/,
    values: MESSENGER_TYPES,
    source: 'platform-extra.md §7; platform-architect.md §3.2 (type)',
  },
  {
    field: 'messageStatus',
    models: /MessageDetails$/,
    values: MESSAGE_STATUSES,
    source: 'platform-extra.md §7',
  },
  { field: 'status', models: /^MessageData$/, values: MESSAGE_STATUSES, source: 'platform-extra.md §5' },
  {
    field: 'direction',
    models: /^MessageData$/,
    values: ['inbound', 'outbound'],
    source: 'platform-extra.md §5',
  },
  {
    field: 'messengerType',
    models: /^MessageData$/,
    values: ['sms', 'facebook', 'twitter', 'whatsapp', 'webmessaging', 'instagram', 'open', 'apple'],
    source: 'platform-extra.md §5',
  },
  {
    field: 'recordingState',
    models: /^(Conversation|(Queue)?ConversationEventTopicConversation)$/,
    values: ['ACTIVE', 'PAUSED', 'NONE'],
    source: 'platform-architect.md §3.2',
  },
  {
    field: 'status',
    models: /^(RoutingStatus|UserRoutingStatusRoutingStatus)$/,
    values: ['OFF_QUEUE', 'IDLE', 'INTERACTING', 'NOT_RESPONDING', 'COMMUNICATING'],
    source: 'platform-architect.md §2.6',
  },
  {
    field: 'state',
    models: /^ChannelTopic$/,
    values: ['Permitted', 'Rejected'],
    source: 'platform-architect.md §3.4',
  },
  {
    field: 'skillEvaluationMethod',
    models: /^Queue$/,
    values: ['NONE', 'BEST', 'ALL'],
    source: 'platform-architect.md §2.1',
  },
  {
    field: 'scoringMethod',
    models: /^Queue$/,
    values: ['TimestampAndPriority', 'PriorityOnly'],
    source: 'platform-architect.md §2.1',
  },
  {
    field: 'lastAgentRoutingMode',
    models: /^Queue$/,
    values: ['Disabled', 'QueueMembersOnly', 'AnyAgent'],
    source: 'platform-architect.md §2.1',
  },
  {
    field: 'systemPresence',
    models: /^PresenceDefinition$/,
    values: [
      'Available',
      'Busy',
      'Away',
      'Break',
      'Meal',
      'Meeting',
      'Training',
      'Idle',
      'On Queue',
      'Offline',
    ],
    source: 'platform-extra.md §3.2 (v1-style definitions, as /users/me and presences/purecloud return)',
  },
  // The customer-typing topic (platform-extra.md §7).
  {
    field: 'type',
    models: /TypingEventForUserTopicConversationNormalizedMessage$/,
    values: ['Text', 'Structured', 'Receipt', 'Event', 'Message', 'Unknown'],
    source: 'platform-extra.md §5 (ConversationNormalizedMessage.type)',
  },
  {
    field: 'direction',
    models: /TypingEventForUserTopicConversationNormalizedMessage$/,
    values: ['Inbound', 'Outbound'],
    source: 'platform-extra.md §5, §7',
  },
  {
    field: 'platform',
    models: /TypingEventForUserTopicConversationMessagingChannel$/,
    values: ['Twitter', 'Facebook', 'Instagram', 'Line', 'Whatsapp', 'WebMessaging', 'Open', 'Apple', 'Sms'],
    source: 'platform-extra.md §5 (channel.platform)',
  },
  {
    field: 'eventType',
    models: /TypingEventForUserTopicConversationMessageEvent$/,
    values: ['CoBrowse', 'Typing'],
    source: 'platform-extra.md §7',
  },
  {
    field: 'type',
    models: /TypingEventForUserTopicConversationEventTyping$/,
    values: ['On'],
    source: 'platform-extra.md §1.3, §7 (typing {type: "On", duration})',
  },
  // WebChat guest models (guest-protocols.md §1.4).
  {
    field: 'role',
    models: /^WebChatMemberInfo$/,
    values: ['AGENT', 'CUSTOMER', 'WORKFLOW', 'ACD'],
    source: 'guest-protocols.md §1.4',
  },
  {
    field: 'state',
    models: /^WebChatMemberInfo$/,
    values: ['CONNECTED', 'DISCONNECTED', 'ALERTING'],
    source: 'guest-protocols.md §1.4',
  },
  {
    field: 'bodyType',
    models: /^WebChatMessage$/,
    values: ['standard', 'notice', 'member-join', 'member-leave', 'media-request'],
    source: 'guest-protocols.md §1.4',
  },
];

export function enumFor(model: string, field: string): EnumRule | undefined {
  return ENUM_RULES.find((r) => r.field === field && r.models.test(model));
}
