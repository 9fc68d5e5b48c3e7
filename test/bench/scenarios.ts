/**
 * Issues 8 and 19: the scenario library as `npm run scenarios` runs it (`node cli/genesys-emulator.mjs
 * scenarios`), timed from spawn to exit, one run at a time (`--jobs 1`) and on the worker pool (`--jobs`
 * left to its default, one per core), alternately in the same run; the runner's own summary line gives
 * the number of runs (scenario x channel).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadAverage, median, now, repoRoot } from './harness.ts';
import { report } from './stats.ts';

const bin = fileURLToPath(new URL('../../cli/genesys-emulator.mjs', import.meta.url));
const library = fileURLToPath(new URL('../../scenarios/library/', import.meta.url));

function runScenarios(jobs: string[]) {
  return new Promise<{ ms: number; code: number | null; out: string }>((resolve, reject) => {
    const start = now();
    // Failed runs' transcripts go to a temp dir, not into the repository.
    const args = ['--import', CPU_AT_EXIT, bin, 'scenarios', '--out', '/tmp/bench-scenario-results', ...jobs];
    const child = spawn(process.execPath, args, {
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

const SUMMARY = /(\d+) passed, (\d+) failed \((\d+) runs in ([\d.]+) s/;

/**
 * Loaded into the command's process ahead of it: at exit it prints the CPU the whole process used (its
 * worker threads included). CPU time moves far less than wall time when the machine is shared, so it
 * is the figure to compare between runs; the command itself is not changed.
 */
const CPU_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const c = process.cpuUsage(); writeSync(2, '\\nbench-cpu-us ' + (c.user + c.system) + '\\n'); });",
)}`;
const CPU = /bench-cpu-us (\d+)/;

export async function scenariosBench(): Promise<void> {
  process.stdout.write(`\n(load average at start: ${loadAverage()})\n`);
  const files = readdirSync(library).filter((f) => /\.ya?ml$/.test(f)).length;
  const modes = { serial: ['--jobs', '1'], pool: [] as string[] };
  const times: Record<keyof typeof modes, number[]> = { serial: [], pool: [] };
  const cpu: Record<keyof typeof modes, number[]> = { serial: [], pool: [] };
  let runs = 0;
  let summaryLine = '';
  for (let round = 0; round < 3; round++) {
    for (const mode of ['serial', 'pool'] as const) {
      const { ms, code, out } = await runScenarios(modes[mode]);
      const summary = SUMMARY.exec(out);
      if (!summary) {
        report('Scenario library', {
          mode,
          'exit code': String(code),
          output: out.trim().split('\n').slice(-5).join(' | '),
        });
        return;
      }
      runs = Number(summary[3]);
      summaryLine = `${summary[1]} passed / ${summary[2]} failed`;
      times[mode].push(ms);
      const used = CPU.exec(out);
      if (used) cpu[mode].push(Number(used[1]) / 1000);
    }
  }
  const serial = median(times.serial);
  const pool = median(times.pool);
  const rate = (ms: number) => (runs / (ms / 1000)).toFixed(1);
  report('Scenario library (node cli/genesys-emulator.mjs scenarios, spawn to exit, median of 3)', {
    'scenario files': files,
    'runs (scenario x channel)': runs,
    'passed / failed (last)': summaryLine,
    '--jobs 1: wall time, runs per second': `${(serial / 1000).toFixed(2)} s, ${rate(serial)} runs/s`,
    [`default --jobs (${availableParallelism()} cores): wall time, runs per second`]: `${(pool / 1000).toFixed(2)} s, ${rate(pool)} runs/s`,
    'pool / serial (rate)': `${(serial / pool).toFixed(2)}x`,
    'scenario files per second (pool, wall)': (files / (pool / 1000)).toFixed(1),
    'CPU of the whole process, --jobs 1 / pool (median)': `${(median(cpu.serial) / 1000).toFixed(2)} s / ${(median(cpu.pool) / 1000).toFixed(2)} s`,
    'CPU per run, --jobs 1 / pool': `${(median(cpu.serial) / runs).toFixed(1)} ms / ${(median(cpu.pool) / runs).toFixed(1)} ms`,
    target: '>= 25 runs/s on 2 cores',
  });
}
