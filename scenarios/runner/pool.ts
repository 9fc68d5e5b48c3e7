import type { Worker } from 'node:worker_threads';
import { guestSigningKeys } from '../../emulator/index.ts';
import { EmulatorKeeper } from './emulator-keeper.ts';
import type { LoadedScenario } from './load.ts';
import { takePoolWorker } from './pool-threads.ts';
import type { PoolJob, PoolKeysMessage } from './pool-worker.ts';
import { type RunOptions, runScenario, type ScenarioResult } from './run.ts';
import type { ScenarioChannel } from './world.ts';

export { defaultJobs } from './pool-threads.ts';

/** One run of a pool: a scenario on one channel. */
export interface PoolRun {
  scenario: LoadedScenario;
  channel: ScenarioChannel;
}

/**
 * Runs independent scenario runs `jobs` at a time: one in this thread and the others each on a worker
 * thread. This thread has the code loaded and warmed up already, where each worker pays for a fresh V8
 * isolate (loading the bundle and warming it up: about a second of CPU on the 2-core machine), so it
 * takes runs too rather than only handing them out. Results come back in the order the runs were listed
 * (onResult is called in that order too, as a serial run would), and each run is the same as in a
 * serial run: its own bridge, an emulator started over with the run's seed, seeded ids.
 *
 * The runs may be listed as they become known (an async iterable: the command reads the scenario files
 * one by one): the workers start on the first ones while this thread still reads the rest, and this
 * thread takes its share once the list is complete. Nothing is reported before the list is complete,
 * and a list that fails (a file that is not a valid scenario) rejects the pool with that error once the
 * runs under way have ended, having reported nothing: as when every file is read before any run.
 */
export async function runInPool(
  runs: readonly PoolRun[] | AsyncIterable<PoolRun>,
  options: RunOptions,
  jobs: number,
  onResult?: (result: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  // Each worker lends its runs an emulator of its own: a keeper cannot cross threads.
  const { emulators: lent, ...sent } = options;
  const listed: PoolRun[] = [];
  let complete = false;
  const results: (ScenarioResult | undefined)[] = [];
  let next = 0;
  let reported = 0;
  // A run that throws (here or in a worker), or a list that fails, stops the handing out; the runs under
  // way end first, so nothing is left running when this rejects.
  let failure: { error: unknown } | undefined;
  // Takers waiting for the list to grow are woken by each change (a run listed, the list complete, a
  // failure).
  let changed!: () => void;
  let change = new Promise<void>((resolve) => {
    changed = resolve;
  });
  const wake = () => {
    changed();
    change = new Promise<void>((resolve) => {
      changed = resolve;
    });
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    wake();
  };
  const report = () => {
    if (!complete) return;
    while (reported < listed.length && results[reported]) onResult?.(results[reported++]!);
  };
  const settle = (index: number, result: ScenarioResult) => {
    results[index] = result;
    report();
  };
  /** The index of the next run once it is listed; undefined when none is left (or the pool failed). */
  const take = async (): Promise<number | undefined> => {
    for (;;) {
      if (failure) return undefined;
      if (next < listed.length) return next++;
      if (complete) return undefined;
      await change;
    }
  };
  const listing = (async () => {
    try {
      for await (const run of runs) {
        listed.push(run);
        wake();
      }
      complete = true;
      wake();
      report();
    } catch (error) {
      fail(error);
    }
  })();

  const inThisThread = async () => {
    // This thread reads the list (the scenario files) first: its runs would only slow that down.
    await listing;
    if (failure) return;
    const emulators = lent ?? new EmulatorKeeper();
    try {
      for (let index = await take(); index !== undefined; index = await take()) {
        const { scenario, channel } = listed[index]!;
        settle(index, await runScenario(scenario, channel, { ...sent, emulators }));
      }
    } catch (error) {
      fail(error);
    } finally {
      if (emulators !== lent) await emulators.close();
    }
  };
  const known = Array.isArray(runs) ? runs.length : Number.POSITIVE_INFINITY;
  const workers = Array.from({ length: Math.max(0, Math.min(jobs, known) - 1) }, takePoolWorker);
  // WebChat guest tokens are signed with an RSA pair each thread would make for itself (100-500 ms of
  // CPU): a worker uses this thread's instead. It is told the pair is coming before its first WebChat
  // job, and gets it once made, so its other jobs need not wait for it.
  let keys: Promise<PoolKeysMessage> | undefined;
  const keysFor = () => {
    keys ??= guestSigningKeys.export().then(
      (pem) => ({ keys: pem }),
      () => ({ keys: null }),
    );
    return keys;
  };
  try {
    await Promise.all([
      inThisThread(),
      ...workers.map((worker) => serve(worker, take, keysFor, fail, settle, listed, sent)),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // The list has ended by now: this thread's share began by waiting for it.
  if (failure) throw failure.error;
  return results as ScenarioResult[];
}

/** Hands one worker its runs, one at a time, until none is left; resolves once it has been told to stop. */
function serve(
  worker: Worker,
  take: () => Promise<number | undefined>,
  keysFor: () => Promise<PoolKeysMessage>,
  fail: (error: unknown) => void,
  settle: (index: number, result: ScenarioResult) => void,
  listed: readonly PoolRun[],
  options: RunOptions,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopped = false;
    let keyed = false;
    const give = async () => {
      const index = await take();
      if (stopped) return;
      if (index === undefined) {
        stopped = true;
        worker.postMessage('stop');
        resolve();
        return;
      }
      const run = listed[index]!;
      if (run.channel === 'webchat' && !keyed) {
        keyed = true;
        worker.postMessage({ keys: 'coming' } satisfies PoolKeysMessage);
        keysFor().then((message) => worker.postMessage(message));
      }
      const job: PoolJob = { index, ...run, options };
      worker.postMessage(job);
    };
    worker.on('message', (m: { index: number; result?: ScenarioResult; error?: string }) => {
      if (m.error !== undefined)
        fail(new Error(`scenario run ${m.index + 1} failed in its worker: ${m.error}`));
      else settle(m.index, m.result!);
      give();
    });
    worker.on('error', (error) => {
      stopped = true;
      fail(error);
      resolve();
    });
    // A worker gone before it was told to stop (its thread exited) would leave its run unanswered.
    worker.on('exit', (code) => {
      if (stopped) return;
      stopped = true;
      fail(new Error(`a scenario worker stopped (exit code ${code}) before its runs ended`));
      resolve();
    });
    give();
  });
}
