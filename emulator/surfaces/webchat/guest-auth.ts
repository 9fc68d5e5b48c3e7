import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Conversation } from '../../domain/conversations/model.ts';
import { errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { type GuestChat, getChat } from './chats.ts';
import { chatErrors } from './errors.ts';
import type { GuestClaims, GuestTokens } from './jwt.ts';

declare module 'fastify' {
  interface FastifyRequest {
    webchatGuest?: GuestClaims;
  }
}

/**
 * Every guest endpoint but create needs `Authorization: Bearer <jwt>` (scheme in any case, as third-party
 * clients send `bearer`). No header, or one that is not a bearer token — such as the SDK's
 * `Authorization: [REDACTED]` after its logger bug — is 401 `authentication.required`; a token this
 * emulator did not issue is 401 `bad.credentials`; an expired one 401 `credentials.expired`.
 */
export function requireGuestToken(app: FastifyInstance, tokens: GuestTokens): void {
  app.addHook('onRequest', async (request) => {
    request.webchatGuest = await tokens.verify(bearerToken(request.headers.authorization));
  });
}

function bearerToken(header: string | undefined): string {
  const match = header === undefined ? null : /^bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw errors.authenticationRequired();
  return match[1]!;
}

export interface GuestAccess {
  claims: GuestClaims;
  chat: GuestChat;
  conversation: Conversation;
}

/**
 * Binds verified claims to the addressed chat: the token must be for this conversation and, on the
 * member's own resources (send, typing, leave), for this member.
 */
export function guestAccess(
  runtime: EmulatorRuntime,
  claims: GuestClaims,
  conversationId: string,
  memberId?: string,
): GuestAccess {
  if (claims.conversationId !== conversationId) throw chatErrors.otherConversation();
  // A token from before a fixture reload names an org that is no longer loaded.
  if (claims.organizationId !== runtime.org().org.id) throw errors.badCredentials();
  const { chat, conversation } = getChat(runtime, conversationId);
  if (chat.memberId !== claims.memberId) throw errors.badCredentials();
  if (memberId !== undefined && memberId !== claims.memberId) throw chatErrors.otherMember();
  return { claims, chat, conversation };
}

export function claimsOf(request: FastifyRequest): GuestClaims {
  if (!request.webchatGuest) throw errors.authenticationRequired();
  return request.webchatGuest;
}

/**
 * Sending, typing and leaving need a live chat: a guest who left (or went idle) gets
 * `chat.error.member.state`; a chat ended by an agent, a flow or the API gets
 * `chat.error.conversation.state` (which code Genesys uses in each case is UNCONFIRMED).
 */
export function requireLive(chat: GuestChat, conversation: Conversation): void {
  if (conversation.endTime === undefined) return;
  if (chat.left) throw chatErrors.memberState(chat.memberId);
  throw chatErrors.conversationState(conversation.id);
}

/** The guest ends the chat (DELETE member, or idle): marked first, so its frames say member-leave. */
export function guestLeaves(
  runtime: EmulatorRuntime,
  chat: GuestChat,
  disconnectType: 'client' | 'session.expired',
): void {
  chat.left = true;
  runtime.conversations.customerLeft(chat.conversationId, disconnectType);
}
