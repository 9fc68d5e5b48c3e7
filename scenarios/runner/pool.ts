import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { guestSigningKeys } from '../../emulator/index.ts';
import { EmulatorKeeper } from './emulator-keeper.ts';
import type { LoadedScenario } from './load.ts';
import { POOL_WORKER, type PoolJob } from './pool-worker.ts';
import { type RunOptions, runScenario, type ScenarioResult } from './run.ts';
import type { ScenarioChannel } from './world.ts';

/** How many runs at once by default: one per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * A worker thread that runs scenario jobs, started from wherever this code runs: the TypeScript sources
 * (under tsx or vitest), the compiled files in dist/, or a command bundle (where import.meta.url is the
 * bundle's, so the worker loads the same bundle and asks it for its worker).
 */
function startWorker(): Worker {
  const here = import.meta.url;
  const workerData = { [POOL_WORKER]: true };
  if (here.endsWith('.cjs')) {
    const bundle = fileURLToPath(here);
    const loader = new URL('../../cli/run-bundle.mjs', here).href;
    const code = `import(${JSON.stringify(loader)}).then(({ loadBundle }) => loadBundle(${JSON.stringify(bundle)}).scenarioWorker());`;
    return new Worker(code, { eval: true, workerData });
  }
  if (here.endsWith('.ts')) {
    // The sources need tsx's loader in the worker too (a worker does not inherit --import hooks).
    const worker = new URL('./pool-worker.ts', here).href;
    const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(worker)}); });`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(new URL('./pool-worker.js', here), { workerData });
}

/** Workers started ahead of the runs (`startPoolWorkers`), taken by the next pool before it starts any. */
const early: Worker[] = [];

/**
 * Starts `count` pool workers now, so they boot (a fresh V8 isolate each, loading the code) while this
 * thread still reads and checks the scenario files; the next `runInPool` takes them first. The returned
 * function stops those no pool took (the runs were fewer, or the files could not be loaded).
 */
export function startPoolWorkers(count: number): () => Promise<void> {
  const started = Array.from({ length: Math.max(0, count) }, startWorker);
  early.push(...started);
  return async () => {
    const unused = started.filter((w) => early.includes(w));
    early.splice(0, early.length, ...early.filter((w) => !unused.includes(w)));
    await Promise.all(unused.map((w) => w.terminate()));
  };
}

/**
 * Runs independent scenario runs `jobs` at a time: one in this thread and the others each on a worker
 * thread. This thread has the code loaded and warmed up already, where each worker pays for a fresh V8
 * isolate (loading the bundle and warming it up: about a second of CPU on the 2-core machine), so it
 * takes runs too rather than only handing them out. Results come back in the order the runs were listed
 * (onResult is called in that order too, as a serial run would), and each run is the same as in a
 * serial run: its own bridge, an emulator started over with the run's seed, seeded ids.
 */
export async function runInPool(
  runs: readonly { scenario: LoadedScenario; channel: ScenarioChannel }[],
  options: RunOptions,
  jobs: number,
  onResult?: (result: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  // Each worker lends its runs an emulator of its own: a keeper cannot cross threads.
  const { emulators: lent, ...sent } = options;
  const results: (ScenarioResult | undefined)[] = new Array(runs.length);
  let next = 0;
  let reported = 0;
  // A run that throws (here or in a worker) stops the handing out; the runs under way end first, so
  // nothing is left running when this rejects.
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    next = runs.length;
  };
  const settle = (index: number, result: ScenarioResult) => {
    results[index] = result;
    while (reported < runs.length && results[reported]) onResult?.(results[reported++]!);
  };
  const inThisThread = async () => {
    const emulators = lent ?? new EmulatorKeeper();
    try {
      while (next < runs.length) {
        const index = next++;
        const { scenario, channel } = runs[index]!;
        settle(index, await runScenario(scenario, channel, { ...sent, emulators }));
      }
    } catch (error) {
      fail(error);
    } finally {
      if (emulators !== lent) await emulators.close();
    }
  };
  const workers = Array.from(
    { length: Math.min(jobs, runs.length) - 1 },
    () => early.shift() ?? startWorker(),
  );
  // WebChat guest tokens are signed with an RSA pair each thread would make for itself (100-500 ms of
  // CPU): the workers use this thread's instead, sent ahead of their first run.
  const keys =
    workers.length > 0 && runs.some((r) => r.channel === 'webchat')
      ? guestSigningKeys.export().catch(() => undefined)
      : Promise.resolve(undefined);
  try {
    await Promise.all([
      inThisThread(),
      ...workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            let stopped = false;
            const give = () => {
              if (next >= runs.length) {
                stopped = true;
                worker.postMessage('stop');
                resolve();
                return;
              }
              const index = next++;
              const job: PoolJob = { index, ...runs[index]!, options: sent };
              worker.postMessage(job);
            };
            worker.on('message', (m: { index: number; result?: ScenarioResult; error?: string }) => {
              if (m.error !== undefined)
                fail(new Error(`scenario run ${m.index + 1} failed in its worker: ${m.error}`));
              else settle(m.index, m.result!);
              give();
            });
            worker.on('error', (error) => {
              fail(error);
              resolve();
            });
            // A worker gone before it was told to stop (its thread exited) would leave its run unanswered.
            worker.on('exit', (code) => {
              if (stopped) return;
              fail(new Error(`a scenario worker stopped (exit code ${code}) before its runs ended`));
              resolve();
            });
            keys.then((pem) => {
              if (pem) worker.postMessage({ keys: pem });
              give();
            });
          }),
      ),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure.error;
  return results as ScenarioResult[];
}
