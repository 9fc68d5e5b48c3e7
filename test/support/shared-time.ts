import { wsSocketFactory } from '../../bridge/channels/socket.ts';
import type { FetchLike } from '../../bridge/index.ts';
import type { BridgeServiceDeps } from '../../bridge/service/index.ts';
import type { EmulatorClock } from '../../emulator/index.ts';

const STEP_MS = 50;
/** Well inside the queues' 30 s alerting timeout, so a wait can never time an alert out by itself. */
const BUDGET_MS = 10_000;
/** I/O turns without bridge traffic before the bridge counts as waiting on its clock. */
const QUIET_TURNS = 6;
/** A guard against a hung test, not a timing assertion. */
const MAX_TURNS = 200_000;

const ioTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One timeline for a test's emulator and bridge: the bridge's clock is the emulator's manual clock, and
 * time moves only in `until`, only while the bridge (and a service's webhook sender) has no HTTP request
 * in flight and its sockets have been silent for a few I/O turns, so the clock never overtakes real I/O
 * (which would fire the bridge's send and connect timeouts).
 */
export class SharedTime {
  #activity = 0;
  #inFlight = 0;

  constructor(readonly clock: EmulatorClock) {}

  /** fetch that reports its requests to this timeline. */
  readonly fetch: FetchLike = async (...args) => {
    this.#inFlight++;
    try {
      return await (globalThis.fetch as FetchLike)(...args);
    } finally {
      this.#inFlight--;
      this.#activity++;
    }
  };

  /** Bridge (and bridge service) dependencies that report their I/O to this timeline. */
  get deps(): BridgeServiceDeps {
    return {
      clock: this.clock,
      fetch: this.fetch,
      webhookFetch: this.fetch,
      socketFactory: (url, headers, handlers) => {
        const seen =
          <A extends unknown[]>(fn: (...a: A) => void) =>
          (...a: A) => {
            this.#activity++;
            fn(...a);
          };
        const socket = wsSocketFactory(url, headers, {
          open: seen(handlers.open),
          message: seen(handlers.message),
          close: seen(handlers.close),
          error: seen(handlers.error),
        });
        return { ...socket, send: seen(socket.send) };
      },
    };
  }

  /** Counts traffic the timeline cannot see otherwise (the bridge's Open Messaging webhook receiver). */
  readonly seen = (): void => {
    this.#activity++;
  };

  /** Waits until check() gives a value, advancing the clock in small steps whenever the bridge is idle. */
  async until<T>(what: string, check: () => T | undefined): Promise<T> {
    let moved = 0;
    let quiet = 0;
    let seen = this.#activity;
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const value = check();
      if (value !== undefined) return value;
      await ioTurn();
      if (this.#inFlight > 0 || this.#activity !== seen) {
        seen = this.#activity;
        quiet = 0;
        continue;
      }
      if (++quiet < QUIET_TURNS) continue;
      if (moved >= BUDGET_MS) break;
      await this.clock.advance(STEP_MS);
      moved += STEP_MS;
      quiet = 0;
    }
    throw new Error(`nothing after ${moved} ms of emulator time while waiting for ${what}`);
  }
}
