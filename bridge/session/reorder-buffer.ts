import type { Clock, TimerHandle } from '../clock.ts';

/**
 * Web Messaging gives no ordering guarantee (bridge.md §0.2), so provider events wait here for a short
 * window and leave sorted by provider timestamp; ties and untimestamped events keep arrival order.
 *
 * Each item is held until `windowMs` after its arrival. When an item falls due, every buffered item
 * whose timestamp is not later than the due item's leaves with it (they would sort before it anyway),
 * so a late arrival can still overtake an earlier-arriving but later-stamped event within the window.
 * An untimestamped item sorts at the latest timestamp seen so far, i.e. right after what came before.
 * A window of 0 delivers immediately, in arrival order.
 */
interface Held<T> {
  at: number;
  arrival: number;
  due: number;
  item: T;
}

export class ReorderBuffer<T> {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #deliver: (item: T) => void;
  #held: Held<T>[] = [];
  #arrivals = 0;
  #latestAt: number | undefined;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, windowMs: number, deliver: (item: T) => void) {
    this.#clock = clock;
    this.#windowMs = windowMs;
    this.#deliver = deliver;
  }

  get size(): number {
    return this.#held.length;
  }

  push(item: T, at?: number): void {
    if (this.#windowMs <= 0) {
      this.#deliver(item);
      return;
    }
    const effective = at ?? this.#latestAt ?? this.#clock.now();
    this.#latestAt = Math.max(this.#latestAt ?? effective, effective);
    const held: Held<T> = {
      at: effective,
      arrival: this.#arrivals++,
      due: this.#clock.now() + this.#windowMs,
      item,
    };
    const index = this.#held.findIndex(
      (h) => h.at > held.at || (h.at === held.at && h.arrival > held.arrival),
    );
    if (index === -1) this.#held.push(held);
    else this.#held.splice(index, 0, held);
    this.#schedule();
  }

  /** Delivers everything still held, in order (used when the session ends). */
  flush(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (let next = this.#held.shift(); next; next = this.#held.shift()) this.#deliver(next.item);
  }

  /** Drops everything still held and stops the timer. */
  dispose(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = [];
  }

  #schedule(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#held.length === 0) return;
    const earliestDue = Math.min(...this.#held.map((h) => h.due));
    this.#timer = this.#clock.setTimeout(() => this.#release(), earliestDue - this.#clock.now());
  }

  #release(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    const dueAt = this.#held.filter((h) => h.due <= now).map((h) => h.at);
    if (dueAt.length > 0) {
      const threshold = Math.max(...dueAt);
      // Shift one at a time: a delivery may end the session and flush() the rest re-entrantly.
      while (this.#held[0] && this.#held[0].at <= threshold) {
        const next = this.#held.shift();
        if (next) this.#deliver(next.item);
      }
    }
    this.#schedule();
  }
}
