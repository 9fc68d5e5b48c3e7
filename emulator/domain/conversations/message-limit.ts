import type { DomainContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { Conversation } from './model.ts';

/**
 * A conversation holds at most `fidelity.maxMessagesPerConversation` messages (10,000 by default):
 * Genesys publishes no per-conversation figure (UNCONFIRMED), and an unbounded transcript would grow
 * memory and every listing without end. The next message, from either side, is refused before anything
 * changes, with Genesys's `bad.request` and an ErrorBody `limit` naming the bound.
 */
export function assertRoomForMessage(ctx: DomainContext, conversation: Conversation): void {
  const max = ctx.fidelity.maxMessagesPerConversation;
  if (conversation.messages.length < max) return;
  throw new ApiError(
    400,
    'bad.request',
    `Conversation ${conversation.id} already holds the maximum of ${max} messages; no more can be added.`,
    {
      entityId: conversation.id,
      messageParams: { max: String(max) },
      limit: { key: 'max.messages.per.conversation', namespace: 'conversations', value: max },
    },
  );
}

/** Whether one more message fits (the guest surfaces check first and answer in their own error shape). */
export function hasRoomForMessage(ctx: DomainContext, conversation: Conversation): boolean {
  return conversation.messages.length < ctx.fidelity.maxMessagesPerConversation;
}
