import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../../domain/errors.ts';
import type { EmulatorRuntime } from '../../../runtime.ts';
import { parseInput } from '../../validate.ts';
import { principalOf } from '../auth-hook.ts';
import { messageData, webChatMessage } from './presenters.ts';
import {
  AdditionalMessage,
  ChatMessageRequest,
  CommunicationParams,
  MessageTypingRequest,
} from './schemas.ts';

/** An agent sends messages and typing on their communication (participants[].messages[].id / chats[].id). */
export const communicationRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const core = runtime.conversations;
  const base = '/api/v2/conversations';

  app.post(`${base}/messages/:conversationId/communications/:communicationId/messages`, async (request) => {
    const { conversationId, communicationId } = parseInput(CommunicationParams, request.params, 'params');
    const body = parseInput(AdditionalMessage, request.body, 'body');
    if (body.textBody === undefined)
      throw new ApiError(400, 'bad.request', 'Only textBody messages are emulated (no media or templates).');
    const message = core.agentMessage(
      conversationId,
      communicationId,
      body.textBody,
      undefined,
      principalOf(request),
    );
    return messageData(core.get(conversationId), message);
  });

  app.post(
    `${base}/messages/:conversationId/communications/:communicationId/typing`,
    async (request, reply) => {
      const { conversationId, communicationId } = parseInput(CommunicationParams, request.params, 'params');
      parseInput(MessageTypingRequest, request.body, 'body');
      core.agentTyping(conversationId, communicationId, principalOf(request));
      return reply.status(202).send();
    },
  );

  app.post(`${base}/chats/:conversationId/communications/:communicationId/messages`, async (request) => {
    const { conversationId, communicationId } = parseInput(CommunicationParams, request.params, 'params');
    const body = parseInput(ChatMessageRequest, request.body, 'body');
    const message = core.agentMessage(
      conversationId,
      communicationId,
      body.body,
      body.bodyType,
      principalOf(request),
    );
    return webChatMessage(core.get(conversationId), message);
  });

  app.post(`${base}/chats/:conversationId/communications/:communicationId/typing`, async (request, reply) => {
    const { conversationId, communicationId } = parseInput(CommunicationParams, request.params, 'params');
    core.agentTyping(conversationId, communicationId, principalOf(request));
    return reply.status(202).send();
  });
};
