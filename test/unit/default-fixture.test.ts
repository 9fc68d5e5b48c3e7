import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FIXTURE_JSON_PATH,
  DEFAULT_FIXTURE_PATH,
  defaultFixture,
} from '../../emulator/config/default-fixture.ts';
import {
  renderDefaultFixture,
  renderDefaultFixtureJson,
} from '../../emulator/config/generate-default-fixture.ts';
import {
  type FlowHost,
  FlowLoadError,
  loadFlow,
  type QueueRef,
  runFlow,
} from '../../emulator/domain/architect/index.ts';

const fixture = defaultFixture();

/** A conversation as the flow sees it: participant data in, the org's queues from the fixture. */
class FakeHost implements FlowHost {
  readonly data: Map<string, string>;
  constructor(data: Record<string, string> = {}) {
    this.data = new Map(Object.entries(data));
  }
  getParticipantData(name: string): string | undefined {
    return this.data.get(name);
  }
  setParticipantData(name: string, value: string): void {
    this.data.set(name, value);
  }
  listQueues(): readonly QueueRef[] {
    return fixture.queues.map((q) => ({ id: q.id, name: q.name }));
  }
  sendResponse(): void {}
}

function queueNamed(name: string) {
  const queue = fixture.queues.find((q) => q.name === name);
  if (!queue) throw new Error(`the default fixture has no queue named ${name}`);
  return queue;
}

describe('the committed default fixture', () => {
  it('is exactly what generate-default-fixture.ts renders (regenerate it if this fails)', () => {
    expect(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')).toBe(renderDefaultFixture());
  });

  it('start-up reads the JSON copy, which is the YAML validated with its defaults (regenerate if this fails)', () => {
    expect(readFileSync(DEFAULT_FIXTURE_JSON_PATH, 'utf8')).toBe(renderDefaultFixtureJson());
    expect(defaultFixture()).toEqual(JSON.parse(renderDefaultFixtureJson()));
  });

  it('has at least three queues, among them General', () => {
    expect(fixture.queues.length).toBeGreaterThanOrEqual(3);
    expect(fixture.queues.map((q) => q.name)).toContain('General');
  });

  it('has four agents, each with a different capacity, each in at least one queue', () => {
    expect(fixture.users).toHaveLength(4);
    const capacities = fixture.users.map((u) => JSON.stringify(u.capacity));
    expect(new Set(capacities).size).toBe(4);
    for (const user of fixture.users) expect(user.queues.length).toBeGreaterThan(0);
  });

  it('has one org-level client and exactly one client per agent', () => {
    const orgLevel = fixture.clients.filter((c) => c.user === undefined);
    expect(orgLevel).toHaveLength(1);
    for (const user of fixture.users)
      expect(
        fixture.clients.filter((c) => c.user === user.id),
        user.name,
      ).toHaveLength(1);
    expect(fixture.clients).toHaveLength(1 + fixture.users.length);
  });

  it('has one webchat and one messenger deployment; the messenger runs an inbound message flow', () => {
    expect(fixture.deployments.webchat).toHaveLength(1);
    expect(fixture.deployments.messenger).toHaveLength(1);
    const flowName = fixture.deployments.messenger[0]!.flow;
    expect(fixture.flows.find((f) => f.name === flowName)?.type).toBe('inboundShortMessage');
  });
});

describe("the default messenger deployment's flow", () => {
  const deployment = fixture.deployments.messenger[0]!;
  const source = fixture.flows.find((f) => f.name === deployment.flow)!;
  const load = () => loadFlow({ name: source.name, yaml: source.yaml!, substitutions: source.substitutions });

  it('loads with loadFlow once its substitutions are applied', () => {
    expect(source.yaml).toEqual(expect.any(String));
    const flow = load();
    expect(flow.type).toBe('inboundShortMessage');
    expect(flow.name).toBe(source.name);
  });

  it('does not load without its substitutions', () => {
    expect(() => loadFlow({ name: source.name, yaml: source.yaml! })).toThrow(FlowLoadError);
  });

  it("reads QueueName from participant data and transfers to that queue: 'Sports Support'", () => {
    const sports = queueNamed('Sports Support');
    const run = runFlow(load(), new FakeHost({ QueueName: 'Sports Support' }), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { id: sports.id, name: 'Sports Support' } });
    expect(run.trace).toContainEqual(
      expect.objectContaining({
        kind: 'participantDataRead',
        attribute: 'QueueName',
        value: 'Sports Support',
      }),
    );
  });

  it.each(fixture.queues.map((q) => q.name))('routes QueueName=%s to that queue', (name) => {
    const run = runFlow(load(), new FakeHost({ QueueName: name }), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { id: queueNamed(name).id } });
  });

  it('falls back to General when QueueName is missing', () => {
    const general = queueNamed('General');
    const run = runFlow(load(), new FakeHost(), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { id: general.id, name: 'General' } });
    expect(run.trace).toContainEqual(expect.objectContaining({ kind: 'transferFailed' }));
  });

  it('falls back to General when QueueName names no queue', () => {
    const run = runFlow(load(), new FakeHost({ QueueName: 'No Such Queue' }), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { name: 'General' } });
  });
});
