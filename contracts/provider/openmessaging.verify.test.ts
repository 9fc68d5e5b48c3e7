import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../emulator/index.ts';
import { EmulatorWorld } from './emulator-world.ts';
import { freshPactFile } from './fresh-pacts.ts';
import { readCanonical } from './pact-files.ts';
import { startProviderEmulator } from './provider-emulator.ts';
import { verifyPact } from './verify-pact.ts';

/**
 * The Open Messaging pact (the inbound API, the Platform API calls, signed webhook deliveries and queue
 * notifications) against a listening emulator whose integration posts to the verifier's receiver.
 */
let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startProviderEmulator();
});
afterAll(() => emulator.close());

describe('the emulator honours the Open Messaging pact', () => {
  it('verifies every interaction: HTTP through the APIs, deliveries and frames from a real conversation', async () => {
    const file = freshPactFile('openMessaging');
    const outcome = await verifyPact(file, new EmulatorWorld(emulator.url));
    expect(outcome.failures).toEqual([]);
    expect(outcome.passed).toBe(true);
    expect(outcome.results).toHaveLength(JSON.parse(readCanonical(file)).interactions.length);
  });
});
