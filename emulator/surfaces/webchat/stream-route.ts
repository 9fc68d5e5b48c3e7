import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import { ApiError, errors } from '../../domain/errors.ts';
import { sendApiError } from '../error-handler.ts';
import { findChat } from './chats.ts';
import { type GuestAccess, guestAccess, requireLive } from './guest-auth.ts';
import type { WebChatDeps } from './surface-deps.ts';

/** The path after /v1/token/ is the guest JWT. */
const StreamParams = z.object({ '*': z.string().min(1) });
/** The one frame a guest may send that gets an answer. */
const PingFrame = z.object({ message: z.literal('ping') });

declare module 'fastify' {
  interface FastifyRequest {
    webchatStream?: GuestAccess;
  }
}

/**
 * The guest event stream at `eventStreamUri` = ws://<host>/v1/token/<jwt> (the real URI's shape). The
 * token in the path is the credential, checked before the upgrade: a bad one is refused with the same
 * 401 body as the REST calls, a chat that is over with `chat.error.conversation.state`/`member.state`.
 *
 * The first attach is what starts routing (guest-protocols.md §1.3): the guest's CONNECTED and
 * member-join go out, then the deployment's flow or the routing target queue runs. A later attach (the
 * guest reconnecting) only announces CONNECTED again. Frames from the guest are ignored, except a
 * `{"message":"ping"}`, answered with a pong as the notification service does (UNCONFIRMED for guests).
 */
export const streamRoute: FastifyPluginAsync<WebChatDeps> = async (app, deps) => {
  const { runtime, tokens, streams, translator, frames } = deps;

  app.route({
    method: 'GET',
    // A wildcard, not a :param: a JWT is far longer than the router's 100-character parameter limit.
    url: '/v1/token/*',
    preValidation: async (request, reply) => {
      try {
        const params = StreamParams.safeParse(request.params);
        if (!params.success) throw errors.authenticationRequired();
        const claims = await tokens.verify(params.data['*']);
        const access = guestAccess(runtime, claims, claims.conversationId);
        requireLive(access.chat, access.conversation);
        request.webchatStream = access;
      } catch (e) {
        if (e instanceof ApiError) return sendApiError(request, reply, e);
        throw e;
      }
    },
    // A plain GET (no upgrade) with a good token: say what the endpoint is for.
    handler: async () => {
      throw new ApiError(
        400,
        'bad.request',
        'The event stream is a WebSocket: connect with an upgrade request.',
      );
    },
    wsHandler: (socket, request) => {
      const { chat, conversation } = request.webchatStream!;
      const cid = chat.conversationId;
      // The chat may have ended while the token was being verified.
      if (conversation.endTime !== undefined) {
        socket.close(1000, 'conversation ended');
        return;
      }
      // Fetched again: the records read while the token was verified belong to an earlier turn of the
      // event loop, and what changes below must reach the data dir's journal (store.ts).
      findChat(runtime, cid);
      findConversation(runtime, cid);
      const stream = streams.attach(cid, {
        send: (text) => {
          runtime.beforeOutput();
          socket.send(text);
        },
        close: (code, reason) => socket.close(code, reason),
        terminate: () => socket.terminate(),
      });
      socket.on('message', (data) => {
        if (isPing(String(data))) streams.send(cid, frames.pong());
      });
      socket.on('close', () => {
        if (!streams.detached(stream)) return;
        runtime.events.emit('webchat.stream.detached', { memberId: chat.memberId }, cid);
        if (conversation.endTime === undefined) streams.watchIdle(cid);
      });

      const first = !chat.attached;
      chat.attached = true;
      runtime.events.emit('webchat.stream.attached', { memberId: chat.memberId, first }, cid);
      translator.memberChange(chat, chat.memberId, 'CONNECTED');
      if (!first) return;
      translator.note(chat, conversation, chat.memberId, 'member-join');
      try {
        runtime.conversations.route(conversation, chat.route);
      } catch (e) {
        // Checked at create, so only a fixture changed underneath can get here: let a reconnect retry.
        request.log.error({ err: e }, 'webchat routing failed');
        chat.attached = false;
        streams.end(cid, 1011, 'routing failed');
      }
    },
  });
};

function isPing(text: string): boolean {
  try {
    return PingFrame.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}
