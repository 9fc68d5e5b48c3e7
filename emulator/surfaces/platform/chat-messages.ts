import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Conversation } from '../../domain/conversations/model.ts';
import { ApiError, errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { roomPage, roomPageLinks } from '../webchat/timeline.ts';
import { webChatMessage } from './conversations/presenters.ts';

const ConversationParams = z.object({ conversationId: z.string().min(1) });
const MessageParams = ConversationParams.extend({ messageId: z.string().min(1) });

/** getConversationsChatMessages: `after`, `before`, `sortOrder`, `maxResults` (default 100, at most 100). */
const MessagesQuery = z.object({
  after: z.string().min(1).optional(),
  before: z.string().min(1).optional(),
  sortOrder: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['ascending', 'descending']))
    .default('ascending'),
  maxResults: z.coerce.number().int().min(1).max(100).default(100),
});

/**
 * A chat's messages for an agent (GET /api/v2/conversations/chats/{id}/messages and .../{messageId}),
 * paged as Genesys pages them: a WebChatMessageEntityList of at most `maxResults` (100) messages around
 * the `after` / `before` message ids, with `next` and `previousPage` URIs to continue (the same cursor
 * rules as the guest API's message list, webchat/timeline.ts; exact semantics UNCONFIRMED).
 */
export const chatMessagesRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const chatOf = (conversationId: string): Conversation => {
    const conversation = runtime.conversations.get(conversationId);
    if (conversation.mediaType !== 'chat')
      throw errors.notFound(`chat conversation ${conversationId}`, { entityId: conversationId });
    return conversation;
  };

  app.get('/api/v2/conversations/chats/:conversationId/messages', async (request) => {
    const { conversationId } = parseInput(ConversationParams, request.params, 'params');
    const q = parseInput(MessagesQuery, request.query, 'query');
    const conversation = chatOf(conversationId);
    const page = roomPage(conversation.messages, q);
    if (!page.ok) {
      const cursor = page.unknownCursor;
      throw new ApiError(400, 'bad.request', `No message ${q[cursor]} in conversation ${conversationId}.`, {
        messageParams: { field: cursor },
        details: [{ errorCode: 'invalid.cursor', fieldName: cursor }],
      });
    }
    return {
      pageSize: q.maxResults,
      entities: page.entities.map((m) => webChatMessage(conversation, m)),
      ...roomPageLinks(`/api/v2/conversations/chats/${conversationId}/messages`, q, page),
    };
  });

  app.get('/api/v2/conversations/chats/:conversationId/messages/:messageId', async (request) => {
    const { conversationId, messageId } = parseInput(MessageParams, request.params, 'params');
    const conversation = chatOf(conversationId);
    const message = conversation.messages.find((m) => m.id === messageId);
    if (!message) throw errors.notFound(`message ${messageId}`, { entityId: messageId });
    return webChatMessage(conversation, message);
  });
};
