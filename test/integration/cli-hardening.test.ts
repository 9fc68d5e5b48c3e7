import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startEmulator } from '../support/emulators.ts';
import { plainPost } from '../support/raw-http.ts';
import { runCommand } from '../support/run-command.ts';
import { BRIDGE_BIN, EMULATOR_BIN, spawnCli } from '../support/spawn-cli.ts';

/**
 * The commands as a newcomer meets them (issue 14, items 5, 10 and 12): a busy port is one line and exit
 * 1; a plain node:http client posting too large a body reads the 413 every time (the server is the
 * command, in its own process, as a user runs it); the terminal shows conversation activity as readable
 * lines; `scenarios --reporter junit|json` writes its report and failed runs' transcripts under --out
 * with progress on stderr. Every wait is for output or an exit.
 */

const TIMEOUT = 60_000;
const KEY = 'cli-hardening-api-key-0123456789';
const EMULATOR_READY = /Genesys Cloud emulator ready at (http:\/\/127\.0\.0\.1:\d+)\n/;
const BRIDGE_READY = /Genesys bridge service ready at (http:\/\/127\.0\.0\.1:\d+)\n/;

const dir = mkdtempSync(join(tmpdir(), 'genesys-cli-hardening-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function busyPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

function bridgeConfig(loginUrl: string, deploymentId: string): string {
  const path = join(dir, `bridge-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `bridge:\n  loginUrl: ${loginUrl}\n  deploymentId: ${deploymentId}\n  channel: webMessaging\nservice:\n  apiKeys:\n    - ${KEY}\n`,
  );
  return path;
}

function expectOneLine(stderr: string, port: number, command: string) {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, stderr).toEqual([
    expect.stringContaining(`${command}: port ${port} on 127.0.0.1 is already in use`),
  ]);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('a port in use', () => {
  it(
    'genesys-emulator start prints one line naming the port and exits 1',
    async () => {
      const port = await busyPort();
      const cli = spawnCli(EMULATOR_BIN, ['start', '--port', String(port)]);
      expect(await cli.exited).toBe(1);
      expectOneLine(cli.stderr(), port, 'genesys-emulator');
      expect(cli.stdout()).toBe('');
    },
    TIMEOUT,
  );

  it(
    'genesys-bridge serve prints one line naming the port and exits 1',
    async () => {
      const port = await busyPort();
      const config = bridgeConfig('http://127.0.0.1:9', '0f8e2d7a-1b2c-4d3e-9f00-123456789abc');
      const cli = spawnCli(BRIDGE_BIN, ['serve', '--config', config, '--port', String(port)]);
      expect(await cli.exited).toBe(1);
      expectOneLine(cli.stderr(), port, 'genesys-bridge');
    },
    TIMEOUT,
  );
});

/** Ten POSTs of `size` bytes, one after another; the statuses or socket errors seen. */
async function tenPosts(url: string, size: number, headers: Record<string, string> = {}) {
  const body = Buffer.alloc(size, 'a');
  const seen: (number | string)[] = [];
  for (let i = 0; i < 10; i++) {
    const result = await plainPost(url, body, headers);
    seen.push(result.status ?? result.error ?? 'nothing');
  }
  return seen;
}

const MB = 1024 * 1024;

describe('a body over the limit, from a plain node:http client', () => {
  it(
    'the emulator command answers 413 ten times out of ten (2 MB and 16 MB), and 415 before the body is read',
    async () => {
      const cli = spawnCli(EMULATOR_BIN, ['start', '--port', '0', '--control-plane']);
      const base = (await cli.waitFor(EMULATOR_READY))[1]!;
      expect(await tenPosts(`${base}/__emulator/fixture`, 2 * MB)).toEqual(Array(10).fill(413));
      expect(await tenPosts(`${base}/__emulator/fixture`, 16 * MB)).toEqual(Array(10).fill(413));
      // Refused by a hook before the body is read (a text body on the control plane): 415 every time too.
      const text = { 'content-type': 'text/plain' };
      expect(await tenPosts(`${base}/__emulator/fixture`, 16 * MB, text)).toEqual(Array(10).fill(415));
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'the bridge command answers 413 ten times out of ten (2 MB and 16 MB), and 401 before the body is read',
    async () => {
      const emulator = await startEmulator({ clock: 'system' });
      const config = bridgeConfig(emulator.url, emulator.fixture.deployments.messenger[0]!.id);
      const cli = spawnCli(BRIDGE_BIN, ['serve', '--config', config, '--port', '0']);
      const base = (await cli.waitFor(BRIDGE_READY))[1]!;
      const auth = { authorization: `Bearer ${KEY}` };
      expect(await tenPosts(`${base}/v1/transfers`, 2 * MB, auth)).toEqual(Array(10).fill(413));
      expect(await tenPosts(`${base}/v1/transfers`, 16 * MB, auth)).toEqual(Array(10).fill(413));
      expect(await tenPosts(`${base}/v1/transfers`, 16 * MB)).toEqual(Array(10).fill(401));
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    },
    TIMEOUT,
  );
});

/** A scripted customer through the control plane: a conversation the terminal can show. */
async function startCustomer(base: string, queueName: string) {
  const res = await fetch(`${base}/__emulator/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ queueName, text: 'hello' }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe('terminal activity', () => {
  it(
    '--log-format pretty prints one readable line per conversation event in emulator time',
    async () => {
      const cli = spawnCli(EMULATOR_BIN, [
        'start',
        '--port',
        '0',
        '--control-plane',
        '--log-format',
        'pretty',
      ]);
      const base = (await cli.waitFor(EMULATOR_READY))[1]!;
      const id = await startCustomer(base, 'General');
      const short = id.slice(0, 8);
      const created = await cli.waitFor(
        new RegExp(`^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) \\[${short}\\] conversation created \\(`, 'm'),
      );
      await cli.waitFor(
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[${short}\\] queued in General \\(`, 'm'),
      );
      // Emulator time: the conversation's own creation time, as the timeline has it.
      const timeline = (await (
        await fetch(`${base}/__emulator/events?type=conversation.created`)
      ).json()) as {
        entities: { time: string }[];
      };
      expect(created[1]).toBe(timeline.entities[0]!.time.slice(11, 23));
      expect(cli.stdout()).not.toMatch(/^\{"level"/m);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'on a pipe the default is JSON: conversation events are pino records at level info, for machines',
    async () => {
      const cli = spawnCli(EMULATOR_BIN, ['start', '--port', '0', '--control-plane', '--log-level', 'info']);
      const base = (await cli.waitFor(EMULATOR_READY))[1]!;
      const id = await startCustomer(base, 'General');
      const line = (await cli.waitFor(/^\{.*"type":"conversation\.created".*\}$/m))[0];
      const record = JSON.parse(line) as { level: number; msg: string; activity: Record<string, unknown> };
      expect(record.level).toBe(30);
      expect(record.msg).toMatch(/^conversation created/);
      expect(record.activity).toMatchObject({ type: 'conversation.created', conversationId: id });
      expect(cli.stdout()).not.toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[/m);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    },
    TIMEOUT,
  );
});

describe('genesys-emulator scenarios reports', () => {
  // One scenario that passes and one that fails, on one channel: two quick runs.
  const scenarios = join(dir, 'scenarios');
  beforeAll(() => {
    mkdirSync(scenarios);
    writeFileSync(
      join(scenarios, 'passes.yaml'),
      'name: Alda goes on queue\nactors:\n  alda: { agent: Alda Moore }\nsteps:\n  - onQueue: alda\n',
    );
    writeFileSync(
      join(scenarios, 'fails.yaml'),
      [
        'name: Fails on purpose',
        'actors:',
        '  pat: { customer: {} }',
        'steps:',
        '  - transfer: { customer: pat, queue: General, message: hi }',
        '  - expectConversation: { customer: pat, ended: true }',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['junit', 'junit.xml'],
    ['json', 'results.json'],
  ])(
    "--reporter %s writes %s and the failed run's transcript under --out, the report on stdout, progress on stderr",
    async (reporter, file) => {
      const out = join(dir, `out-${reporter}`);
      const run = await runCommand(process.execPath, [
        EMULATOR_BIN,
        'scenarios',
        scenarios,
        '--reporter',
        reporter,
        '--out',
        out,
        '--channel',
        'webmessaging',
      ]);
      expect(run.code, run.stderr).toBe(1);
      const report = readFileSync(join(out, file), 'utf8');
      expect(run.stdout).toBe(report);
      if (reporter === 'junit') expect(report).toMatch(/<testsuites tests="2" failures="1"/);
      else
        expect((JSON.parse(report) as { passed: boolean }[]).map((r) => r.passed).sort()).toEqual([
          false,
          true,
        ]);
      const transcript = readFileSync(join(out, 'fails.webmessaging.transcript.txt'), 'utf8');
      expect(transcript).toContain('FAILED at step 2 (expectConversation)');
      expect(existsSync(join(out, 'passes.webmessaging.transcript.txt'))).toBe(false);
      expect(run.stderr).toMatch(/^FAIL Fails on purpose \[webmessaging\]/m);
      expect(run.stderr).toMatch(/^ok {3}Alda goes on queue \[webmessaging\]/m);
      expect(run.stderr).toContain(`${reporter} report: ${join(out, file)}`);
      expect(run.stdout).not.toMatch(/^(FAIL|ok) /m);
    },
    TIMEOUT,
  );

  it(
    'the pretty reporter keeps progress on stdout and the transcript under --out',
    async () => {
      const out = join(dir, 'out-pretty');
      const run = await runCommand(process.execPath, [
        EMULATOR_BIN,
        'scenarios',
        scenarios,
        '--out',
        out,
        '--channel',
        'webmessaging',
      ]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/^FAIL Fails on purpose \[webmessaging\]/m);
      expect(run.stdout).toContain(`full transcript: ${join(out, 'fails.webmessaging.transcript.txt')}`);
      expect(existsSync(join(out, 'fails.webmessaging.transcript.txt'))).toBe(true);
    },
    TIMEOUT,
  );
});
