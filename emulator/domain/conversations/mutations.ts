import type { DomainContext } from '../context.ts';
import { conversationsTable } from './conversation-store.ts';
import type {
  Channel,
  Conversation,
  ConversationMessage,
  DisconnectType,
  ExternalAddress,
  MediaType,
  Participant,
  ParticipantState,
  Purpose,
} from './model.ts';

/**
 * The only functions that change a conversation. Each emits its event, so every subscriber (guest
 * frames, notifications, timeline) sees every change in order.
 */

export interface NewConversation {
  mediaType: MediaType;
  channel: Channel;
  deploymentId?: string;
  externalAddress?: ExternalAddress;
  customerName: string;
  attributes?: Record<string, string>;
}

export function createConversation(ctx: DomainContext, input: NewConversation): Conversation {
  const now = ctx.clock.now();
  const id = ctx.ids.uuid();
  const customer: Participant = {
    id: ctx.ids.uuid(),
    purpose: 'customer',
    state: 'connected',
    communicationId: ctx.ids.uuid(),
    name: input.customerName,
    direction: 'inbound',
    startTime: now,
    connectedTime: now,
    attributes: { ...(input.attributes ?? {}) },
  };
  const conversation: Conversation = {
    id,
    mediaType: input.mediaType,
    channel: input.channel,
    ...(input.deploymentId === undefined ? {} : { deploymentId: input.deploymentId }),
    ...(input.externalAddress === undefined ? {} : { externalAddress: { ...input.externalAddress } }),
    startTime: now,
    participants: [customer],
    messages: [],
    priority: 0,
  };
  conversationsTable(ctx).set(id, conversation);
  ctx.events.emit(
    'conversation.created',
    {
      mediaType: input.mediaType,
      channel: input.channel,
      ...(input.deploymentId === undefined ? {} : { deploymentId: input.deploymentId }),
      customerParticipantId: customer.id,
    },
    id,
  );
  return conversation;
}

export interface NewParticipant {
  purpose: Purpose;
  state: ParticipantState;
  name: string;
  userId?: string;
  queueId?: string;
  alertingTimeoutMs?: number;
}

export function addParticipant(
  ctx: DomainContext,
  conversation: Conversation,
  input: NewParticipant,
): Participant {
  const now = ctx.clock.now();
  const participant: Participant = {
    id: ctx.ids.uuid(),
    purpose: input.purpose,
    state: input.state,
    communicationId: ctx.ids.uuid(),
    name: input.name,
    direction: input.purpose === 'agent' ? 'outbound' : 'inbound',
    startTime: now,
    attributes: {},
    ...(input.state === 'connected' ? { connectedTime: now } : {}),
    ...(input.state === 'alerting' ? { startAlertingTime: now } : {}),
    ...(input.userId === undefined ? {} : { userId: input.userId }),
    ...(input.queueId === undefined ? {} : { queueId: input.queueId }),
    ...(input.alertingTimeoutMs === undefined ? {} : { alertingTimeoutMs: input.alertingTimeoutMs }),
    ...(input.purpose === 'agent' ? { wrapupRequired: false } : {}),
  };
  conversation.participants.push(participant);
  ctx.events.emit(
    'participant.added',
    {
      participantId: participant.id,
      purpose: participant.purpose,
      state: participant.state,
      ...(participant.userId === undefined ? {} : { userId: participant.userId }),
      ...(participant.queueId === undefined ? {} : { queueId: participant.queueId }),
    },
    conversation.id,
  );
  return participant;
}

export function changeParticipantState(
  ctx: DomainContext,
  conversation: Conversation,
  participant: Participant,
  to: ParticipantState,
  disconnectType?: DisconnectType,
): void {
  const from = participant.state;
  if (from === to) return;
  const now = ctx.clock.now();
  participant.state = to;
  if (to === 'connected') participant.connectedTime = now;
  if (to === 'disconnected' || to === 'terminated') {
    participant.endTime ??= now;
    if (disconnectType) participant.disconnectType = disconnectType;
  }
  ctx.events.emit(
    'participant.state.changed',
    {
      participantId: participant.id,
      purpose: participant.purpose,
      from,
      to,
      ...(participant.userId === undefined ? {} : { userId: participant.userId }),
      ...(disconnectType === undefined ? {} : { disconnectType }),
    },
    conversation.id,
  );
}

/** Merges attributes (listed keys added or overwritten, others kept; UNCONFIRMED, platform-architect.md §3.1). */
export function mergeAttributes(
  ctx: DomainContext,
  conversation: Conversation,
  participant: Participant,
  attributes: Record<string, string>,
): void {
  Object.assign(participant.attributes, attributes);
  ctx.events.emit(
    'participant.attributes.updated',
    { participantId: participant.id, attributes },
    conversation.id,
  );
}

export function appendMessage(
  ctx: DomainContext,
  conversation: Conversation,
  participant: Participant,
  text: string,
  bodyType?: string,
): ConversationMessage {
  const message: ConversationMessage = {
    id: ctx.ids.uuid(),
    participantId: participant.id,
    purpose: participant.purpose,
    text,
    ...(bodyType === undefined ? {} : { bodyType }),
    time: ctx.clock.now(),
    direction: participant.purpose === 'customer' ? 'inbound' : 'outbound',
  };
  conversation.messages.push(message);
  // A copy: the event is what happened then; the stored message later learns its delivery.
  ctx.events.emit('message.sent', { message: { ...message } }, conversation.id);
  return message;
}

/** Ends the conversation: every participant still alerting or connected is disconnected. */
export function endConversation(
  ctx: DomainContext,
  conversation: Conversation,
  reason: string,
  disconnectTypeFor: (p: Participant) => DisconnectType,
): void {
  if (conversation.endTime !== undefined) return;
  for (const p of conversation.participants) {
    if (p.state === 'alerting' || p.state === 'connected')
      changeParticipantState(ctx, conversation, p, 'disconnected', disconnectTypeFor(p));
  }
  conversation.endTime = ctx.clock.now();
  ctx.events.emit('conversation.ended', { reason }, conversation.id);
}
