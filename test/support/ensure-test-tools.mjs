#!/usr/bin/env node
// `npm test` runs this first. Two test groups drive real programs from Debian's packages, nothing
// mocked: the browser tests (test/browser/) a Chromium through playwright-core, which downloads no
// browser, and the bridge's Redis tests a redis-server (test/support/redis-server.ts). When one is
// missing, a machine that can install it (root, with apt-get: Debian, Ubuntu, the CI image) gets
// Debian's package now; any other stops at once with the one command to run, instead of failing minutes
// later inside the tests.
//
// CHROMIUM_PATH / REDIS_SERVER_PATH point the tests at another binary; then nothing is installed, the
// file only has to exist.

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
export const DEBIAN_REDIS_SERVER = '/usr/bin/redis-server';

/** What each group needs: the Debian package, where it puts the binary, the variable that overrides it. */
export const TOOLS = {
  chromium: {
    needs: 'The browser tests need Chromium',
    pkg: 'chromium',
    debianPath: DEBIAN_CHROMIUM,
    envVar: 'CHROMIUM_PATH',
    elsewhere:
      'CHROMIUM_PATH=/path/to/chromium npm test   (after installing Chromium or Chrome your usual way)',
    binary: 'a Chromium or Chrome binary',
  },
  redis: {
    needs: "The bridge's Redis tests need redis-server",
    pkg: 'redis-server',
    debianPath: DEBIAN_REDIS_SERVER,
    envVar: 'REDIS_SERVER_PATH',
    elsewhere: 'REDIS_SERVER_PATH=/path/to/redis-server npm test   (after installing Redis your usual way)',
    binary: 'a redis-server binary',
  },
};

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
 * What to do about one tool, from the facts: `ok` (it is there), `install` (its Debian package), or
 * `stop` with a message that names the one command the user should run.
 */
export function planTool(tool, { path, present, root, aptGet }) {
  if (present) return { action: 'ok' };
  if (path !== tool.debianPath) {
    return {
      action: 'stop',
      message: `${tool.envVar} is ${path}, which is not an executable file. Point it at ${tool.binary}, or unset it to use Debian's ${tool.debianPath}.`,
    };
  }
  if (root && aptGet) return { action: 'install', pkg: tool.pkg };
  const install = aptGet ? `sudo apt-get install -y ${tool.pkg}` : tool.elsewhere;
  return {
    action: 'stop',
    message: `${tool.needs} at ${tool.debianPath}, and it is not installed. Run:\n\n  ${install}\n\nthen npm test again.`,
  };
}

/** Chromium's plan, with the apt-get commands spelled out (what ensure-test-tools runs for it alone). */
export function planBrowser(facts) {
  const plan = planTool(TOOLS.chromium, facts);
  if (plan.action !== 'install') return plan;
  return {
    action: 'install',
    commands: [
      [facts.aptGet, 'update'],
      [facts.aptGet, 'install', '-y', plan.pkg],
    ],
  };
}

function main(env = process.env) {
  const root = process.getuid?.() === 0;
  const aptGet = onPath('apt-get', env);
  const plans = [
    [TOOLS.chromium, chromiumPath(env)],
    [TOOLS.redis, env.REDIS_SERVER_PATH || DEBIAN_REDIS_SERVER],
  ].map(([tool, path]) => ({
    tool,
    path,
    ...planTool(tool, { path, present: isExecutable(path), root, aptGet }),
  }));
  const stops = plans.filter((p) => p.action === 'stop');
  if (stops.length) {
    process.stderr.write(`${stops.map((p) => p.message).join('\n\n')}\n`);
    return 1;
  }
  const packages = plans.filter((p) => p.action === 'install').map((p) => p.pkg);
  if (!packages.length) return 0;
  process.stderr.write(`Installing Debian's ${packages.join(' and ')} with apt-get for the tests.\n`);
  for (const args of [['update'], ['install', '-y', ...packages]]) {
    const run = spawnSync(aptGet, args, {
      stdio: 'inherit',
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (run.status !== 0) {
      process.stderr.write(
        `\`apt-get ${args.join(' ')}\` failed (${run.error?.message ?? `exit ${run.status}`}). Run apt-get install -y ${packages.join(' ')} yourself, then npm test again.\n`,
      );
      return 1;
    }
  }
  const still = plans.filter((p) => p.action === 'install' && !isExecutable(p.path));
  if (still.length) {
    process.stderr.write(`apt-get ran, but ${still.map((p) => p.path).join(' and ')} is still missing.\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
