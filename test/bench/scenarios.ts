/**
 * Issue 8: the scenario library as `npm run scenarios` runs it (`node cli/genesys-emulator.mjs scenarios`), timed
 * from spawn to exit; the runner's own summary line gives the number of runs (scenario x channel).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAverage, now, repoRoot } from './harness.ts';
import { report } from './stats.ts';

const bin = fileURLToPath(new URL('../../cli/genesys-emulator.mjs', import.meta.url));
const library = fileURLToPath(new URL('../../scenarios/library/', import.meta.url));

function runScenarios() {
  return new Promise<{ ms: number; code: number | null; out: string }>((resolve, reject) => {
    const start = now();
    // Failed runs' transcripts go to a temp dir, not into the repository.
    const child = spawn(process.execPath, [bin, 'scenarios', '--out', '/tmp/bench-scenario-results'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: now() - start, code, out }));
  });
}

export async function scenariosBench(): Promise<void> {
  process.stdout.write(`\n(load average at start: ${loadAverage()})\n`);
  const files = readdirSync(library).filter((f) => /\.ya?ml$/.test(f)).length;
  const { ms, code, out } = await runScenarios();
  const summary = /(\d+) passed, (\d+) failed \((\d+) runs in ([\d.]+) s/.exec(out);
  if (!summary) {
    report('Scenario library', {
      'exit code': String(code),
      output: out.trim().split('\n').slice(-5).join(' | '),
    });
    return;
  }
  const runs = Number(summary[3]);
  report('Scenario library (node cli/genesys-emulator.mjs scenarios, spawn to exit)', {
    'scenario files': files,
    'runs (scenario x channel)': runs,
    'passed / failed': `${summary[1]} / ${summary[2]}`,
    'wall time, spawn to exit': `${(ms / 1000).toFixed(2)} s`,
    'runner time (its own figure)': `${summary[4]} s`,
    'start-up (wall - runner; incl. any bundle rebuild)': `${(ms / 1000 - Number(summary[4])).toFixed(2)} s`,
    'scenario runs per second (wall)': (runs / (ms / 1000)).toFixed(1),
    'scenario files per second (wall)': (files / (ms / 1000)).toFixed(1),
  });
}
