import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiError } from '../../../domain/errors.ts';
import type { EmulatorRuntime } from '../../../runtime.ts';
import { parseInput } from '../../validate.ts';
import { principalOf } from '../auth-hook.ts';
import {
  AttributesRequest,
  ConversationParams,
  ConversationPatch,
  MediaParticipantRequest,
  ParticipantCommunicationParams,
  ParticipantParams,
  WrapupSchema,
} from './schemas.ts';

/** Prefixes that address the same participant operations: generic, messages and chats. */
const PREFIXES = ['/api/v2/conversations', '/api/v2/conversations/messages', '/api/v2/conversations/chats'];

/** Answer, disconnect, wrap-up and Participant Data, on every path the SDKs use. */
export const participantRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const core = runtime.conversations;

  const patchParticipant = (request: FastifyRequest) => {
    const { conversationId, participantId } = parseInput(ParticipantParams, request.params, 'params');
    const body = parseInput(MediaParticipantRequest, request.body, 'body');
    const unsupported = (['held', 'muted', 'confined', 'recording'] as const).find(
      (k) => body[k] !== undefined,
    );
    if (unsupported)
      throw new ApiError(
        400,
        'bad.request',
        `The emulator does not emulate "${unsupported}" on message or chat participants.`,
      );
    const principal = principalOf(request);
    if (body.state === 'connected') core.answer(conversationId, participantId, principal);
    if (body.state === 'disconnected') core.disconnect(conversationId, participantId, principal);
    if (body.wrapup) core.wrapup(conversationId, participantId, stripUndefined(body.wrapup), principal);
  };

  for (const prefix of PREFIXES) {
    app.patch(`${prefix}/:conversationId/participants/:participantId`, async (request, reply) => {
      patchParticipant(request);
      return reply.status(202).send();
    });

    app.patch(`${prefix}/:conversationId/participants/:participantId/attributes`, async (request, reply) => {
      const { conversationId, participantId } = parseInput(ParticipantParams, request.params, 'params');
      const { attributes } = parseInput(AttributesRequest, request.body, 'body');
      const participant = core.patchAttributes(conversationId, participantId, attributes);
      // The message variant returns ParticipantAttributes; the generic and chat variants have no body.
      if (prefix.endsWith('/messages')) return { attributes: { ...participant.attributes } };
      return reply.status(202).send();
    });

    app.post(
      `${prefix}/:conversationId/participants/:participantId/communications/:communicationId/wrapup`,
      async (request, reply) => {
        const { conversationId, participantId } = parseInput(
          ParticipantCommunicationParams,
          request.params,
          'params',
        );
        const wrapup = parseInput(WrapupSchema, request.body, 'body');
        core.wrapup(conversationId, participantId, stripUndefined(wrapup), principalOf(request));
        return reply.status(202).send();
      },
    );
  }

  for (const prefix of PREFIXES.slice(1)) {
    app.patch(`${prefix}/:conversationId`, async (request, reply) => {
      const { conversationId } = parseInput(ConversationParams, request.params, 'params');
      parseInput(ConversationPatch, request.body, 'body');
      core.disconnectAll(conversationId);
      return reply.status(202).send();
    });
  }
};

function stripUndefined<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

export type WrapupInput = z.output<typeof WrapupSchema>;
