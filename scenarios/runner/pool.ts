import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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

/**
 * Runs independent scenario runs `jobs` at a time: one lane in this thread (on the caller's emulator
 * keeper, or one of its own) and `jobs - 1` worker threads, so `jobs` equal to the cores keeps each core
 * busy without paying a worker's start-up for the thread that would otherwise only wait. Results come back
 * in the order the runs were listed (onResult is called in that order too, as a serial run would), and
 * each run is the same as in a serial run: its own bridge, an emulator started over with the run's seed,
 * seeded ids, and a result made of plain data wherever it ran.
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
  const report = () => {
    while (reported < runs.length && results[reported]) onResult?.(results[reported++]!);
  };
  const lanes = Math.min(jobs, runs.length);
  const workers = Array.from({ length: lanes - 1 }, startWorker);
  const emulators = lent ?? new EmulatorKeeper();
  // A failure in one lane stops the others from taking more runs.
  let failed = false;
  const here = async () => {
    while (!failed && next < runs.length) {
      const index = next++;
      const run = runs[index]!;
      const result = await runScenario(run.scenario, run.channel, { ...sent, emulators });
      // The same plain data a worker posts back, so that reports do not depend on where a run ran.
      results[index] = JSON.parse(JSON.stringify(result)) as ScenarioResult;
      report();
    }
  };
  try {
    await Promise.all([
      here().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
      ...workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (failed || next >= runs.length) {
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
                failed = true;
                reject(new Error(`scenario run ${m.index + 1} failed in its worker: ${m.error}`));
                return;
              }
              results[m.index] = m.result;
              report();
              give();
            });
            worker.on('error', (error) => {
              failed = true;
              reject(error);
            });
            give();
          }),
      ),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    if (emulators !== lent) await emulators.close();
  }
  return results as ScenarioResult[];
}
