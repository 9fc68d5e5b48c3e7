import type { FastifyPluginAsync } from 'fastify';
import { ApiError, errors } from '../../domain/errors.ts';
import { pageOf } from '../platform/paging.ts';
import { named } from '../plugin-name.ts';
import { parseInput } from '../validate.ts';
import { memberOf } from './chats.ts';
import { createChat } from './create-chat.ts';
import { claimsOf, guestAccess, guestLeaves, requireGuestToken, requireLive } from './guest-auth.ts';
import { GUEST_BASE, memberInfo, membersOf, webChatMessage, webChatTyping } from './presenters.ts';
import {
  ConversationParams,
  CreateChatBody,
  MemberParams,
  MembersQuery,
  MessageBody,
  MessageParams,
  MessagesQuery,
} from './schemas.ts';
import type { WebChatDeps } from './surface-deps.ts';
import {
  findRoomMessage,
  fromConversationMessage,
  roomPage,
  roomPageLinks,
  roomTimeline,
} from './timeline.ts';

/** The guest REST endpoints (guest-protocols.md §1.3 #1-#8). Media requests (#9-#11) are not emulated. */
export const guestRoutes: FastifyPluginAsync<WebChatDeps> = async (app, deps) => {
  const { runtime, tokens, streams, translator } = deps;
  const core = runtime.conversations;

  // #1, anonymous. The stream URI has the real shape, /v1/token/<the same jwt>, on this emulator's host.
  app.post(GUEST_BASE, async (request) => {
    const input = parseInput(CreateChatBody, request.body, 'body');
    const { chat, jwt } = await createChat(runtime, tokens, input);
    streams.watchIdle(chat.conversationId);
    const host = request.headers.host ?? '127.0.0.1';
    return {
      id: chat.conversationId,
      jwt,
      eventStreamUri: `ws://${host}/v1/token/${jwt}`,
      member: { id: chat.memberId },
    };
  });

  await app.register(
    named(async (api) => {
      requireGuestToken(api, tokens);

      // #2
      api.post(`${GUEST_BASE}/:conversationId/members/:memberId/messages`, async (request) => {
        const { conversationId, memberId } = parseInput(MemberParams, request.params, 'params');
        const { chat, conversation } = guestAccess(runtime, claimsOf(request), conversationId, memberId);
        const body = parseInput(MessageBody, request.body, 'body');
        requireLive(chat, conversation);
        const message = core.customerMessage(conversationId, body.body, body.bodyType);
        return webChatMessage(conversationId, fromConversationMessage(conversation, message));
      });

      // #3: no body (the SDK sends an empty application/json one).
      api.post(`${GUEST_BASE}/:conversationId/members/:memberId/typing`, async (request) => {
        const { conversationId, memberId } = parseInput(MemberParams, request.params, 'params');
        const { chat, conversation } = guestAccess(runtime, claimsOf(request), conversationId, memberId);
        requireLive(chat, conversation);
        const id = runtime.ids.uuid();
        translator.withTypingId(conversationId, id, () => core.customerTyping(conversationId));
        return webChatTyping(conversationId, id, memberId, runtime.clock.now());
      });

      // #4
      api.get(`${GUEST_BASE}/:conversationId/members`, async (request) => {
        const { conversationId } = parseInput(ConversationParams, request.params, 'params');
        const { chat, conversation } = guestAccess(runtime, claimsOf(request), conversationId);
        const q = parseInput(MembersQuery, request.query, 'query');
        const members = membersOf(conversation, q.excludeDisconnectedMembers).map((p) => memberInfo(chat, p));
        return pageOf(members, q.pageNumber, q.pageSize, `${GUEST_BASE}/${conversationId}/members`, {
          excludeDisconnectedMembers: String(q.excludeDisconnectedMembers),
        });
      });

      // #5: any member the guest has seen on the stream, agents included (clients look up roles here).
      api.get(`${GUEST_BASE}/:conversationId/members/:memberId`, async (request) => {
        const { conversationId, memberId } = parseInput(MemberParams, request.params, 'params');
        const { chat, conversation } = guestAccess(runtime, claimsOf(request), conversationId);
        const member = memberOf(conversation, memberId);
        if (!member) throw errors.notFound(`member ${memberId}`, { entityId: memberId });
        return memberInfo(chat, member);
      });

      // #6: the guest leaves; the conversation ends for everyone. Empty reply (200 vs 204 UNCONFIRMED).
      api.delete(`${GUEST_BASE}/:conversationId/members/:memberId`, async (request, reply) => {
        const { conversationId, memberId } = parseInput(MemberParams, request.params, 'params');
        const { chat, conversation } = guestAccess(runtime, claimsOf(request), conversationId, memberId);
        requireLive(chat, conversation);
        guestLeaves(runtime, chat, 'client');
        return reply.status(204).send();
      });

      // #7
      api.get(`${GUEST_BASE}/:conversationId/messages`, async (request) => {
        const { conversationId } = parseInput(ConversationParams, request.params, 'params');
        const { chat, conversation } = guestAccess(runtime, claimsOf(request), conversationId);
        const q = parseInput(MessagesQuery, request.query, 'query');
        const page = roomPage(roomTimeline(chat, conversation), q);
        if (!page.ok) {
          const cursor = page.unknownCursor;
          throw new ApiError(
            400,
            'bad.request',
            `No message ${q[cursor]} in conversation ${conversationId}.`,
            {
              messageParams: { field: cursor },
              details: [{ errorCode: 'invalid.cursor', fieldName: cursor }],
            },
          );
        }
        return {
          pageSize: q.maxResults,
          entities: page.entities.map((m) => webChatMessage(conversationId, m)),
          ...roomPageLinks(`${GUEST_BASE}/${conversationId}/messages`, q, page),
        };
      });

      // #8: join and leave messages included.
      api.get(`${GUEST_BASE}/:conversationId/messages/:messageId`, async (request) => {
        const { conversationId, messageId } = parseInput(MessageParams, request.params, 'params');
        const { chat, conversation } = guestAccess(runtime, claimsOf(request), conversationId);
        const message = findRoomMessage(chat, conversation, messageId);
        if (!message) throw errors.notFound(`message ${messageId}`, { entityId: messageId });
        return webChatMessage(conversationId, message);
      });
    }, 'webchat-guest-api'),
  );
};
