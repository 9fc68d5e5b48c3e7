import type { Clock, TimerHandle } from '../clock.ts';

/**
 * What must stop when the service closes: open streams, long-polls waiting for events, heartbeats. Each
 * registers a release callback; close() runs them all once, and `closing` turns new requests away.
 */
export class Lifecycle {
  readonly #releases = new Set<() => void>();
  #closing = false;

  constructor(readonly clock: Clock) {}

  get closing(): boolean {
    return this.#closing;
  }

  /** Registers a release; returns the function that unregisters it (call it when done normally). */
  track(release: () => void): () => void {
    this.#releases.add(release);
    return () => {
      this.#releases.delete(release);
    };
  }

  /** From now on the service's request guard turns new requests away. */
  beginClosing(): void {
    this.#closing = true;
  }

  /** Runs every release once (and stops accepting new requests, if that had not begun). */
  close(): void {
    this.#closing = true;
    for (const release of [...this.#releases]) release();
    this.#releases.clear();
  }

  /** Calls fn every intervalMs on the service clock until the returned stop() is called. */
  every(intervalMs: number, fn: () => void): () => void {
    let timer: TimerHandle | undefined;
    let stopped = false;
    const schedule = () => {
      timer = this.clock.setTimeout(() => {
        if (stopped) return;
        fn();
        schedule();
      }, intervalMs);
    };
    schedule();
    return () => {
      stopped = true;
      this.clock.clearTimeout(timer);
    };
  }
}
