import type { DomainContext } from '../../domain/context.ts';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { Conversation, Participant } from '../../domain/conversations/model.ts';
import { errors } from '../../domain/errors.ts';

/** How the chat is routed once its stream attaches: the deployment's flow, or the routing target queue. */
export type ChatRoute = { flow: string } | { queueName: string; priority: number };

/** The guest's own profile from memberInfo; only what was sent is kept. */
export interface GuestProfile {
  firstName?: string;
  lastName?: string;
  email?: string;
  phoneNumber?: string;
  avatarImageUrl?: string;
  customFields?: Record<string, string>;
}

export type MemberNoteType = 'member-join' | 'member-leave';

/**
 * A member-join or member-leave message. They are chat-room messages the guest sees (on the stream and
 * in the message list) but not conversation messages agents see, so they live here. `at` is how many
 * conversation messages existed when it happened, which places it exactly in the guest's timeline
 * (timestamps tie too often on a manual clock to order by time).
 */
export interface MemberNote {
  id: string;
  memberId: string;
  bodyType: MemberNoteType;
  time: number;
  at: number;
}

/**
 * What the guest surface keeps per chat, beside the conversation core's own state. Small on purpose:
 * the guest member id is the customer participant's communication id, every other member is looked
 * up in the conversation, and the JWT is verified by signature, not stored.
 */
export interface GuestChat {
  conversationId: string;
  memberId: string;
  deploymentId: string;
  route: ChatRoute;
  profile: GuestProfile;
  authenticated: boolean;
  /** The stream has attached at least once: routing has started. */
  attached: boolean;
  /**
   * The guest itself ended the chat (leave, or idle too long), as opposed to an agent, a flow or an
   * API call: only then is there a guest member-leave, and later actions are member-state errors.
   */
  left: boolean;
  notes: MemberNote[];
}

const TABLE = 'webchat.chats';

export function chatsTable(ctx: DomainContext) {
  return ctx.store.table<GuestChat>(TABLE);
}

export function findChat(ctx: DomainContext, conversationId: string): GuestChat | undefined {
  return chatsTable(ctx).get(conversationId);
}

/** The chat and its conversation, or 404 as for any unknown conversation id. */
export function getChat(
  ctx: DomainContext,
  conversationId: string,
): { chat: GuestChat; conversation: Conversation } {
  const chat = findChat(ctx, conversationId);
  const conversation = chat && findConversation(ctx, conversationId);
  if (!chat || !conversation)
    throw errors.notFound(`conversation ${conversationId}`, { entityId: conversationId });
  return { chat, conversation };
}

/** A member is a participant seen from the chat room; its id is the participant's communication id. */
export function memberOf(conversation: Conversation, memberId: string): Participant | undefined {
  return conversation.participants.find((p) => p.communicationId === memberId);
}

export function participantById(conversation: Conversation, participantId: string): Participant | undefined {
  return conversation.participants.find((p) => p.id === participantId);
}
