import type { Clock } from '../clock.ts';
import { type BridgeError, BridgeFailure, toBridgeError } from '../errors.ts';
import type { TransferSession } from '../session/transfer-session.ts';
import { settleWithin } from '../session/with-timeout.ts';
import type {
  Lease,
  SessionCommand,
  SessionRecord,
  SessionSignal,
  SessionStore,
  StoredCommand,
} from '../store/session-store.ts';
import type { BridgeEvent, SendAck } from '../types.ts';
import { Journal } from './journal.ts';

/**
 * A session this instance owns: the TransferSession that holds its Genesys connection, the journal that
 * writes it to the store, and its command inbox. Commands reach the owner through the store wherever they
 * were received (an instance that took a message answers the bot at once; the owner takes it from the
 * inbox in order), typing through a signal. It ends one of three ways: the session ends (the store keeps
 * it for its retention), it is handed over (a rolling restart: released for another instance at once), or
 * its lease is lost (another instance took it while this one could not renew): then it stops at once.
 */
export interface OwnedSessionOptions {
  store: SessionStore;
  clock: Clock;
  lease: Lease;
  session: TransferSession;
  /** The record's fixed parts (request, key, fingerprint). */
  base: Pick<SessionRecord, 'sessionId' | 'idempotencyKey' | 'fingerprint' | 'botConversationId' | 'request'>;
  retentionMs: number;
  leaseTtlMs: number;
  /** The command cursor the previous owner left. */
  commandCursor?: string;
  /** Events as the store took them. */
  committed: (events: BridgeEvent[]) => void;
  /** The instance no longer owns the session (ended, handed over, lost). */
  gone: (owned: OwnedSession) => void;
  /** Where errors no caller can be told about go. */
  report: (error: unknown) => void;
}

type CommandResult = { ok: true; ack?: SendAck } | { ok: false; error: unknown };

/** Command results kept for callers on this instance. */
const RESULTS_KEPT = 64;

export class OwnedSession {
  readonly session: TransferSession;
  readonly journal: Journal;
  readonly #options: OwnedSessionOptions;
  readonly #lease: Lease;
  #cursor: string | undefined;
  #draining: Promise<void> = Promise.resolve();
  /**
   * Results of the latest commands, for a caller on this instance (its command may be taken by a drain that
   * a wake-up started before the caller asked); bounded.
   */
  readonly #results = new Map<string, CommandResult>();
  /** Customer messages refused when taken: the same clientMessageId may be sent again. */
  #refused: string[] = [];
  #stopListening: () => void = () => {};
  #state: 'live' | 'finishing' | 'gone' = 'live';
  #handedOver = false;

  constructor(options: OwnedSessionOptions) {
    this.#options = options;
    this.session = options.session;
    this.#lease = options.lease;
    this.#cursor = options.commandCursor;
    this.journal = new Journal({
      store: options.store,
      clock: options.clock,
      lease: () => this.#lease,
      log: options.session.log,
      record: () => this.record(),
      lost: () => this.lose(),
      committed: (events) => {
        options.committed(events);
        if (events.some((e) => e.type === 'session.ended')) void this.#finish();
      },
      extraMessages: () =>
        this.#refused.splice(0).map((clientMessageId) => ({
          clientMessageId,
          status: 'failed' as const,
          retryable: true,
        })),
      retake: async () => {
        const lost = await options.store.renew([this.#lease], options.leaseTtlMs);
        return lost.length === 0;
      },
    });
  }

  get id(): string {
    return this.session.id;
  }

  get lease(): Lease {
    return this.#lease;
  }

  get live(): boolean {
    return this.#state === 'live';
  }

  /** Listens for signals and takes what waits in the inbox. */
  async attach(): Promise<void> {
    try {
      this.#stopListening = await this.#options.store.listen(this.id, (signal) => this.#onSignal(signal));
    } catch (thrown) {
      this.#options.report(thrown);
    }
    if (this.#state !== 'live') this.#stopListening();
    else void this.drain();
  }

  /** The record as of now, as the store should hold it. */
  record(): SessionRecord {
    const snapshot = this.session.snapshot();
    const resume = this.session.adapterState();
    return {
      ...this.#options.base,
      snapshot,
      metadata: this.session.metadataReport,
      ...(resume !== undefined ? { resume } : {}),
      progress: {
        ...this.session.progress(),
        ...(this.#cursor !== undefined ? { commandCursor: this.#cursor } : {}),
      },
      writtenAt: this.#options.clock.now(),
      ...(this.#handedOver ? { handedOver: true } : {}),
    };
  }

  /** Takes the inbox's new commands, one drain at a time; resolves once the current ones are taken. */
  drain(): Promise<void> {
    this.#draining = this.#draining.then(() => this.#drainOnce());
    return this.#draining;
  }

  /**
   * Takes the inbox up to `commandId` and answers what the command gave (a caller on this instance). A
   * command this instance just submitted, with nothing between it and the last one taken, runs at once
   * (`submitted`) without being read back from the store.
   */
  async take(
    commandId: string,
    submitted?: { command: SessionCommand; previousId: string | undefined },
  ): Promise<SendAck | undefined> {
    try {
      if (submitted) {
        this.#draining = this.#draining.then(() => {
          if (this.#state !== 'live') return;
          if (this.#cursor !== submitted.previousId) return this.#drainOnce();
          this.#cursor = commandId;
          this.#keep(commandId, this.#run({ id: commandId, command: submitted.command }));
        });
        await this.#draining;
      } else {
        await this.drain();
      }
      const result = this.#results.get(commandId);
      if (!result) return undefined;
      if (!result.ok) throw result.error;
      return result.ack;
    } finally {
      this.#results.delete(commandId);
    }
  }

  async #drainOnce(): Promise<void> {
    if (this.#state !== 'live') return;
    let commands: StoredCommand[];
    try {
      commands = await this.#options.store.commands(this.id, this.#cursor);
    } catch (thrown) {
      // Unreachable store: the inbox is read again once it is back (the instance drains every session).
      this.#options.report(thrown);
      return;
    }
    for (const stored of commands) {
      if (this.#state !== 'live') return;
      this.#cursor = stored.id;
      this.#keep(stored.id, this.#run(stored));
    }
    // The cursor goes to the store with the next commit; a takeover relies on the ledger, not on it.
  }

  #keep(commandId: string, result: CommandResult): void {
    this.#results.set(commandId, result);
    if (this.#results.size > RESULTS_KEPT) {
      const oldest = this.#results.keys().next().value;
      if (oldest !== undefined) this.#results.delete(oldest);
    }
  }

  #run(stored: StoredCommand): CommandResult {
    const { command } = stored;
    if (command.type === 'end') {
      this.session.end(command.reason).catch((thrown: unknown) => this.#options.report(thrown));
      return { ok: true };
    }
    try {
      return { ok: true, ack: this.session.sendCustomerMessage(command.message) };
    } catch (thrown) {
      // Refused (and reported on the stream by the session): the id may be used again.
      if (isRefusal(thrown)) this.#refused.push(command.message.clientMessageId);
      return { ok: false, error: thrown };
    }
  }

  #onSignal(signal: SessionSignal): void {
    if (this.#state !== 'live') return;
    if (signal.type === 'typing') this.session.sendTyping(true);
    else void this.drain();
  }

  /**
   * Hands the session to another instance: it stops sending (the message in flight settles), drops its
   * Genesys connection without leaving the conversation, writes everything with `handedOver` (when nothing
   * was left unconfirmed) and releases the lease, which the other instances hear of at once.
   */
  async handover(withinMs: number): Promise<void> {
    if (this.#state !== 'live') return;
    this.#state = 'finishing';
    this.#stopListening();
    const { clean } = await this.session.handover();
    this.#handedOver = clean;
    this.journal.touch();
    await settleWithin(this.journal.flushed(), this.#options.clock, withinMs);
    this.journal.stop();
    try {
      await this.#options.store.release(this.#lease);
    } catch (thrown) {
      // The lease then expires on its own, a TTL later.
      this.#options.report(thrown);
    }
    this.#gone();
  }

  /** Another instance owns the session now: stop at once (nothing more is written). */
  lose(): void {
    if (this.#state === 'gone') return;
    this.#state = 'finishing';
    this.#stopListening();
    this.journal.stop();
    this.session.abandon();
    this.#gone();
  }

  /** The session ended and its last event is stored: the store keeps it for its retention. */
  async #finish(): Promise<void> {
    if (this.#state === 'gone') return;
    this.#state = 'finishing';
    this.#stopListening();
    // The record with the final state goes first (the ended event's commit carried it already).
    await this.journal.flushed();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#options.store.finish(this.#lease, this.#options.retentionMs);
        break;
      } catch (thrown) {
        if (!(thrown instanceof BridgeFailure) || attempt >= 20) {
          this.#options.report(thrown);
          break;
        }
        // Unreachable: try again shortly (the session is over; only its retention waits).
        await new Promise<void>((resolve) =>
          this.#options.clock.setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)),
        );
      }
    }
    this.journal.stop();
    this.#gone();
  }

  #gone(): void {
    if (this.#state === 'gone') return;
    this.#state = 'gone';
    this.#options.gone(this);
  }
}

function isRefusal(thrown: unknown): boolean {
  if (!(thrown instanceof BridgeFailure)) return false;
  const error: BridgeError = toBridgeError(thrown);
  return error.code !== 'SESSION_ENDED';
}
