import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS, type ProviderKey, pactFileName } from '../names.ts';
import { freshPactFile } from './fresh-pacts.ts';
import { COMMITTED_PACTS, readCanonical } from './pact-files.ts';

/**
 * The committed pact files (contracts/pacts/) are exactly what the consumer tests write: CI regenerates
 * them in the consumer phase and fails here when they differ. `npm run contracts:update` sets
 * CONTRACTS_UPDATE=1, and then these tests write the fresh files instead of comparing.
 */
const UPDATE = process.env['CONTRACTS_UPDATE'] === '1';
const providers = Object.keys(PROVIDERS) as ProviderKey[];
const STALE = 'the committed pact file is stale: run `npm run contracts:update` and commit contracts/pacts/';

describe('committed pact files', () => {
  for (const provider of providers) {
    it(`${pactFileName(provider)} is what the consumer tests write`, () => {
      const fresh = readCanonical(freshPactFile(provider));
      const committed = join(COMMITTED_PACTS, pactFileName(provider));
      if (UPDATE) {
        writeFileSync(committed, fresh);
        return;
      }
      expect(existsSync(committed), STALE).toBe(true);
      expect(readCanonical(committed), STALE).toBe(fresh);
    });
  }

  it('contracts/pacts/ holds no pact file the consumer tests no longer write', () => {
    const expected = providers.map(pactFileName).sort();
    expect(
      readdirSync(COMMITTED_PACTS)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(expected);
  });
});
