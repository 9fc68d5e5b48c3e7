import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { discoverScenarioFiles } from './discover.ts';
import { type LoadedScenario, loadScenarioFile, ScenarioError } from './load.ts';
import { json, junit, prettyFailure, prettyLine } from './reporters.ts';
import { runScenario, type ScenarioResult } from './run.ts';
import type { ScenarioChannel } from './world.ts';

export const SCENARIOS_USAGE = `Usage: genesys-emulator scenarios [PATHS...] [options]

Runs scenario files (YAML) against an in-process emulator and a real bridge, once per channel.

Options:
  --channel C          only webmessaging or webchat
  --reporter R         pretty (default) | junit | json
  --seed N             override every scenario's seed
  --out DIR            where failed runs' full transcripts (and junit/json reports) go (default .scenario-results)
  -h, --help           show this help

PATHS default to scenarios/library.`;

/** `genesys-emulator scenarios ...`: returns the exit code (0 all passed, 1 a scenario failed, 2 bad usage). */
export async function scenariosCli(argv: string[], defaultPath: string): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        channel: { type: 'string' },
        reporter: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`genesys-emulator scenarios: ${(e as Error).message}\n\n${SCENARIOS_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${SCENARIOS_USAGE}\n`);
    return 0;
  }
  const channel = values.channel as string | undefined;
  const reporter = (values.reporter as string | undefined) ?? 'pretty';
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const usage = (why: string) => {
    process.stderr.write(`genesys-emulator scenarios: ${why}\n\n${SCENARIOS_USAGE}\n`);
    return 2;
  };
  if (channel !== undefined && channel !== 'webmessaging' && channel !== 'webchat')
    return usage(`--channel must be webmessaging or webchat`);
  if (!['pretty', 'junit', 'json'].includes(reporter))
    return usage('--reporter must be pretty, junit or json');
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
    return usage('--seed must be a whole number');
  const out = resolve((values.out as string | undefined) ?? '.scenario-results');

  let scenarios: LoadedScenario[];
  try {
    const files = discoverScenarioFiles(positionals.length ? positionals : [defaultPath]);
    if (files.length === 0) return usage('no scenario files found');
    scenarios = files.map(loadScenarioFile);
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return usage((e as Error).message);
    throw e;
  }

  const results: ScenarioResult[] = [];
  const started = performance.now();
  for (const scenario of scenarios) {
    for (const ch of scenario.channels) {
      if (channel !== undefined && ch !== channel) continue;
      const result = await runScenario(scenario, ch as ScenarioChannel, seed === undefined ? {} : { seed });
      results.push(result);
      if (reporter !== 'pretty') continue;
      process.stdout.write(`${prettyLine(result)}\n`);
      if (!result.passed) {
        mkdirSync(out, { recursive: true });
        const file = join(out, `${basename(scenario.file).replace(/\.ya?ml$/, '')}.${ch}.transcript.txt`);
        writeFileSync(file, `${result.fullTranscript}\n`);
        process.stdout.write(`${prettyFailure(result, file)}\n`);
      }
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  const seconds = (performance.now() - started) / 1000;
  if (reporter === 'junit') process.stdout.write(junit(results));
  else if (reporter === 'json') process.stdout.write(json(results));
  else {
    process.stdout.write(
      `\n${results.length - failed} passed, ${failed} failed (${results.length} runs in ${seconds.toFixed(1)} s, ${(results.length / seconds).toFixed(1)} runs/s)\n`,
    );
  }
  return failed ? 1 : 0;
}
