import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Fixture, FixtureError, loadFixtureFile } from '../../emulator/index.ts';
import { runScenarios } from '../index.ts';
import { parseScenariosArgs, SCENARIOS_USAGE } from './cli-args.ts';
import { discoverScenarioFiles } from './discover.ts';
import { type LoadedScenario, loadScenarioFile, ScenarioError } from './load.ts';
import { allSkipped, json, junit, prettyFailure, prettyLine } from './reporters.ts';
import type { RunOptions } from './run.ts';
import { filesOfShard } from './shard.ts';

export { SCENARIOS_USAGE } from './cli-args.ts';

/** `genesys-emulator scenarios ...`: returns the exit code (0 all passed, 1 a scenario failed, 2 bad usage). */
export async function scenariosCli(argv: string[], defaultPath: string): Promise<number> {
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

  let scenarios: LoadedScenario[];
  try {
    const found = discoverScenarioFiles(args.paths.length ? args.paths : [defaultPath]);
    if (found.length === 0) return usage('no scenario files found');
    const files = args.shard ? filesOfShard(found, args.shard) : found;
    if (args.shard)
      process.stderr.write(
        `shard ${args.shard.index}/${args.shard.count}: ${files.length} of ${found.length} files\n`,
      );
    scenarios = files.map(loadScenarioFile);
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return usage((e as Error).message);
    throw e;
  }

  const started = performance.now();
  // One run at a time: a target is shared, and each run resets it.
  const results = await runScenarios(scenarios, {
    ...runOptions,
    ...(args.channel === undefined ? {} : { channel: args.channel }),
    onResult: (result) => {
      if (args.reporter !== 'pretty') return;
      process.stdout.write(`${prettyLine(result)}\n`);
      if (result.passed) return;
      mkdirSync(out, { recursive: true });
      const file = join(
        out,
        `${basename(result.file).replace(/\.ya?ml$/, '')}.${result.channel}.transcript.txt`,
      );
      writeFileSync(file, `${result.fullTranscript}\n`);
      process.stdout.write(`${prettyFailure(result, file)}\n`);
    },
  });
  const failed = results.filter((r) => !r.passed).length;
  const skippedRuns = results.filter(allSkipped).length;
  const skippedSteps = results.reduce((n, r) => n + r.skipped.length, 0);
  const seconds = (performance.now() - started) / 1000;
  if (args.reporter === 'junit') process.stdout.write(junit(results));
  else if (args.reporter === 'json') process.stdout.write(json(results));
  else {
    const skipped = [
      skippedRuns ? `, ${skippedRuns} skipped` : '',
      skippedSteps ? ` (${skippedSteps} steps skipped)` : '',
    ].join('');
    process.stdout.write(
      `\n${results.length - failed - skippedRuns} passed, ${failed} failed${skipped} (${results.length} runs in ${seconds.toFixed(1)} s, ${(results.length / seconds).toFixed(1)} runs/s)\n`,
    );
  }
  return failed ? 1 : 0;
}
