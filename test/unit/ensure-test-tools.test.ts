import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEBIAN_CHROMIUM,
  DEBIAN_REDIS_SERVER,
  planBrowser,
  planTool,
  TOOLS,
} from '../support/ensure-test-tools.mjs';

/**
 * `npm test` starts with te../support/ensure-test-tools.mjs: a fresh machine either gets Debian's chromium
 * (root with apt-get) or stops at once with the one command to run, before minutes of build and tests.
 */
const SCRIPT = fileURLToPath(new URL('../support/ensure-test-tools.mjs', import.meta.url));

describe('ensure-test-tools', () => {
  it('does nothing when Chromium is there', () => {
    expect(planBrowser({ path: DEBIAN_CHROMIUM, present: true, root: false, aptGet: undefined })).toEqual({
      action: 'ok',
    });
  });

  it('installs Debian chromium with apt-get when running as root', () => {
    expect(
      planBrowser({ path: DEBIAN_CHROMIUM, present: false, root: true, aptGet: '/usr/bin/apt-get' }),
    ).toEqual({
      action: 'install',
      commands: [
        ['/usr/bin/apt-get', 'update'],
        ['/usr/bin/apt-get', 'install', '-y', 'chromium'],
      ],
    });
  });

  it('stops naming the one command otherwise', () => {
    const notRoot = planBrowser({
      path: DEBIAN_CHROMIUM,
      present: false,
      root: false,
      aptGet: '/usr/bin/apt-get',
    });
    expect(notRoot).toEqual({
      action: 'stop',
      message:
        'The browser tests need Chromium at /usr/bin/chromium, and it is not installed. Run:\n\n  sudo apt-get install -y chromium\n\nthen npm test again.',
    });
    const noApt = planBrowser({ path: DEBIAN_CHROMIUM, present: false, root: true, aptGet: undefined });
    expect(noApt.action).toBe('stop');
    expect((noApt as { message: string }).message).toContain('CHROMIUM_PATH=/path/to/chromium npm test');
  });

  it('runs as a script: quiet when CHROMIUM_PATH is an executable, one clear line when it is not', () => {
    const ok = spawnSync(process.execPath, [SCRIPT], {
      env: { ...process.env, CHROMIUM_PATH: process.execPath, REDIS_SERVER_PATH: process.execPath },
      encoding: 'utf8',
    });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    // A CHROMIUM_PATH that names nothing is never "fixed" by installing Debian's package.
    const wrong = spawnSync(process.execPath, [SCRIPT], {
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', REDIS_SERVER_PATH: process.execPath },
      encoding: 'utf8',
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toBe(
      "CHROMIUM_PATH is /nonexistent/chromium, which is not an executable file. Point it at a Chromium or Chrome binary, or unset it to use Debian's /usr/bin/chromium.\n",
    );
  });

  it('treats redis-server like Chromium: installed with apt-get as root, else the one command, or the wrong REDIS_SERVER_PATH named', () => {
    const facts = { path: DEBIAN_REDIS_SERVER, present: false, aptGet: '/usr/bin/apt-get' };
    expect(planTool(TOOLS.redis, { ...facts, root: true })).toEqual({
      action: 'install',
      pkg: 'redis-server',
    });
    expect(planTool(TOOLS.redis, { ...facts, root: false })).toEqual({
      action: 'stop',
      message:
        "The bridge's Redis tests need redis-server at /usr/bin/redis-server, and it is not installed. Run:\n\n  sudo apt-get install -y redis-server\n\nthen npm test again.",
    });
    const wrong = spawnSync(process.execPath, [SCRIPT], {
      env: {
        ...process.env,
        CHROMIUM_PATH: process.execPath,
        REDIS_SERVER_PATH: '/nonexistent/redis-server',
      },
      encoding: 'utf8',
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toBe(
      "REDIS_SERVER_PATH is /nonexistent/redis-server, which is not an executable file. Point it at a redis-server binary, or unset it to use Debian's /usr/bin/redis-server.\n",
    );
  });
});
