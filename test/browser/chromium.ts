import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Browser tests drive Debian's chromium with playwright-core, which downloads no browser; `npm test`
 * installs it first when it can (test/support/ensure-test-tools.mjs). CHROMIUM_PATH names another Chromium
 * or Chrome. Flags as in docs: no sandbox (root in a container), and nothing that phones home.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'console');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run \`node test/support/ensure-test-tools.mjs\` (npm test does) to install it or be told how.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Collects what a page reports as going wrong (uncaught errors, console errors such as failed loads),
 * so a test can end with `expectNoPageErrors` and a broken script cannot pass unnoticed.
 */
export function watchErrors(page: Page, name: string): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${name} console: ${message.text()}`);
  });
  return problems;
}

export function expectNoPageErrors(...lists: string[][]): void {
  expect(lists.flat()).toEqual([]);
}

/** A full-page screenshot under test/artifacts/console/ (gitignored), kept for a reader of the run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Bytes on the wire (headers and bodies) of every response a page received so far. */
export function trackTransfer(page: Page): () => Promise<{ bytes: number; responses: number }> {
  const done: Promise<number>[] = [];
  page.on('requestfinished', (request) => {
    done.push(request.sizes().then((s) => s.responseHeadersSize + s.responseBodySize));
  });
  return async () => {
    const sizes = await Promise.all(done);
    return { bytes: sizes.reduce((a, b) => a + b, 0), responses: sizes.length };
  };
}
