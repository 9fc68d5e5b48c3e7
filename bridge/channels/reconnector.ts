import type { Clock, TimerHandle } from '../clock.ts';

/**
 * Reconnect pacing shared by the channel adapters: exponential backoff with jitter from `initialDelayMs`
 * to `maxDelayMs`, giving up once the next attempt would start after `windowMs` (the Genesys SDK keeps
 * trying for 300 s). One attempt runs at a time.
 */
export interface ReconnectTimings {
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  reconnectWindowMs: number;
}

export function backoffDelay(attempt: number, timings: ReconnectTimings, random: () => number): number {
  const ceiling = Math.min(timings.reconnectMaxDelayMs, timings.reconnectInitialDelayMs * 2 ** attempt);
  // Jitter keeps many sessions from reconnecting in lockstep after an outage.
  return Math.round(ceiling * (0.5 + random() / 2));
}

export class Reconnector {
  readonly #clock: Clock;
  readonly #timings: ReconnectTimings;
  readonly #random: () => number;
  readonly #attempt: () => Promise<void>;
  readonly #giveUp: () => void;
  #active = false;
  #startedAt = 0;
  #attempts = 0;
  #timer: TimerHandle | undefined;

  /** `attempt` resolves when reconnected and rejects to try again; `giveUp` runs when the window is spent. */
  constructor(
    clock: Clock,
    timings: ReconnectTimings,
    random: () => number,
    attempt: () => Promise<void>,
    giveUp: () => void,
  ) {
    this.#clock = clock;
    this.#timings = timings;
    this.#random = random;
    this.#attempt = attempt;
    this.#giveUp = giveUp;
  }

  get active(): boolean {
    return this.#active;
  }

  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#startedAt = this.#clock.now();
    this.#attempts = 0;
    this.#schedule();
  }

  stop(): void {
    this.#active = false;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const delay = backoffDelay(this.#attempts++, this.#timings, this.#random);
    if (this.#clock.now() - this.#startedAt + delay > this.#timings.reconnectWindowMs) {
      this.stop();
      this.#giveUp();
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#attempt().then(
        () => this.stop(),
        () => {
          if (this.#active) this.#schedule();
        },
      );
    }, delay);
  }
}
