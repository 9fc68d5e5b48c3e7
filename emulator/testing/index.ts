/**
 * `genesys-cloud-emulator/testing`: an emulator per test file for any test runner (vitest, jest, mocha,
 * node:test), started before the file's tests and closed after them.
 */
import { startEmulator } from '../handle/start.ts';
import type { EmulatorHandle, StartEmulatorOptions } from '../handle/types.ts';

type Hook = (fn: () => Promise<void> | void) => void;

/** The runner's lifecycle hooks; jest, mocha and vitest (with `globals`) have them as globals. */
export interface TestHooks {
  beforeAll: Hook;
  afterAll: Hook;
  /** Needed only with `resetBetweenTests`. */
  beforeEach?: Hook;
}

export interface UseGenesysEmulatorOptions extends StartEmulatorOptions {
  /** Back to the loaded org before every test (conversations, tokens, sessions gone). */
  resetBetweenTests?: boolean;
  /**
   * The hooks to register with; by default the global ones (`beforeAll`/`afterAll`, or mocha's
   * `before`/`after`). With vitest without globals, pass `{ beforeAll, afterAll }` from 'vitest'.
   */
  hooks?: TestHooks;
}

function globalHooks(): TestHooks | undefined {
  const g = globalThis as Record<string, unknown>;
  const beforeAll = (g['beforeAll'] ?? g['before']) as Hook | undefined;
  const afterAll = (g['afterAll'] ?? g['after']) as Hook | undefined;
  if (typeof beforeAll !== 'function' || typeof afterAll !== 'function') return undefined;
  const beforeEach = g['beforeEach'] as Hook | undefined;
  return { beforeAll, afterAll, ...(typeof beforeEach === 'function' ? { beforeEach } : {}) };
}

/**
 * Registers hooks that start an emulator before the file's tests and close it after them, and returns
 * its handle at once: use it inside tests and hooks (reading it before the emulator started throws).
 */
export function useGenesysEmulator(options: UseGenesysEmulatorOptions = {}): EmulatorHandle {
  const { resetBetweenTests, hooks: given, ...startOptions } = options;
  const hooks = given ?? globalHooks();
  if (!hooks)
    throw new Error(
      'useGenesysEmulator found no beforeAll/afterAll globals: pass them, e.g. useGenesysEmulator({ hooks: { beforeAll, afterAll } })',
    );
  let current: EmulatorHandle | undefined;
  hooks.beforeAll(async () => {
    current = await startEmulator(startOptions);
  });
  hooks.afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  if (resetBetweenTests) {
    if (!hooks.beforeEach) throw new Error('resetBetweenTests needs a beforeEach hook: pass it in hooks');
    hooks.beforeEach(async () => {
      await current?.reset();
    });
  }
  return new Proxy({} as EmulatorHandle, {
    get(_target, property) {
      // Not a promise: awaiting the handle must not look for a `then`.
      if (property === 'then') return undefined;
      if (!current)
        throw new Error(
          'the emulator starts in beforeAll: use the handle inside a test or a hook, not at import time',
        );
      const value = Reflect.get(current, property, current) as unknown;
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}

/** Starts an emulator, runs `fn` with it, and closes it whatever happens (for a single test). */
export async function withEmulator<T>(
  fn: (emulator: EmulatorHandle) => Promise<T>,
  options: StartEmulatorOptions = {},
): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

export type { EmulatorHandle, StartEmulatorOptions };
export { startEmulator };
