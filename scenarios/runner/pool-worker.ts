import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type GuestSigningKeysPem, guestSigningKeys } from '../../emulator/index.ts';
import { EmulatorKeeper } from './emulator-keeper.ts';
import type { LoadedScenario } from './load.ts';
import { POOL_WORKER } from './pool-threads.ts';
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
 * What the pool tells a worker of the WebChat guest-token keys: they are coming (sent before the first
 * WebChat job, while the pool's thread may still be making them), then the pair, or null when that
 * thread could not make one (the worker then makes its own).
 */
export type PoolKeysMessage = { keys: 'coming' } | { keys: GuestSigningKeysPem | null };

/**
 * A worker thread of the scenario pool: runs the jobs it is sent, one at a time, each with its own
 * bridge on the worker's emulator (started over for each run), and posts each result back (as plain
 * data) with the job's index.
 */
export function serveScenarioRuns(port: MessagePort): void {
  const emulators = new EmulatorKeeper();
  let keysArrive: ((pem: GuestSigningKeysPem | undefined) => void) | undefined;
  port.on('message', (job: PoolJob | 'stop' | PoolKeysMessage) => {
    if (job === 'stop') {
      emulators.close().finally(() => port.close());
      return;
    }
    if ('keys' in job) {
      if (job.keys === 'coming') keysArrive = guestSigningKeys.expect();
      else keysArrive?.(job.keys ?? undefined);
      return;
    }
    runScenario(job.scenario, job.channel, { ...job.options, emulators }).then(
      (result) => port.postMessage({ index: job.index, result: JSON.parse(JSON.stringify(result)) }),
      (error: unknown) =>
        port.postMessage({ index: job.index, error: String((error as Error)?.stack ?? error) }),
    );
  });
}

if (parentPort && (workerData as Record<string, unknown> | undefined)?.[POOL_WORKER])
  serveScenarioRuns(parentPort);
