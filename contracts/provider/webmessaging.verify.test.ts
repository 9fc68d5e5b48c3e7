import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../emulator/index.ts';
import { EmulatorWorld } from './emulator-world.ts';
import { freshPactFile } from './fresh-pacts.ts';
import { readCanonical } from './pact-files.ts';
import { startProviderEmulator } from './provider-emulator.ts';
import { verifyPact } from './verify-pact.ts';

/** The Web Messaging pact (guest socket frames and the history API) against a listening emulator. */
let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startProviderEmulator();
});
afterAll(() => emulator.close());

describe('the emulator honours the Web Messaging pact', () => {
  it('verifies every interaction: HTTP through the REST API, frames from real guest sessions', async () => {
    const file = freshPactFile('webMessaging');
    const outcome = await verifyPact(file, new EmulatorWorld(emulator.url));
    expect(outcome.failures).toEqual([]);
    expect(outcome.passed).toBe(true);
    expect(outcome.results).toHaveLength(JSON.parse(readCanonical(file)).interactions.length);
  });
});
