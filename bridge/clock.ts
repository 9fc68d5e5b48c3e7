/**
 * The bridge's only source of time. Session timers (connect timeout, idle timeout, reorder window,
 * send-rate pacing, retryAfter pauses, reconnect backoff, heartbeats) are scheduled through a Clock so
 * tests move time with ManualClock.advance() instead of sleeping. Nothing else in bridge/ may call
 * Date.now() or the global setTimeout.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export class SystemClock implements Clock {
  #timers = new Map<number, NodeJS.Timeout>();
  #next = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    const timer = setTimeout(
      () => {
        this.#timers.delete(id);
        fn();
      },
      Math.max(0, ms),
    );
    // A bridge timer must never be the only thing keeping a finished process alive.
    timer.unref();
    this.#timers.set(id, timer);
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = this.#timers.get(handle.id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(handle.id);
  }
}

interface PendingTimer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * Time moves only when advance() is called. Timers fire in due order (ties in scheduling order) with
 * now() equal to their due time, so a timer scheduled by a callback inside the window also fires.
 */
export class ManualClock implements Clock {
  #now: number;
  #timers = new Map<number, PendingTimer>();
  #next = 1;

  constructor(startMs = Date.UTC(2026, 0, 1, 9, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { id, due: this.#now + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.#timers.delete(handle.id);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the next pending timer falls due (ms since the epoch), if any. */
  nextDue(): number | undefined {
    return this.#earliestDue(Number.POSITIVE_INFINITY)?.due;
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    const target = this.#now + ms;
    for (;;) {
      const next = this.#earliestDue(target);
      if (!next) break;
      this.#timers.delete(next.id);
      this.#now = next.due;
      next.fn();
    }
    this.#now = target;
  }

  #earliestDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.due > limit) continue;
      if (!best || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) best = timer;
    }
    return best;
  }
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
