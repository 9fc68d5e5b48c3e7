import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle, GuestFrame } from '../../emulator/index.ts';
import { WEB_MESSAGING_EXCHANGES } from '../names.ts';
import { EmulatorWorld } from './emulator-world.ts';
import { freshPactFile } from './fresh-pacts.ts';
import { startProviderEmulator } from './provider-emulator.ts';
import { verifyPact } from './verify-pact.ts';

/**
 * The contracts bite: with one field of one frame renamed just before the emulator sends it (its
 * test-only `unsafeMutateGuestFrame` option), verification fails, and it fails for exactly the
 * interaction that relies on that field. The rename is SessionResponse's `maxCustomDataBytes`, which the
 * bridge reads as its metadata budget.
 */
let emulator: EmulatorHandle;
let renaming = false;
beforeAll(async () => {
  emulator = await startProviderEmulator({
    unsafeMutateGuestFrame: (frame) => (renaming ? renameBudget(frame) : frame),
  });
});
afterAll(() => emulator.close());

function renameBudget(frame: GuestFrame): GuestFrame {
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
    return await verifyPact(freshPactFile('webMessaging'), new EmulatorWorld(emulator.url));
  } finally {
    if (previous === undefined) delete process.env['PACT_DESCRIPTION'];
    else process.env['PACT_DESCRIPTION'] = previous;
  }
}

describe('the contracts bite', () => {
  it('a renamed SessionResponse field fails verification of the interaction that reads it, and only that', async () => {
    renaming = true;
    let outcome: Awaited<ReturnType<typeof verifyConfigureSession>>;
    try {
      outcome = await verifyConfigureSession();
    } finally {
      renaming = false;
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
