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
