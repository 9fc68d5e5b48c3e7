import { onTestFinished } from 'vitest';
import { buildEmulator, type Emulator } from '../../emulator/app.ts';
import type { EmulatorOptionsInput } from '../../emulator/config/options.ts';
import { ManualClock } from '../../emulator/domain/clock.ts';

/**
 * Every emulator a test starts is tracked here; leak-check.ts fails the file if one is still open
 * when the file ends.
 */
export const openEmulators = new Map<Emulator, string>();

export interface TestEmulator extends Emulator {
  clock: ManualClock;
  /** `http://127.0.0.1:PORT` when listening, '' for inject-only emulators. */
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

const TEST_DEFAULTS: EmulatorOptionsInput = {
  controlPlane: true,
  clock: 'manual',
  seed: 42,
  logLevel: 'silent',
};

async function make(options: EmulatorOptionsInput, listen: boolean): Promise<TestEmulator> {
  const emulator = await buildEmulator({ ...TEST_DEFAULTS, ...options });
  const where = new Error('emulator started here').stack?.split('\n').slice(2, 5).join('\n') ?? '';
  openEmulators.set(emulator, where);
  let port = 0;
  if (listen) {
    await emulator.app.listen({ host: '127.0.0.1', port: 0 });
    const address = emulator.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  }
  const clock = emulator.runtime.clock;
  if (!(clock instanceof ManualClock)) throw new Error('test emulators run on a manual clock');
  const close = async () => {
    if (!openEmulators.delete(emulator)) return;
    await emulator.app.close();
  };
  // Inside a test, close when the test ends; in beforeAll, the caller closes it in afterAll.
  try {
    onTestFinished(close);
  } catch {
    /* not inside a test */
  }
  return { ...emulator, clock, baseUrl: listen ? `http://127.0.0.1:${port}` : '', port, close };
}

/** An emulator listening on 127.0.0.1 port 0, manual clock, control plane on. */
export function startEmulator(options: EmulatorOptionsInput = {}): Promise<TestEmulator> {
  return make(options, true);
}

/** An emulator for `app.inject()` only (no socket). */
export function injectableEmulator(options: EmulatorOptionsInput = {}): Promise<TestEmulator> {
  return make(options, false);
}
