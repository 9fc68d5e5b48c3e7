import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixtureError } from '../../emulator/index.ts';
import { scenarioFixtureFile } from '../../scenarios/runner/fixture-files.ts';

/**
 * A scenario's fixture file is parsed once per thread and handed out again while it and the flow files
 * it inlines are unchanged (the emulator then skips rebuilding its org at start-over); an edit to either
 * is seen by the next run, as if nothing were kept.
 */
const restricted = new URL('../../scenarios/fixtures/restricted.yaml', import.meta.url);
const defaultFlow = new URL('../../emulator/config/flows/bot-handoff-message.yaml', import.meta.url);

let dir: string;
let fixture: string;
let flow: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fixture-files-'));
  fixture = join(dir, 'org.yaml');
  flow = join(dir, 'flow.yaml');
  copyFileSync(defaultFlow, flow);
  writeFileSync(
    fixture,
    readFileSync(restricted, 'utf8')
      .replace(/file: \S+/, 'file: flow.yaml')
      .replace(/\r\n/g, '\n'),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scenario fixture files', () => {
  it('are parsed once while nothing changes', () => {
    const first = scenarioFixtureFile(fixture);
    expect(first.flows[0]?.yaml).toBe(readFileSync(flow, 'utf8'));
    expect(scenarioFixtureFile(fixture)).toBe(first);
  });

  it('are read again after the fixture file changed', () => {
    const first = scenarioFixtureFile(fixture);
    writeFileSync(fixture, readFileSync(fixture, 'utf8').replace('restricted deployments', 'edited'));
    const second = scenarioFixtureFile(fixture);
    expect(second).not.toBe(first);
    expect(second.org.name).toBe('Scenario Org (edited)');
  });

  it('are read again after a flow file they inline changed', () => {
    const first = scenarioFixtureFile(fixture);
    writeFileSync(flow, `# edited\n${readFileSync(flow, 'utf8')}`);
    const second = scenarioFixtureFile(fixture);
    expect(second).not.toBe(first);
    expect(second.flows[0]?.yaml?.startsWith('# edited\n')).toBe(true);
  });

  it('that cannot be read (any more) are refused with the loader error naming the file', () => {
    scenarioFixtureFile(fixture);
    rmSync(fixture);
    expect(() => scenarioFixtureFile(fixture)).toThrow(FixtureError);
    expect(() => scenarioFixtureFile(fixture)).toThrow(fixture as string);
  });
});
