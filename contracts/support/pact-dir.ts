import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's consumer phase writes pact files and its provider phase reads them. */
    pactDir: string;
  }
}

/**
 * globalSetup of the `contracts` project: a fresh, empty pact directory per run. Pact merges new
 * interactions into an existing file, so a reused directory would keep interactions a consumer test no
 * longer declares; and a provider phase that finds this directory empty knows the consumer phase did not
 * run first in this run (contracts/provider/pact-files.ts says so instead of verifying stale files).
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'genesys-pacts-'));
  project.provide('pactDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
