import { isoTime } from '../../domain/clock.ts';
import type { Conversation, ConversationMessage, Participant } from '../../domain/conversations/model.ts';
import type { OrgDirectory } from '../../domain/org.ts';
import {
  address,
  communicationState,
  divisions,
  initialState,
  iso,
  messengerType,
  providerOf,
  roomId,
} from '../platform/conversations/presenters.ts';
import { type EntryShape, messageEntriesOf } from './message-entries.ts';
import { RawJson } from './raw-json.ts';

/**
 * Notification bodies of conversation topics, built from the conversation in the shape of each topic's
 * own model (platform-extra.md §7, the SDK's `*EventTopic*` models), not from the REST views: no
 * `selfUri`, `startTime`, `state`, `queueName`, `participantType`, `segments`... which the topic models
 * do not have. The queue topics' models (`QueueConversation...`) have the same fields as the user
 * topics', so one body serves both.
 *
 * Undefined fields are left in place: JSON drops them, and deleting keys would slow every frame down.
 */

/** Wrap-up as the topic models carry it: no `name`. */
function wrapupOf(p: Participant) {
  if (!p.wrapup) return undefined;
  const { code, notes, durationSeconds, endTime } = p.wrapup;
  return { code, notes, durationSeconds, endTime };
}

/** A participant's `messages[]` of one shape, as a stand-in for its kept JSON text (message-entries.ts). */
function messagesJson(raw: RawJson, conversation: Conversation, p: Participant, shape: EntryShape) {
  return raw.slot(messageEntriesOf(conversation).json(p.id, shape));
}

/**
 * ConversationEventTopicMessage / ConversationEventTopicChat: a participant's communication. One object
 * literal whose other-media fields stay undefined (JSON drops them): spreading a shared part into a
 * per-media object made V8 build a slow (dictionary) object, which took longer to build and to serialize
 * than the rest of the frame (issue 19). The same holds for mediaParticipant.
 */
function communication(raw: RawJson, conversation: Conversation, p: Participant) {
  const chat = conversation.mediaType === 'chat';
  const customer = !chat && p.purpose === 'customer';
  return {
    id: p.communicationId,
    state: communicationState(p),
    initialState: initialState(p),
    held: false,
    disconnectType: p.disconnectType,
    connectedTime: iso(p.connectedTime),
    disconnectedTime: iso(p.endTime),
    provider: providerOf(conversation),
    roomId: chat ? roomId(conversation) : undefined,
    direction: chat ? undefined : p.direction,
    type: chat ? undefined : messengerType(conversation),
    toAddress: customer ? { name: conversation.deploymentId ?? '' } : undefined,
    fromAddress: customer ? { name: p.name } : undefined,
    messages: chat ? undefined : messagesJson(raw, conversation, p, 'generic'),
  };
}

/** ConversationEventTopicParticipant / QueueConversationEventTopicParticipant. */
function participant(raw: RawJson, conversation: Conversation, p: Participant) {
  const comm = communication(raw, conversation, p);
  return {
    id: p.id,
    connectedTime: iso(p.connectedTime),
    endTime: iso(p.endTime),
    userId: p.userId,
    name: p.name,
    queueId: p.queueId,
    purpose: p.purpose,
    address: address(conversation, p),
    wrapupRequired: p.wrapupRequired,
    wrapup: wrapupOf(p),
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

/** `v2.users.{id}.conversations` and `v2.routing.queues.{id}.conversations`, as JSON text. */
export function conversationEventJson(org: OrgDirectory, conversation: Conversation): string {
  const raw = new RawJson();
  return raw.stringify({
    id: conversation.id,
    participants: conversation.participants.map((p) => participant(raw, conversation, p)),
    recentTransfers: [],
    recordingState: 'NONE',
    divisions: divisions(org),
  });
}

/** `{id, name}` references of the media topics (`...EventTopicUriReference`). */
function ref(id: string | undefined, name: string | undefined) {
  return id === undefined ? undefined : { id, name };
}

/** `...EventTopicMessageMediaParticipant` / `...EventTopicChatMediaParticipant`. */
function mediaParticipant(raw: RawJson, org: OrgDirectory, conversation: Conversation, p: Participant) {
  const chat = conversation.mediaType === 'chat';
  return {
    id: p.id,
    name: p.name,
    address: address(conversation, p),
    startTime: isoTime(p.startTime),
    connectedTime: iso(p.connectedTime),
    endTime: iso(p.endTime),
    purpose: p.purpose,
    state: p.state,
    initialState: initialState(p),
    direction: p.direction,
    disconnectType: p.disconnectType,
    held: false,
    wrapupRequired: p.wrapupRequired,
    user: ref(p.userId, p.userId === undefined ? undefined : org.userById(p.userId)?.name),
    queue: ref(p.queueId, p.queueId === undefined ? undefined : org.queueById(p.queueId)?.name),
    attributes: { ...p.attributes },
    alertingTimeoutMs: p.alertingTimeoutMs,
    provider: providerOf(conversation),
    wrapup: wrapupOf(p),
    roomId: chat ? roomId(conversation) : undefined,
    messages: chat ? undefined : messagesJson(raw, conversation, p, 'media'),
    type: chat ? undefined : messengerType(conversation),
  };
}

/**
 * `v2.users.{id}.conversations.messages` / `.chats` and the queue variants:
 * `ConversationMessageEventTopicMessageConversation` / `ConversationChatEventTopicChatConversation`, as
 * JSON text.
 */
export function mediaConversationEventJson(org: OrgDirectory, conversation: Conversation): string {
  const raw = new RawJson();
  return raw.stringify({
    id: conversation.id,
    participants: conversation.participants.map((p) => mediaParticipant(raw, org, conversation, p)),
    otherMediaUris: [],
    divisions: divisions(org),
  });
}

/** Genesys shows typing for this long unless another event comes (platform-extra.md §1.3). */
export const TYPING_DURATION_MS = 5000;

/**
 * `v2.users.{agentId}.conversations.inbound.typing.event`: the customer is typing
 * (V2ConversationMessageTypingEventForUserTopicMessageData, platform-extra.md §7). The channel's ids
 * for Web Messaging (the deployment as `to` and channel id, the customer participant as `from`) are
 * UNCONFIRMED; the reference example is Open Messaging's (the integration id there).
 */
export function inboundTypingBody(conversation: Conversation, customer: Participant, time: number) {
  const channelId = conversation.deploymentId ?? conversation.id;
  return {
    conversationId: conversation.id,
    normalizedMessage: {
      channel: {
        id: channelId,
        platform: conversation.channel === 'webmessaging' ? 'WebMessaging' : 'Open',
        to: { id: channelId },
        from: {
          nickname: customer.name,
          id: conversation.externalAddress?.id ?? customer.id,
          idType: conversation.externalAddress?.idType ?? 'Opaque',
        },
        time: isoTime(time),
      },
      type: 'Event',
      direction: 'Inbound',
      events: [{ eventType: 'Typing', typing: { type: 'On', duration: TYPING_DURATION_MS } }],
    },
  };
}

/**
 * `v2.conversations.chats.{id}.messages`: the frame a WebChat chat's feed carries, as the guest stream
 * has it (guest-protocols.md §1.5): a message (`metadata.type: message`) is a WebChatMessage body, a
 * typing indicator (`metadata.type: typing-indicator`) a WebChatTyping body. Senders are member
 * (communication) ids, as on the guest stream.
 */
export function chatFeedMessage(conversation: Conversation, m: ConversationMessage, senderId: string) {
  return {
    id: m.id,
    conversation: { id: conversation.id },
    sender: { id: senderId },
    body: m.text,
    bodyType: m.bodyType ?? 'standard',
    timestamp: isoTime(m.time),
  };
}

export function chatFeedTyping(conversation: Conversation, id: string, senderId: string, time: number) {
  return { id, conversation: { id: conversation.id }, sender: { id: senderId }, timestamp: isoTime(time) };
}
