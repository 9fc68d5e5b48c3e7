import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  __setTestFrameMutator,
  type FrameObject,
} from '../../emulator/surfaces/webmessaging/server-frames.ts';
import { startEmulator, type TestEmulator } from '../../test/support/emulators.ts';
import { WEB_MESSAGING_EXCHANGES } from '../names.ts';
import { EmulatorWorld } from './emulator-world.ts';
import { freshPactFile } from './fresh-pacts.ts';
import { verifyPact } from './verify-pact.ts';

/**
 * The contracts bite: with one field of one frame renamed in the emulator's own encoder (through its
 * test-only hook), verification fails, and it fails for exactly the interaction that relies on that field.
 * The rename is SessionResponse's `maxCustomDataBytes`, which the bridge reads as its metadata budget.
 */
let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

function renameBudget(frame: FrameObject): FrameObject {
  const body = frame['body'] as Record<string, unknown> | undefined;
  if (frame['class'] !== 'SessionResponse' || body?.['maxCustomDataBytes'] === undefined) return frame;
  const { maxCustomDataBytes, ...rest } = body;
  return { ...frame, body: { ...rest, maxCustomDataSize: maxCustomDataBytes } };
}

/** Runs only the configureSession interactions: the renamed field's and three that must not notice. */
async function verifyConfigureSession() {
  const previous = process.env['PACT_DESCRIPTION'];
  process.env['PACT_DESCRIPTION'] = '^configureSession';
  try {
    return await verifyPact(freshPactFile('webMessaging'), new EmulatorWorld(emulator.baseUrl));
  } finally {
    if (previous === undefined) delete process.env['PACT_DESCRIPTION'];
    else process.env['PACT_DESCRIPTION'] = previous;
  }
}

describe('the contracts bite', () => {
  it('a renamed SessionResponse field fails verification of the interaction that reads it, and only that', async () => {
    __setTestFrameMutator(renameBudget);
    let outcome: Awaited<ReturnType<typeof verifyConfigureSession>>;
    try {
      outcome = await verifyConfigureSession();
    } finally {
      __setTestFrameMutator(undefined);
    }
    expect(outcome.passed).toBe(false);
    expect(outcome.results.map((r) => r.description).sort()).toEqual(
      [
        WEB_MESSAGING_EXCHANGES.configureNew,
        WEB_MESSAGING_EXCHANGES.configureResume,
        WEB_MESSAGING_EXCHANGES.configureReadOnly,
        WEB_MESSAGING_EXCHANGES.configureExpired,
      ].sort(),
    );
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]!.interaction).toContain(WEB_MESSAGING_EXCHANGES.configureNew);
    expect(outcome.failures[0]!.mismatches.join('\n')).toContain('maxCustomDataBytes');
  });
});
