import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../../emulator/domain/clock.ts';
import type { Conversation, ConversationMessage } from '../../../emulator/domain/conversations/model.ts';
import { messageEntriesOf } from '../../../emulator/surfaces/notifications/message-entries.ts';
import { RawJson } from '../../../emulator/surfaces/notifications/raw-json.ts';
import { messageStatus } from '../../../emulator/surfaces/platform/conversations/presenters.ts';

/**
 * The messages[] every conversation notification carries are kept as JSON text and brought up to date by
 * what changed (issue 19). Whatever the order of appends, deliveries and failures, the kept text must read
 * exactly like the entries built afresh from the conversation: a stale status or a missing message would
 * show an agent a conversation Genesys never showed.
 */
function afresh(conversation: Conversation, participantId: string, shape: 'generic' | 'media'): string {
  const entries = conversation.messages
    .filter((m) => m.participantId === participantId)
    .map((m) => {
      const common = {
        messageTime: isoTime(m.time),
        messageSegmentCount: 1,
        messageStatus: messageStatus(m),
      };
      return shape === 'generic' ? { messageId: m.id, ...common } : { message: { id: m.id }, ...common };
    });
  return JSON.stringify(entries);
}

function conversation(): Conversation {
  const c = { id: 'c1', mediaType: 'message', channel: 'webmessaging', startTime: 0, priority: 0 } as const;
  return { ...c, participants: [], messages: [] };
}

function message(i: number, participantId: string, direction: 'inbound' | 'outbound'): ConversationMessage {
  return { id: `m${i}`, participantId, purpose: 'agent', text: 't', time: 1_700_000_000_000 + i, direction };
}

const PARTICIPANTS = ['customer', 'agent-1', 'agent-2'];

type Step =
  | { kind: 'append'; participant: number; direction: 'inbound' | 'outbound'; count: number }
  | { kind: 'deliver' | 'fail'; pick: number }
  | { kind: 'frame' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('append' as const),
    participant: fc.nat(2),
    direction: fc.constantFrom('inbound' as const, 'outbound' as const),
    count: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ kind: fc.constantFrom('deliver' as const, 'fail' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('frame' as const) }),
);

function expectSameAsAfresh(c: Conversation): void {
  const kept = messageEntriesOf(c);
  for (const p of [...PARTICIPANTS, 'nobody']) {
    expect(kept.json(p, 'generic')).toBe(afresh(c, p, 'generic'));
    expect(kept.json(p, 'media')).toBe(afresh(c, p, 'media'));
  }
}

describe('the kept messages[] of conversation notifications', () => {
  it('reads like entries built afresh after any mix of appends, deliveries and failures', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const c = conversation();
        let next = 0;
        for (const s of steps) {
          if (s.kind === 'append') {
            for (let k = 0; k < s.count; k++) {
              c.messages.push(message(next++, PARTICIPANTS[s.participant]!, s.direction));
            }
          } else if (s.kind === 'frame') {
            expectSameAsAfresh(c);
          } else {
            // Only a message still `sent` changes, as the core allows (core.ts messageDelivered/-Failed).
            const open = c.messages.filter((m) => messageStatus(m) === 'sent');
            const m = open[s.pick % Math.max(1, open.length)];
            if (m && s.kind === 'deliver') m.deliveredAt = 1;
            if (m && s.kind === 'fail') m.failedAt = 1;
          }
        }
        expectSameAsAfresh(c);
      }),
      { numRuns: 300 },
    );
  });

  it('shows a delivery of an early message in a long conversation (not only the last block)', () => {
    const c = conversation();
    for (let i = 0; i < 100; i++) c.messages.push(message(i, 'agent-1', 'outbound'));
    expect(messageEntriesOf(c).json('agent-1', 'media')).toBe(afresh(c, 'agent-1', 'media'));
    c.messages[3]!.deliveredAt = 5;
    c.messages[70]!.failedAt = 6;
    const json = messageEntriesOf(c).json('agent-1', 'media');
    expect(JSON.parse(json)[3].messageStatus).toBe('delivery-success');
    expect(JSON.parse(json)[70].messageStatus).toBe('delivery-failed');
    expect(json).toBe(afresh(c, 'agent-1', 'media'));
  });

  it('reads a conversation again from the start when it is a new object or its messages shrank', () => {
    const c = conversation();
    for (let i = 0; i < 5; i++) c.messages.push(message(i, 'agent-1', 'outbound'));
    messageEntriesOf(c);
    // A restore gives new objects with other contents under the same ids.
    const restored = { ...c, messages: c.messages.slice(0, 2).map((m) => ({ ...m, deliveredAt: 9 })) };
    expect(messageEntriesOf(restored).json('agent-1', 'generic')).toBe(
      afresh(restored, 'agent-1', 'generic'),
    );
    c.messages.length = 1;
    expect(messageEntriesOf(c).json('agent-1', 'generic')).toBe(afresh(c, 'agent-1', 'generic'));
  });
});

describe('RawJson', () => {
  it('writes each slot as its JSON text, where the value has it', () => {
    const raw = new RawJson();
    const value = { a: raw.slot('[1,2]'), b: { c: raw.slot('{"d":"e"}') }, f: 'g', list: [raw.slot('null')] };
    const text = raw.stringify(value);
    expect(text).toBe('{"a":[1,2],"b":{"c":{"d":"e"}},"f":"g","list":[null]}');
    expect(JSON.parse(text)).toEqual({ a: [1, 2], b: { c: { d: 'e' } }, f: 'g', list: [null] });
  });

  it('leaves strings alone that only look like a slot, control characters included', () => {
    const raw = new RawJson();
    const kept = raw.slot('1');
    const lookalike = `\u0001${'0'.repeat(16)}:0`;
    const value = { slot: kept, lookalike, control: '\u0001:0', text: 'plain' };
    expect(JSON.parse(raw.stringify(value))).toEqual({
      slot: 1,
      lookalike,
      control: '\u0001:0',
      text: 'plain',
    });
  });

  it('is JSON.stringify when nothing was slotted', () => {
    const value = { a: [1, 'two', { three: null }], b: undefined };
    expect(new RawJson().stringify(value)).toBe(JSON.stringify(value));
  });
});
