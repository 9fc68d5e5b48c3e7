import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Genesys's own models, read at test time from the official SDKs' `index.d.ts` (never copied into this
 * repository): every `export interface X { "field"?: Type; ... }` block of the `Models` namespace. A
 * field without `?` is required. The SDK generator writes one field per line, so a line parser is
 * enough; anything it does not understand fails loudly, so an SDK upgrade cannot silently weaken the
 * harness.
 */

export type FieldType =
  | { kind: 'string' | 'number' | 'boolean' | 'object' }
  | { kind: 'model'; name: string }
  | { kind: 'array'; of: FieldType }
  | { kind: 'map'; of: FieldType };

export interface Field {
  type: FieldType;
  required: boolean;
}

export interface Model {
  name: string;
  fields: Map<string, Field>;
}

/** Models by name; `source` says which SDK they came from (platform or guest chat). */
export type ModelSet = Map<string, Model>;

const require = createRequire(import.meta.url);

/** The index.d.ts of an installed SDK package. */
export function dtsPathOf(pkg: 'purecloud-platform-client-v2' | 'purecloud-guest-chat-client'): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), 'index.d.ts');
}

const FIELD = /^\s*"([^"]+)"(\??): (.+);\s*$/;
const OPEN = /^\s*export interface (\w+) \{\s*$/;

export function parseType(text: string): FieldType {
  const t = text.trim();
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'object') return { kind: t };
  const array = /^Array<(.+)>$/.exec(t);
  if (array) return { kind: 'array', of: parseType(array[1]!) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (map) return { kind: 'map', of: parseType(map[1]!) };
  const model = /^Models\.(\w+)$/.exec(t);
  if (model) return { kind: 'model', name: model[1]! };
  throw new Error(`dts-models: unknown field type "${t}"`);
}

/** Parses the `declare namespace Models { ... }` block of one index.d.ts. */
export function parseModels(text: string): ModelSet {
  const start = text.indexOf('declare namespace Models {');
  if (start < 0) throw new Error('dts-models: no Models namespace');
  const models: ModelSet = new Map();
  let current: Model | undefined;
  for (const line of text.slice(start).split('\n').slice(1)) {
    const open = OPEN.exec(line);
    if (open) {
      current = { name: open[1]!, fields: new Map() };
      models.set(current.name, current);
      continue;
    }
    if (/^\s*\}\s*$/.test(line)) {
      current = undefined;
      continue;
    }
    const field = FIELD.exec(line);
    if (field) {
      if (!current) throw new Error(`dts-models: field outside an interface: ${line}`);
      current.fields.set(field[1]!, { type: parseType(field[3]!), required: field[2] !== '?' });
      continue;
    }
    if (line.trim() !== '') throw new Error(`dts-models: unexpected line: ${line}`);
  }
  return models;
}

let cached: { platform: ModelSet; guest: ModelSet } | undefined;

/** Both SDKs' models, parsed once per test file. */
export function sdkModels(): { platform: ModelSet; guest: ModelSet } {
  cached ??= {
    platform: parseModels(readFileSync(dtsPathOf('purecloud-platform-client-v2'), 'utf8')),
    guest: parseModels(readFileSync(dtsPathOf('purecloud-guest-chat-client'), 'utf8')),
  };
  return cached;
}
