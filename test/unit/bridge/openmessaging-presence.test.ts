import { describe, expect, it } from 'vitest';
import { ConversationPresence } from '../../../bridge/channels/openmessaging-presence.ts';
import type { ConversationSnapshot } from '../../../bridge/channels/openmessaging-wire.ts';

/**
 * Agent joins, hand-overs and the end, read off successive snapshots of an Open Messaging conversation's
 * participants (the webhook says none of it).
 */
type P = ConversationSnapshot['participants'][number];
const T = (s: number) => Date.UTC(2026, 0, 1, 9, 0, s);
const customer = (state = 'connected', endTime?: number): P => ({
  id: 'c',
  purpose: 'customer',
  state,
  ...(endTime ? { endTime } : {}),
});
const agent = (id: string, state: string, extra: Partial<P> = {}): P => ({
  id,
  purpose: 'agent',
  state,
  user: { id: `user-${id}`, name: `Agent ${id}` },
  startTime: T(1),
  ...(state !== 'alerting' ? { connectedTime: T(2) } : {}),
  ...extra,
});
const acd = (id: string, startTime: number, state = 'connected'): P => ({
  id,
  purpose: 'acd',
  state,
  startTime,
});
const snap = (...participants: P[]): ConversationSnapshot => ({ id: 'conv', participants });
const info = (id: string) => ({ id: `user-${id}`, displayName: `Agent ${id}` });

describe('ConversationPresence', () => {
  it('reports an agent joining once, however many snapshots show them connected; alerting is not joining', () => {
    const p = new ConversationPresence();
    expect(p.update(snap(customer(), acd('q', T(0)), agent('a', 'alerting')))).toEqual([]);
    expect(p.update(snap(customer(), agent('a', 'connected')))).toEqual([
      { kind: 'joined', agent: info('a'), at: T(2) },
    ]);
    expect(p.update(snap(customer(), agent('a', 'connected')))).toEqual([]);
    expect(p.agent).toEqual(info('a'));
  });

  it('a transfer to a queue: left (the conversation continues), then transferred to a queue, then the next agent joins', () => {
    const p = new ConversationPresence();
    p.update(snap(customer(), agent('a', 'connected')));
    const left = agent('a', 'disconnected', { disconnectType: 'transfer', endTime: T(5) });
    expect(p.update(snap(customer(), left, acd('q2', T(5))))).toEqual([
      { kind: 'left', agent: info('a'), continues: true, at: T(5) },
      { kind: 'transferred', from: info('a'), to: 'queue', at: T(5) },
    ]);
    expect(p.agent).toBeUndefined();
    const b = agent('b', 'connected', { startTime: T(6), connectedTime: T(7) });
    expect(p.update(snap(customer(), left, acd('q2', T(5)), b))).toEqual([
      { kind: 'joined', agent: info('b'), at: T(7) },
    ]);
  });

  it('a transfer to an agent: the next leg is an agent leg that started when the first ended', () => {
    const p = new ConversationPresence();
    p.update(snap(customer(), acd('q', T(0), 'disconnected'), agent('a', 'connected')));
    const left = agent('a', 'disconnected', { disconnectType: 'transfer', endTime: T(5) });
    const changes = p.update(
      snap(customer(), acd('q', T(0), 'disconnected'), left, agent('b', 'alerting', { startTime: T(5) })),
    );
    expect(changes.at(-1)).toEqual({ kind: 'transferred', from: info('a'), to: 'agent', at: T(5) });
  });

  it('the agent ends it: left for good, then ended by the agent, once', () => {
    const p = new ConversationPresence();
    p.update(snap(customer(), agent('a', 'connected')));
    const ended = snap(customer('disconnected', T(9)), agent('a', 'disconnected', { endTime: T(9) }));
    expect(p.update(ended)).toEqual([
      { kind: 'left', agent: info('a'), continues: false, at: T(9) },
      { kind: 'ended', hadAgent: true, at: T(9) },
    ]);
    expect(p.ended).toBe(true);
    expect(p.update(ended)).toEqual([]);
  });

  it('a first snapshot that already shows it all (a read after a reconnect) tells it in order', () => {
    const p = new ConversationPresence();
    expect(
      p.update(snap(customer('disconnected', T(9)), agent('a', 'disconnected', { endTime: T(9) }))),
    ).toEqual([
      { kind: 'joined', agent: info('a'), at: T(2) },
      { kind: 'left', agent: info('a'), continues: false, at: T(9) },
      { kind: 'ended', hadAgent: true, at: T(9) },
    ]);
  });

  it('ended before any agent (the flow disconnected): no agent, and the end says so', () => {
    const p = new ConversationPresence();
    expect(p.update(snap(customer('disconnected', T(3))))).toEqual([
      { kind: 'ended', hadAgent: false, at: T(3) },
    ]);
  });

  it('an agent who leaves without a transfer while the customer stays: left, the conversation continues', () => {
    const p = new ConversationPresence();
    p.update(snap(customer(), agent('a', 'connected')));
    expect(
      p.update(snap(customer(), agent('a', 'disconnected', { disconnectType: 'client', endTime: T(4) }))),
    ).toEqual([{ kind: 'left', agent: info('a'), continues: true, at: T(4) }]);
  });
});

describe('ConversationPresence, edges', () => {
  it('the current agent is the latest one connected; after the end there is none', () => {
    const p = new ConversationPresence();
    p.update(snap(customer(), agent('a', 'connected'), agent('b', 'connected')));
    expect(p.agent).toEqual(info('b'));
    p.update(snap(customer('disconnected', T(9)), agent('a', 'connected'), agent('b', 'connected')));
    expect(p.agent).toBeUndefined();
  });

  it('an agent who was alerted and never answered neither joins nor leaves', () => {
    const p = new ConversationPresence();
    const declined: P = { id: 'a', purpose: 'agent', state: 'disconnected', startTime: T(1), endTime: T(3) };
    expect(p.update(snap(customer(), declined))).toEqual([]);
    expect(p.agent).toBeUndefined();
  });

  it('the customer is found by purpose (not the first participant); no customer is no end', () => {
    const p = new ConversationPresence();
    const oldAcd: P = { id: 'q', purpose: 'acd', state: 'disconnected', startTime: T(0), endTime: T(1) };
    expect(p.update(snap(oldAcd, customer(), agent('a', 'connected')))).toEqual([
      { kind: 'joined', agent: info('a'), at: T(2) },
    ]);
    expect(p.update(snap(agent('a', 'connected')))).toEqual([]);
    expect(p.ended).toBe(false);
  });

  it('an agent who left while the customer stayed is not reported leaving again at the end', () => {
    const p = new ConversationPresence();
    p.update(snap(customer(), agent('a', 'connected')));
    const gone = agent('a', 'disconnected', { disconnectType: 'client', endTime: T(4) });
    expect(p.update(snap(customer(), gone))).toHaveLength(1);
    expect(p.update(snap(customer('disconnected', T(9)), gone))).toEqual([
      { kind: 'ended', hadAgent: true, at: T(9) },
    ]);
  });

  it('agent legs with only a user id and name, and legs without times, report no time', () => {
    const p = new ConversationPresence();
    const bare: P = { id: 'a', purpose: 'agent', state: 'connected', userId: 'u-a', name: 'Ann' };
    expect(p.update(snap(customer(), bare))).toStrictEqual([
      { kind: 'joined', agent: { id: 'u-a', displayName: 'Ann' } },
    ]);
    const anonymous: P = { id: 'b', purpose: 'agent', state: 'connected' };
    expect(p.update(snap(customer(), bare, anonymous))).toStrictEqual([{ kind: 'joined', agent: {} }]);
  });

  it('where a transfer went: a queue when an ACD leg follows (even with an agent), an agent, else unknown', () => {
    const target = (...after: P[]) => {
      const p = new ConversationPresence();
      p.update(snap(customer(), agent('a', 'connected')));
      const left = agent('a', 'disconnected', { disconnectType: 'transfer', endTime: T(5) });
      return p.update(snap(customer(), left, ...after)).find((c) => c.kind === 'transferred');
    };
    const acd: P = { id: 'q2', purpose: 'acd', state: 'connected', startTime: T(5) };
    const b = agent('b', 'alerting', { startTime: T(6) });
    const flow: P = { id: 'w', purpose: 'workflow', state: 'connected', startTime: T(5) };
    const earlier: P = { id: 'x', purpose: 'agent', state: 'disconnected', startTime: T(0) };
    const untimed: P = { id: 'y', purpose: 'agent', state: 'alerting' };
    expect(target(acd, b)).toMatchObject({ to: 'queue' });
    expect(target(b, flow)).toMatchObject({ to: 'agent' });
    expect(target(flow)).toMatchObject({ to: 'unknown' });
    expect(target(earlier, untimed)).toMatchObject({ to: 'unknown' });
  });

  it('a leg that started and ended in the same instant is not its own transfer target', () => {
    const p = new ConversationPresence();
    const quick = agent('a', 'connected', { startTime: T(5), connectedTime: T(5) });
    p.update(snap(customer(), quick));
    const left = { ...quick, state: 'disconnected', disconnectType: 'transfer', endTime: T(5) };
    expect(p.update(snap(customer(), left)).find((c) => c.kind === 'transferred')).toMatchObject({
      to: 'unknown',
    });
  });

  it('a transfer without an end time has no known target', () => {
    const p = new ConversationPresence();
    p.update(snap(customer(), agent('a', 'connected')));
    const left = agent('a', 'disconnected', { disconnectType: 'transfer' });
    const b = agent('b', 'alerting', { startTime: T(6) });
    expect(p.update(snap(customer(), left, b))).toStrictEqual([
      { kind: 'left', agent: info('a'), continues: true },
      { kind: 'transferred', from: info('a'), to: 'unknown' },
    ]);
  });
});
