import type { EmulatorRuntime } from '../../runtime.ts';
import type { Table } from '../../store/store.ts';
import { noRecentMessages, type RecentMessages } from './rate-limit.ts';
import type { InboundExtras } from './structured-messages.ts';

/**
 * Guest sessions, keyed by the client's token (guest-protocols.md §2.10), kept in the store so a reset
 * empties them with everything else. A record is a handful of fields: it must stay small for tens of
 * thousands of idle sessions. Sockets are not here; they are process state (connections.ts).
 */
export interface GuestSession {
  /** Changes when `startNew` replaces the session, so a JWT of the old one stops working. */
  id: string;
  token: string;
  deploymentId: string;
  createdAt: number;
  /** Sliding TTL: guest activity pushes it to now + the deployment's session duration. */
  expiresAt: number;
  durationSeconds: number;
  /** Conversations of this session, oldest first; the last one is current. History reads them all. */
  conversationIds: string[];
  /** The last conversation was disconnected in ReadOnly mode: sending is refused until startNew. */
  readOnly: boolean;
  /** Past its TTL: kept as a tombstone so the token answers 4006 instead of silently starting over. */
  expired: boolean;
  /** The 2-per-second limiter's state. */
  recent: RecentMessages;
}

const SESSIONS = 'webmessaging.sessions';
const SESSION_IDS = 'webmessaging.sessionIds';
const CONVERSATIONS = 'webmessaging.conversations';
const INBOUND_EXTRAS = 'webmessaging.inboundExtras';

export class SessionStore {
  readonly #runtime: EmulatorRuntime;

  constructor(runtime: EmulatorRuntime) {
    this.#runtime = runtime;
  }

  get #sessions(): Table<GuestSession> {
    return this.#runtime.store.table<GuestSession>(SESSIONS);
  }

  /** Every session, expired ones included (read only: change one after a get). */
  all(): IterableIterator<GuestSession> {
    return this.#sessions.values();
  }

  get(token: string): GuestSession | undefined {
    return this.#sessions.get(token);
  }

  /** The session a JWT names, only while it is the token's current, unexpired session. */
  byId(id: string): GuestSession | undefined {
    const token = this.#runtime.store.table<string>(SESSION_IDS).get(id);
    const session = token === undefined ? undefined : this.get(token);
    return session && session.id === id && !session.expired ? session : undefined;
  }

  /** A new session for the token, replacing any earlier one (first configure, startNew, after expiry). */
  create(token: string, deploymentId: string, durationSeconds: number): GuestSession {
    const now = this.#runtime.clock.now();
    const previous = this.get(token);
    if (previous) this.#runtime.store.table<string>(SESSION_IDS).delete(previous.id);
    const session: GuestSession = {
      id: this.#runtime.ids.uuid(),
      token,
      deploymentId,
      createdAt: now,
      expiresAt: now + durationSeconds * 1000,
      durationSeconds,
      conversationIds: [],
      readOnly: false,
      expired: false,
      recent: noRecentMessages(),
    };
    this.#sessions.set(token, session);
    this.#runtime.store.table<string>(SESSION_IDS).set(session.id, token);
    return session;
  }

  /** Guest activity: the TTL counts from now again. */
  touch(session: GuestSession): void {
    session.expiresAt = this.#runtime.clock.now() + session.durationSeconds * 1000;
  }

  /** Expiry keeps only a tombstone: the transcript is gone for the guest (M8). */
  markExpired(session: GuestSession): void {
    session.expired = true;
    session.conversationIds = [];
    this.#runtime.store.table<string>(SESSION_IDS).delete(session.id);
  }

  addConversation(session: GuestSession, conversationId: string): void {
    session.conversationIds.push(conversationId);
    this.#runtime.store.table<string>(CONVERSATIONS).set(conversationId, session.token);
  }

  /** The token whose session a conversation belongs to (the event translator's look-up). */
  tokenOf(conversationId: string): string | undefined {
    return this.#runtime.store.table<string>(CONVERSATIONS).get(conversationId);
  }

  /** Extras of an inbound message (structured content, attributes, metadata), kept only when there are some. */
  setExtras(messageId: string, extras: InboundExtras): void {
    this.#runtime.store.table<InboundExtras>(INBOUND_EXTRAS).set(messageId, extras);
  }

  extras(messageId: string): InboundExtras | undefined {
    return this.#runtime.store.table<InboundExtras>(INBOUND_EXTRAS).get(messageId);
  }
}
