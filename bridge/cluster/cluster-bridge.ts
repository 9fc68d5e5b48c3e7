import { hostname } from 'node:os';
import { configForBotChannel, configSetWarnings, type ResolvedBridgeConfig } from '../config.ts';
import { bridgeError, failure, toBridgeError } from '../errors.ts';
import type { Bridge, BridgeHealth, WebhookOutbox } from '../index.ts';
import { newTransferSession } from '../session/new-transfer.ts';
import type { SessionRegistryOptions } from '../session/session-registry.ts';
import type { SessionResume } from '../session/session-resume.ts';
import { splitText } from '../session/split-text.ts';
import { planTransfer } from '../session/transfer-plan.ts';
import { fingerprint, parseCustomerMessage, parseStartTransferRequest } from '../session/transfer-request.ts';
import { TransferSession } from '../session/transfer-session.ts';
import { settleWithin } from '../session/with-timeout.ts';
import type { Lease, SessionRecord, SessionStore } from '../store/session-store.ts';
import type {
  BridgeEvent,
  CustomerMessage,
  EndReason,
  SendAck,
  StartTransferRequest,
  StartTransferResult,
} from '../types.ts';
import { watchIterator } from './event-iterator.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { OwnedSession } from './owned-session.ts';

/**
 * The bridge on a shared store (bridge/store): several instances, each owning some live sessions through
 * leases, none holding anything another needs.
 *
 * - A transfer is owned by the instance that started it. Only the owner holds the Genesys connection.
 * - Reads (getSession, findSession, readEvents, subscribe, events) come from the store, on any instance.
 * - Commands (customer message, end) go to the session's inbox in the store from any instance and the
 *   owner takes them in order; the owner answers with the session's own verdict when the command came to
 *   it, another instance answers `queued` at once (the owner may be busy, or dead and about to be
 *   replaced: the message waits in the inbox, it is not lost). Typing is a best-effort signal.
 * - Ownership moves when an owner dies (its leases expire), hands over (close(): a rolling restart), or
 *   loses touch with the store for longer than the lease; the next owner reconnects to the same Genesys
 *   conversation and reads what it missed (TransferSession's resume).
 * - While the store is unreachable: every call rejects with STORE_UNAVAILABLE (retryable), health() says
 *   not ready, and owned sessions go on with Genesys, their events waiting in their journal.
 */
export interface ClusterBridgeOptions extends SessionRegistryOptions {
  store: SessionStore;
  /** A dead owner's sessions are taken over within about this (plus a third of it for the next look). */
  leaseTtlMs: number;
  /** This instance's name in leases (defaults to host:pid:random). */
  instanceId?: string;
  /** The Open Messaging webhook (bridge/index.ts makes it for both engines). */
  openMessagingWebhook: Bridge['openMessagingWebhook'];
  /** Releases what the channels hold beyond the sessions (Open Messaging hubs). */
  onClose?: () => void;
}

/** How long a call waits for the store to hold what it logged before answering. */
const FLUSH_WAIT_MS = 2000;

export function createClusterBridge(options: ClusterBridgeOptions): Bridge {
  return new ClusterBridge(options).facade();
}

class ClusterBridge {
  readonly #options: ClusterBridgeOptions;
  readonly #store: SessionStore;
  readonly #owner: string;
  readonly #owned = new Map<string, OwnedSession>();
  readonly #listeners = new Set<(event: BridgeEvent) => void>();
  readonly #keeper: LeaseKeeper;
  #started: Promise<void> | undefined;
  #running = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #detachAvailability: () => void = () => {};

  constructor(options: ClusterBridgeOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#owner = options.instanceId ?? `${hostname()}:${process.pid}:${options.newId().slice(0, 8)}`;
    this.#keeper = new LeaseKeeper({
      store: this.#store,
      clock: options.clock,
      owner: this.#owner,
      leaseTtlMs: options.leaseTtlMs,
      leases: () => [...this.#owned.values()].filter((o) => o.live).map((o) => o.lease),
      lost: (lease) => this.#owned.get(lease.sessionId)?.lose(),
      takeOver: (lease) => this.#takeOver(lease),
      report: (error) => this.#report(error),
    });
  }

  facade(): Bridge {
    const { configs } = this.#options;
    return {
      configs,
      validate: async () => ({
        ok: true,
        channel: configs.default.channel,
        errors: [],
        warnings: configSetWarnings(configs),
      }),
      start: () => this.start(),
      health: () => this.health(),
      startTransfer: (request) => this.startTransfer(request),
      sendCustomerMessage: (sessionId, message) => this.sendCustomerMessage(sessionId, message),
      sendTyping: (sessionId, typing) => this.sendTyping(sessionId, typing.isTyping === true),
      endSession: (sessionId, endOptions = {}) => this.endSession(sessionId, endOptions.reason ?? 'botEnded'),
      getSession: async (sessionId) => (await this.#get(sessionId))?.snapshot,
      findSession: async (botConversationId) => {
        await this.start();
        return (await this.#store.find(botConversationId))?.snapshot;
      },
      events: (sessionId, eventOptions = {}) =>
        watchIterator(this.#store, sessionId, eventOptions.afterSeq ?? 0, () =>
          this.#require(sessionId).then(() => {}),
        ),
      readEvents: async (sessionId, eventOptions = {}) => {
        await this.#require(sessionId);
        return this.#store.readEvents(sessionId, eventOptions.afterSeq ?? 0);
      },
      subscribe: (sessionId, listener, eventOptions = {}) => {
        const watch = () =>
          this.#store.watch(sessionId, eventOptions.afterSeq ?? 0, (event) => this.#deliver(listener, event));
        if (this.#running) return watch();
        // Not started yet: follow once the store is connected.
        let stop: (() => void) | undefined;
        let stopped = false;
        this.start().then(
          () => {
            if (!stopped) stop = watch();
          },
          (thrown: unknown) => this.#report(thrown),
        );
        return () => {
          stopped = true;
          stop?.();
        };
      },
      onEvent: (listener) => {
        this.#listeners.add(listener);
        return () => {
          this.#listeners.delete(listener);
        };
      },
      outbox: this.#outbox(),
      openMessagingWebhook: this.#options.openMessagingWebhook,
      close: () => this.close(),
    };
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────

  /** Connects the store (STORE_UNAVAILABLE naming it when it cannot) and starts taking orphans over. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      await this.#store.connect();
      this.#running = true;
      this.#detachAvailability = this.#store.onAvailability((available) => {
        // Back: write what waited, and read the inboxes (a wake-up may have been missed meanwhile).
        if (available)
          for (const owned of this.#owned.values()) {
            owned.journal.kick();
            void owned.drain();
          }
      });
      this.#keeper.start();
    })();
    this.#started.catch(() => {
      this.#started = undefined;
    });
    return this.#started;
  }

  health(): BridgeHealth {
    const store = this.#store;
    return {
      ready: this.#running && !this.#closed && store.available,
      store: { kind: store.kind, label: store.label, available: store.available },
      sessions: [...this.#owned.values()].filter((o) => o.live).length,
    };
  }

  /** Hands every owned session over (they stay live for the other instances) and disconnects. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#keeper.stop();
      this.#detachAvailability();
      const withinMs = Math.max(...this.#allConfigs().map((c) => c.settings.timeouts.sendMs));
      await Promise.all([...this.#owned.values()].map((o) => o.handover(withinMs)));
      this.#running = false;
      this.#options.onClose?.();
      await this.#store.close();
    })();
    return this.#closing;
  }

  // ── transfers ──────────────────────────────────────────────────────────────────────────────────────

  async startTransfer(input: StartTransferRequest): Promise<StartTransferResult> {
    this.#open();
    await this.start();
    const request = parseStartTransferRequest(input);
    const print = fingerprint(request);
    let owned: OwnedSession | undefined;
    const { session, config, sessionId } = newTransferSession(this.#options, request, {
      onEnded: () => {},
      onProgress: () => owned?.journal.touch(),
    });
    const base = {
      sessionId,
      idempotencyKey: request.idempotencyKey,
      fingerprint: print,
      botConversationId: request.botConversationId,
      request,
    };
    const resume = session.adapterState();
    const record: SessionRecord = {
      ...base,
      snapshot: session.snapshot(),
      metadata: session.metadataReport,
      ...(resume !== undefined ? { resume } : {}),
      progress: session.progress(),
      writtenAt: this.#options.clock.now(),
    };
    const outcome = await this.#store.create(record, this.#owner, this.#options.leaseTtlMs);
    if (!outcome.created) {
      const existing = outcome.existing;
      if (existing.fingerprint !== print) {
        throw failure(
          'IDEMPOTENCY_CONFLICT',
          `idempotencyKey ${request.idempotencyKey} was already used for a different transfer (session ${existing.sessionId})`,
        );
      }
      return this.#replay(existing);
    }
    owned = this.#own(outcome.lease, session, base, config, undefined);
    const started = await session.start();
    await settleWithin(owned.journal.flushed(), this.#options.clock, FLUSH_WAIT_MS);
    return this.#result(sessionId, config, started.state, session.metadataReport, true, started.error);
  }

  /** The same idempotency key again: the session it made, once Genesys took it (or it ended). */
  async #replay(existing: SessionRecord): Promise<StartTransferResult> {
    const config = configForBotChannel(this.#options.configs, existing.request.botChannel);
    const local = this.#owned.get(existing.sessionId);
    let record = existing;
    if (local?.live) {
      await local.session.start();
      await settleWithin(local.journal.flushed(), this.#options.clock, FLUSH_WAIT_MS);
      record = (await this.#store.get(existing.sessionId)) ?? existing;
    } else if (record.snapshot.state === 'connecting') {
      record = await this.#settledRecord(record, config);
    }
    const state = record.snapshot.state;
    const error =
      state === 'failed'
        ? (
            (await this.#store.readEvents(record.sessionId, 0)).findLast((e) => e.type === 'error') as
              | Extract<BridgeEvent, { type: 'error' }>
              | undefined
          )?.error
        : undefined;
    return this.#result(record.sessionId, config, state, record.metadata, false, error);
  }

  /** Waits (bounded) for a session another instance is opening to be accepted or to end. */
  async #settledRecord(record: SessionRecord, config: ResolvedBridgeConfig): Promise<SessionRecord> {
    const within = config.settings.timeouts.connectMs + 2 * this.#options.leaseTtlMs;
    await new Promise<void>((resolve) => {
      let done = false;
      let stop: () => void = () => {};
      const finish = () => {
        if (done) return;
        done = true;
        this.#options.clock.clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = this.#options.clock.setTimeout(finish, within);
      stop = this.#store.watch(record.sessionId, record.snapshot.lastSeq, (event) => {
        if (event.type === 'transfer.accepted' || event.type === 'session.ended') finish();
      });
      if (done) stop();
    });
    return (await this.#store.get(record.sessionId)) ?? record;
  }

  #result(
    sessionId: string,
    config: ResolvedBridgeConfig,
    state: StartTransferResult['state'],
    metadata: StartTransferResult['metadata'],
    created: boolean,
    error: StartTransferResult['error'],
  ): StartTransferResult {
    return {
      sessionId,
      channel: config.channel,
      state,
      created,
      metadata,
      warnings: config.warnings
        .filter((w) => w.level === 'warning')
        .map((w) => ({ code: w.code, message: w.message })),
      ...(error ? { error } : {}),
    };
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────────────

  async sendCustomerMessage(sessionId: string, input: unknown): Promise<SendAck> {
    await this.start();
    const message = parseCustomerMessage(input);
    const record = await this.#require(sessionId);
    const config = configForBotChannel(this.#options.configs, record.request.botChannel);
    const parts = splitText(message.text ?? '', config.settings.limits.maxTextLength).length;
    const refusal = staticRefusal(message, config);
    const command = { type: 'message' as const, message, acceptedAt: this.#options.clock.now() };
    const outcome = await this.#store.submit(sessionId, command, parts);
    const id = message.clientMessageId;
    switch (outcome.kind) {
      case 'noSession':
        throw notFound(sessionId);
      case 'ended':
        throw failure('SESSION_ENDED', `session ${sessionId} has ended`, { clientMessageId: id });
      case 'duplicate':
        return {
          clientMessageId: id,
          status: 'duplicate',
          parts: outcome.entry.parts,
          ...(outcome.entry.providerMessageId ? { providerMessageId: outcome.entry.providerMessageId } : {}),
        };
      default:
        break;
    }
    const owned = this.#owned.get(sessionId);
    if (owned?.live) {
      // Ours: the session's own verdict (a refusal is also on the stream, like the memory store's).
      let ack: SendAck | undefined;
      try {
        ack = await owned.take(outcome.commandId, { command, previousId: outcome.previousId });
      } finally {
        await settleWithin(owned.journal.flushed(), this.#options.clock, FLUSH_WAIT_MS);
      }
      if (ack) return ack;
    } else if (refusal) {
      // The owner refuses it too (and says so on the stream); the caller hears it now.
      throw failure(refusal.code, refusal.message, refusal);
    }
    return { clientMessageId: id, status: 'queued', parts };
  }

  async sendTyping(sessionId: string, isTyping: boolean): Promise<void> {
    await this.start();
    await this.#require(sessionId);
    if (!isTyping) return;
    const owned = this.#owned.get(sessionId);
    if (owned?.live) owned.session.sendTyping(true);
    else await this.#store.signal(sessionId, { type: 'typing' });
  }

  async endSession(sessionId: string, reason: EndReason): Promise<void> {
    if (reason !== 'botEnded' && reason !== 'customerEnded') {
      throw failure('INVALID_REQUEST', 'endSession reason must be "botEnded" or "customerEnded"');
    }
    await this.start();
    const record = await this.#require(sessionId);
    // Watching from the record's last seq: session.ended is after it, wherever the command is taken.
    const ended = new Promise<void>((resolve) => {
      let stop: () => void = () => {};
      let done = false;
      stop = this.#store.watch(sessionId, record.snapshot.lastSeq, (event) => {
        if (event.type !== 'session.ended' || done) return;
        done = true;
        stop();
        resolve();
      });
      if (done) stop();
    });
    const command = { type: 'end' as const, reason };
    const outcome = await this.#store.submit(sessionId, command);
    if (outcome.kind === 'noSession') throw notFound(sessionId);
    if (outcome.kind === 'ended') return;
    if (outcome.kind === 'accepted') {
      void this.#owned
        .get(sessionId)
        ?.take(outcome.commandId, { command, previousId: outcome.previousId })
        .catch(() => {});
    }
    await ended;
  }

  // ── ownership ──────────────────────────────────────────────────────────────────────────────────────

  #own(
    lease: Lease,
    session: TransferSession,
    base: ConstructorParameters<typeof OwnedSession>[0]['base'],
    config: ResolvedBridgeConfig,
    commandCursor: string | undefined,
  ): OwnedSession {
    const owned = new OwnedSession({
      store: this.#store,
      clock: this.#options.clock,
      lease,
      session,
      base,
      retentionMs: config.settings.timeouts.endedRetentionMs,
      leaseTtlMs: this.#options.leaseTtlMs,
      ...(commandCursor !== undefined ? { commandCursor } : {}),
      committed: (events) => {
        for (const event of events)
          for (const listener of [...this.#listeners]) this.#deliver(listener, event);
      },
      gone: (gone) => {
        if (this.#owned.get(gone.id) === gone) this.#owned.delete(gone.id);
      },
      report: (error) => this.#report(error),
    });
    this.#owned.set(session.id, owned);
    void owned.attach();
    return owned;
  }

  /**
   * Goes on with a session whose owner is gone: its record, the Genesys message ids the bot has, and the
   * customer messages accepted but not yet sent (in inbox order) make a SessionResume; the session then
   * reconnects to the same Genesys conversation. Resolves once the session is this instance's (its
   * reconnect goes on in the background).
   */
  async #takeOver(lease: Lease): Promise<void> {
    const { sessionId } = lease;
    if (this.#closed) {
      await this.#store.release(lease).catch(() => {});
      return;
    }
    const [record, seen, ledger, commands] = await Promise.all([
      this.#store.get(sessionId),
      this.#store.providerIds(sessionId),
      this.#store.messages(sessionId),
      this.#store.commands(sessionId),
    ]);
    if (!record) return;
    if (this.#closed) {
      // Closed while reading: give it straight back for another instance.
      await this.#store.release(lease).catch(() => {});
      return;
    }
    const config = configForBotChannel(this.#options.configs, record.request.botChannel);
    const adapterFactory = this.#options.adapters[config.channel];
    const status = new Map(ledger.map((m) => [m.clientMessageId, m.status]));
    const pending: CustomerMessage[] = [];
    const queued = new Set<string>();
    const oldCursor = record.progress.commandCursor;
    let passedCursor = oldCursor === undefined;
    const ends: EndReason[] = [];
    for (const stored of commands) {
      const { command } = stored;
      if (command.type === 'message') {
        const id = command.message.clientMessageId;
        if (status.get(id) === 'pending' && !queued.has(id)) {
          queued.add(id);
          pending.push(command.message);
        }
      } else if (passedCursor) {
        ends.push(command.reason);
      }
      if (stored.id === oldCursor) passedCursor = true;
    }
    const resume: SessionResume = {
      snapshot: record.snapshot,
      progress: record.progress,
      metadata: record.metadata,
      adapterState: record.resume,
      seenProviderIds: seen,
      pending,
      unconfirmed: record.handedOver !== true,
      since: record.writtenAt,
    };
    let owned: OwnedSession | undefined;
    const session = new TransferSession({
      sessionId,
      request: record.request,
      config,
      plan: planTransfer(record.request, config, sessionId),
      adapterFactory:
        adapterFactory ??
        (() => {
          throw failure('CONFIG_INVALID', `no ${config.channel} adapter is available in this bridge`);
        }),
      clock: this.#options.clock,
      onListenerError: this.#options.onListenerError,
      onEnded: () => {},
      onProgress: () => owned?.journal.touch(),
      resume,
    });
    const base = {
      sessionId,
      idempotencyKey: record.idempotencyKey,
      fingerprint: record.fingerprint,
      botConversationId: record.botConversationId,
      request: record.request,
    };
    owned = this.#own(lease, session, base, config, commands.at(-1)?.id);
    void session.start();
    // An end the bot asked for while nobody owned the session: once reconnected, so that Genesys is left.
    void session.resumed().then(() => {
      for (const reason of ends) void session.end(reason).catch((thrown: unknown) => this.#report(thrown));
    });
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────────────

  async #get(sessionId: string): Promise<SessionRecord | undefined> {
    await this.start();
    return this.#store.get(sessionId);
  }

  async #require(sessionId: string): Promise<SessionRecord> {
    const record = await this.#get(sessionId);
    if (!record) throw notFound(sessionId);
    return record;
  }

  #outbox(): WebhookOutbox {
    return {
      cursor: (sessionId) => this.#store.outboxCursor(sessionId),
      save: (sessionId, seq) => this.#store.saveOutboxCursor(sessionId, seq),
      owns: (sessionId) => this.#owned.get(sessionId) !== undefined,
    };
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────────────

  #open(): void {
    if (this.#closed) throw failure('INTERNAL', 'the bridge is closed');
  }

  #allConfigs(): ResolvedBridgeConfig[] {
    const { configs } = this.#options;
    return [configs.default, ...configs.byBotChannel.values()];
  }

  #deliver(listener: (event: BridgeEvent) => void, event: BridgeEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.#options.onListenerError(error);
    }
  }

  #report(error: unknown): void {
    // Store outages are expected (the service reports them through readiness); anything else is a bug.
    if (toBridgeError(error).code === 'STORE_UNAVAILABLE') return;
    this.#options.onListenerError(error);
  }
}

function notFound(sessionId: string) {
  return failure('SESSION_NOT_FOUND', `no session ${sessionId} (it may have ended and been forgotten)`);
}

/** The refusals any instance can see without the session (the owner finds the same ones). */
function staticRefusal(message: CustomerMessage, config: ResolvedBridgeConfig) {
  const id = message.clientMessageId;
  if (message.attachments && message.attachments.length > 0) {
    return bridgeError(
      'ATTACHMENTS_UNSUPPORTED',
      'this bridge sends text only; attachments are not supported',
      {
        clientMessageId: id,
        correctiveAction: 'Send a link to the file as text',
      },
    );
  }
  const text = message.text ?? '';
  if (text.trim() === '')
    return bridgeError('INVALID_REQUEST', 'a customer message needs text', { clientMessageId: id });
  const { maxTextLength, longText } = config.settings.limits;
  if (text.length > maxTextLength && longText === 'reject') {
    return bridgeError(
      'MESSAGE_TOO_LONG',
      `the message is ${text.length} characters; the limit is ${maxTextLength}`,
      {
        clientMessageId: id,
        correctiveAction: 'Shorten the message or set limits.longText to "split"',
      },
    );
  }
  return undefined;
}
