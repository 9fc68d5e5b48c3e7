import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starting the scenario pool's worker threads. Kept apart from the pool (which imports the emulator, the
 * bridge and the runner) so that the `scenarios` command can start its workers before it loads that
 * code itself: each worker loads it too, and the two loads then overlap.
 */

/** How many runs at once by default: one per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Marks a worker started for the pool (its module may be imported elsewhere). */
export const POOL_WORKER = 'genesysScenarioPoolWorker';

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

/** Workers started ahead of the runs, taken by the next pool before it starts any. */
const early: Worker[] = [];

/**
 * Makes sure `count` pool workers are booting (a fresh V8 isolate each, loading the code), started now
 * unless they were started earlier, so that they boot while this thread still loads its own code and
 * reads the scenario files; the next pool takes them first.
 */
export function startPoolWorkers(count: number): void {
  while (early.length < count) early.push(startWorker());
}

/** A worker for a pool: one started ahead if any is left, else a new one. */
export function takePoolWorker(): Worker {
  return early.shift() ?? startWorker();
}

/** Stops the workers started ahead that no pool took (the runs were fewer, or the files could not be read). */
export async function stopUnusedPoolWorkers(): Promise<void> {
  await Promise.all(early.splice(0).map((worker) => worker.terminate()));
}
