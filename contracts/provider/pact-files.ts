import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The committed pact files: what CI regenerates and compares, and what live verification reads. */
export const COMMITTED_PACTS = fileURLToPath(new URL('../pacts/', import.meta.url));

interface PactJson {
  interactions: { description: string; providerStates?: unknown[] }[];
  [key: string]: unknown;
}

/**
 * A pact file in a canonical form: interactions sorted by description and provider states (Pact's order
 * follows the order the consumer files ran in), two-space JSON with a final newline. Pact files carry no
 * timestamps; the library versions in `metadata` change only when the locked packages do, and then the
 * committed files must be regenerated anyway.
 */
export function canonicalPact(text: string): string {
  const pact = JSON.parse(text) as PactJson;
  const key = (i: PactJson['interactions'][number]) =>
    `${i.description}\u0000${JSON.stringify(i.providerStates ?? [])}`;
  pact.interactions.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return `${JSON.stringify(pact, null, 2)}\n`;
}

export function readCanonical(file: string): string {
  return canonicalPact(readFileSync(file, 'utf8'));
}
