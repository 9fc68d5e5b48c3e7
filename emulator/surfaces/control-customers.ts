import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { errors } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { genericConversation } from './platform/conversations/presenters.ts';
import { parseInput } from './validate.ts';

const StartBody = z
  .strictObject({
    mediaType: z.enum(['message', 'chat']).default('message'),
    channel: z.enum(['webmessaging', 'webchat']).default('webmessaging'),
    customerName: z.string().min(1).max(256).default('Test Customer'),
    attributes: z.record(z.string().min(1), z.string()).default({}),
    /** The first customer message (sent before routing, as a Web Messaging first message is). */
    text: z.string().min(1).max(4096).optional(),
    /** Route through this flow, or the messenger deployment's flow, or straight to a queue. */
    flow: z.string().min(1).optional(),
    deploymentId: z.string().min(1).optional(),
    queueName: z.string().min(1).optional(),
    priority: z.number().int().default(0),
  })
  .refine((b) => [b.flow, b.deploymentId, b.queueName].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of flow, deploymentId or queueName',
  });

const ConversationParams = z.object({ conversationId: z.string().min(1) });
const MessageBody = z.strictObject({ text: z.string().min(1).max(4096) });

/**
 * A scripted customer on the control plane: starts a conversation on the core exactly as a channel
 * would (attributes, first message, flow or queue), so agent-side behaviour can be tested and
 * scenarios can run without a guest socket.
 */
export const controlCustomersSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const core = runtime.conversations;

  app.post('/__emulator/conversations', async (request) => {
    const body = parseInput(StartBody, request.body, 'body');
    let flow = body.flow;
    if (body.deploymentId !== undefined) {
      const deployment = runtime.org().messengerDeployment(body.deploymentId);
      if (!deployment) throw errors.notFound(`messenger deployment ${body.deploymentId}`);
      flow = deployment.flow;
    }
    const conversation = core.start({
      mediaType: body.mediaType,
      channel: body.channel,
      customerName: body.customerName,
      attributes: body.attributes,
      ...(body.deploymentId === undefined ? {} : { deploymentId: body.deploymentId }),
    });
    if (body.text !== undefined) core.customerMessage(conversation.id, body.text);
    core.route(
      conversation,
      flow !== undefined ? { flow } : { queueName: body.queueName!, priority: body.priority },
    );
    return genericConversation(runtime.org(), conversation);
  });

  app.post('/__emulator/conversations/:conversationId/messages', async (request) => {
    const { conversationId } = parseInput(ConversationParams, request.params, 'params');
    const { text } = parseInput(MessageBody, request.body, 'body');
    return core.customerMessage(conversationId, text);
  });

  app.post('/__emulator/conversations/:conversationId/typing', async (request, reply) => {
    const { conversationId } = parseInput(ConversationParams, request.params, 'params');
    core.customerTyping(conversationId);
    return reply.status(202).send();
  });

  app.post('/__emulator/conversations/:conversationId/leave', async (request, reply) => {
    const { conversationId } = parseInput(ConversationParams, request.params, 'params');
    core.customerLeft(conversationId);
    return reply.status(202).send();
  });

  // Fault injection: the guest's sockets for this conversation drop as on a network failure.
  app.post('/__emulator/conversations/:conversationId/drop-guest-socket', async (request) => {
    const { conversationId } = parseInput(ConversationParams, request.params, 'params');
    core.get(conversationId);
    return { dropped: runtime.guestLinks.drop(conversationId) };
  });

  app.get('/__emulator/queues/:queueId/waiting', async (request) => {
    const { queueId } = request.params as { queueId: string };
    return { conversationIds: runtime.router.waitingIn(queueId) };
  });
};
