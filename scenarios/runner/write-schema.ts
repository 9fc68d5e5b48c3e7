/**
 * Writes scenarios/scenario.schema.json from the zod schema, so editors complete and check scenario
 * files (`# yaml-language-server: $schema=../scenario.schema.json`). A test fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchema } from './schema.ts';

export const SCHEMA_PATH = fileURLToPath(new URL('../scenario.schema.json', import.meta.url));

export function renderSchema(): string {
  return `${JSON.stringify({ title: 'Genesys emulator scenario', ...(jsonSchema() as object) }, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(SCHEMA_PATH, renderSchema());
