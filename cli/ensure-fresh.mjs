/**
 * In a checkout (the TypeScript sources are here), rebuilds the command bundles when a source, an asset
 * or the lockfile is newer than them, as `npm start` has always done; an installed package ships only
 * the built files, so there is nothing to check and nothing here runs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

export function ensureFresh() {
  if (!existsSync(join(root, 'emulator', 'app.ts'))) return;
  let built = 0;
  try {
    built = statSync(join(root, 'dist', 'bin', '.built')).mtimeMs;
  } catch {
    /* never built */
  }
  const sources = ['emulator', 'bridge', 'scenarios', 'cli', 'package-lock.json'].map((p) => join(root, p));
  if (built >= Math.max(...sources.map(newest))) return;
  // Loaded only to rebuild: an installed package (or a checkout whose bundles are fresh) never needs
  // node:child_process, and loading it costs every start about a millisecond.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process');
  const run = spawnSync(process.execPath, [join(root, 'cli', 'build.mjs'), '--bins'], { stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write('could not build the command bundles from the sources (see above)\n');
    process.exit(1);
  }
}
