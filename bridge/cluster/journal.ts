import type { Clock, TimerHandle } from '../clock.ts';
import type { EventLog } from '../session/event-log.ts';
import {
  type Commit,
  isStoreUnavailable,
  type Lease,
  LeaseLostError,
  type SessionRecord,
  type SessionStore,
} from '../store/session-store.ts';
import type { BridgeEvent } from '../types.ts';

/**
 * Writes one owned session to the shared store, in order, as it happens: each event the session logs,
 * the Genesys message ids it delivered, the customer-message outcomes and the record (snapshot, progress,
 * the adapter's resume state) go in one fenced commit, so a reader never sees a record ahead of its log.
 * Nobody reads the session's events but from the store, so an event that never reached it (the process
 * died first) was never seen: the next owner logs that seq again for what Genesys's history gives back.
 *
 * While the store is unreachable the session goes on (its Genesys connection keeps its place) and what it
 * logs waits here, retried with backoff, in order; nothing is lost while this process lives. A commit the
 * store refuses because the lease is gone (another instance owns the session now) stops the journal and
 * tells the owner, who lets the session go.
 */
export interface JournalOptions {
  store: SessionStore;
  clock: Clock;
  lease: () => Lease;
  log: EventLog;
  /** The record as of now (its snapshot's lastSeq is the log's). */
  record: () => SessionRecord;
  /** The lease is gone (or could not be taken back): the session is someone else's. */
  lost: () => void;
  /** Events as the store took them (the instance's onEvent listeners, webhooks). */
  committed: (events: BridgeEvent[]) => void;
  /** Ledger changes that are not events (a message refused when it was taken). */
  extraMessages?: () => Commit['messages'];
  /** A lease that expired while the store was unreachable may be taken back (nobody else took it). */
  retake: () => Promise<boolean>;
}

const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 2000;
/** Events per commit: a long backlog (after an outage) goes in several. */
const BATCH = 500;

export class Journal {
  readonly #options: JournalOptions;
  #queue: BridgeEvent[] = [];
  #dirty = false;
  #writing: Promise<void> | undefined;
  #failures = 0;
  #retryTimer: TimerHandle | undefined;
  /** Write again once the current write finished. */
  #again = false;
  /** Ledger changes not from events, kept until a commit took them. */
  #extra: NonNullable<Commit['messages']> = [];
  #stopped = false;
  #unsubscribe: () => void = () => {};
  /** Seq the store holds up to. */
  #committedSeq: number;
  readonly #waiters: { seq: number; wake: () => void }[] = [];

  constructor(options: JournalOptions) {
    this.#options = options;
    this.#committedSeq = options.log.lastSeq;
    this.#unsubscribe = options.log.subscribe((event) => {
      this.#queue.push(event);
      this.#schedule();
    }, options.log.lastSeq);
  }

  get committedSeq(): number {
    return this.#committedSeq;
  }

  /** Something in the record changed (progress, the command cursor): write it with the next commit. */
  touch(): void {
    this.#dirty = true;
    this.#schedule();
  }

  /** Resolves once the store holds everything logged so far (or the journal stopped). */
  flushed(): Promise<void> {
    const seq = this.#options.log.lastSeq;
    if ((seq <= this.#committedSeq && !this.#dirty && !this.#writing) || this.#stopped)
      return Promise.resolve();
    this.#schedule();
    return new Promise((resolve) => this.#waiters.push({ seq, wake: resolve }));
  }

  /** Writes what waits now (the store is back, or a handover wants everything written first). */
  kick(): void {
    this.#options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#failures = 0;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    this.#options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#queue = [];
    for (const waiter of this.#waiters.splice(0)) waiter.wake();
  }

  #schedule(): void {
    if (this.#stopped || this.#writing || this.#retryTimer) return;
    // A microtask later, so that events logged together go in one commit.
    this.#writing = Promise.resolve()
      .then(() => this.#write())
      .finally(() => {
        this.#writing = undefined;
        this.#wakeWaiters();
        // Logged after the last look (or a lease taken back): go on.
        if (this.#again || this.#queue.length > 0 || this.#dirty) {
          this.#again = false;
          this.#schedule();
        }
      });
  }

  async #write(): Promise<void> {
    while (!this.#stopped && (this.#queue.length > 0 || this.#dirty)) {
      const events = this.#queue.slice(0, BATCH);
      const last = events.length === this.#queue.length;
      const commit: Commit = { events, ...changesOf(events) };
      const wasDirty = this.#dirty;
      if (last) {
        // The record describes the session as of its last logged event: only with the final batch.
        this.#dirty = false;
        commit.record = this.#options.record();
        this.#extra.push(...(this.#options.extraMessages?.() ?? []));
        if (this.#extra.length > 0) commit.messages = [...(commit.messages ?? []), ...this.#extra];
      }
      try {
        await this.#options.store.commit(this.#options.lease(), commit);
      } catch (thrown) {
        this.#dirty ||= wasDirty;
        await this.#failed(thrown);
        return;
      }
      this.#failures = 0;
      if (last) this.#extra = [];
      this.#queue.splice(0, events.length);
      const top = events.at(-1)?.seq;
      if (top !== undefined) {
        this.#committedSeq = top;
        this.#options.log.trimThrough(top);
        this.#options.committed(events);
      }
      this.#wakeWaiters();
    }
  }

  async #failed(thrown: unknown): Promise<void> {
    if (thrown instanceof LeaseLostError) {
      // Maybe it only expired while the store was unreachable, and nobody else took it.
      const retaken = await this.#options.retake().catch(() => false);
      if (retaken && !this.#stopped) {
        this.#again = true;
        return;
      }
      this.stop();
      this.#options.lost();
      return;
    }
    if (!isStoreUnavailable(thrown)) {
      // A refusal this journal cannot fix (a seq conflict would mean two writers): let the session go.
      this.stop();
      this.#options.lost();
      return;
    }
    this.#failures += 1;
    const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** (this.#failures - 1));
    this.#retryTimer = this.#options.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#schedule();
    }, delay);
  }

  #wakeWaiters(): void {
    const settled = !this.#dirty && this.#queue.length === 0;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (this.#stopped || (waiter.seq <= this.#committedSeq && settled)) {
        this.#waiters.splice(i, 1);
        waiter.wake();
      }
    }
  }
}

/** The Genesys message ids and customer-message outcomes a batch of events carries. */
function changesOf(events: readonly BridgeEvent[]): Pick<Commit, 'providerIds' | 'messages'> {
  const providerIds: string[] = [];
  const messages: NonNullable<Commit['messages']> = [];
  for (const event of events) {
    if (event.type === 'agent.message') providerIds.push(event.message.id);
    if (event.type === 'message.status') {
      messages.push({
        clientMessageId: event.clientMessageId,
        status: event.status,
        ...(event.providerMessageId ? { providerMessageId: event.providerMessageId } : {}),
        ...(event.status === 'failed' && event.error?.retryable ? { retryable: true } : {}),
      });
    }
  }
  return {
    ...(providerIds.length > 0 ? { providerIds } : {}),
    ...(messages.length > 0 ? { messages } : {}),
  };
}
