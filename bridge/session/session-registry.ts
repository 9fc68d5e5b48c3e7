import type { Clock, TimerHandle } from '../clock.ts';
import type { ResolvedConfigSet } from '../config.ts';
import { failure } from '../errors.ts';
import type {
  BridgeEvent,
  GenesysChannel,
  SendAck,
  StartTransferRequest,
  StartTransferResult,
} from '../types.ts';
import type { ChannelAdapterFactory } from './channel-adapter.ts';
import type { EventListener } from './event-log.ts';
import { newTransferSession } from './new-transfer.ts';
import { fingerprint, parseCustomerMessage, parseStartTransferRequest } from './transfer-request.ts';
import type { TransferSession } from './transfer-session.ts';

/**
 * All live sessions of one bridge: creation with idempotency keys, lookup by session id and bot
 * conversation, and eviction of ended sessions after `timeouts.endedRetentionMs`. Everything is in
 * memory; a durable store (bridge.md §4.9) belongs to the later service.
 */
export interface SessionRegistryOptions {
  configs: ResolvedConfigSet;
  adapters: Partial<Record<GenesysChannel, ChannelAdapterFactory>>;
  clock: Clock;
  newId: () => string;
  onListenerError: (error: unknown) => void;
}

interface KeyEntry {
  fingerprint: string;
  session: TransferSession;
}

export class SessionRegistry {
  readonly #options: SessionRegistryOptions;
  readonly #byId = new Map<string, TransferSession>();
  readonly #byKey = new Map<string, KeyEntry>();
  readonly #byBotConversation = new Map<string, TransferSession>();
  readonly #evictions = new Map<string, TimerHandle>();
  /**
   * Each onEvent subscription with the per-session unsubscribes made for it. Keyed by the subscription, not
   * the listener: the same function subscribed twice is two subscriptions, each ended by its own call.
   */
  readonly #globalListeners = new Map<object, { listener: EventListener; detach: (() => void)[] }>();

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  async startTransfer(input: StartTransferRequest): Promise<StartTransferResult> {
    const request = parseStartTransferRequest(input);
    const print = fingerprint(request);
    const existing = this.#byKey.get(request.idempotencyKey);
    if (existing) {
      if (existing.fingerprint !== print) {
        throw failure(
          'IDEMPOTENCY_CONFLICT',
          `idempotencyKey ${request.idempotencyKey} was already used for a different transfer (session ${existing.session.id})`,
        );
      }
      return this.#result(existing.session, await existing.session.start(), false);
    }

    const { session, sessionId } = newTransferSession(this.#options, request, {
      onEnded: (ended) => this.#scheduleEviction(ended, ended.config.settings.timeouts.endedRetentionMs),
    });
    this.#byId.set(sessionId, session);
    this.#byKey.set(request.idempotencyKey, { fingerprint: print, session });
    this.#byBotConversation.set(request.botConversationId, session);
    for (const { listener, detach } of this.#globalListeners.values())
      detach.push(session.log.subscribe(listener));
    return this.#result(session, await session.start(), true);
  }

  #result(
    session: TransferSession,
    outcome: Awaited<ReturnType<TransferSession['start']>>,
    created: boolean,
  ): StartTransferResult {
    return {
      sessionId: session.id,
      channel: session.channel,
      state: outcome.state,
      created,
      metadata: session.metadataReport,
      warnings: session.config.warnings
        .filter((w) => w.level === 'warning')
        .map((w) => ({ code: w.code, message: w.message })),
      ...(outcome.error ? { error: outcome.error } : {}),
    };
  }

  /** Sessions that have not ended. */
  get liveCount(): number {
    let live = 0;
    for (const session of this.#byId.values()) if (!session.ended) live += 1;
    return live;
  }

  get(sessionId: string): TransferSession | undefined {
    return this.#byId.get(sessionId);
  }

  /** The most recent session of a bot conversation. */
  findByBotConversation(botConversationId: string): TransferSession | undefined {
    return this.#byBotConversation.get(botConversationId);
  }

  require(sessionId: string): TransferSession {
    const session = this.#byId.get(sessionId);
    if (!session)
      throw failure('SESSION_NOT_FOUND', `no session ${sessionId} (it may have ended and been forgotten)`);
    return session;
  }

  sendCustomerMessage(sessionId: string, input: unknown): SendAck {
    const session = this.require(sessionId);
    return session.sendCustomerMessage(parseCustomerMessage(input));
  }

  /** Listens to new events of every session (current and future). */
  onEvent(listener: (event: BridgeEvent) => void): () => void {
    const detach = [...this.#byId.values()].map((s) => s.log.subscribe(listener, s.log.lastSeq));
    const subscription = {};
    this.#globalListeners.set(subscription, { listener, detach });
    return () => {
      for (const d of this.#globalListeners.get(subscription)?.detach ?? []) d();
      this.#globalListeners.delete(subscription);
    };
  }

  /** Ends every live session and forgets all of them. */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.#byId.values()].filter((s) => !s.ended).map((s) => s.end('botEnded', { promptly: true })),
    );
    for (const timer of this.#evictions.values()) this.#options.clock.clearTimeout(timer);
    this.#evictions.clear();
    this.#byId.clear();
    this.#byKey.clear();
    this.#byBotConversation.clear();
    this.#globalListeners.clear();
  }

  #scheduleEviction(session: TransferSession, retentionMs: number): void {
    const timer = this.#options.clock.setTimeout(() => {
      this.#evictions.delete(session.id);
      this.#byId.delete(session.id);
      for (const [key, entry] of this.#byKey) if (entry.session === session) this.#byKey.delete(key);
      if (this.#byBotConversation.get(session.botConversationId) === session) {
        this.#byBotConversation.delete(session.botConversationId);
      }
    }, retentionMs);
    this.#evictions.set(session.id, timer);
  }
}
