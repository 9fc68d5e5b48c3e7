import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/**
 * A command (`cli/genesys-emulator.mjs`, `cli/genesys-bridge.mjs`) run as a user runs it, with its output
 * collected as it comes. Waits are for output or for the process's exit, never for time.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EMULATOR_BIN = join(ROOT, 'cli', 'genesys-emulator.mjs');
export const BRIDGE_BIN = join(ROOT, 'cli', 'genesys-bridge.mjs');

export interface SpawnedCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code (or signal name) once the process has exited and its streams closed. */
  exited: Promise<number | string | null>;
  /**
   * Resolves with the first match of `pattern` in stdout; fails with the output if the process exits
   * first or nothing matches within `withinMs` (20 s).
   */
  waitFor(pattern: RegExp, withinMs?: number): Promise<RegExpExecArray>;
}

export function spawnCli(bin: string, args: string[]): SpawnedCli {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of watchers) check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? signal)),
  );
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const waitFor = (pattern: RegExp, withinMs = 20_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const fail = (why: string) =>
        reject(new Error(`${why} ${pattern}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      // Not a sleep: a failing test shows what was printed instead of a bare timeout.
      const guard = setTimeout(() => fail(`did not print within ${withinMs} ms:`), withinMs);
      const check = () => {
        const match = pattern.exec(stdout);
        if (!match) return;
        clearTimeout(guard);
        watchers.delete(check);
        resolve(match);
      };
      watchers.add(check);
      check();
      void exited.then((code) => {
        clearTimeout(guard);
        fail(`exited (${code}) before printing`);
      });
    });
  return { child, stdout: () => stdout, stderr: () => stderr, exited, waitFor };
}
