import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report } from './stats.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const checkoutBin = join(root, 'cli', 'genesys-emulator.mjs');

/** Spawns a process and resolves with ms until its stdout shows `ready` (or it exits), plus its RSS. */
function timeToReady(args: string[], ready: RegExp | null, settleMs = 0) {
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
      // RSS of the idle emulator after its start-up garbage has settled (and, with settleMs >= 1.5 s,
      // after the launcher saved V8's code cache for the next start).
      setTimeout(() => {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
        child.kill('SIGTERM');
        child.on('exit', () => resolve({ ms, rssKb }));
      }, settleMs);
    });
    child.on('error', reject);
  });
}

/** The package as a user installs it: packed, then installed into an empty project. */
function installPackage(): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), 'genesys-emulator-bench-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
    }).replace(/^[^[]*/, ''),
  ) as { filename: string }[];
  writeFileSync(join(dir, 'package.json'), '{"name":"bench-consumer","private":true,"type":"module"}\n');
  copyFileSync(join(root, 'README.md'), join(dir, 'README.md'));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, packed[0]!.filename)],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
  return { dir, bin: join(dir, 'node_modules', 'genesys-cloud-emulator', 'cli', 'genesys-emulator.mjs') };
}

const READY = /ready at http/;

export async function startupBench(runs = 7): Promise<void> {
  const installed = installPackage();
  try {
    // The first start of each compiles and saves V8's code cache; that cold start is measured apart.
    const cold = await timeToReady([installed.bin, 'start', '--port', '0'], READY, 2000);
    await timeToReady([checkoutBin, 'start', '--port', '0'], READY, 2000);
    const bare: number[] = [];
    const installedMs: number[] = [];
    const checkoutMs: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push((await timeToReady(['-e', '0'], null)).ms);
      const r = await timeToReady([installed.bin, 'start', '--port', '0'], READY, 300);
      installedMs.push(r.ms);
      if (r.rssKb) rss.push(r.rssKb);
      checkoutMs.push((await timeToReady([checkoutBin, 'start', '--port', '0'], READY)).ms);
    }
    report('Start-up (process spawn to the ready line, default fixture)', {
      'installed CLI median ms': median(installedMs).toFixed(0),
      'installed CLI, first start (cold code cache) ms': cold.ms.toFixed(0),
      'checkout CLI (npm start) median ms': median(checkoutMs).toFixed(0),
      'node -e 0 median ms (same run)': median(bare).toFixed(0),
      'ratio installed / node -e 0': (median(installedMs) / median(bare)).toFixed(2),
      'idle RSS MB (median)': (median(rss) / 1024).toFixed(1),
      targets: 'installed CLI within 3x node -e 0; idle RSS < 120 MB',
    });
  } finally {
    rmSync(installed.dir, { recursive: true, force: true });
  }
}
