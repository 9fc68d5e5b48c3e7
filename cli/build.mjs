#!/usr/bin/env node
/**
 * `npm run build` (and `prepack`): what the package ships, in dist/.
 *   1. tsc compiles emulator/, bridge/, scenarios/ and cli/ to JavaScript with .d.ts types, one file per
 *      source (the library entry points in package.json "exports");
 *   2. the files the code reads at run time are copied beside the compiled code (the default org, the
 *      console's pages, the scenario library);
 *   3. esbuild bundles each command (dist/bin/) with its dependencies, split so a command loads only its
 *      own code: one file to load starts about twice as fast as the same code in hundreds of modules.
 * `--bins` does only steps 2-3 (the launchers run it in a checkout when a source is newer than the
 * bundle). Outputs are written beside their targets and renamed into place, so a process that starts
 * while another builds never loads a half-written file.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const binsOnly = process.argv.includes('--bins');

/** What the code reads from disk at run time, relative to the repository (and to dist/). */
const ASSETS = [
  'emulator/config/default-fixture.yaml',
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

function copyAssets() {
  for (const asset of ASSETS) {
    const from = join(root, asset);
    const to = join(dist, asset);
    mkdirSync(dirname(to), { recursive: true });
    const tmp = `${to}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(from, tmp, { recursive: true });
    rmSync(to, { recursive: true, force: true });
    renameSync(tmp, to);
  }
}

async function bundle() {
  const { build } = await import('esbuild');
  const bin = join(dist, 'bin');
  const tmp = join(dist, `.bin-${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  const result = await build({
    entryPoints: {
      'genesys-emulator': join(root, 'cli', 'genesys-emulator.ts'),
      'genesys-bridge': join(root, 'cli', 'genesys-bridge.ts'),
    },
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    metafile: true,
    // Modules that find files next to themselves (the default org, the console's pages) are told where
    // those files are, since in a bundle import.meta.url is the bundle's. CommonJS dependencies inside an
    // ESM bundle still call require().
    banner: {
      js: [
        "import { createRequire as __cr } from 'node:module';",
        "import { fileURLToPath as __fu } from 'node:url';",
        'const require = __cr(import.meta.url);',
        "const __EMULATOR_CONFIG_DIR__ = __fu(new URL('../emulator/config/', import.meta.url));",
        "const __EMULATOR_CONSOLE_DIR__ = __fu(new URL('../emulator/console/', import.meta.url));",
      ].join('\n'),
    },
  });
  mkdirSync(bin, { recursive: true });
  const outputs = Object.keys(result.metafile.outputs).map((o) => relative(tmp, join(root, o)));
  // Chunks first (their names are content hashes, so they never collide), entry points last.
  const entries = ['genesys-emulator.mjs', 'genesys-bridge.mjs'];
  for (const name of [...outputs.filter((o) => !entries.includes(o)), ...entries])
    renameSync(join(tmp, name), join(bin, name));
  rmSync(tmp, { recursive: true, force: true });
  if (!binsOnly) {
    // A full build also removes chunks no entry point uses any more.
    for (const name of readdirSync(bin))
      if (!outputs.includes(name)) rmSync(join(bin, name), { force: true });
  }
  writeFileSync(join(bin, '.built'), `${new Date().toISOString()}\n`);
}

if (!binsOnly) compile();
if (!existsSync(dist)) mkdirSync(dist);
copyAssets();
await bundle();
