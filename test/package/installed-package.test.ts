import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, runCommand } from '../support/run-command.ts';

/**
 * The package as a user gets it: `npm pack` (which builds through prepack), installed from the tarball
 * into an empty project outside the repository, where a test written as a user writes it (consumer/)
 * type-checks against the shipped .d.ts files and passes with that project's own vitest, and the
 * installed command starts. Figures land in test/artifacts/package/figures.json.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const consumer = fileURLToPath(new URL('./consumer', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'genesys-emulator-consumer-'));
const project = join(work, 'project');
const figures: Record<string, unknown> = {};

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  const out = join(root, 'test', 'artifacts', 'package');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
});

const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  runCommand(command, args, { cwd, env });
const show = describeRun;
const ourVersion = (name: string) =>
  (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    }
  ).devDependencies[name]!;

let tarball = '';

describe('the installed package', () => {
  it('packs into a tarball of built JavaScript, types and the command launchers only', async () => {
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], root);
    expect(packed.code, show(packed)).toBe(0);
    // npm prints the lifecycle scripts' banners before the JSON report.
    const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n'))) as {
      filename: string;
      size: number;
      unpackedSize: number;
      entryCount: number;
      files: { path: string }[];
    }[];
    const info = report[0]!;
    tarball = join(work, info.filename);
    const paths = info.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'cli/genesys-emulator.mjs',
      'cli/genesys-bridge.mjs',
      'dist/bin/genesys-emulator.cjs',
      'dist/bin/genesys-bridge.cjs',
      'cli/run-bundle.mjs',
      'cli/launch.mjs',
      'dist/emulator/index.js',
      'dist/emulator/index.d.ts',
      'dist/emulator/testing/index.js',
      'dist/bridge/public.js',
      'dist/scenarios/index.js',
      'dist/emulator/config/default-fixture.yaml',
      'dist/emulator/console/assets/agent.html',
    ])
      expect(paths).toContain(needed);
    // Nothing that runs only here: no TypeScript sources, tests, contracts or tool configuration.
    expect(paths.filter((p) => /\.ts$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((p) => /^(test|contracts|node_modules)\//.test(p) || /\.v8cache$/.test(p))).toEqual(
      [],
    );
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg['private']).toBeUndefined();
    figures['tarball'] = { bytes: info.size, unpackedBytes: info.unpackedSize, files: info.entryCount };
  });

  it('installs into an empty project, where a user-written test type-checks and passes', async () => {
    expect(tarball, 'the pack test runs first').not.toBe('');
    mkdirSync(project);
    for (const file of ['package.json', 'tsconfig.json', 'handoff.test.ts'])
      copyFileSync(join(consumer, file), join(project, file));
    const started = performance.now();
    const installed = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `vitest@${ourVersion('vitest')}`],
      project,
    );
    expect(installed.code, show(installed)).toBe(0);
    const installMs = performance.now() - started;
    // The shipped .d.ts files are enough for a strict TypeScript project.
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const typed = await run(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], project);
    expect(typed.code, show(typed)).toBe(0);
    const tested = await run(
      process.execPath,
      [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run'],
      project,
      {
        CI: 'true',
      },
    );
    expect(tested.code, show(tested)).toBe(0);
    expect(tested.stdout).toMatch(/Tests\s+.*1 passed/);
    figures['installToPassingTestMs'] = Math.round(performance.now() - started);
    figures['installMs'] = Math.round(installMs);
  });

  it('npx genesys-emulator start --port 0 prints the ready line from the installed package', async () => {
    expect(tarball, 'the install test runs first').not.toBe('');
    // npx runs the command in a process of its own: stop the whole group at the end.
    const child = spawn('npx', ['--no-install', 'genesys-emulator', 'start', '--port', '0'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const ready = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /Genesys Cloud emulator ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('close', (code) => reject(new Error(`exited ${code} before the ready line\n${out}\n${err}`)));
    });
    const token = await fetch(`${ready}/api/v2/organizations/me`);
    expect(token.status).toBe(401);
    const exited = new Promise((resolve) => child.on('close', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    const version = await run('npx', ['--no-install', 'genesys-emulator', '--version'], project);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});
