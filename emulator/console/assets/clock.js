// The emulator's time, which is not the browser's: under a manual clock it moves only when a test or
// a user advances it, so alert countdowns ask the emulator (GET /console/api/clock) instead of Date.now().

import { consoleGet } from './api.js';

const SYSTEM_REFRESH_MS = 30_000;

export class EmulatorClock {
  #kind;
  #now = 0;
  #fetchedAt = -Infinity;

  /** Milliseconds since the epoch on the emulator's clock. */
  async now() {
    const age = performance.now() - this.#fetchedAt;
    // A system clock runs with the browser's, so one reading now and then is enough to follow it.
    if (this.#kind === 'system' && age < SYSTEM_REFRESH_MS) return this.#now + age;
    const clock = await consoleGet('clock');
    this.#kind = clock.kind;
    this.#now = Date.parse(clock.now);
    this.#fetchedAt = performance.now();
    return this.#now;
  }
}
