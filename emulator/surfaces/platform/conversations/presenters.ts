import { isoTime } from '../../../domain/clock.ts';
import type { Conversation, ConversationMessage, Participant } from '../../../domain/conversations/model.ts';
import type { OrgDirectory } from '../../../domain/org.ts';

/**
 * The two REST views of one conversation (platform-architect.md §3.2): the generic Conversation, whose
 * participants carry communications in `messages[]` / `chats[]` (the communication id agents send on),
 * and the media-specific MessageConversation / ChatConversation with flattened participants and no
 * communication id. Notification bodies have their own models and are built from the conversation in
 * ../../notifications/conversation-bodies.ts, with the small helpers exported here.
 */

export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoTime(ms);
}

/**
 * A message's Genesys status (platform-extra.md §5, §7): inbound `received`; outbound `sent`, then
 * `delivery-success` once the guest's side took it (a Web Messaging guest socket, an Open Messaging
 * Delivered receipt) or `delivery-failed` (an Open Messaging Failed receipt, or the webhook gave up).
 */
export function messageStatus(
  m: ConversationMessage,
): 'received' | 'sent' | 'delivery-success' | 'delivery-failed' {
  if (m.direction === 'inbound') return 'received';
  if (m.deliveredAt !== undefined) return 'delivery-success';
  return m.failedAt === undefined ? 'sent' : 'delivery-failed';
}

/** Views are built with undefined for absent fields: JSON (the wire) drops them, and deleting keys is slow. */
function messageDetails(conversation: Conversation, m: ConversationMessage) {
  return {
    messageId: m.id,
    messageURI: `/api/v2/conversations/messages/${conversation.id}/messages/${m.id}`,
    messageStatus: messageStatus(m),
    messageTime: isoTime(m.time),
    messageSegmentCount: 1,
  };
}

export function address(conversation: Conversation, p: Participant): string {
  // An Open Messaging customer's address is the id the integration knows them by (channel.from.id).
  if (p.purpose === 'customer') return conversation.externalAddress?.id ?? p.name;
  if (p.purpose === 'acd') return p.queueId ?? '';
  return conversation.deploymentId ?? '';
}

/** A communication's state: a wrapped-up (terminated) leg shows as disconnected there. */
export function communicationState(p: Participant): 'alerting' | 'connected' | 'disconnected' {
  return p.state === 'terminated' ? 'disconnected' : p.state;
}

/** Agents are offered (alerting) first; everyone else joins connected. */
export function initialState(p: Participant): 'alerting' | 'connected' {
  return p.purpose === 'agent' ? 'alerting' : 'connected';
}

export function providerOf(conversation: Conversation): string {
  return conversation.mediaType === 'chat' ? 'PureCloud Webchat v2' : 'PureCloud Messaging';
}

export function messengerType(conversation: Conversation): 'webmessaging' | 'open' {
  return conversation.channel === 'webmessaging' ? 'webmessaging' : 'open';
}

export function roomId(conversation: Conversation): string {
  return `${conversation.id}@conference.emulator`;
}

/** The messages a participant sent, oldest first. */
export function messagesOf(conversation: Conversation, p: Participant): ConversationMessage[] {
  return conversation.messages.filter((m) => m.participantId === p.id);
}

/** The communication of a participant: its state is the leg's state. */
function communication(conversation: Conversation, p: Participant) {
  const common = {
    id: p.communicationId,
    state: communicationState(p),
    initialState: initialState(p),
    held: false,
    direction: p.direction,
    disconnectType: p.disconnectType,
    startAlertingTime: iso(p.startAlertingTime),
    connectedTime: iso(p.connectedTime),
    disconnectedTime: iso(p.endTime),
    provider: providerOf(conversation),
    segments: [],
  };
  if (conversation.mediaType === 'chat') return { ...common, roomId: roomId(conversation) };
  return {
    ...common,
    type: messengerType(conversation),
    toAddress: p.purpose === 'customer' ? { name: conversation.deploymentId ?? '' } : undefined,
    fromAddress: p.purpose === 'customer' ? { name: p.name } : undefined,
    messages: messagesOf(conversation, p).map((m) => messageDetails(conversation, m)),
  };
}

export function genericParticipant(org: OrgDirectory, conversation: Conversation, p: Participant) {
  const queue = p.queueId ? org.queueById(p.queueId) : undefined;
  const comm = communication(conversation, p);
  return {
    id: p.id,
    startTime: isoTime(p.startTime),
    endTime: iso(p.endTime),
    connectedTime: iso(p.connectedTime),
    name: p.name,
    userUri: p.userId ? `/api/v2/users/${p.userId}` : undefined,
    userId: p.userId,
    queueId: p.queueId,
    queueName: queue?.name,
    purpose: p.purpose,
    participantType: p.purpose === 'customer' ? 'External' : 'Internal',
    address: address(conversation, p),
    wrapupRequired: p.wrapupRequired,
    wrapup: p.wrapup,
    alertingTimeoutMs: p.alertingTimeoutMs,
    attributes: { ...p.attributes },
    calls: [],
    callbacks: [],
    chats: conversation.mediaType === 'chat' ? [comm] : [],
    cobrowsesessions: [],
    emails: [],
    messages: conversation.mediaType === 'message' ? [comm] : [],
    screenshares: [],
    socialExpressions: [],
    videos: [],
  };
}

export function divisions(org: OrgDirectory) {
  return [
    {
      division: { id: org.divisionId, selfUri: `/api/v2/authorization/divisions/${org.divisionId}` },
      entities: [],
    },
  ];
}

export function genericConversation(org: OrgDirectory, conversation: Conversation) {
  return {
    id: conversation.id,
    startTime: isoTime(conversation.startTime),
    endTime: iso(conversation.endTime),
    participants: conversation.participants.map((p) => genericParticipant(org, conversation, p)),
    conversationIds: [],
    recordingState: 'NONE',
    state: conversation.endTime === undefined ? 'connected' : 'disconnected',
    divisions: divisions(org),
    recentTransfers: [],
    selfUri: `/api/v2/conversations/${conversation.id}`,
  };
}

/** MessageMediaParticipant / ChatMediaParticipant: participant and communication flattened. */
function mediaParticipant(conversation: Conversation, p: Participant) {
  const base = {
    id: p.id,
    name: p.name,
    address: address(conversation, p),
    startTime: isoTime(p.startTime),
    startAlertingTime: iso(p.startAlertingTime),
    connectedTime: iso(p.connectedTime),
    endTime: iso(p.endTime),
    purpose: p.purpose,
    state: p.state,
    direction: p.direction,
    disconnectType: p.disconnectType,
    held: false,
    wrapupRequired: p.wrapupRequired,
    wrapup: p.wrapup,
    user: p.userId ? { id: p.userId, selfUri: `/api/v2/users/${p.userId}` } : undefined,
    queue: p.queueId ? { id: p.queueId, selfUri: `/api/v2/routing/queues/${p.queueId}` } : undefined,
    attributes: { ...p.attributes },
    alertingTimeoutMs: p.alertingTimeoutMs,
    provider: providerOf(conversation),
  };
  if (conversation.mediaType === 'chat') return { ...base, roomId: roomId(conversation) };
  const comm = communication(conversation, p) as {
    toAddress?: unknown;
    fromAddress?: unknown;
    messages?: unknown;
  };
  return {
    ...base,
    toAddress: comm.toAddress,
    fromAddress: comm.fromAddress,
    messages: comm.messages,
    type: messengerType(conversation),
  };
}

export function mediaConversation(conversation: Conversation) {
  const kind = conversation.mediaType === 'chat' ? 'chats' : 'messages';
  return {
    id: conversation.id,
    participants: conversation.participants.map((p) => mediaParticipant(conversation, p)),
    otherMediaUris: [],
    recentTransfers: [],
    selfUri: `/api/v2/conversations/${kind}/${conversation.id}`,
  };
}

/**
 * MessageData: what POST .../communications/{id}/messages returns and GET .../messages/{messageId}
 * reads. `textBody` is deprecated and gone from the SDK 262 model, but Genesys still returns it unless
 * the caller asks for `useNormalizedMessage=true` (platform-extra.md §5), and agent tools read it.
 */
export function messageData(conversation: Conversation, m: ConversationMessage) {
  return {
    id: m.id,
    timestamp: isoTime(m.time),
    direction: m.direction,
    messengerType: messengerType(conversation),
    textBody: m.text,
    status: messageStatus(m),
    conversationId: conversation.id,
    selfUri: `/api/v2/conversations/messages/${conversation.id}/messages/${m.id}`,
  };
}

/** WebChatMessage: what POST .../chats/.../communications/{id}/messages returns. */
export function webChatMessage(conversation: Conversation, m: ConversationMessage) {
  return {
    id: m.id,
    conversation: { id: conversation.id, selfUri: `/api/v2/conversations/chats/${conversation.id}` },
    sender: { id: m.participantId },
    body: m.text,
    bodyType: m.bodyType ?? 'standard',
    timestamp: isoTime(m.time),
  };
}
