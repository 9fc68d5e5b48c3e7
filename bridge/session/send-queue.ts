import type { Clock, TimerHandle } from '../clock.ts';
import { type BridgeError, bridgeError, toBridgeError } from '../errors.ts';
import { NotDeliveredFailure } from './channel-adapter.ts';

/**
 * Per-session FIFO toward Genesys. One frame is in flight at a time (so Genesys sees the customer's
 * messages in the order they were written), at most `perSecond` frame starts in any 1 s window (Genesys
 * Web Messaging allows 2 onMessage per session per second, typing included), and a refusal with
 * `retryAfter` pauses the whole queue for that long and retries the refused frame first.
 *
 * Typing is best effort: at most one typing frame waits at a time, it is dropped first when the queue is
 * full, and it is never retried. The queue is bounded; a full queue refuses new messages (QUEUE_FULL).
 */
export interface SendUnit {
  kind: 'message' | 'typing';
  /** Sends one frame; rejects with a BridgeFailure (NotDeliveredFailure when safe to retry). */
  transmit(): Promise<void>;
  sent(): void;
  failed(error: BridgeError): void;
}

export interface SendQueueOptions {
  perSecond: number;
  max: number;
}

const WINDOW_MS = 1000;
/** Pause after a 429 that carries no retryAfter. */
const DEFAULT_RETRY_AFTER_MS = 1000;

export class SendQueue {
  readonly #clock: Clock;
  readonly #options: SendQueueOptions;
  #units: SendUnit[] = [];
  #starts: number[] = [];
  #inFlight = false;
  #connected = false;
  #resumeAt = 0;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(clock: Clock, options: SendQueueOptions) {
    this.#clock = clock;
    this.#options = options;
  }

  get size(): number {
    return this.#units.length;
  }

  get idle(): boolean {
    return this.#units.length === 0 && !this.#inFlight;
  }

  /** Room for `count` more message frames, counting a droppable typing frame as free space. */
  hasRoomFor(count: number): boolean {
    const typing = this.#units.some((u) => u.kind === 'typing') ? 1 : 0;
    return this.#units.length - typing + count <= this.#options.max;
  }

  /** Adds message frames atomically; returns false (adding nothing) when the queue is full. */
  enqueueMessages(units: SendUnit[]): boolean {
    if (this.#closed || !this.hasRoomFor(units.length)) return false;
    while (this.#units.length + units.length > this.#options.max) {
      const typing = this.#units.findIndex((u) => u.kind === 'typing');
      if (typing === -1) break;
      this.#units.splice(typing, 1);
    }
    this.#units.push(...units);
    this.#pump();
    return true;
  }

  /** Adds a typing frame unless one is already waiting or the queue is full. */
  enqueueTyping(unit: SendUnit): boolean {
    if (this.#closed || this.#units.some((u) => u.kind === 'typing')) return false;
    if (this.#units.length >= this.#options.max) return false;
    this.#units.push(unit);
    this.#pump();
    return true;
  }

  /** Frames wait while the provider connection is down. */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    this.#pump();
  }

  /** Fails every waiting frame (typing silently) and refuses new ones. */
  close(error: BridgeError): void {
    this.#closed = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const units = this.#units;
    this.#units = [];
    for (const unit of units) if (unit.kind === 'message') unit.failed(error);
  }

  #pump(): void {
    if (this.#closed || this.#inFlight || !this.#connected || this.#units.length === 0) return;
    const now = this.#clock.now();
    this.#starts = this.#starts.filter((t) => t > now - WINDOW_MS);
    let readyAt = this.#resumeAt;
    if (this.#starts.length >= this.#options.perSecond) {
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
    const unit = this.#units.shift();
    if (!unit) return;
    this.#inFlight = true;
    this.#starts.push(now);
    unit.transmit().then(
      () => this.#settle(unit, undefined),
      (thrown: unknown) => this.#settle(unit, thrown),
    );
  }

  #settle(unit: SendUnit, thrown: unknown): void {
    this.#inFlight = false;
    if (thrown === undefined) {
      unit.sent();
    } else if (thrown instanceof NotDeliveredFailure && unit.kind === 'message' && !this.#closed) {
      // Genesys refused it or it never left: safe to retry first, after the requested pause.
      // A connection that is down usually also reports connectivity; the pause avoids a busy retry loop
      // in the moment between the two.
      this.#units.unshift(unit);
      this.#resumeAt = this.#clock.now() + (thrown.error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
    } else if (unit.kind === 'message') {
      unit.failed(this.#closed ? bridgeError('SESSION_ENDED', 'the session ended') : toBridgeError(thrown));
    } else if (thrown instanceof NotDeliveredFailure && thrown.error.code === 'RATE_LIMITED') {
      // A refused typing frame is dropped, but the pause still applies to the frames behind it.
      this.#resumeAt = this.#clock.now() + (thrown.error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
    }
    this.#pump();
  }
}
