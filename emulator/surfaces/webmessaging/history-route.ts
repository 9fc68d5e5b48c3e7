import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import { errors } from '../../domain/errors.ts';
import { parseInput } from '../validate.ts';
import type { WebMessagingGateway } from './gateway.ts';
import { messageBody } from './structured-messages.ts';

/** Clients send empty query values for unset parameters; they mean "default", not 0. */
const pageParam = (fallback: number, max: number) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(max).default(fallback));

/** Defaults pageNumber 1, pageSize 25 [M11, M2]; the maximum page size is UNCONFIRMED (100 is used in practice). */
const HistoryQuery = z.object({
  pageNumber: pageParam(1, 1_000_000),
  pageSize: pageParam(25, 200),
});

const PATH = '/api/v2/webmessaging/messages';

/**
 * `GET /api/v2/webmessaging/messages` (guest-protocols.md §2.8): the guest session's transcript,
 * authorised by the JWT from `getJwt`, newest first, paged by pageNumber/pageSize. It holds every
 * message of the session's conversations, including those sent while the guest was offline, each
 * exactly once and in the same shape as the live frame. Browsers call it cross-origin, so CORS is
 * answered.
 */
export const historyRoute: FastifyPluginAsync<{ gateway: WebMessagingGateway }> = async (
  app,
  { gateway },
) => {
  app.options(PATH, async (request, reply) =>
    reply
      .header('access-control-allow-origin', request.headers.origin ?? '*')
      .header('access-control-allow-methods', 'GET, OPTIONS')
      .header('access-control-allow-headers', 'authorization, content-type')
      .status(204)
      .send(),
  );

  app.get(PATH, async (request, reply) => {
    reply.header('access-control-allow-origin', request.headers.origin ?? '*');
    const sessionId = await gateway.jwt.verify(request.headers.authorization);
    const { pageNumber, pageSize } = parseInput(HistoryQuery, request.query, 'query');
    const session = gateway.sessions.byId(sessionId);
    // A JWT outlives neither its session's expiry nor a startNew that replaced the session.
    if (!session) throw errors.badCredentials();

    const transcript = [];
    for (const id of session.conversationIds) {
      const conversation = findConversation(gateway.runtime, id);
      if (!conversation) continue;
      for (const message of conversation.messages)
        transcript.push(messageBody(conversation, message, gateway.sessions.extras(message.id)));
    }
    transcript.reverse();
    const total = transcript.length;
    return {
      entities: transcript.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
      pageSize,
      pageNumber,
      total,
      pageCount: Math.ceil(total / pageSize),
    };
  });
};
