import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { findMessage } from '../../domain/conversations/message-index.ts';
import { errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { messageData } from './conversations/presenters.ts';

// The parameter keeps the name the sibling routes use at this position (/messages/:conversationId/...).
const Params = z.object({ conversationId: z.string().min(1) });
const Query = z.object({ useNormalizedMessage: z.enum(['true', 'false']).default('false') });

/**
 * GET /api/v2/conversations/messages/{messageId}/details (platform-extra.md §5): the MessageData of any
 * message the emulator holds, with its `conversationId`, so a test tool can find a Web Messaging guest's
 * conversation from a message id. Chat (WebChat) messages are not messaging messages: 404, as for an
 * unknown id. `useNormalizedMessage=true` drops the deprecated `textBody` and `media`.
 */
export const messageDetailsRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.get('/api/v2/conversations/messages/:conversationId/details', async (request) => {
    const { conversationId: messageId } = parseInput(Params, request.params, 'params');
    const { useNormalizedMessage } = parseInput(Query, request.query, 'query');
    const found = findMessage(runtime, messageId);
    if (found?.conversation.mediaType !== 'message')
      throw errors.notFound(`message ${messageId}`, { entityId: messageId });
    const data: Record<string, unknown> = { ...messageData(found.conversation, found.message) };
    if (useNormalizedMessage === 'true') {
      delete data.textBody;
      delete data.media;
    }
    return data;
  });
};
