import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The commands' launcher (cli/launch.mjs) as an installed package has it: the built bundle and no
 * TypeScript sources. Start-up is measured against `node -e 0` (issue 19), so the launcher must not
 * load what only a checkout's rebuild needs.
 */
const cli = join(import.meta.dirname, '..', '..', 'cli');
let work = '';

afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('the launcher in an installed package', () => {
  it('runs the bundle with its arguments and exit code, without loading node:child_process', () => {
    work = mkdtempSync(join(tmpdir(), 'launcher-installed-'));
    mkdirSync(join(work, 'cli'));
    mkdirSync(join(work, 'dist', 'bin'), { recursive: true });
    for (const file of ['launch.mjs', 'ensure-fresh.mjs', 'run-bundle.mjs'])
      copyFileSync(join(cli, file), join(work, 'cli', file));
    // A bundle that reports which built-in modules this process has loaded by the time it runs.
    writeFileSync(
      join(work, 'dist', 'bin', 'probe.cjs'),
      `exports.main = async (argv) => {
        const loaded = process.moduleLoadList.filter((m) => m.startsWith('NativeModule '));
        process.stdout.write(JSON.stringify({ argv, loaded }));
        return 3;
      };\n`,
    );
    // The command file, as cli/genesys-emulator.mjs is.
    const command = join(work, 'cli', 'probe.mjs');
    writeFileSync(command, "import { launch } from './launch.mjs';\n\nawait launch('probe');\n");
    const child = spawnSync(process.execPath, [command, 'start', '--port', '0'], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(3);
    const { argv, loaded } = JSON.parse(child.stdout) as { argv: string[]; loaded: string[] };
    expect(argv).toEqual(['start', '--port', '0']);
    expect(loaded).toContain('NativeModule vm');
    expect(loaded.filter((m) => m.includes('child_process'))).toEqual([]);
  });
});
