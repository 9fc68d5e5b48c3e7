#!/usr/bin/env node
// `npm test` runs this first: the browser tests (test/browser/) drive a real Chromium through
// playwright-core, which downloads no browser. When Chromium is missing, a machine that can install it
// (root, with apt-get: Debian, Ubuntu, the CI image) gets Debian's package now; any other stops at once
// with the one command to run, instead of failing minutes later inside the browser tests.
//
// CHROMIUM_PATH points the tests (test/browser/chromium.ts) at another Chromium or Chrome binary; then
// nothing is installed, the file only has to exist.

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests look for Chromium. */
export function chromiumPath(env = process.env) {
  return env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
}

export function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on the PATH, or undefined. */
export function onPath(name, env = process.env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * What to do, from the facts: `ok` (Chromium is there), `install` (the commands to run, in order), or
 * `stop` with a message that names the one command the user should run.
 */
export function planBrowser({ path, present, root, aptGet }) {
  if (present) return { action: 'ok' };
  if (path !== DEBIAN_CHROMIUM) {
    return {
      action: 'stop',
      message: `CHROMIUM_PATH is ${path}, which is not an executable file. Point it at a Chromium or Chrome binary, or unset it to use Debian's ${DEBIAN_CHROMIUM}.`,
    };
  }
  if (root && aptGet) {
    return {
      action: 'install',
      commands: [
        [aptGet, 'update'],
        [aptGet, 'install', '-y', 'chromium'],
      ],
    };
  }
  const install = aptGet
    ? 'sudo apt-get install -y chromium'
    : 'CHROMIUM_PATH=/path/to/chromium npm test   (after installing Chromium or Chrome your usual way)';
  return {
    action: 'stop',
    message: `The browser tests need Chromium at ${DEBIAN_CHROMIUM}, and it is not installed. Run:\n\n  ${install}\n\nthen npm test again.`,
  };
}

function main() {
  const path = chromiumPath();
  const plan = planBrowser({
    path,
    present: isExecutable(path),
    root: process.getuid?.() === 0,
    aptGet: onPath('apt-get'),
  });
  if (plan.action === 'ok') return 0;
  if (plan.action === 'stop') {
    process.stderr.write(`${plan.message}\n`);
    return 1;
  }
  process.stderr.write(
    `The browser tests need Chromium at ${path}: installing Debian's chromium with apt-get.\n`,
  );
  for (const [command, ...args] of plan.commands) {
    const run = spawnSync(command, args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (run.status !== 0) {
      process.stderr.write(
        `\`${[command, ...args].join(' ')}\` failed (${run.error?.message ?? `exit ${run.status}`}). Run apt-get install -y chromium yourself, then npm test again.\n`,
      );
      return 1;
    }
  }
  if (!isExecutable(path)) {
    process.stderr.write(`apt-get installed chromium, but ${path} is still missing.\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
