import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../emulator/index.ts';
import { EmulatorWorld } from './emulator-world.ts';
import { freshPactFile } from './fresh-pacts.ts';
import { readCanonical } from './pact-files.ts';
import { startProviderEmulator } from './provider-emulator.ts';
import { verifyPact } from './verify-pact.ts';

/** The WebChat v2 pact (guest REST API and event-stream frames) against a listening emulator. */
let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startProviderEmulator();
});
afterAll(() => emulator.close());

describe('the emulator honours the WebChat pact', () => {
  it('verifies every interaction: REST calls through the guest API, frames from real guest chats', async () => {
    const file = freshPactFile('webChat');
    const outcome = await verifyPact(file, new EmulatorWorld(emulator.url));
    expect(outcome.failures).toEqual([]);
    expect(outcome.passed).toBe(true);
    expect(outcome.results).toHaveLength(JSON.parse(readCanonical(file)).interactions.length);
  });
});
