import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real redis-server (Debian's package) for the tests of the bridge's Redis store: one per test file, on a
 * free port of 127.0.0.1, with its files in a temporary directory. Nothing is mocked. It persists with an
 * append-only file synced on every write, so stop() then start() is a Redis restart that keeps the data,
 * as a production server configured for the bridge does. A machine without redis-server fails the test with
 * the command that installs it (never a skip: the Redis store would go untested).
 */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
export const INSTALL_HINT = 'apt-get install -y redis-server';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Whether the server is running now. */
  readonly running: boolean;
  /** Stops the server (SIGTERM: it writes its data and exits); clients see the connection go. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory, with the data it had. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(
      `redis-server is not installed (looked for ${REDIS_SERVER}): install it with \`${INSTALL_HINT}\` (Debian), or set REDIS_SERVER_PATH`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bridge-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    if (child) return;
    const proc = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--protected-mode',
        'no',
        '--logfile',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      proc.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)),
      );
      proc.once('error', reject);
    });
    // Output is no longer needed; keep the pipes drained so the server never blocks on them.
    proc.stdout?.resume();
    proc.stderr?.resume();
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    proc.kill('SIGTERM');
    await exited;
  };

  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  await start();

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get running() {
      return child !== undefined;
    },
    stop,
    start,
    close: async () => {
      await stop();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on now (the OS picks it; redis-server takes it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
