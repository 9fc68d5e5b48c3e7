import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type GuestSigningKeysPem, guestSigningKeys } from '../../emulator/index.ts';
import { EmulatorKeeper } from './emulator-keeper.ts';
import type { LoadedScenario } from './load.ts';
import { type RunOptions, runScenario } from './run.ts';
import type { ScenarioChannel } from './world.ts';

/** One run a pool worker is asked to make. */
export interface PoolJob {
  index: number;
  scenario: LoadedScenario;
  channel: ScenarioChannel;
  options: RunOptions;
}

/**
 * A worker thread of the scenario pool: runs the jobs it is sent, one at a time, each with its own
 * bridge on the worker's emulator (started over for each run), and posts each result back (as plain
 * data) with the job's index.
 */
export function serveScenarioRuns(port: MessagePort): void {
  const emulators = new EmulatorKeeper();
  port.on('message', (job: PoolJob | 'stop' | { keys: GuestSigningKeysPem }) => {
    if (job === 'stop') {
      emulators.close().finally(() => port.close());
      return;
    }
    if ('keys' in job) {
      guestSigningKeys.adopt(job.keys);
      return;
    }
    runScenario(job.scenario, job.channel, { ...job.options, emulators }).then(
      (result) => port.postMessage({ index: job.index, result: JSON.parse(JSON.stringify(result)) }),
      (error: unknown) =>
        port.postMessage({ index: job.index, error: String((error as Error)?.stack ?? error) }),
    );
  });
}

/** Marks a worker started for the pool (the same module may be imported elsewhere). */
export const POOL_WORKER = 'genesysScenarioPoolWorker';

if (parentPort && (workerData as Record<string, unknown> | undefined)?.[POOL_WORKER])
  serveScenarioRuns(parentPort);
