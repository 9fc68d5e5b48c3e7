import { defaultFixture, type EmulatorHandle, type Fixture, startEmulator } from '../../emulator/index.ts';

/** Real-time grace for I/O when nothing is scheduled; only a failing wait spends all of it. */
const REAL_GRACE_MS = 500;

/**
 * The in-process emulator of a scenario run: manual clock, control plane, seeded ids, on loopback.
 * Starting one builds a whole server (its routes and plugins), which was half of a short run's CPU;
 * a keeper lends the same emulator to one run after another, each time started over as a new emulator
 * with that run's seed and org would be (`startOver`), so a run's transcript does not depend on what
 * ran before it. One run at a time: a second borrower gets an emulator of its own.
 */
export class EmulatorKeeper {
  #idle: EmulatorHandle | undefined;
  /** How many runs were lent an emulator that was started over rather than built (for tests). */
  reused = 0;

  /** An emulator as if started now with this org and seed; give it back with `giveBack`. */
  async borrow(options: { seed: number; fixture?: Fixture }): Promise<EmulatorHandle> {
    const idle = this.#idle;
    this.#idle = undefined;
    if (idle) {
      try {
        await idle.startOver({
          seed: options.seed,
          fixture: options.fixture ?? defaultFixture(),
          newPort: true,
        });
        this.reused++;
        return idle;
      } catch {
        // Something of the last run is still scheduled: that emulator cannot pass for a new one.
        await idle.close();
      }
    }
    return newScenarioEmulator(options);
  }

  /** The run is over (its bridge and sockets closed): the emulator waits for the next run. */
  async giveBack(emulator: EmulatorHandle): Promise<void> {
    if (this.#idle) await emulator.close();
    else this.#idle = emulator;
  }

  async close(): Promise<void> {
    const idle = this.#idle;
    this.#idle = undefined;
    await idle?.close();
  }
}

/** A new emulator for one scenario run. */
export function newScenarioEmulator(options: { seed: number; fixture?: Fixture }): Promise<EmulatorHandle> {
  return startEmulator({
    ...(options.fixture ? { fixture: options.fixture } : {}),
    controlPlane: true,
    clock: 'manual',
    seed: options.seed,
    logLevel: 'silent',
    waitGraceMs: REAL_GRACE_MS,
  });
}
