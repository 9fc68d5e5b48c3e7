import { existsSync } from 'node:fs';
import type { Fixture, FixtureInput } from '../config/fixture-schema.ts';
import { isCheckedFixture, loadFixtureFile, parseFixture, parseFixtureText } from '../config/load-fixture.ts';

/**
 * A fixture given to the handle: an object, YAML/JSON text, or a file path (one line ending in .yaml,
 * .yml or .json, or naming a file that exists), whose flow files are read relative to it. Throws a
 * FixtureError naming each bad field.
 */
export function resolveFixture(input: FixtureInput | Fixture | string): Fixture {
  // One this process checked already (frozen since; a file's flows inlined) is taken as it is.
  if (isCheckedFixture(input)) return input;
  if (typeof input !== 'string') return parseFixture(inlined(input), 'fixture');
  const oneLine = !input.includes('\n');
  if (oneLine && (/\.(ya?ml|json)$/i.test(input.trim()) || existsSync(input)))
    return loadFixtureFile(input.trim());
  return parseFixtureText(input, 'fixture');
}

/** A fixture loaded from disk carries each flow file's text as `yaml`: such a flow is inline now. */
function inlined(input: FixtureInput | Fixture): FixtureInput {
  if (!Array.isArray(input.flows)) return input;
  const flows = input.flows.map(({ file, ...flow }) =>
    flow.yaml !== undefined ? flow : { ...flow, ...(file === undefined ? {} : { file }) },
  );
  return { ...input, flows };
}
