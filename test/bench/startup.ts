import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, report } from './stats.ts';

const bin = fileURLToPath(new URL('../../cli/genesys-emulator.mjs', import.meta.url));

/** Spawns a process and resolves with ms until its stdout shows `ready` (or it exits), plus the process. */
function timeToReady(args: string[], ready: RegExp | null) {
  return new Promise<{ ms: number; rssKb?: number }>((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
    if (!ready) {
      child.on('exit', () => resolve({ ms: elapsed() }));
      return;
    }
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!ready.test(out)) return;
      const ms = elapsed();
      // RSS of the idle emulator, after its start-up garbage has had a moment to settle.
      setTimeout(() => {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
        child.kill('SIGTERM');
        child.on('exit', () => resolve({ ms, rssKb }));
      }, 500);
    });
    child.on('error', reject);
  });
}

export async function startupBench(runs = 5): Promise<void> {
  await timeToReady([bin, 'start', '--port', '0'], /ready at http/); // builds the bundle if stale
  const emulator: number[] = [];
  const bare: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push((await timeToReady(['-e', '0'], null)).ms);
    const r = await timeToReady([bin, 'start', '--port', '0'], /ready at http/);
    emulator.push(r.ms);
    if (r.rssKb) rss.push(r.rssKb);
  }
  report('Start-up (process spawn to the ready line, default fixture)', {
    'emulator median ms': median(emulator).toFixed(0),
    'node -e 0 median ms (same run)': median(bare).toFixed(0),
    ratio: (median(emulator) / median(bare)).toFixed(1),
    'idle RSS MB (median)': (median(rss) / 1024).toFixed(1),
    targets: 'ready < 500 ms, idle RSS < 120 MB',
  });
}
