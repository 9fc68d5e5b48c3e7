import type { Clock, TimerHandle } from '../clock.ts';
import { type BridgeError, BridgeFailure, toBridgeError } from '../errors.ts';
import { NotDeliveredFailure, UnconfirmedFailure } from './channel-adapter.ts';

/**
 * Per-session FIFO toward Genesys. One frame is in flight at a time (so Genesys sees the customer's
 * messages in the order they were written), at most `perSecond` frame starts in any 1 s window (Genesys
 * Web Messaging allows 2 onMessage per session per second, typing included), and a refusal with
 * `retryAfter` pauses the whole queue for that long and retries the refused frame first.
 *
 * A message is never given up while the session lives, unless Genesys refuses its content for good
 * (too long, bad attributes, read-only): a frame Genesys certainly did not take (NotDeliveredFailure) is
 * sent again first; one that may or may not have arrived (UnconfirmedFailure: the connection dropped or no
 * confirmation came) is looked up with `confirm()` before anything else goes, and sent again only when
 * Genesys does not have it. A lookup that cannot be answered yet is retried with backoff. Closing the
 * queue (the session ended) fails whatever is left, with the session's reason.
 *
 * Each frame taken is settled exactly once: `sent()` or `failed()`, never after the queue closed.
 *
 * Typing is best effort: at most one typing frame waits at a time, it is dropped first when the queue is
 * full, and it is never retried (a refusal is reported through its `failed()`; closing drops it silently).
 * The queue is bounded; a full queue refuses new messages (QUEUE_FULL).
 */
export interface SendUnit {
  kind: 'message' | 'typing';
  /**
   * Sends one frame; rejects with a BridgeFailure (NotDeliveredFailure when safe to retry,
   * UnconfirmedFailure when Genesys may have it).
   */
  transmit(): Promise<void>;
  /**
   * After an UnconfirmedFailure: true when Genesys has the message (it counts as sent), false when it is
   * safe to transmit again; rejects when Genesys cannot be asked yet. Without it the message fails.
   */
  confirm?(): Promise<boolean>;
  sent(): void;
  failed(error: BridgeError): void;
}

interface Entry {
  unit: SendUnit;
  /** The last transmit may have reached Genesys: confirm() before sending again. */
  unconfirmed: boolean;
  /** Failed confirm() calls in a row, for the backoff. */
  checks: number;
}

export interface SendQueueOptions {
  perSecond: number;
  max: number;
}

const WINDOW_MS = 1000;
/** Pause after a 429 that carries no retryAfter. */
const DEFAULT_RETRY_AFTER_MS = 1000;
/** Backoff between confirm() attempts that could not be answered: 1 s doubling to 8 s. */
const CONFIRM_RETRY_MS = 1000;
const CONFIRM_RETRY_MAX_MS = 8000;

export class SendQueue {
  readonly #clock: Clock;
  readonly #options: SendQueueOptions;
  #entries: Entry[] = [];
  #starts: number[] = [];
  #inFlight = false;
  /** The frame in flight: the queue closing fails it at once (its late outcome is then ignored). */
  #current: Entry | undefined;
  #connected = false;
  #resumeAt = 0;
  #timer: TimerHandle | undefined;
  #closed = false;
  /** hold() stopped the queue: nothing new leaves. */
  #held = false;
  #settledWaiters: (() => void)[] = [];
  /** drained() callers: woken once nothing waits or is in flight, or the queue closed. */
  #drainWaiters: (() => void)[] = [];

  constructor(clock: Clock, options: SendQueueOptions) {
    this.#clock = clock;
    this.#options = options;
  }

  get size(): number {
    return this.#entries.length;
  }

  get idle(): boolean {
    return this.#entries.length === 0 && !this.#inFlight;
  }

  /** Room for `count` more message frames, counting a droppable typing frame as free space. */
  hasRoomFor(count: number): boolean {
    const typing = this.#entries.some((e) => e.unit.kind === 'typing') ? 1 : 0;
    return this.#entries.length - typing + count <= this.#options.max;
  }

  /** Whether a waiting message may have reached Genesys already (its send was left unconfirmed). */
  get unconfirmed(): boolean {
    return this.#entries.some((e) => e.unconfirmed);
  }

  /**
   * Adds message frames atomically; returns false (adding nothing) when the queue is full. Messages a
   * session takes over from another instance come `unconfirmed` (that instance may have sent them: each
   * is looked up before it is sent) and `force`d past the bound (they were accepted already).
   */
  enqueueMessages(units: SendUnit[], options: { unconfirmed?: boolean; force?: boolean } = {}): boolean {
    if (this.#closed || (!options.force && !this.hasRoomFor(units.length))) return false;
    while (this.#entries.length + units.length > this.#options.max) {
      const typing = this.#entries.findIndex((e) => e.unit.kind === 'typing');
      if (typing === -1) break;
      this.#entries.splice(typing, 1);
    }
    const unconfirmed = options.unconfirmed === true;
    this.#entries.push(
      ...units.map((unit) => ({ unit, unconfirmed: unconfirmed && unit.confirm !== undefined, checks: 0 })),
    );
    this.#pump();
    return true;
  }

  /**
   * Stops sending (the session is being handed to another instance): nothing new leaves, and the promise
   * resolves once the frame in flight, if any, has settled. What waits stays waiting.
   */
  hold(): Promise<void> {
    this.#held = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#inFlight) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /**
   * Resolves once every frame taken has been sent or given up (nothing waits, nothing is in flight), or
   * the queue closed: a session that ends waits for this, so what the customer wrote just before
   * leaving still reaches Genesys, at the pace Genesys allows.
   */
  drained(): Promise<void> {
    if (this.#closed || this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Adds a typing frame unless one is already waiting or the queue is full. */
  enqueueTyping(unit: SendUnit): boolean {
    if (this.#closed || this.#entries.some((e) => e.unit.kind === 'typing')) return false;
    if (this.#entries.length >= this.#options.max) return false;
    this.#entries.push({ unit, unconfirmed: false, checks: 0 });
    this.#pump();
    return true;
  }

  /** Frames wait while the provider connection is down. */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    this.#pump();
  }

  /**
   * Fails the frame in flight and every waiting one (typing silently), in order, and refuses new ones.
   * A message in flight fails now, not when Genesys answers: the session's stream ends right after this,
   * and every message accepted gets its status before that end (a late answer is ignored).
   */
  close(error: BridgeError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const entries = this.#current ? [this.#current, ...this.#entries] : this.#entries;
    this.#entries = [];
    for (const { unit } of entries) if (unit.kind === 'message') unit.failed(error);
    for (const wake of this.#settledWaiters.splice(0)) wake();
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  #pump(): void {
    if (!this.#inFlight) for (const wake of this.#settledWaiters.splice(0)) wake();
    if (this.idle) for (const wake of this.#drainWaiters.splice(0)) wake();
    if (this.#closed || this.#held || this.#inFlight || !this.#connected || this.#entries.length === 0)
      return;
    const now = this.#clock.now();
    this.#starts = this.#starts.filter((t) => t > now - WINDOW_MS);
    let readyAt = this.#resumeAt;
    const head = this.#entries[0];
    // A lookup is not an onMessage, so only transmits count against the rate limit.
    if (!head?.unconfirmed && this.#starts.length >= this.#options.perSecond) {
      const oldest = this.#starts[this.#starts.length - this.#options.perSecond] ?? now;
      readyAt = Math.max(readyAt, oldest + WINDOW_MS);
    }
    if (readyAt > now) {
      if (!this.#timer) {
        this.#timer = this.#clock.setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, readyAt - now);
      }
      return;
    }
    const entry = this.#entries.shift();
    if (!entry) return;
    this.#inFlight = true;
    this.#current = entry;
    const { unit } = entry;
    if (entry.unconfirmed && unit.confirm) {
      unit.confirm().then(
        (found) => this.#confirmed(entry, found, undefined),
        (thrown: unknown) => this.#confirmed(entry, undefined, thrown),
      );
      return;
    }
    this.#starts.push(now);
    unit.transmit().then(
      () => this.#settle(entry, undefined),
      (thrown: unknown) => this.#settle(entry, thrown),
    );
  }

  #confirmed(entry: Entry, found: boolean | undefined, thrown: unknown): void {
    this.#inFlight = false;
    this.#current = undefined;
    // Closing failed this frame already: what Genesys answers since is ignored.
    if (this.#closed) {
      this.#pump();
      return;
    }
    const { unit } = entry;
    if (found === true) {
      unit.sent();
    } else if (found === false) {
      // Genesys does not have it: send it again, before anything written after it.
      entry.unconfirmed = false;
      entry.checks = 0;
      this.#entries.unshift(entry);
    } else {
      // Genesys could not be asked (history unavailable, connection gone): ask again later.
      entry.checks += 1;
      this.#entries.unshift(entry);
      const backoff = Math.min(CONFIRM_RETRY_MAX_MS, CONFIRM_RETRY_MS * 2 ** (entry.checks - 1));
      const asked = thrown instanceof BridgeFailure ? thrown.error.retryAfterMs : undefined;
      this.#resumeAt = this.#clock.now() + Math.max(backoff, asked ?? 0);
    }
    this.#pump();
  }

  #settle(entry: Entry, thrown: unknown): void {
    this.#inFlight = false;
    this.#current = undefined;
    // Closing failed this frame already: what Genesys answers since is ignored.
    if (this.#closed) {
      this.#pump();
      return;
    }
    const { unit } = entry;
    if (thrown === undefined) {
      unit.sent();
    } else if (thrown instanceof NotDeliveredFailure && unit.kind === 'message') {
      // Genesys refused it or it never left: safe to retry first, after the requested pause.
      // A connection that is down usually also reports connectivity; the pause avoids a busy retry loop
      // in the moment between the two.
      this.#entries.unshift(entry);
      this.#resumeAt = this.#clock.now() + (thrown.error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
    } else if (thrown instanceof UnconfirmedFailure && unit.kind === 'message' && unit.confirm) {
      // It may have reached Genesys: look it up (once connected) before sending it or anything after it.
      entry.unconfirmed = true;
      entry.checks = 0;
      this.#entries.unshift(entry);
    } else {
      if (thrown instanceof NotDeliveredFailure && thrown.error.code === 'RATE_LIMITED') {
        // A refused typing frame is dropped, but the pause still applies to the frames behind it.
        this.#resumeAt = this.#clock.now() + (thrown.error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
      }
      unit.failed(toBridgeError(thrown));
    }
    this.#pump();
  }
}
