import type { DomainContext } from '../context.ts';
import { findConversation } from './conversation-store.ts';
import type { Conversation, ConversationMessage } from './model.ts';

const TABLE = 'conversations.messageIndex';

/**
 * Message id -> conversation id, for GET /api/v2/conversations/messages/{messageId}/details (a test tool
 * finds a Web Messaging guest's conversation from a message id). Kept from `message.sent` events, in the
 * store, so a reset empties it with the conversations. Ids are keyed without dashes: the guest sees
 * outbound ids in Genesys's 32-hex form (webmessaging/structured-messages.ts), so either form finds it.
 */
export function indexMessageIds(ctx: DomainContext): void {
  const table = ctx.store.table<string>(TABLE);
  ctx.events.subscribe((event) => {
    if (event.type === 'message.sent' && event.conversationId)
      table.set(key(event.data.message.id), event.conversationId);
  });
}

/** The message with this id and its conversation, if the emulator holds it. */
export function findMessage(
  ctx: DomainContext,
  messageId: string,
): { conversation: Conversation; message: ConversationMessage } | undefined {
  const conversationId = ctx.store.table<string>(TABLE).get(key(messageId));
  const conversation = conversationId === undefined ? undefined : findConversation(ctx, conversationId);
  const wanted = key(messageId);
  const message = conversation?.messages.find((m) => key(m.id) === wanted);
  return conversation && message ? { conversation, message } : undefined;
}

function key(messageId: string): string {
  return messageId.replaceAll('-', '').toLowerCase();
}
