import type { DomainContext } from '../context.ts';
import { errors } from '../errors.ts';
import type { Conversation, Participant } from './model.ts';

const TABLE = 'conversations';
/** The store table of conversations (the journal keeps their `messages` item by item). */
export const CONVERSATIONS_TABLE = TABLE;

export function conversationsTable(ctx: DomainContext) {
  return ctx.store.table<Conversation>(TABLE);
}

export function findConversation(ctx: DomainContext, id: string): Conversation | undefined {
  return conversationsTable(ctx).get(id);
}

export function getConversation(ctx: DomainContext, id: string): Conversation {
  const conversation = conversationsTable(ctx).get(id);
  if (!conversation) throw errors.notFound(`conversation ${id}`, { entityId: id });
  return conversation;
}

export function getParticipant(conversation: Conversation, participantId: string): Participant {
  const participant = conversation.participants.find((p) => p.id === participantId);
  if (!participant)
    throw errors.notFound(`participant ${participantId} in conversation ${conversation.id}`, {
      entityId: participantId,
    });
  return participant;
}

export function participantByCommunication(conversation: Conversation, communicationId: string): Participant {
  const participant = conversation.participants.find((p) => p.communicationId === communicationId);
  if (!participant)
    throw errors.notFound(`communication ${communicationId} in conversation ${conversation.id}`, {
      entityId: communicationId,
    });
  return participant;
}
