import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { EmulatorControl } from '../control/operations.ts';
import type { StartCustomerSpec } from '../control/schemas.ts';
import { errors } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { genericConversation } from './platform/conversations/presenters.ts';
import { parseInput } from './validate.ts';

const ConversationParams = z.object({ conversationId: z.string().min(1) });
const QueueParams = z.object({ queueId: z.string().min(1) });
const SequenceQuery = z.strictObject({ format: z.enum(['mermaid', 'json']).default('mermaid') });

/**
 * The scripted customer and queue contents on the control plane (HTTP faces of the handle's control
 * operations), so agent-side behaviour can be tested and scenarios run without a guest socket.
 */
export const controlCustomersSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const control = new EmulatorControl(runtime);
  const conversationId = (params: unknown) => parseInput(ConversationParams, params, 'params').conversationId;

  app.post('/__emulator/conversations', async (request) =>
    genericConversation(runtime.org(), control.startCustomer(request.body as StartCustomerSpec)),
  );

  app.post('/__emulator/conversations/:conversationId/messages', async (request) =>
    control.customerSays(conversationId(request.params), request.body as { text: string }),
  );

  app.post('/__emulator/conversations/:conversationId/typing', async (request, reply) => {
    control.customerTyping(conversationId(request.params));
    return reply.status(202).send();
  });

  app.post('/__emulator/conversations/:conversationId/leave', async (request, reply) => {
    control.customerLeaves(conversationId(request.params));
    return reply.status(202).send();
  });

  // Fault injection: the guest's sockets for this conversation drop as on a network failure.
  app.post('/__emulator/conversations/:conversationId/drop-guest-socket', async (request) => ({
    dropped: control.dropGuestSocket(conversationId(request.params)),
  }));

  // The conversation as a picture: Mermaid `sequenceDiagram` text (paste it into an issue tracker that
  // renders Mermaid), or with ?format=json the model the console draws, with the same text beside it.
  app.get('/__emulator/conversations/:conversationId/sequence', async (request, reply) => {
    const { format } = parseInput(SequenceQuery, request.query, 'query');
    const sequence = control.sequence(conversationId(request.params));
    if (format === 'json') return sequence;
    return reply.type('text/plain; charset=utf-8').send(sequence.mermaid);
  });

  app.get('/__emulator/queues/:queueId/waiting', async (request) => {
    const { queueId } = parseInput(QueueParams, request.params, 'params');
    const conversationIds = control.waiting(queueId);
    if (!conversationIds) throw errors.notFound(`queue ${queueId}`, { entityId: queueId });
    return { conversationIds };
  });
};
