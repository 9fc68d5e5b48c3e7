import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fixture } from './fixture-schema.ts';
import { validated } from './load-fixture.ts';

/** Set by the command bundles (cli/build.mjs), where import.meta.url is the bundle's, not this file's. */
declare const __EMULATOR_CONFIG_DIR__: string | undefined;

const configDir =
  typeof __EMULATOR_CONFIG_DIR__ === 'string'
    ? __EMULATOR_CONFIG_DIR__
    : fileURLToPath(new URL('.', import.meta.url));

export const DEFAULT_FIXTURE_PATH = join(configDir, 'default-fixture.yaml');
/** The same org, validated with every default filled in (a unit test keeps it equal to the YAML's). */
export const DEFAULT_FIXTURE_JSON_PATH = join(configDir, 'default-fixture.json');

let cached: Fixture | undefined;

/** The embedded default org (see generate-default-fixture.ts); read once per process, frozen. */
export function defaultFixture(): Fixture {
  cached ??= validated(JSON.parse(readFileSync(DEFAULT_FIXTURE_JSON_PATH, 'utf8')) as Fixture);
  return cached;
}
