/**
 * The emulator's only source of time. Domain code never calls Date.now() or setTimeout: alerting
 * timeouts, token expiry, heartbeats and session expiry are all scheduled here, so tests and scenarios
 * can move time forward with a ManualClock instead of sleeping.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  readonly kind: 'system' | 'manual';
}

export class SystemClock implements Clock {
  readonly kind = 'system';
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
    // Emulator timers must never keep a closing process alive.
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
  order: number;
  fn: () => void;
}

/**
 * Time moves only when advance() is called. Timers fire in due order (ties in scheduling order), each
 * with now() equal to its due time, so a callback that schedules another timer inside the advanced
 * window sees it fire in the same advance().
 */
/** Where a manual clock starts unless told otherwise: 2026-01-01T09:00:00Z. */
export const MANUAL_CLOCK_START_MS = Date.UTC(2026, 0, 1, 9, 0, 0);

export class ManualClock implements Clock {
  readonly kind = 'manual';
  #now: number;
  #timers = new Map<number, PendingTimer>();
  #next = 1;

  constructor(startMs = MANUAL_CLOCK_START_MS) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { id, due: this.#now + Math.max(0, ms), order: id, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.#timers.delete(handle.id);
  }

  /**
   * A restored emulator's manual clock goes on from the time its state was written (nothing is pending
   * yet: restore hooks arm their timers after this).
   */
  resumeAt(ms: number): void {
    if (this.#timers.size) throw new Error('a manual clock with pending timers cannot be moved back');
    this.#now = ms;
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the next pending timer falls due (ms since the epoch), if any. */
  nextDue(): number | undefined {
    let due: number | undefined;
    for (const timer of this.#timers.values()) if (due === undefined || timer.due < due) due = timer.due;
    return due;
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
      if (!best || timer.due < best.due || (timer.due === best.due && timer.order < best.order)) best = timer;
    }
    return best;
  }
}

/**
 * Recent answers of isoTime: every notification frame carries each participant's times again, and
 * Date#toISOString was a fifth of building a frame (issue 19). Bounded: cleared when full.
 */
const isoTimes = new Map<number, string>();
const ISO_TIMES_KEPT = 4096;

export function isoTime(ms: number): string {
  let text = isoTimes.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoTimes.size >= ISO_TIMES_KEPT) isoTimes.clear();
    isoTimes.set(ms, text);
  }
  return text;
}
