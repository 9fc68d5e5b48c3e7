import { type Clock, ManualClock } from '../domain/clock.ts';

/** Something whose activity a wait watches: a counter that moves with each thing that happens. */
export interface ActivitySource {
  readonly count: number;
  /** Requests started and not finished (a request held on the emulator clock stays in flight). */
  readonly inFlight: number;
}

/** The emulator's own activity plus whatever a caller adds (a bridge's sockets, for instance). */
export class Activity implements ActivitySource {
  readonly #sources = new Set<ActivitySource>();

  constructor(...sources: ActivitySource[]) {
    for (const s of sources) this.#sources.add(s);
  }

  add(source: ActivitySource): () => void {
    this.#sources.add(source);
    return () => this.#sources.delete(source);
  }

  get count(): number {
    let n = 0;
    for (const s of this.#sources) n += s.count;
    return n;
  }

  get inFlight(): number {
    let n = 0;
    for (const s of this.#sources) n += s.inFlight;
    return n;
  }
}

/** A wait that ran out of time; its message says what was awaited and for how long. */
export class WaitTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeout';
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Event-loop turns (each with a poll phase, where loopback I/O lands) a quiet check waits through. */
const QUIET_TURNS = 8;

/** Whether nothing happens for QUIET_TURNS turns in a row with nothing in flight (resolves at the first thing). */
async function stillFor(activity: ActivitySource): Promise<boolean> {
  const seen = activity.count;
  for (let t = 0; t < QUIET_TURNS; t++) {
    await turn();
    if (activity.count !== seen) return false;
  }
  return activity.inFlight === 0;
}

/**
 * Returns once nothing has happened for several event-loop turns in a row, confirmed across timer turns
 * (loopback I/O lands in the poll phase between turns; a 1 ms timer lets the poll phase block, so work
 * finishing off the loop, on the thread pool or in another process, has the time to land).
 * `confirmations` is how many silent timer turns in a row count as quiet (two by default: a caller
 * whose activity source cannot see everything gives such work two chances). A request still in flight
 * after ten silent timer turns is taken to be held on the emulator's clock (a slow-answer fault): then
 * the emulator is idle too, and time has to move for it to finish.
 */
export async function untilQuiet(activity: ActivitySource, confirmations = 2): Promise<void> {
  let seen = activity.count;
  let stillTurns = 0;
  for (let round = 0; round < 5000; round++) {
    // A round counts as still only when nothing happened in any of its turns nor across its timer turn:
    // on a busy machine the 1 ms timer can fire on the very next loop turn, so checking only across the
    // timer would take work that moves every other turn for quiet.
    let moved = false;
    for (let t = 0; t < QUIET_TURNS; t++) {
      await turn();
      if (activity.count !== seen) {
        seen = activity.count;
        moved = true;
      }
    }
    await pause(1);
    if (moved || activity.count !== seen) {
      seen = activity.count;
      stillTurns = 0;
      continue;
    }
    stillTurns++;
    if (stillTurns >= (activity.inFlight === 0 ? confirmations : 10)) return;
  }
}

export interface WaitOptions {
  /** Real time (ms) a manual-clock wait still gives I/O once no timer is due before its deadline. */
  graceMs: number;
}

/**
 * Waiting on an emulator's clock. On a manual clock nothing waits in real time longer than needed: when
 * a condition is not met and the emulator is idle, time jumps to the next timer that is due, never past
 * the deadline; only when no timer is due does a short real-time grace let outside I/O land. On the
 * system clock a wait is an ordinary real-time wait.
 */
export class ClockWaits {
  /** The activity count when the last settle ended quiet (-1: none yet). */
  #quietAt = -1;

  constructor(
    private readonly clock: Clock,
    readonly activity: Activity,
    private readonly options: WaitOptions,
  ) {}

  /**
   * Lets in-flight I/O finish. The emulator counts everything it has started and not finished (requests,
   * socket upgrades, guest frames, webhook deliveries), so one silent timer turn is enough here. And
   * when nothing has happened since the last settle ended quiet, a few silent loop turns are: whatever a
   * caller started since (a frame, a request) reaches the emulator over loopback within them.
   */
  async settle(): Promise<void> {
    const activity = this.activity;
    if (activity.count === this.#quietAt && activity.inFlight === 0 && (await stillFor(activity))) return;
    await untilQuiet(activity, 1);
    this.#quietAt = activity.count;
  }

  /** Waits until `check` returns a value (not undefined), for at most `withinMs` of emulator time. */
  waitFor<T>(
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    return this.clock instanceof ManualClock
      ? this.#onManualClock(this.clock, what, withinMs, check)
      : this.#inRealTime(what, withinMs, check);
  }

  /**
   * Moves a manual clock forward by `ms`, letting I/O settle between the timers that fire on the way
   * (an alert that times out re-offers the conversation, and that offer reaches its agent before the
   * next timer fires).
   */
  async advance(ms: number): Promise<void> {
    if (!(this.clock instanceof ManualClock))
      throw new Error('the emulator runs on the system clock; start it with clock: "manual" to move time');
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    const clock = this.clock;
    const target = clock.now() + ms;
    await this.settle();
    for (;;) {
      const due = clock.nextDue();
      if (due === undefined || due > target) break;
      const before = this.activity.count;
      // I/O in flight (a webhook delivery) may be ended by this timer (its answer window), and what
      // follows (recording the timeout, scheduling the retry) runs only once promises do: settle then.
      const busy = this.activity.inFlight > 0;
      clock.advance(Math.max(0, due - clock.now()));
      // Otherwise only a timer that did something (an alert timed out, a session expired) can have
      // started I/O; heartbeats and the like pass without a settle, so a long advance stays quick.
      if (busy || this.activity.count !== before) await this.settle();
    }
    if (clock.now() < target) clock.advance(target - clock.now());
    await this.settle();
  }

  async #onManualClock<T>(
    clock: ManualClock,
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    const deadline = clock.now() + withinMs;
    const rounds = Math.max(1, Math.ceil(this.options.graceMs / 5));
    for (;;) {
      await this.settle();
      const value = await check();
      if (value !== undefined) return value;
      const due = clock.nextDue();
      if (due !== undefined && due <= deadline) {
        clock.advance(Math.max(0, due - clock.now()));
        continue;
      }
      // Nothing is scheduled before the deadline, so only I/O can still change things: give it a short
      // real-time grace (a loaded machine can hold a frame back longer than a settle) before giving up.
      for (let i = 0; i < rounds; i++) {
        await pause(5);
        const late = await check();
        if (late !== undefined) return late;
        const next = clock.nextDue();
        if (next !== undefined && next <= deadline) break;
      }
      const next = clock.nextDue();
      if (next !== undefined && next <= deadline) continue;
      if (clock.now() < deadline) clock.advance(deadline - clock.now());
      await this.settle();
      const last = await check();
      if (last !== undefined) return last;
      throw new WaitTimeout(`timed out after ${withinMs} ms (emulator time) waiting for ${what}`);
    }
  }

  async #inRealTime<T>(
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    const deadline = performance.now() + withinMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      const left = deadline - performance.now();
      if (left <= 0) throw new WaitTimeout(`timed out after ${withinMs} ms waiting for ${what}`);
      // Check again as soon as something happens, or every 25 ms at the latest.
      const seen = this.activity.count;
      const until = performance.now() + Math.min(25, left);
      while (this.activity.count === seen && performance.now() < until) await pause(2);
    }
  }
}
