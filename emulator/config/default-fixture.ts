import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fixture } from './fixture-schema.ts';
import { parseFixtureText } from './load-fixture.ts';

/** Set by the command bundles (cli/build.mjs), where import.meta.url is the bundle's, not this file's. */
declare const __EMULATOR_CONFIG_DIR__: string | undefined;

const configDir =
  typeof __EMULATOR_CONFIG_DIR__ === 'string'
    ? __EMULATOR_CONFIG_DIR__
    : fileURLToPath(new URL('.', import.meta.url));

export const DEFAULT_FIXTURE_PATH = join(configDir, 'default-fixture.yaml');

let cached: Fixture | undefined;

/** The embedded default org (see generate-default-fixture.ts); parsed once per process, frozen. */
export function defaultFixture(): Fixture {
  cached ??= parseFixtureText(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8'), 'embedded default fixture');
  return cached;
}
