/**
 * `genesys-cloud-emulator/scenarios`: load scenario files and run them, as `genesys-emulator scenarios`
 * does, from code: each run gets an emulator as new (one emulator started over for each run of a
 * `runScenarios` call) and a real bridge on one manual clock (or runs against a `target`), and returns
 * its result with the transcript.
 */
import { fileURLToPath } from 'node:url';
import { discoverScenarioFiles } from './runner/discover.ts';
import { EmulatorKeeper } from './runner/emulator-keeper.ts';
import { type LoadedScenario, loadScenarioFile } from './runner/load.ts';
import { type PoolRun, runInPool } from './runner/pool.ts';
import { type RunOptions, runScenario, type ScenarioResult } from './runner/run.ts';
import { filesOfShard, type Shard } from './runner/shard.ts';
import type { ScenarioChannel } from './runner/world.ts';

export { EmulatorKeeper } from './runner/emulator-keeper.ts';
export type { LoadedScenario, ScenarioProblem, ScenarioStep } from './runner/load.ts';
export { loadScenarioFile, parseScenario, ScenarioError } from './runner/load.ts';
export { defaultJobs } from './runner/pool.ts';
export { allSkipped, json, junit, prettyFailure, prettyLine, skippedSummary } from './runner/reporters.ts';
export type { RunOptions, ScenarioResult, SkippedStep } from './runner/run.ts';
export { runScenario } from './runner/run.ts';
export { filesOfShard, parseShard, type Shard } from './runner/shard.ts';
export type { ScenarioChannel } from './runner/world.ts';

/** The library of stories that ships with the package. */
export const LIBRARY_DIR = fileURLToPath(new URL('./library', import.meta.url));

export interface LoadScenariosOptions {
  /** Only this shard of the files (see filesOfShard). */
  shard?: Shard;
}

/**
 * The scenarios in the given files and folders (folders are searched for *.yaml / *.yml), in path order.
 * A file that is not a valid scenario throws a ScenarioError naming the file, line and field.
 */
export function loadScenarios(
  paths: string | readonly string[],
  options: LoadScenariosOptions = {},
): LoadedScenario[] {
  const files = discoverScenarioFiles(typeof paths === 'string' ? [paths] : [...paths]);
  return (options.shard ? filesOfShard(files, options.shard) : files).map(loadScenarioFile);
}

export interface RunScenariosOptions extends RunOptions {
  /** Only runs on this channel. */
  channel?: ScenarioChannel;
  /**
   * Runs at once: one in this thread, each other on a worker thread (1: one after another in this
   * thread, the default here; the command defaults to one per core). Runs against a `target` are
   * always one at a time: each resets the target.
   */
  jobs?: number;
  /** Called with each result, in the order of the runs, as soon as it and every earlier one ended. */
  onResult?: (result: ScenarioResult) => void;
}

/**
 * Runs each scenario once per channel it names; resolves with every result, in that order. The scenarios
 * may come as they are read (an async iterable): every one is read before any result is reported, and
 * one that cannot be read rejects the call with its error, nothing reported. A pool starts its workers
 * on the first runs while the rest are still being read.
 */
export async function runScenarios(
  scenarios: Iterable<LoadedScenario> | AsyncIterable<LoadedScenario>,
  options: RunScenariosOptions = {},
): Promise<ScenarioResult[]> {
  const { channel, onResult, jobs = 1, ...runOptions } = options;
  const runsOf = (scenario: LoadedScenario) =>
    scenario.channels
      .filter((ch) => channel === undefined || ch === channel)
      .map((ch) => ({ scenario, channel: ch as ScenarioChannel }));
  const pooled = jobs > 1 && runOptions.target === undefined;
  if (pooled && !Array.isArray(scenarios))
    return runInPool(runsAsRead(scenarios, runsOf), runOptions, jobs, onResult);
  const runs: PoolRun[] = [];
  for await (const scenario of scenarios) runs.push(...runsOf(scenario));
  if (pooled && runs.length > 1) return runInPool(runs, runOptions, jobs, onResult);
  const results: ScenarioResult[] = [];
  // One emulator for the runs made here (started over for each), unless the caller lends its own.
  const emulators = runOptions.emulators ?? new EmulatorKeeper();
  try {
    for (const run of runs) {
      const result = await runScenario(run.scenario, run.channel, { ...runOptions, emulators });
      results.push(result);
      onResult?.(result);
    }
  } finally {
    if (emulators !== runOptions.emulators) await emulators.close();
  }
  return results;
}

async function* runsAsRead(
  scenarios: Iterable<LoadedScenario> | AsyncIterable<LoadedScenario>,
  runsOf: (scenario: LoadedScenario) => PoolRun[],
): AsyncIterable<PoolRun> {
  for await (const scenario of scenarios) yield* runsOf(scenario);
}
