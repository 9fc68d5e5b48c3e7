import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import {
  type Fixture,
  FixtureError,
  guestSigningKeys,
  loadFixtureFile,
  writeReproPack,
} from '../../emulator/index.ts';
import { runScenarios } from '../index.ts';
import { jobsOf, parseScenariosArgs, SCENARIOS_USAGE } from './cli-args.ts';
import { discoverScenarioFiles } from './discover.ts';
import { type LoadedScenario, loadScenarioFile, ScenarioError } from './load.ts';
import { startPoolWorkers, stopUnusedPoolWorkers } from './pool-threads.ts';
import { allSkipped, json, junit, prettyFailure, prettyLine } from './reporters.ts';
import type { RunOptions, ScenarioResult } from './run.ts';
import { filesOfShard } from './shard.ts';

export { SCENARIOS_USAGE } from './cli-args.ts';

/** `genesys-emulator scenarios ...`: returns the exit code (0 all passed, 1 a scenario failed, 2 bad usage). */
export async function scenariosCli(argv: string[], defaultPath: string): Promise<number> {
  try {
    return await runCommand(argv, defaultPath);
  } finally {
    // Workers started for a pool that did not take them (fewer runs, or the command stopped early).
    await stopUnusedPoolWorkers();
  }
}

async function runCommand(argv: string[], defaultPath: string): Promise<number> {
  const args = parseScenariosArgs(argv);
  const usage = (why: string) => {
    process.stderr.write(`genesys-emulator scenarios: ${why}\n\n${SCENARIOS_USAGE}\n`);
    return 2;
  };
  if ('help' in args) {
    process.stdout.write(`${SCENARIOS_USAGE}\n`);
    return 0;
  }
  if ('usageError' in args) return usage(args.usageError);
  const out = resolve(args.out ?? '.scenario-results');

  let targetFixture: Fixture | undefined;
  try {
    targetFixture = args.targetFixture === undefined ? undefined : loadFixtureFile(args.targetFixture);
  } catch (e) {
    if (!(e instanceof FixtureError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  const runOptions: RunOptions = {
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(args.target === undefined ? {} : { target: args.target }),
    ...(targetFixture ? { targetFixture } : {}),
  };

  const jobs = jobsOf(args);
  // The pool's workers boot while this thread reads and checks the scenario files (the command may have
  // started them already, before it loaded this code), and the WebChat guest-token keys are made
  // meanwhile (on the thread pool) rather than during the first WebChat run.
  startPoolWorkers(jobs - 1);
  if (args.target === undefined && (args.channel === undefined || args.channel === 'webchat'))
    guestSigningKeys.prepare();
  let files: string[];
  try {
    const found = discoverScenarioFiles(args.paths.length ? args.paths : [defaultPath]);
    if (found.length === 0) return usage('no scenario files found');
    files = args.shard ? filesOfShard(found, args.shard) : found;
    if (args.shard)
      process.stderr.write(
        `shard ${args.shard.index}/${args.shard.count}: ${files.length} of ${found.length} files\n`,
      );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return usage((e as Error).message);
    throw e;
  }
  // The files are read one by one as the runs go (a pool starts on the first ones); a file that cannot
  // be read stops everything before any result is shown.
  let unreadable: { error: unknown } | undefined;
  async function* readEach(): AsyncIterable<LoadedScenario> {
    for (const file of files) {
      try {
        yield loadScenarioFile(file);
      } catch (error) {
        unreadable = { error };
        throw error;
      }
      // A turn of the event loop between files, so a worker that finished a run gets its next one.
      await setImmediate();
    }
  }

  // Progress is for people: on stdout with the pretty reporter (it is the report), on stderr with junit
  // and json, whose stdout is the report itself (kept there for pipes; the file under --out is the same).
  const progress = args.reporter === 'pretty' ? process.stdout : process.stderr;
  const started = performance.now();
  let results: ScenarioResult[];
  try {
    results = await runScenarios(readEach(), {
      ...runOptions,
      jobs,
      ...(args.channel === undefined ? {} : { channel: args.channel }),
      onResult: (result) => {
        progress.write(`${prettyLine(result)}\n`);
        if (result.passed) return;
        // Every reporter keeps the whole transcript of a failed run under --out (with the conversations'
        // Mermaid sequence diagrams at its end) and, beside it, the run's repro pack.
        mkdirSync(out, { recursive: true });
        const base = join(out, `${basename(result.file).replace(/\.ya?ml$/, '')}.${result.channel}`);
        const file = `${base}.transcript.txt`;
        writeFileSync(file, `${result.fullTranscript}\n`);
        const pack = result.pack ? `${base}.pack.json.gz` : undefined;
        if (pack) writeReproPack(pack, result.pack!);
        progress.write(`${prettyFailure(result, file, pack)}\n`);
      },
    });
  } catch (e) {
    if (!unreadable || unreadable.error !== e) throw e;
    if (e instanceof ScenarioError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return usage((e as Error).message);
    throw e;
  }
  const failed = results.filter((r) => !r.passed).length;
  const skippedRuns = results.filter(allSkipped).length;
  const skippedSteps = results.reduce((n, r) => n + r.skipped.length, 0);
  const seconds = (performance.now() - started) / 1000;
  const skipped = [
    skippedRuns ? `, ${skippedRuns} skipped` : '',
    skippedSteps ? ` (${skippedSteps} steps skipped)` : '',
  ].join('');
  const summary = `${results.length - failed - skippedRuns} passed, ${failed} failed${skipped} (${results.length} runs in ${seconds.toFixed(1)} s, ${(results.length / seconds).toFixed(1)} runs/s)`;
  if (args.reporter === 'pretty') {
    process.stdout.write(`\n${summary}\n`);
    return failed ? 1 : 0;
  }
  const report = args.reporter === 'junit' ? junit(results) : json(results);
  const file = join(out, REPORT_FILES[args.reporter]);
  mkdirSync(out, { recursive: true });
  writeFileSync(file, report);
  process.stdout.write(report);
  process.stderr.write(`\n${summary}\n${args.reporter} report: ${file}\n`);
  return failed ? 1 : 0;
}

/** The report file each machine-readable reporter writes under --out. */
export const REPORT_FILES = { junit: 'junit.xml', json: 'results.json' } as const;
