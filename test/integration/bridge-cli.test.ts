import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';

/**
 * The `genesys-bridge` command as a user runs it (`node cli/genesys-bridge.mjs`), in front of a listening
 * emulator: the ready line, a transfer over its API, and SIGTERM ending that session in Genesys before a
 * clean exit. Nothing sleeps: every wait is for output, an emulator event or the process's exit.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'cli', 'genesys-bridge.mjs');
const KEY = 'cli-api-key-0123456789';
const READY = /Genesys bridge service ready at (http:\/\/127\.0\.0\.1:\d+)\n/;
const TIMEOUT = 30_000;

const dir = mkdtempSync(join(tmpdir(), 'genesys-bridge-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  /** Resolves with the ready line's URL, or fails with the output if the process exits first. */
  const ready = new Promise<string>((resolve, reject) => {
    const check = () => {
      const url = READY.exec(out.stdout)?.[1];
      if (url) resolve(url);
    };
    child.stdout!.on('data', check);
    void exited.then((code) =>
      reject(new Error(`exited ${code} before the ready line:\n${out.stdout}\n${out.stderr}`)),
    );
  });
  // Tests that expect an early exit never wait for the ready line.
  ready.catch(() => {});
  return { child, out, exited, ready };
}

function configFile(emulator: TestEmulator, apiKey = KEY): string {
  const path = join(dir, `bridge-${emulator.port}-${apiKey.length}.yaml`);
  writeFileSync(
    path,
    `bridge:
  loginUrl: ${emulator.url}
  deploymentId: ${emulator.fixture.deployments.messenger[0]!.id}
  channel: webMessaging
service:
  apiKeys:
    - ${apiKey}
`,
  );
  return path;
}

describe('genesys-bridge serve', () => {
  it('prints the ready line, takes a transfer, and on SIGTERM ends the session in Genesys and exits 0', {
    timeout: TIMEOUT,
  }, async () => {
    const emulator = await startEmulator();
    const cli = run(['serve', '--config', configFile(emulator), '--port', '0']);
    const url = await cli.ready;
    expect(cli.out.stdout).toContain('channel: webMessaging');

    const created = await fetch(`${url}/v1/transfers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        'idempotency-key': 'cli-1',
      },
      body: JSON.stringify({ botConversationId: 'bot-1', customer: { id: 'C-1' }, initialMessage: 'hello' }),
    });
    expect(created.status).toBe(201);
    const conversation = emulator.events.list({}).find((e) => e.type === 'conversation.created');
    expect(conversation?.conversationId).toBeDefined();

    const ended = new Promise<void>((resolve) => {
      const stop = emulator.events.subscribe((e) => {
        if (e.type === 'conversation.ended' && e.conversationId === conversation?.conversationId) {
          stop();
          resolve();
        }
      });
    });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // The bridge left the conversation before exiting (Presence Clear), so Genesys ended it.
    await ended;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('exits 1 naming the bad setting and its line', { timeout: TIMEOUT }, async () => {
    const emulator = await startEmulator();
    const cli = run(['serve', '--config', configFile(emulator, 'short'), '--port', '0']);
    expect(await cli.exited).toBe(1);
    expect(cli.out.stderr).toMatch(
      /bridge-\d+-5\.yaml:7 service\.apiKeys\.0: each API key must be at least 16 characters/,
    );
    expect(cli.out.stdout).toBe('');
  });
});
