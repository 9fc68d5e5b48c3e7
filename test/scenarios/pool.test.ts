import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type LoadedScenario,
  loadScenarios,
  runScenarios,
  ScenarioError,
  type ScenarioResult,
} from '../../scenarios/index.ts';
import { runCommand } from '../support/run-command.ts';

/**
 * Runs N at a time (`--jobs N`: one in this thread, the others on worker threads): the same results, transcripts and order as one run after another,
 * and onResult called in the runs' order.
 */
const library = fileURLToPath(new URL('../../scenarios/library', import.meta.url));
const names = [
  'transfer-with-metadata.yaml',
  'agent-not-responding.yaml',
  'customer-leaves.yaml',
  'typing-both-ways.yaml',
];

const comparable = (r: ScenarioResult) => ({ ...r, durationMs: 0 });

/** Scenarios handed out one at a time, a turn of the event loop apart, as the command reads its files. */
async function* oneByOne(scenarios: readonly LoadedScenario[]) {
  for (const scenario of scenarios) {
    yield scenario;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
const bin = fileURLToPath(new URL('../../cli/genesys-emulator.mjs', import.meta.url));
const outRoot = mkdtempSync(join(tmpdir(), 'scenario-pool-'));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

/** The command (its built bundle, whose workers load the same bundle) with a JUnit report under --out. */
async function junitRun(jobs: string) {
  const out = join(outRoot, `jobs-${jobs}`);
  const files = names.map((n) => join(library, n));
  const result = await runCommand(process.execPath, [
    bin,
    'scenarios',
    ...files,
    '--reporter',
    'junit',
    '--out',
    out,
    '--jobs',
    jobs,
  ]);
  const timeless = (xml: string) => xml.replace(/ time="[\d.]+"/g, '');
  return {
    code: result.code,
    stderr: result.stderr,
    stdout: timeless(result.stdout),
    report: timeless(readFileSync(join(out, 'junit.xml'), 'utf8')),
    progress: result.stderr
      .split('\n')
      .filter((l) => l.startsWith('ok '))
      .map((l) => l.replace(/ \d+ ms$/, '')),
  };
}

describe('the scenario pool', () => {
  it('three jobs (this thread and two workers) give exactly the serial results, in the serial order', async () => {
    const scenarios = loadScenarios(names.map((n) => `${library}/${n}`));
    const serial = await runScenarios(scenarios);
    const seen: string[] = [];
    const pooled = await runScenarios(scenarios, {
      jobs: 3,
      onResult: (r) => seen.push(`${r.file} ${r.channel}`),
    });
    expect(pooled.map(comparable)).toEqual(serial.map(comparable));
    expect(seen).toEqual(serial.map((r) => `${r.file} ${r.channel}`));
    expect(serial.length).toBeGreaterThan(4);
    expect(pooled.every((r) => r.passed)).toBe(true);

    // The same scenarios coming as they are read (the command's way: the workers start on the first
    // runs while the rest are read): the same results, reported in the same order.
    const streamed: string[] = [];
    const asRead = await runScenarios(oneByOne(scenarios), {
      jobs: 2,
      onResult: (r) => streamed.push(`${r.file} ${r.channel}`),
    });
    expect(asRead.map(comparable)).toEqual(serial.map(comparable));
    expect(streamed).toEqual(seen);
  }, 120_000);

  it('a scenario that cannot be read stops the pool: its error, and no result reported', async () => {
    const [first, second] = loadScenarios(names.slice(0, 2).map((n) => `${library}/${n}`));
    const unreadable = new ScenarioError('broken.yaml', [{ line: 3, path: 'steps', message: 'is missing' }]);
    async function* thenBroken() {
      yield* oneByOne([first!, second!]);
      throw unreadable;
    }
    const reported: ScenarioResult[] = [];
    await expect(runScenarios(thenBroken(), { jobs: 2, onResult: (r) => reported.push(r) })).rejects.toBe(
      unreadable,
    );
    expect(reported).toEqual([]);
  }, 120_000);

  it('genesys-emulator scenarios --jobs 2 prints and reports what --jobs 1 does, in the same order', async () => {
    const [one, two] = [await junitRun('1'), await junitRun('2')];
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(two.report).toEqual(one.report);
    expect(two.stdout).toEqual(one.stdout);
    expect(two.progress).toEqual(one.progress);
    expect(one.progress.length).toBeGreaterThan(4);
  }, 120_000);

  it('a file that is not a valid scenario, after valid ones: exit 2 naming it, no run shown, nothing written, whatever --jobs', async () => {
    const dir = join(outRoot, 'with-broken');
    mkdirSync(dir);
    for (const name of names.slice(0, 2)) copyFileSync(join(library, name), join(dir, name));
    // Sorted last: read after the runs of the valid files were handed to the pool.
    writeFileSync(
      join(dir, 'zz-broken.yaml'),
      'name: broken\nchannels: [webmessaging]\nactors:\n  pat: { customer: {} }\nsteps:\n  - flyTo: moon\n',
    );
    for (const jobs of ['2', '1']) {
      const out = join(outRoot, `with-broken-out-${jobs}`);
      const run = await runCommand(process.execPath, [bin, 'scenarios', dir, '--jobs', jobs, '--out', out]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${join(dir, 'zz-broken.yaml')}:6: steps[0]: unknown step "flyTo"`);
      expect(run.stdout).not.toMatch(/^ok /m);
      expect(existsSync(out)).toBe(false);
    }
  }, 60_000);

  it('--jobs above the number of runs: the one run passes and the command exits 0 (workers started ahead unused)', async () => {
    const file = join(library, 'customer-leaves.yaml');
    const run = await runCommand(process.execPath, [
      bin,
      'scenarios',
      file,
      '--channel',
      'webchat',
      '--jobs',
      '4',
      '--out',
      join(outRoot, 'one-run'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1 passed, 0 failed \(1 runs in/);
  }, 60_000);
});
