import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { defaultFixture } from '../../emulator/index.ts';
import { expectNoPageErrors, launchChromium, screenshot, trackTransfer, watchErrors } from './chromium.ts';

/**
 * The console as a user meets it: `npm start` (the bundled CLI, no control plane, system clock), the
 * links in the start-up summary, and an agent who signs in and goes on queue. Nothing waits on time:
 * every wait is for a line of output or a DOM state.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY = /Genesys Cloud emulator ready at (http:\/\/127\.0\.0\.1:\d+)\n/;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** `node cli/genesys-emulator.mjs start --port 0`; resolves with the base URL and the output once ready. */
function startCli(): Promise<{ baseUrl: string; stdout: string; stop: () => Promise<number | null> }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [join(ROOT, 'cli', 'genesys-emulator.mjs'), 'start', '--port', '0'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  onTestFinished(async () => {
    await stop();
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = READY.exec(stdout);
      // The summary follows the ready line in the same write; wait for its console links too.
      if (match && stdout.includes('/console/timeline')) resolve({ baseUrl: match[1]!, stdout, stop });
    });
    exited.then((code) => reject(new Error(`the emulator exited (${code}) early:\n${stdout}\n${stderr}`)));
  });
}

describe('the console under npm start', () => {
  it('is linked from the summary and lets an agent sign in and go on queue without the control plane', {
    timeout: 20_000,
  }, async () => {
    const { baseUrl, stdout, stop } = await startCli();
    expect(stdout).toContain(`agent ${baseUrl}/console `);
    expect(stdout).toContain(`customer ${baseUrl}/console/customer`);
    expect(stdout).toContain(`timeline ${baseUrl}/console/timeline`);
    expect((await fetch(`${baseUrl}/__emulator/clock`)).status).toBe(404);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(5_000);
    try {
      // A phone-sized window: the one-column layout must still offer everything.
      const page = await context.newPage();
      const errors = watchErrors(page, 'agent');
      const transferred = trackTransfer(page);
      const agent = defaultFixture().users[0]!;
      await page.goto(`${baseUrl}/console`);
      await page.getByLabel('Agent', { exact: true }).selectOption(agent.id);
      expect((await transferred()).bytes).toBeLessThan(200 * 1024);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Live', { exact: true }).waitFor();
      await page.locator('#routing-status', { hasText: /^OFF_QUEUE$/ }).waitFor();
      await page.getByRole('button', { name: 'Go on queue' }).click();
      await page.locator('#routing-status', { hasText: /^IDLE$/ }).waitFor();
      await page.getByText(/^0 active; capacity \d+ messages, \d+ chats\.$/).waitFor();
      await screenshot(page, 'agent-console-npm-start-narrow');

      // The other pages load and fill in from the same emulator.
      await page.goto(`${baseUrl}/console/customer`);
      await page.getByLabel('Messenger deployment').locator('option').first().waitFor({ state: 'attached' });
      await screenshot(page, 'customer-npm-start-narrow');
      await page.goto(`${baseUrl}/console/timeline`);
      await page.getByText(/events in 0 conversations shown/).waitFor();
      await page.getByLabel('Events outside conversations').check();
      await page.getByText(`${agent.name}: OFF_QUEUE -> IDLE`).waitFor();
      await screenshot(page, 'timeline-npm-start-narrow');
      expectNoPageErrors(errors);
    } finally {
      await context.close();
    }
    expect(await stop()).toBe(0);
  });
});
