import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TransferTarget } from '../../../domain/conversations/core.ts';
import { ApiError } from '../../../domain/errors.ts';
import type { EmulatorRuntime } from '../../../runtime.ts';
import { parseInput } from '../../validate.ts';
import { principalOf } from '../auth-hook.ts';
import {
  ParticipantParams,
  TransferRequest,
  TransferToAgentRequest,
  TransferToQueueRequest,
} from './schemas.ts';

/**
 * Blind transfers (replace), on the paths the SDKs call: the message/chat `/replace` with a
 * TransferRequest, and the generic `/replace/queue` and `/replace/agent`.
 */
export const transferRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  const core = runtime.conversations;

  const run = (request: FastifyRequest, target: TransferTarget, transferType: string) => {
    if (transferType === 'Attended') {
      // Consult transfers for messaging are UNCONFIRMED (platform-architect.md §3.3 step 7): refuse clearly.
      throw new ApiError(400, 'bad.request', 'Attended (consult) transfer is not emulated; use Unattended.');
    }
    const { conversationId, participantId } = parseInput(ParticipantParams, request.params, 'params');
    core.transfer(conversationId, participantId, target, principalOf(request));
  };

  const byIdOrName = (userId?: string, userName?: string): TransferTarget => {
    if (userId) return { userId };
    const user = runtime.org().users.find((u) => u.name === userName);
    if (!user)
      throw new ApiError(404, 'not.found', `The requested resource was not found: user ${userName ?? ''}`);
    return { userId: user.id };
  };

  for (const prefix of [
    '/api/v2/conversations',
    '/api/v2/conversations/messages',
    '/api/v2/conversations/chats',
  ]) {
    app.post(`${prefix}/:conversationId/participants/:participantId/replace`, async (request, reply) => {
      const body = parseInput(TransferRequest, request.body, 'body');
      let target: TransferTarget;
      if (body.queueId) target = { queueId: body.queueId };
      else if (body.userId || body.userName) target = byIdOrName(body.userId, body.userName);
      else if (body.address) {
        // `address` takes a user id or a queue id.
        target = runtime.org().userById(body.address) ? { userId: body.address } : { queueId: body.address };
      } else throw new ApiError(400, 'bad.request', 'A transfer needs queueId, userId, userName or address.');
      run(request, target, body.transferType);
      return reply.status(202).send();
    });
  }

  app.post(
    '/api/v2/conversations/:conversationId/participants/:participantId/replace/queue',
    async (request, reply) => {
      const body = parseInput(TransferToQueueRequest, request.body, 'body');
      if (!body.queueId && !body.queueName)
        throw new ApiError(400, 'bad.request', 'A queue transfer needs queueId or queueName.');
      run(
        request,
        body.queueId ? { queueId: body.queueId } : { queueName: body.queueName! },
        body.transferType,
      );
      return reply.status(202).send();
    },
  );

  app.post(
    '/api/v2/conversations/:conversationId/participants/:participantId/replace/agent',
    async (request, reply) => {
      const body = parseInput(TransferToAgentRequest, request.body, 'body');
      if (!body.userId && !body.userName)
        throw new ApiError(400, 'bad.request', 'An agent transfer needs userId or userName.');
      run(request, byIdOrName(body.userId, body.userName), body.transferType);
      return reply.status(202).send();
    },
  );
};
