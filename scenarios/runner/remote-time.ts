import type { Clock } from '../../bridge/index.ts';
import { ManualClock, SystemClock } from '../../bridge/index.ts';
import { untilQuiet } from '../../emulator/index.ts';
import type { ActivityProbe } from './activity.ts';
import type { ControlPlane } from './control-plane.ts';
import { ExpectationFailed } from './world.ts';

/** How time passes in a remote world: the bridge's clock, and how the run waits and moves time. */
export interface RemoteTime {
  /** The bridge's clock. */
  readonly clock: Clock;
  now(): number;
  settle(): Promise<void>;
  waitFor<T>(what: string, withinMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T>;
  advance(ms: number): Promise<void>;
}

/** Brings in the target's new timeline entries; returns how many arrived (0 without a control plane). */
export type PollTimeline = () => Promise<number>;

/**
 * The largest step of time a wait takes at once when nothing of the bridge's is due: the target's
 * timers are not visible from outside, so time moves in steps small enough for the run to see
 * (and the transcript to show) what they did near when they did it.
 */
const WAIT_STEP_MS = 1000;
/** The largest step `advance` takes at once, for the same reason, kept coarser so long advances stay quick. */
const ADVANCE_STEP_MS = 10_000;

/**
 * A target on a manual clock: the bridge runs on a local manual clock started at the target's time,
 * and both move together (the target first, so what the bridge does at a time reaches a target that is
 * already there). Nothing waits in real time.
 */
export class LockstepTime implements RemoteTime {
  readonly clock: ManualClock;

  constructor(
    startMs: number,
    private readonly controlPlane: ControlPlane,
    private readonly probe: ActivityProbe,
    private readonly poll: PollTimeline,
  ) {
    this.clock = new ManualClock(startMs);
  }

  now(): number {
    return this.clock.now();
  }

  /** Local I/O quiet and no new timeline entries on the target. */
  async settle(): Promise<void> {
    do await untilQuiet(this.probe);
    while ((await this.poll()) > 0);
  }

  async #move(ms: number): Promise<void> {
    if (ms > 0) await this.controlPlane.advance(ms);
    this.clock.advance(ms);
  }

  /** The step towards `limit`: the bridge's next timer, but never more than `maxStep`. */
  #step(limit: number, maxStep: number): number {
    const due = this.clock.nextDue();
    const untilDue = due === undefined ? Number.POSITIVE_INFINITY : Math.max(0, due - this.clock.now());
    return Math.min(limit - this.clock.now(), maxStep, untilDue);
  }

  async waitFor<T>(
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    const deadline = this.clock.now() + withinMs;
    for (;;) {
      await this.settle();
      const value = await check();
      if (value !== undefined) return value;
      if (this.clock.now() >= deadline)
        throw new ExpectationFailed(`timed out after ${withinMs} ms (target time) waiting for ${what}`);
      await this.#move(this.#step(deadline, WAIT_STEP_MS));
    }
  }

  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    while (this.clock.now() < target) {
      await this.settle();
      await this.#move(this.#step(target, ADVANCE_STEP_MS));
    }
    // Timers due exactly at the target fire with a zero move.
    await this.#move(0);
    await this.settle();
  }
}

/** How often a real-time wait looks again, and how long the run must be quiet to count as settled. */
const POLL_MS = 100;
const QUIET_MS = 250;
const MAX_SETTLE_MS = 5000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A target whose time moves by itself (a real org, or an emulator on the system clock): the bridge
 * runs on the system clock and waits poll in real time, bounded by `within`.
 */
export class RealTime implements RemoteTime {
  readonly clock = new SystemClock();

  constructor(
    private readonly probe: ActivityProbe,
    private readonly poll: PollTimeline,
  ) {}

  now(): number {
    return Date.now();
  }

  async #quietNow(): Promise<void> {
    do await untilQuiet(this.probe);
    while ((await this.poll()) > 0);
  }

  /** Nothing happened for QUIET_MS: over a network, an answer can trail its cause by that much. */
  async settle(): Promise<void> {
    const giveUp = Date.now() + MAX_SETTLE_MS;
    let seen = -1;
    while (this.probe.count !== seen && Date.now() < giveUp) {
      seen = this.probe.count;
      await sleep(QUIET_MS);
      await this.#quietNow();
    }
  }

  async waitFor<T>(
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      await this.#quietNow();
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() >= deadline)
        throw new ExpectationFailed(`timed out after ${withinMs} ms (real time) waiting for ${what}`);
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    }
  }

  advance(): Promise<void> {
    // Steps that move time need a manual clock, so the runner skips them before they get here.
    return Promise.reject(new Error('time cannot be moved on a target that runs on the system clock'));
  }
}
