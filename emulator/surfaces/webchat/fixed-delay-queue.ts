import type { Clock, TimerHandle } from '../../domain/clock.ts';

/** A scheduled item; cancel it through the queue that made it. */
export interface DelayTicket<T> {
  readonly item: T;
  readonly due: number;
  live: boolean;
}

/**
 * Many items, one fixed delay, one clock timer. Because every item waits the same time and the clock
 * never goes back, items fall due in the order they were added: a FIFO array is the whole schedule.
 * Thousands of guest streams therefore share one heartbeat timer instead of holding one each, which
 * keeps per-chat memory small and keeps ManualClock.advance (a scan over pending timers) fast.
 *
 * Cancelling only marks the ticket; it leaves the array when its time comes.
 */
export class FixedDelayQueue<T> {
  readonly #clock: Clock;
  readonly #delayMs: number;
  readonly #onDue: (item: T) => void;
  #tickets: DelayTicket<T>[] = [];
  #head = 0;
  #timer: TimerHandle | undefined;
  #armedFor: number | undefined;
  #firing = false;

  constructor(clock: Clock, delayMs: number, onDue: (item: T) => void) {
    this.#clock = clock;
    this.#delayMs = delayMs;
    this.#onDue = onDue;
  }

  add(item: T): DelayTicket<T> {
    const ticket: DelayTicket<T> = { item, due: this.#clock.now() + this.#delayMs, live: true };
    this.#tickets.push(ticket);
    // While firing, the pass re-arms at its end.
    if (this.#armedFor === undefined && !this.#firing) this.#arm();
    return ticket;
  }

  cancel(ticket: DelayTicket<T> | undefined): void {
    if (ticket) ticket.live = false;
  }

  /** Drops everything (reset, shutdown). */
  clear(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = undefined;
    this.#tickets = [];
    this.#head = 0;
  }

  /** Items still waiting (cancelled ones excluded). */
  get size(): number {
    let n = 0;
    for (let i = this.#head; i < this.#tickets.length; i++) if (this.#tickets[i]!.live) n++;
    return n;
  }

  #arm(): void {
    this.#skipCancelled();
    const next = this.#tickets[this.#head];
    if (!next) {
      this.#tickets = [];
      this.#head = 0;
      this.#armedFor = undefined;
      return;
    }
    this.#armedFor = next.due;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), next.due - this.#clock.now());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = undefined;
    this.#firing = true;
    const now = this.#clock.now();
    try {
      // Items added by a callback are due a full delay from now, so they never run in this pass.
      for (;;) {
        const ticket = this.#tickets[this.#head];
        if (!ticket || ticket.due > now) break;
        this.#head++;
        if (!ticket.live) continue;
        ticket.live = false;
        this.#onDue(ticket.item);
      }
    } finally {
      this.#firing = false;
      this.#compact();
      this.#arm();
    }
  }

  #skipCancelled(): void {
    while (this.#head < this.#tickets.length && !this.#tickets[this.#head]!.live) this.#head++;
  }

  /** Reclaims the consumed front of the array once it is most of it. */
  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#tickets.length) {
      this.#tickets = this.#tickets.slice(this.#head);
      this.#head = 0;
    }
  }
}
