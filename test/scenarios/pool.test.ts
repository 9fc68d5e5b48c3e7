import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarios, runScenarios, type ScenarioResult } from '../../scenarios/index.ts';
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
