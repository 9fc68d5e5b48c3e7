import type { FastifyPluginAsync } from 'fastify';
import type { MediaType } from '../../../domain/conversations/model.ts';
import { ApiError, errors } from '../../../domain/errors.ts';
import type { EmulatorRuntime } from '../../../runtime.ts';
import { parseInput } from '../../validate.ts';
import { principalOf } from '../auth-hook.ts';
import { singlePage } from '../paging.ts';
import { genericConversation, mediaConversation, messageData } from './presenters.ts';
import { ConversationParams, MessageParams } from './schemas.ts';

const KIND_MEDIA: Record<string, MediaType> = { messages: 'message', chats: 'chat' };

/** Reading conversations: the generic view, the media views, and the caller's active conversations. */
export const conversationReadRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const core = runtime.conversations;

  const activeOf = (userId: string | undefined, media?: MediaType) => {
    if (userId === undefined) {
      throw new ApiError(
        400,
        'bad.request',
        'Listing active conversations requires a user context (a client bound to a user).',
      );
    }
    return core.activeFor(userId).filter((c) => media === undefined || c.mediaType === media);
  };

  app.get('/api/v2/conversations', async (request) => {
    const entities = activeOf(principalOf(request).userId).map((c) => genericConversation(runtime.org(), c));
    return singlePage(entities, '/api/v2/conversations');
  });

  for (const kind of ['messages', 'chats'] as const) {
    app.get(`/api/v2/conversations/${kind}`, async (request) => {
      const entities = activeOf(principalOf(request).userId, KIND_MEDIA[kind]).map(mediaConversation);
      return singlePage(entities, `/api/v2/conversations/${kind}`);
    });

    app.get(`/api/v2/conversations/${kind}/:conversationId`, async (request) => {
      const { conversationId } = parseInput(ConversationParams, request.params, 'params');
      const conversation = core.get(conversationId);
      // A chat is not a message conversation: its media view lives under the other path.
      if (conversation.mediaType !== KIND_MEDIA[kind])
        throw errors.notFound(`${kind} conversation ${conversationId}`);
      return mediaConversation(conversation);
    });
  }

  // A chat's messages for an agent UI (getConversationsChatMessages), paged: ../chat-messages.ts.

  app.get('/api/v2/conversations/messages/:conversationId/messages/:messageId', async (request) => {
    const { conversationId, messageId } = parseInput(MessageParams, request.params, 'params');
    const conversation = core.get(conversationId);
    const message = conversation.messages.find((m) => m.id === messageId);
    if (!message) throw errors.notFound(`message ${messageId}`, { entityId: messageId });
    return messageData(conversation, message);
  });

  app.get('/api/v2/conversations/:conversationId', async (request) => {
    const { conversationId } = parseInput(ConversationParams, request.params, 'params');
    return genericConversation(runtime.org(), core.get(conversationId));
  });
};
