import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FixtureError,
  loadFixtureFile,
  parseFixture,
  parseFixtureText,
} from '../../emulator/config/load-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'genesys-emulator-fixture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small but complete custom fixture (YAML), used as the base of the valid and invalid cases. */
const VALID_YAML = `org:
  id: org-custom-1
  name: Custom Org
clients:
  - id: client-org
    secret: s3cret
    name: Integration
  - id: client-ann
    secret: s3cret-ann
    name: Ann's login
    user: user-ann
users:
  - id: user-ann
    name: Ann Agent
    email: ann@example.com
    queues: [Billing]
    capacity:
      message: 2
      chat: 3
queues:
  - id: queue-billing
    name: Billing
  - id: queue-general
    name: General
    alertingTimeoutSeconds: 12
flows:
  - name: Inbound
    type: inboundShortMessage
    file: flows/inbound.yaml
    substitutions:
      defaultQueue: General
deployments:
  webchat:
    - id: dep-webchat
  messenger:
    - id: dep-messenger
      flow: Inbound
      allowAllDomains: true
`;

const FLOW_TEXT = 'inboundShortMessage:\n  name: Inbound\n';

function writeFixture(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function fixtureError(fn: () => unknown): FixtureError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FixtureError) return e;
    throw e;
  }
  throw new Error('expected a FixtureError, but the fixture loaded');
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

describe('loading a valid custom fixture', () => {
  mkdirSync(join(dir, 'flows'), { recursive: true });
  writeFileSync(join(dir, 'flows', 'inbound.yaml'), FLOW_TEXT);

  it('loads from a file, fills defaults and inlines flow files relative to the fixture', () => {
    const fixture = loadFixtureFile(writeFixture('valid.yaml', VALID_YAML));
    expect(fixture.org).toEqual({ id: 'org-custom-1', name: 'Custom Org', region: 'mypurecloud.com' });
    expect(fixture.queues.map((q) => [q.name, q.alertingTimeoutSeconds])).toEqual([
      ['Billing', 30],
      ['General', 12],
    ]);
    expect(fixture.users[0]).toMatchObject({ id: 'user-ann', capacity: { message: 2, chat: 3 } });
    expect(fixture.clients.map((c) => [c.id, c.user, c.accessTokenValiditySeconds])).toEqual([
      ['client-org', undefined, 86400],
      ['client-ann', 'user-ann', 86400],
    ]);
    expect(fixture.flows[0]).toMatchObject({ name: 'Inbound', yaml: FLOW_TEXT });
    expect(fixture.deployments.messenger[0]).toMatchObject({ id: 'dep-messenger', status: 'Active' });
    expect(fixture.deployments.webchat[0]).toMatchObject({ id: 'dep-webchat', disabled: false });
  });

  it('returns a frozen fixture', () => {
    const fixture = loadFixtureFile(writeFixture('frozen.yaml', VALID_YAML));
    expect(Object.isFrozen(fixture)).toBe(true);
    expect(Object.isFrozen(fixture.queues[0])).toBe(true);
  });

  it('accepts JSON text and a parsed object as well as YAML', () => {
    const object = {
      org: { id: 'org-json', name: 'JSON Org', region: 'euw2.pure.cloud' },
      queues: [{ id: 'q1', name: 'Only' }],
    };
    expect(parseFixtureText(JSON.stringify(object), 'json text').org.region).toBe('euw2.pure.cloud');
    expect(parseFixture(object).queues[0]?.name).toBe('Only');
  });

  it('needs only an org', () => {
    const fixture = parseFixtureText('org: {id: o, name: Minimal}', 'minimal');
    expect(fixture).toMatchObject({
      clients: [],
      users: [],
      queues: [],
      flows: [],
      deployments: { webchat: [], messenger: [] },
    });
  });
});

describe('an invalid fixture names the bad field', () => {
  const cases: [string, string, string, string][] = [
    // [what, text, expected path, a text on the expected line]
    [
      'a value out of range',
      VALID_YAML.replace('message: 2', 'message: 99'),
      'users[0].capacity.message',
      'message: 99',
    ],
    [
      'a wrong type',
      VALID_YAML.replace('alertingTimeoutSeconds: 12', 'alertingTimeoutSeconds: soon'),
      'queues[1].alertingTimeoutSeconds',
      'soon',
    ],
    [
      'an unknown key',
      VALID_YAML.replace('    name: Billing\n', '    name: Billing\n    colour: red\n'),
      'queues[0]',
      'id: queue-billing',
    ],
    ['a bad email', VALID_YAML.replace('ann@example.com', 'not-an-email'), 'users[0].email', 'not-an-email'],
    [
      'a user in an unknown queue',
      VALID_YAML.replace('queues: [Billing]', 'queues: [Sales]'),
      'users[0].queues[0]',
      'queues: [Sales]',
    ],
    [
      'a client of an unknown user',
      VALID_YAML.replace('user: user-ann', 'user: user-bob'),
      'clients[1].user',
      'user: user-bob',
    ],
    [
      'a deployment of an unknown flow',
      VALID_YAML.replace('flow: Inbound', 'flow: Missing'),
      'deployments.messenger[0].flow',
      'flow: Missing',
    ],
    [
      'queue names equal but for case',
      VALID_YAML.replace('name: General', 'name: billing'),
      'queues[1].name',
      'name: billing',
    ],
    [
      'a queue name with *',
      VALID_YAML.replace('name: General', 'name: Gen*'),
      'queues[1].name',
      'name: Gen*',
    ],
  ];

  it.each(cases)('%s', (_what, text, path, onLine) => {
    const source = writeFixture('invalid.yaml', text);
    const error = fixtureError(() => loadFixtureFile(source));
    expect(error.problems.map((p) => p.path)).toContain(path);
    const problem = error.problems.find((p) => p.path === path)!;
    expect(problem.line).toBe(lineOf(text, onLine));
    // The printed message carries file, line and field, so a user can jump straight to it.
    expect(error.message).toContain(`${source}:${problem.line} ${path}`);
  });

  it('names a missing required field', () => {
    const error = fixtureError(() => parseFixtureText('org:\n  id: o1\n', 'no-name.yaml'));
    expect(error.problems.map((p) => p.path)).toEqual(['org.name']);
    expect(error.message).toContain('org.name');
  });

  it('names a flow file that cannot be read, with its line', () => {
    const text = VALID_YAML.replace('flows/inbound.yaml', 'flows/missing.yaml');
    const error = fixtureError(() => loadFixtureFile(writeFixture('missing-flow.yaml', text)));
    expect(error.problems).toEqual([
      expect.objectContaining({ path: 'flows[0].file', line: lineOf(text, 'flows/missing.yaml') }),
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const text = 'org:\n  id: o1\n  name: [unclosed\n';
    const error = fixtureError(() => parseFixtureText(text, 'syntax.yaml'));
    expect(error.problems[0]).toMatchObject({ path: '(syntax)', line: expect.any(Number) });
  });

  it('refuses duplicate keys', () => {
    const error = fixtureError(() =>
      parseFixtureText('org: {id: a, name: b}\norg: {id: c, name: d}\n', 'dup'),
    );
    expect(error.problems[0]).toMatchObject({ path: '(syntax)', line: 2 });
    expect(error.message).toContain('dup:2 (syntax)');
  });

  it('refuses a YAML alias bomb as a fixture problem, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, next] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
    ] as const)
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const error = fixtureError(() => parseFixtureText(levels.join('\n'), 'bomb.yaml'));
    expect(error.problems[0]?.path).toBe('(syntax)');
  });

  it('names a file that does not exist', () => {
    const error = fixtureError(() => loadFixtureFile(join(dir, 'nope.yaml')));
    expect(error.problems[0]?.path).toBe('(file)');
  });

  it('validates a parsed object too, naming every bad field', () => {
    const error = fixtureError(() =>
      parseFixture({
        org: { id: 'o', name: 'n' },
        queues: [{ id: 'q', name: 'Q', alertingTimeoutSeconds: 3 }],
      }),
    );
    expect(error.problems).toEqual([expect.objectContaining({ path: 'queues[0].alertingTimeoutSeconds' })]);
  });
});
