import { onTestFinished } from 'vitest';
import {
  type EmulatorHandle,
  type StartEmulatorOptions,
  startEmulator as startPublicEmulator,
} from '../../emulator/index.ts';
import { openEmulators } from './open-emulators.ts';

/** A test's emulator is the package's public handle (`genesys-cloud-emulator`), as a user gets it. */
export type TestEmulator = EmulatorHandle;

/**
 * What the shared helpers (logins, guests, SDKs) need of an emulator: the public handle has it, and so
 * has the white-box emulator of the few tests that must read internal state (white-box.ts).
 */
export type EmulatorDoors = Pick<EmulatorHandle, 'url' | 'wsUrl' | 'port' | 'fixture' | 'inject'>;

export const TEST_DEFAULTS = {
  controlPlane: true,
  clock: 'manual',
  seed: 42,
  logLevel: 'silent',
} as const satisfies StartEmulatorOptions;

/**
 * Tracks an emulator until it is closed (by the test, by the test's end, or by leak-check.ts). Inside a
 * test it closes when the test ends; started in beforeAll, the caller closes it in afterAll.
 */
export function tracked<T extends { close(): Promise<void> }>(emulator: T, startedAt: string): T {
  openEmulators.set(emulator, startedAt);
  const close = emulator.close.bind(emulator);
  emulator.close = async () => {
    openEmulators.delete(emulator);
    await close();
  };
  try {
    onTestFinished(() => emulator.close());
  } catch {
    /* not inside a test */
  }
  return emulator;
}

/** Where the test that starts an emulator called the helper, for the leak report. */
export function callerStack(): string {
  return new Error('emulator started here').stack?.split('\n').slice(3, 6).join('\n') ?? '';
}

/** The public handle listening on 127.0.0.1 port 0: manual clock, control plane on, seeded ids, no logs. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<TestEmulator> {
  const where = callerStack();
  return tracked(await startPublicEmulator({ ...TEST_DEFAULTS, ...options }), where);
}

/**
 * For tests that only use `emulator.inject()` (no socket): the same listening handle, since inject
 * works on it too.
 */
export function injectableEmulator(options: StartEmulatorOptions = {}): Promise<TestEmulator> {
  return startEmulator(options);
}
