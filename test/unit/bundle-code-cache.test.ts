import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * cli/run-bundle.mjs keeps V8's code cache of a command bundle beside it (.v8-cache/). Each build of the
 * bundle (another size or time) and each Node version has its own cache file; the stale ones are
 * dropped when a new one is saved, so a checkout that is rebuilt again and again does not collect them.
 */
const loader = pathToFileURL(join(import.meta.dirname, '..', '..', 'cli', 'run-bundle.mjs')).href;
let work = '';

afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Runs a bundle through the loader in a child that lives long enough for its cache to be saved. */
function runBundle(bundle: string) {
  // The loader saves a cache at exit only for runs that lasted a while (a --version run is not worth it).
  const code = `import(${JSON.stringify(loader)}).then(({ loadBundle }) => { loadBundle(${JSON.stringify(bundle)}); const until = performance.now() + 400; while (performance.now() < until); });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
}

describe('the code cache beside a bundle', () => {
  it('is saved for the bundle as built, and the stale caches of that bundle go; others stay', () => {
    work = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
    const bundle = join(work, 'genesys-emulator.cjs');
    writeFileSync(bundle, 'module.exports = { answer: 42 };\n');
    const cacheDir = join(work, '.v8-cache');
    mkdirSync(cacheDir);
    const stale = [
      `genesys-emulator.cjs-1-1-${process.version}-${process.arch}.v8cache`,
      'genesys-emulator.cjs-33-1796304347981-v18.0.0-x64.v8cache',
    ];
    const kept = ['genesys-bridge.cjs-1-1-v20.0.0-x64.v8cache', 'notes.txt'];
    for (const name of [...stale, ...kept]) writeFileSync(join(cacheDir, name), 'x');

    runBundle(bundle);

    const names = readdirSync(cacheDir).sort();
    const current = names.filter((n) => n.startsWith('genesys-emulator.cjs-'));
    expect(current).toHaveLength(1);
    expect(current[0]).toMatch(
      new RegExp(
        `^genesys-emulator\\.cjs-${statSync(bundle).size}-\\d+-${process.version}-${process.arch}\\.v8cache$`,
      ),
    );
    expect(names).toEqual([...kept, current[0]].sort());
  });
});
