import type { MessengerDeployment } from '../../config/fixture-schema.ts';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { Conversation } from '../../domain/conversations/model.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { ConnectionRegistry } from './connections.ts';
import { ExpiryScheduler } from './expiry-scheduler.ts';
import { GuestJwt } from './guest-jwt.ts';
import { MAX_CUSTOM_DATA_BYTES } from './limits.ts';
import { type SessionResponseBody, sessionExpiredEvent } from './server-frames.ts';
import { type GuestSession, SessionStore } from './sessions.ts';
import type { InboundExtras } from './structured-messages.ts';

/** What the handler is doing while it calls the core, so the echo of the resulting event can carry it. */
export interface PendingEcho {
  conversationId: string;
  tracingId?: string;
  extras?: InboundExtras;
}

/**
 * The state of the Web Messaging surface and the operations every action shares: sessions (store),
 * sockets (process), the one expiry timer, the guest JWT key. Action handlers and the event translator
 * work through it; nothing here knows about fastify.
 */
export class WebMessagingGateway {
  readonly runtime: EmulatorRuntime;
  readonly sessions: SessionStore;
  readonly connections = new ConnectionRegistry();
  readonly jwt: GuestJwt;
  /** Set around a core call made for a guest frame (see PendingEcho). */
  pendingEcho: PendingEcho | undefined;
  /** Conversations being ended by the guest's side (Clear, expiry, startNew): no Disconnect back to them. */
  readonly #guestEnding = new Set<string>();
  readonly #expiry: ExpiryScheduler;

  constructor(runtime: EmulatorRuntime) {
    this.runtime = runtime;
    this.sessions = new SessionStore(runtime);
    this.jwt = new GuestJwt(runtime.clock, () => runtime.keys);
    this.#expiry = new ExpiryScheduler(runtime.clock, (token, now) => this.#expiryDue(token, now));
  }

  deployment(id: string): MessengerDeployment | undefined {
    return this.runtime.org().messengerDeployment(id);
  }

  /** A new session for the token; its expiry joins the shared schedule. */
  newSession(token: string, deploymentId: string, durationSeconds: number): GuestSession {
    const session = this.sessions.create(token, deploymentId, durationSeconds);
    this.#expiry.schedule(token, session.expiresAt);
    return session;
  }

  /** The session's current conversation while it is still open. */
  openConversation(session: GuestSession): Conversation | undefined {
    const id = session.conversationIds.at(-1);
    const conversation = id === undefined ? undefined : findConversation(this.runtime, id);
    return conversation && conversation.endTime === undefined ? conversation : undefined;
  }

  isGuestEnding(conversationId: string): boolean {
    return this.#guestEnding.has(conversationId);
  }

  /** Ends the session's open conversation from the guest's side. */
  endByGuest(session: GuestSession, disconnectType: 'client' | 'session.expired'): void {
    const conversation = this.openConversation(session);
    if (!conversation) return;
    this.#guestEnding.add(conversation.id);
    try {
      this.runtime.conversations.customerLeft(conversation.id, disconnectType);
    } finally {
      this.#guestEnding.delete(conversation.id);
    }
  }

  /** Runs a core call whose events the translator echoes with this request's tracingId. */
  withEcho<T>(pending: PendingEcho, call: () => T): T {
    this.pendingEcho = pending;
    try {
      return call();
    } finally {
      this.pendingEcho = undefined;
    }
  }

  sessionResponseBody(session: GuestSession, connected: boolean, newSession: boolean): SessionResponseBody {
    return {
      connected,
      newSession,
      readOnly: session.readOnly,
      clearedExistingSession: false,
      maxCustomDataBytes: MAX_CUSTOM_DATA_BYTES,
      // No supported-content profile is emulated, so no inbound attachments are allowed.
      allowedMedia: {},
      blockedExtensions: [],
      durationSeconds: session.durationSeconds,
      expirationDate: Math.floor(session.expiresAt / 1000),
      autoStarted: false,
    };
  }

  /** After a restore: every live session's expiry is scheduled again (sockets are gone; guests reconnect). */
  restored(): void {
    this.#expiry.clear();
    for (const session of this.sessions.all()) {
      if (!session.expired) this.#expiry.schedule(session.token, session.expiresAt);
    }
  }

  /** Reset: sockets close, the schedule empties; the store empties itself. */
  reset(): void {
    this.#expiry.clear();
    this.#guestEnding.clear();
    this.pendingEcho = undefined;
    this.connections.closeAll(1001, 'emulator reset');
  }

  shutdown(): void {
    this.#expiry.clear();
    this.connections.closeAll(1001, 'emulator shutting down');
  }

  /**
   * A session's scheduled expiry came due. Activity may have moved it on (sliding TTL): then keep it
   * scheduled. Otherwise every socket is told (SessionExpiredEvent) and closed, the open conversation
   * ends with disconnectType session.expired, and the token keeps a tombstone.
   */
  #expiryDue(token: string, now: number): number | undefined {
    const session = this.sessions.get(token);
    if (!session || session.expired) return undefined;
    if (session.expiresAt > now) return session.expiresAt;
    this.connections.drop(this.connections.of(token), sessionExpiredEvent(), 1000, 'session expired');
    this.endByGuest(session, 'session.expired');
    this.sessions.markExpired(session);
    return undefined;
  }
}
