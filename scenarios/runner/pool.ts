import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadedScenario } from './load.ts';
import { POOL_WORKER, type PoolJob } from './pool-worker.ts';
import type { RunOptions, ScenarioResult } from './run.ts';
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

/**
 * Runs independent scenario runs on `jobs` worker threads. Results come back in the order the runs
 * were listed (onResult is called in that order too, as a serial run would), and each run is the same
 * as in a serial run: its own bridge, an emulator started over with the run's seed, seeded ids.
 */
export async function runInPool(
  runs: readonly { scenario: LoadedScenario; channel: ScenarioChannel }[],
  options: RunOptions,
  jobs: number,
  onResult?: (result: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  // Each worker lends its runs an emulator of its own: a keeper cannot cross threads.
  const { emulators: _notSent, ...sent } = options;
  const results: (ScenarioResult | undefined)[] = new Array(runs.length);
  let next = 0;
  let reported = 0;
  const report = () => {
    while (reported < runs.length && results[reported]) onResult?.(results[reported++]!);
  };
  const workers = Array.from({ length: Math.min(jobs, runs.length) }, startWorker);
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= runs.length) {
                worker.postMessage('stop');
                resolve();
                return;
              }
              const index = next++;
              const job: PoolJob = { index, ...runs[index]!, options: sent };
              worker.postMessage(job);
            };
            worker.on('message', (m: { index: number; result?: ScenarioResult; error?: string }) => {
              if (m.error !== undefined) {
                reject(new Error(`scenario run ${m.index + 1} failed in its worker: ${m.error}`));
                return;
              }
              results[m.index] = m.result;
              report();
              give();
            });
            worker.on('error', reject);
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results as ScenarioResult[];
}
