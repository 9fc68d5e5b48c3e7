#!/usr/bin/env node
/**
 * `npm run build` (and `prepack`): what the package ships, in dist/.
 *   1. tsc compiles emulator/, bridge/, scenarios/ and cli/ to JavaScript with .d.ts types, one file per
 *      source (the library entry points in package.json "exports");
 *   2. the files the code reads at run time are copied beside the compiled code (the default org, the
 *      console's pages, the scenario library);
 *   3. esbuild bundles each command (dist/bin/) with its dependencies into one script: loading one
 *      file starts about twice as fast as the same code in hundreds of modules, and a script's compiled
 *      code can be cached between runs (cli/run-bundle.mjs).
 * `--bins` does only steps 2-3 (the launchers run it in a checkout when a source is newer than the
 * bundle). Outputs are written beside their targets and renamed into place, so a process that starts
 * while another builds never loads a half-written file.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const binsOnly = process.argv.includes('--bins');

/** What the code reads from disk at run time, relative to the repository (and to dist/). */
const ASSETS = [
  'emulator/config/default-fixture.yaml',
  'emulator/config/default-fixture.json',
  'emulator/config/flows',
  'emulator/console/assets',
  'scenarios/library',
  'scenarios/fixtures',
  'scenarios/scenario.schema.json',
];

function compile() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'cli', 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error('tsc failed (see above)');
}

/** Copies a file or folder file by file, each renamed into place (a reader never sees half a file). */
function copyInto(from, to) {
  if (statSync(from).isDirectory()) {
    for (const name of readdirSync(from)) copyInto(join(from, name), join(to, name));
    return;
  }
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

function copyAssets() {
  for (const asset of ASSETS) copyInto(join(root, asset), join(dist, asset));
}

async function bundle() {
  const { build } = await import('esbuild');
  const bin = join(dist, 'bin');
  const tmp = join(dist, `.bin-${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  await build({
    entryPoints: {
      'genesys-emulator': join(root, 'cli', 'genesys-emulator.ts'),
      'genesys-bridge': join(root, 'cli', 'genesys-bridge.ts'),
    },
    outdir: tmp,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    minify: true,
    platform: 'node',
    // CommonJS, because Node 20 can keep compiled code between runs only for scripts (vm.Script's
    // cachedData, see cli/run-bundle.mjs), not for ES modules; a warm start then skips compiling.
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    // Modules that find files next to themselves (the default org, the console's pages) are told where
    // those files are, since in a bundle import.meta.url would be the bundle's.
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: {
      js: [
        "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
        "const __EMULATOR_CONFIG_DIR__ = require('node:path').join(__dirname, '..', 'emulator', 'config');",
        "const __EMULATOR_CONSOLE_DIR__ = require('node:path').join(__dirname, '..', 'emulator', 'console');",
      ].join('\n'),
    },
  });
  mkdirSync(bin, { recursive: true });
  for (const name of ['genesys-emulator.cjs', 'genesys-bridge.cjs'])
    renameSync(join(tmp, name), join(bin, name));
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(join(bin, '.built'), `${new Date().toISOString()}\n`);
}

// A full build starts from nothing, so dist/ holds exactly what the sources make today.
if (!binsOnly) {
  rmSync(dist, { recursive: true, force: true });
  compile();
}
if (!existsSync(dist)) mkdirSync(dist);
copyAssets();
await bundle();
