import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type ProviderKey, pactFileName } from '../names.ts';

/**
 * The pact file this run's consumer phase wrote. Missing means the consumer phase did not run first in
 * this vitest run (the provider phase was run alone): say so rather than verify something stale.
 */
export function freshPactFile(provider: ProviderKey): string {
  const file = join(inject('pactDir'), pactFileName(provider));
  if (!existsSync(file)) {
    throw new Error(
      `${pactFileName(provider)} was not written in this run: run the whole contracts project ` +
        '(vitest --project contracts), whose consumer phase writes the pact files before verification',
    );
  }
  return file;
}
