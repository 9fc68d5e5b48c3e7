import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Fixture, loadFixtureFile } from '../../emulator/index.ts';

/**
 * The fixture files scenarios name, each parsed once per thread while neither it nor a flow file it
 * inlines changes. Parsing one (located YAML, then the schema) took about 3 ms a run, and a new
 * fixture object made the emulator rebuild its org and flows at start-over, which it skips when it is
 * handed the same (frozen) object again.
 */
const parsed = new Map<string, { text: string; fixture: Fixture }>();

export function scenarioFixtureFile(path: string): Fixture {
  const known = parsed.get(path);
  if (known && unchanged(path, known)) return known.fixture;
  // Read before the loader reads it: had the file changed in between, the next call sees a difference
  // and parses it again. (A file that cannot be read: the loader throws, naming it.)
  const text = readText(path);
  const fixture = loadFixtureFile(path);
  if (text !== undefined) parsed.set(path, { text, fixture });
  return fixture;
}

function unchanged(path: string, known: { text: string; fixture: Fixture }): boolean {
  if (readText(path) !== known.text) return false;
  const dir = dirname(resolve(path));
  return known.fixture.flows.every(
    (flow) => flow.file === undefined || readText(resolve(dir, flow.file)) === flow.yaml,
  );
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
