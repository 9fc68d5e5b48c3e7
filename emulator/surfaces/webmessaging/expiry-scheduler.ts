import type { Clock, TimerHandle } from '../../domain/clock.ts';

/**
 * One clock timer for every guest session's expiry, instead of one per session: a min-heap of (due,
 * key) with at most one live entry per key, and a single timer armed for the earliest. Extending a
 * session does not touch the heap; when its old entry falls due, `onDue` answers with the new expiry
 * and the key is scheduled again. That keeps idle sessions cheap and activity O(1).
 */
export class ExpiryScheduler {
  readonly #clock: Clock;
  /** Returns a later due time to keep the key scheduled, or undefined when it is done. */
  readonly #onDue: (key: string, now: number) => number | undefined;
  #heap: { due: number; key: string }[] = [];
  /** The due time of each key's live heap entry; entries that disagree are stale and skipped. */
  #dueOf = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #armedFor: number | undefined;
  #firing = false;

  constructor(clock: Clock, onDue: (key: string, now: number) => number | undefined) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  schedule(key: string, due: number): void {
    const current = this.#dueOf.get(key);
    // A live entry that fires no later is enough: onDue will push it on to the real time.
    if (current !== undefined && current <= due) return;
    this.#dueOf.set(key, due);
    this.#push({ due, key });
    this.#arm();
  }

  clear(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = undefined;
    this.#heap = [];
    this.#dueOf.clear();
  }

  #arm(): void {
    const top = this.#heap[0];
    if (!top || this.#firing) return;
    if (this.#armedFor !== undefined && this.#armedFor <= top.due) return;
    this.#clock.clearTimeout(this.#timer);
    // Node clamps delays above 2^31-1 ms to 1 ms; a far expiry wakes early and re-arms instead.
    const delay = Math.min(Math.max(0, top.due - this.#clock.now()), 2 ** 31 - 1);
    this.#armedFor = this.#clock.now() + delay;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = undefined;
    const now = this.#clock.now();
    // Re-scheduling inside the loop must not arm a timer for entries the loop is about to handle.
    this.#firing = true;
    try {
      for (let top = this.#heap[0]; top && top.due <= now; top = this.#heap[0]) {
        this.#pop();
        if (this.#dueOf.get(top.key) !== top.due) continue;
        this.#dueOf.delete(top.key);
        const next = this.#onDue(top.key, now);
        if (next !== undefined) this.schedule(top.key, Math.max(next, now + 1));
      }
    } finally {
      this.#firing = false;
    }
    this.#arm();
  }

  #push(entry: { due: number; key: string }): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.due <= entry.due) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.due < heap[left]!.due ? right : left;
      if (heap[child]!.due >= last.due) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
