import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerFor, clients } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { Guest, type GuestFrame } from '../support/webmessaging.ts';

/**
 * The custom-attribute budget of Web Messaging (guest-protocols.md §2.5, §2.6): the UTF-8 bytes of every
 * key and value together must not exceed `maxCustomDataBytes` (2048, announced in SessionResponse).
 * Exactly 2048 bytes is within the budget and becomes Participant Data; one byte more is refused with
 * 4013. Each case is its own guest session, so the 2-per-second message limit never interferes.
 */

const BUDGET = 2048;
const bytes = (attributes: Record<string, string>) =>
  Object.entries(attributes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

type Where = 'message' | 'legacy' | 'join';

/** One onMessage frame carrying the attributes: in a Text message, at the legacy location, or on a Join. */
function frameWith(where: Where, customAttributes: Record<string, string>): Record<string, unknown> {
  const metadata = { metadata: { customAttributes } };
  if (where === 'join')
    return {
      action: 'onMessage',
      message: {
        type: 'Event',
        events: [{ eventType: 'Presence', presence: { type: 'Join' } }],
        channel: metadata,
      },
    };
  if (where === 'legacy')
    return { action: 'onMessage', channel: metadata, message: { type: 'Text', text: 'hello' } };
  return { action: 'onMessage', message: { type: 'Text', text: 'hello', channel: metadata } };
}

async function send(emulator: TestEmulator, where: Where, attributes: Record<string, string>) {
  const guest = await Guest.connect(emulator, randomUUID());
  try {
    const configured = await guest.configure();
    expect(configured.body.maxCustomDataBytes).toBe(BUDGET);
    const before = createdIds(emulator);
    const reply: GuestFrame = await guest.request(frameWith(where, attributes));
    const created = createdIds(emulator).filter((id) => !before.includes(id));
    return { reply, created };
  } finally {
    await guest.close();
  }
}

function createdIds(emulator: TestEmulator): string[] {
  return emulator.events.ofType('conversation.created').map((e) => e.conversationId!);
}

/** The customer's Participant Data as an agent-side client reads it from the platform API. */
async function participantData(emulator: TestEmulator, conversationId: string) {
  const auth = await bearerFor(emulator, clients(emulator).org);
  const res = await emulator.inject({
    method: 'GET',
    url: `/api/v2/conversations/${conversationId}`,
    headers: { authorization: auth },
  });
  expect(res.statusCode, res.body).toBe(200);
  const customer = (
    res.json().participants as { purpose: string; attributes?: Record<string, string> }[]
  ).find((p) => p.purpose === 'customer');
  return customer?.attributes;
}

// Each pair is exactly 2048 bytes and 2049 bytes, counted in UTF-8 bytes of keys and values.
const CASES: [string, Record<string, string>, Record<string, string>][] = [
  ['one ASCII attribute', { blob: 'y'.repeat(2044) }, { blob: 'y'.repeat(2045) }],
  [
    'several attributes (the sum counts)',
    { QueueName: 'General', customerId: 'C-1001', notes: 'n'.repeat(2048 - 16 - 16 - 5) },
    { QueueName: 'General', customerId: 'C-1001', notes: 'n'.repeat(2048 - 16 - 16 - 5 + 1) },
  ],
  // Two-byte characters: fewer characters than bytes, so a character count would let 2049 bytes through.
  ['two-byte values', { k: `${'é'.repeat(1023)}x` }, { k: 'é'.repeat(1024) }],
  // The key's bytes count too.
  ['two-byte keys', { é: 'y'.repeat(2046) }, { éé: 'y'.repeat(2045) }],
];

describe('Web Messaging custom attributes: maxCustomDataBytes is the largest accepted size', () => {
  it('the cases are exactly at and one byte over the budget', () => {
    for (const [, atBudget, over] of CASES) {
      expect(bytes(atBudget)).toBe(BUDGET);
      expect(bytes(over)).toBe(BUDGET + 1);
    }
  });

  it.each(CASES)(
    '%s: 2048 bytes are accepted as Participant Data, 2049 get 4013',
    async (_what, atBudget, over) => {
      const emulator = await startEmulator();

      const accepted = await send(emulator, 'message', atBudget);
      expect(accepted.reply).toMatchObject({
        type: 'message',
        class: 'StructuredMessage',
        code: 200,
        body: { direction: 'Inbound', text: 'hello' },
      });
      expect(accepted.created).toHaveLength(1);
      expect(await participantData(emulator, accepted.created[0]!)).toMatchObject(atBudget);

      const refused = await send(emulator, 'message', over);
      expect(refused.reply).toMatchObject({ type: 'response', class: 'string', code: 4013 });
      expect(refused.reply.body).toContain('larger than 2048 bytes');
      expect(refused.created).toEqual([]);
    },
  );

  it.each<Where>(['legacy', 'join'])('the same budget holds for attributes sent %s', async (where) => {
    const emulator = await startEmulator();
    const atBudget = { blob: 'y'.repeat(2044) };
    const accepted = await send(emulator, where, atBudget);
    expect(accepted.reply).toMatchObject({ class: 'StructuredMessage', code: 200 });
    expect(accepted.created).toHaveLength(1);
    expect(await participantData(emulator, accepted.created[0]!)).toMatchObject(atBudget);

    const refused = await send(emulator, where, { blob: 'y'.repeat(2045) });
    expect(refused.reply).toMatchObject({ type: 'response', class: 'string', code: 4013 });
    expect(refused.created).toEqual([]);
  });

  it('attributes sent on an open conversation get the same budget', async () => {
    const emulator = await startEmulator();
    const guest = await Guest.connect(emulator, randomUUID());
    await guest.configure();
    expect((await guest.say('first', { QueueName: 'General' })).code).toBe(200);
    const [conversationId] = createdIds(emulator);
    await emulator.clock.advance(1000); // the guest may send 2 messages per second
    expect(await guest.say('update', { blob: 'y'.repeat(2045) })).toMatchObject({ code: 4013 });
    expect(await participantData(emulator, conversationId!)).toEqual({ QueueName: 'General' });
    await emulator.clock.advance(1000);
    expect((await guest.say('update', { blob: 'y'.repeat(2044) })).code).toBe(200);
    expect(await participantData(emulator, conversationId!)).toEqual({
      QueueName: 'General',
      blob: 'y'.repeat(2044),
    });
    await guest.close();
  });
});
