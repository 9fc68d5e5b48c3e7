/**
 * Runs a command bundle (dist/bin/*.cjs) with V8's code cache: the first run that lives a while saves
 * the compiled code, and later runs load it instead of compiling about 1.5 MB of JavaScript again (a
 * third of the start-up time). Node 20 offers this for scripts only, hence CommonJS bundles run through
 * vm.Script. The cache is keyed by the bundle's size and time and by Node's version, and V8 itself
 * refuses data that does not match the source, so a stale cache costs a compile, never a wrong run.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

/** How long a run must last before it is worth caching (a --version run compiles too little). */
const WORTH_CACHING_MS = 300;

function cacheKey(file) {
  const { size, mtimeMs } = statSync(file);
  return `${basename(file)}-${size}-${Math.floor(mtimeMs)}-${process.version}-${process.arch}.v8cache`;
}

export function loadBundle(file) {
  const key = cacheKey(file);
  // Beside the bundle when the package folder is writable, else in the temp folder.
  const dirs = [join(dirname(file), '.v8-cache'), join(tmpdir(), 'genesys-cloud-emulator-v8-cache')];
  let cachedData;
  for (const dir of dirs) {
    try {
      cachedData = readFileSync(join(dir, key));
      break;
    } catch {
      /* not cached there */
    }
  }
  const source = readFileSync(file, 'utf8');
  // The wrapper keeps line numbers: stack traces point at the bundle's own lines.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) saveLater(script, dirs, key);
  return module.exports;
}

function saveLater(script, dirs, key) {
  const loaded = performance.now();
  let saved = false;
  const save = () => {
    if (saved) return;
    saved = true;
    const data = script.createCachedData();
    for (const dir of dirs) {
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = join(dir, `${key}.${process.pid}.tmp`);
        writeFileSync(tmp, data);
        renameSync(tmp, join(dir, key));
        if (dir === dirs[0]) dropStale(dir, key);
        return;
      } catch {
        /* not writable: try the next place */
      }
    }
  };
  // A long-running command saves once its start-up code has run; a short one when it exits.
  setTimeout(save, 1500).unref();
  process.once('exit', () => {
    if (performance.now() - loaded > WORTH_CACHING_MS) save();
  });
}

/**
 * The folder beside a bundle serves that bundle only: a cache saved for an earlier build of it (another
 * size or time) or another Node can never be used again, and each is about 2 MB, so a rebuilt checkout
 * would collect them. The shared temp folder is left alone: other installed versions use it too.
 */
function dropStale(dir, key) {
  const bundle = key.slice(0, key.indexOf('.cjs-') + 4);
  try {
    for (const name of readdirSync(dir)) {
      if (name !== key && name.startsWith(`${bundle}-`) && name.endsWith('.v8cache'))
        rmSync(join(dir, name), { force: true });
    }
  } catch {
    /* another process pruned it first */
  }
}
