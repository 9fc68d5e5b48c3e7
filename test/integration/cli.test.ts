import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { defaultFixture } from '../../emulator/index.ts';
import { basic } from '../support/api.ts';

/**
 * The `genesys-emulator` command as a user runs it (`npm start` is `node cli/genesys-emulator.mjs start`).
 * The first run may build the bundle, hence the generous timeouts; nothing here sleeps: every wait is for
 * a line of output or the process's exit.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'cli', 'genesys-emulator.mjs');
const TIMEOUT = 20_000;
const READY = /Genesys Cloud emulator ready at (http:\/\/127\.0\.0\.1:(\d+))\n/;

const dir = mkdtempSync(join(tmpdir(), 'genesys-emulator-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Cli {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code (or the signal's name) once the process has exited and its streams closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runCli(args: string[]): Cli {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, output: () => ({ stdout, stderr }), exited };
}

/**
 * Waits until stdout satisfies `done`. Fails with the output so far if the process exits first, or shortly
 * before the test's own timeout (so a failure shows what was printed instead of a bare timeout).
 */
function waitForStdout(cli: Cli, done: (stdout: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      const { stdout, stderr } = cli.output();
      reject(new Error(`${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    };
    const guard = setTimeout(() => fail('the expected output did not appear'), TIMEOUT - 2_000);
    const check = () => {
      const { stdout } = cli.output();
      if (!done(stdout)) return;
      clearTimeout(guard);
      cli.child.stdout!.off('data', check);
      resolve(stdout);
    };
    cli.child.stdout!.on('data', check);
    check();
    cli.exited.then(({ code, signal }) => {
      clearTimeout(guard);
      fail(`the emulator exited (${code ?? signal}) before printing what was expected`);
    });
  });
}

/** Waits for the ready line and returns the URL it names. */
async function waitForReady(cli: Cli): Promise<{ baseUrl: string; port: number }> {
  const stdout = await waitForStdout(cli, (out) => READY.test(out));
  const match = READY.exec(stdout)!;
  return { baseUrl: match[1]!, port: Number(match[2]) };
}

async function expectAuthenticationRequired(baseUrl: string) {
  const res = await fetch(`${baseUrl}/api/v2/organizations/me`);
  expect(res.status).toBe(401);
  const body = (await res.json()) as { code: string; contextId: string };
  expect(body.code).toBe('authentication.required');
  expect(res.headers.get('inin-correlation-id')).toBe(body.contextId);
}

async function expectRefused(baseUrl: string) {
  await expect(fetch(`${baseUrl}/api/v2/organizations/me`)).rejects.toThrow();
}

describe('genesys-emulator start', () => {
  it(
    '--port 0 prints the ready line with the real port, then the summary; SIGTERM closes and exits 0',
    async () => {
      const cli = runCli(['start', '--port', '0']);
      const { baseUrl, port } = await waitForReady(cli);
      expect(port).toBeGreaterThan(0);

      // The summary after the ready line names the org, deployments, clients, queues and agents.
      const fx = defaultFixture();
      const expected = [
        fx.org.id,
        ...fx.deployments.webchat.map((d) => d.id),
        ...fx.deployments.messenger.map((d) => d.id),
        ...fx.clients.map((c) => c.id),
        ...fx.queues.map((q) => q.name),
        ...fx.users.map((u) => u.name),
      ];
      const summaryOf = (out: string) => out.slice(READY.exec(out)!.index);
      await waitForStdout(cli, (out) => expected.every((text) => summaryOf(out).includes(text)));

      await expectAuthenticationRequired(baseUrl);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      await expectRefused(baseUrl);
    },
    TIMEOUT,
  );

  it(
    'SIGINT closes and exits 0 too, with keep-alive connections open',
    async () => {
      const cli = runCli(['start', '--port', '0']);
      const { baseUrl } = await waitForReady(cli);
      await expectAuthenticationRequired(baseUrl);
      await expectAuthenticationRequired(baseUrl);
      cli.child.kill('SIGINT');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      await expectRefused(baseUrl);
    },
    TIMEOUT,
  );

  it(
    'loads a valid custom fixture: its org id is in the summary and its client logs in',
    async () => {
      const fixturePath = join(dir, 'custom.yaml');
      writeFileSync(
        fixturePath,
        [
          'org:',
          '  id: org-from-the-cli-test',
          '  name: CLI Test Org',
          'clients:',
          '  - id: cli-client',
          '    secret: cli-secret',
          '    name: CLI Integration',
          'queues:',
          '  - id: cli-queue',
          '    name: CLI Queue',
          '',
        ].join('\n'),
      );
      const cli = runCli(['start', '--port', '0', '--config', fixturePath]);
      const { baseUrl } = await waitForReady(cli);
      await waitForStdout(cli, (out) => out.includes('org-from-the-cli-test') && out.includes('CLI Queue'));

      const login = await fetch(`${baseUrl}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: basic('cli-client', 'cli-secret'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const org = await fetch(`${baseUrl}/api/v2/organizations/me`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(((await org.json()) as { id: string }).id).toBe('org-from-the-cli-test');

      cli.child.kill('SIGTERM');
      expect((await cli.exited).code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'an invalid fixture file stops start-up with a non-zero exit naming the field and its line',
    async () => {
      const fixturePath = join(dir, 'invalid.yaml');
      writeFileSync(
        fixturePath,
        [
          'org:',
          '  id: org-invalid',
          '  name: Invalid Org',
          'queues:',
          '  - id: q1',
          '    name: Only',
          '    alertingTimeoutSeconds: 2',
          '',
        ].join('\n'),
      );
      const cli = runCli(['start', '--port', '0', '--config', fixturePath]);
      const { code } = await cli.exited;
      const { stdout, stderr } = cli.output();
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(stderr).toContain(`${fixturePath}:7 queues[0].alertingTimeoutSeconds`);
      expect(stdout).not.toMatch(READY);
    },
    TIMEOUT,
  );

  it(
    'a fixture file that does not exist stops start-up with a non-zero exit naming the file',
    async () => {
      const missing = join(dir, 'does-not-exist.yaml');
      const cli = runCli(['start', '--port', '0', '--config', missing]);
      const { code } = await cli.exited;
      expect(code).not.toBe(0);
      expect(cli.output().stderr).toContain(missing);
    },
    TIMEOUT,
  );

  it(
    '--port notanumber exits 2 with the usage',
    async () => {
      const cli = runCli(['start', '--port', 'notanumber']);
      const { code } = await cli.exited;
      const { stdout, stderr } = cli.output();
      expect(code).toBe(2);
      expect(stderr).toContain('--port');
      expect(stderr).toContain('Usage: genesys-emulator start');
      expect(stdout).toBe('');
    },
    TIMEOUT,
  );

  it(
    '--help lists every command and exits 0; start --help prints the start options',
    async () => {
      const cli = runCli(['--help']);
      expect((await cli.exited).code).toBe(0);
      expect(cli.output().stdout).toMatch(/Commands:\n\s+start\s.*\n\s+pack\s.*\n\s+scenarios\s/);
      const start = runCli(['start', '--help']);
      expect((await start.exited).code).toBe(0);
      expect(start.output().stdout).toContain('Usage: genesys-emulator start');
      expect(start.output().stdout).toContain('--control-plane');
    },
    TIMEOUT,
  );

  it(
    '--version prints the package version; an unknown command is a usage error',
    async () => {
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const cli = runCli(['--version']);
      expect((await cli.exited).code).toBe(0);
      expect(cli.output().stdout).toBe(`${version}\n`);
      const wrong = runCli(['strat']);
      expect((await wrong.exited).code).toBe(2);
      expect(wrong.output().stderr).toContain('unknown command "strat"');
    },
    TIMEOUT,
  );
});
