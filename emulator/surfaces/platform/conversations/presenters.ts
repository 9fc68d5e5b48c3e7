import { isoTime } from '../../../domain/clock.ts';
import type { Conversation, ConversationMessage, Participant } from '../../../domain/conversations/model.ts';
import type { OrgDirectory } from '../../../domain/org.ts';

/**
 * The two wire views of one conversation (platform-architect.md §3.2): the generic Conversation, whose
 * participants carry communications in `messages[]` / `chats[]` (the communication id agents send on),
 * and the media-specific MessageConversation / ChatConversation with flattened participants and no
 * communication id. Notifications reuse the generic view.
 */

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoTime(ms);
}

/**
 * Views are built with undefined for absent fields: JSON (the wire, and every notification frame) drops
 * them, and deleting keys would slow every serialisation down. A message's details never change, so
 * each is built once (every notification carries the whole conversation, so they are re-read often).
 */
const messageDetails = new WeakMap<ConversationMessage, object>();

function detailsOf(m: ConversationMessage): object {
  let details = messageDetails.get(m);
  if (!details) {
    details = {
      messageId: m.id,
      messageStatus: 'delivered',
      messageTime: isoTime(m.time),
      messageSegmentCount: 1,
    };
    messageDetails.set(m, details);
  }
  return details;
}

function address(conversation: Conversation, p: Participant): string {
  if (p.purpose === 'customer') return p.name;
  if (p.purpose === 'acd') return p.queueId ?? '';
  return conversation.deploymentId ?? '';
}

/** The communication of a participant: its state is the leg's state. */
function communication(conversation: Conversation, p: Participant) {
  const state = p.state === 'terminated' ? 'disconnected' : p.state;
  const common = {
    id: p.communicationId,
    state,
    initialState: p.purpose === 'agent' ? 'alerting' : 'connected',
    held: false,
    direction: p.direction,
    disconnectType: p.disconnectType,
    startAlertingTime: iso(p.startAlertingTime),
    connectedTime: iso(p.connectedTime),
    disconnectedTime: iso(p.endTime),
    provider: conversation.mediaType === 'chat' ? 'PureCloud Webchat v2' : 'PureCloud Messaging',
    segments: [],
  };
  if (conversation.mediaType === 'chat')
    return { ...common, roomId: `${conversation.id}@conference.emulator` };
  return {
    ...common,
    type: conversation.channel === 'webmessaging' ? 'webmessaging' : 'open',
    toAddress: p.purpose === 'customer' ? { name: conversation.deploymentId ?? '' } : undefined,
    fromAddress: p.purpose === 'customer' ? { name: p.name } : undefined,
    messages: conversation.messages.filter((m) => m.participantId === p.id).map(detailsOf),
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

export function genericConversation(org: OrgDirectory, conversation: Conversation) {
  return {
    id: conversation.id,
    startTime: isoTime(conversation.startTime),
    endTime: iso(conversation.endTime),
    participants: conversation.participants.map((p) => genericParticipant(org, conversation, p)),
    conversationIds: [],
    recordingState: 'NONE',
    state: conversation.endTime === undefined ? 'connected' : 'disconnected',
    divisions: [
      {
        division: { id: org.divisionId, selfUri: `/api/v2/authorization/divisions/${org.divisionId}` },
        entities: [],
      },
    ],
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
    provider: conversation.mediaType === 'chat' ? 'PureCloud Webchat v2' : 'PureCloud Messaging',
  };
  if (conversation.mediaType === 'chat') return { ...base, roomId: `${conversation.id}@conference.emulator` };
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
    type: conversation.channel === 'webmessaging' ? 'webmessaging' : 'open',
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

/** MessageData: what POST .../communications/{id}/messages returns. */
export function messageData(conversation: Conversation, m: ConversationMessage) {
  return {
    id: m.id,
    timestamp: isoTime(m.time),
    direction: m.direction,
    messengerType: conversation.channel === 'webmessaging' ? 'webmessaging' : 'open',
    textBody: m.text,
    status: m.direction === 'outbound' ? 'sent' : 'received',
    media: [],
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
