import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator } from '../support/emulators.ts';
import { bearer, createChat, GUEST_BASE, guestRequest } from '../support/webchat.ts';
import { Guest, type Wire } from '../support/webmessaging.ts';

const guests: Guest[] = [];
afterEach(async () => {
  await Promise.all(guests.splice(0).map((g) => g.close()));
});

describe('GET /api/v2/conversations/chats/{id}/messages pages as Genesys pages', () => {
  it('at most maxResults (100) per page around after/before ids, with next and previousPage', async () => {
    const emulator = await startEmulator();
    const auth = await bearerFor(emulator, clients(emulator).org);
    const get = (url: string) => emulator.inject({ method: 'GET', url, headers: { authorization: auth } });
    const chat = emulator.customers.start({
      queueName: 'General',
      text: 'm0',
      mediaType: 'chat',
      channel: 'webchat',
    });
    for (let i = 1; i < 230; i++) emulator.customers.say(chat.id, `m${i}`);
    const base = `/api/v2/conversations/chats/${chat.id}/messages`;
    const bodies = (page: Wire) => page.entities.map((m: Wire) => m.body);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

    const first = (await get(base)).json();
    expect(first.pageSize).toBe(100);
    expect(bodies(first)).toEqual(range(0, 100));
    expect(first.previousPage).toBeUndefined();
    expect(first.entities[0]).toMatchObject({
      id: expect.any(String),
      body: 'm0',
      bodyType: 'standard',
      conversation: { id: chat.id },
    });
    // Following `next` walks the whole transcript once, in order.
    const all: string[] = [];
    let next: string | undefined = base;
    let pages = 0;
    while (next) {
      const page: Wire = (await get(next)).json();
      all.push(...bodies(page));
      next = page.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(all).toEqual(range(0, 230));

    const newest = (await get(`${base}?sortOrder=descending&maxResults=10`)).json();
    expect(bodies(newest)).toEqual(range(220, 230).reverse());
    expect(newest.next).toContain(`before=${newest.entities[9].id}`);
    expect(bodies((await get(newest.next)).json())).toEqual(range(210, 220).reverse());
    const around = (await get(`${base}?after=${first.entities[4].id}&maxResults=3`)).json();
    expect(bodies(around)).toEqual(['m5', 'm6', 'm7']);
    expect(bodies((await get(around.previousPage)).json())).toEqual(['m2', 'm3', 'm4']);
    const before = (await get(`${base}?before=${first.entities[4].id}`)).json();
    expect(bodies(before)).toEqual(range(0, 4));
    const one = await get(`${base}/${first.entities[7].id}`);
    expect(one.json()).toMatchObject({ body: 'm7' });

    expectApiError(await get(`${base}?maxResults=101`), 400, 'bad.request');
    expectApiError(await get(`${base}?after=nope`), 400, 'bad.request');
    expectApiError(await get(`${base}?sortOrder=sideways`), 400, 'bad.request');
    expectApiError(await get(`${base}/nope`), 404, 'not.found');
    const message = emulator.customers.start({ queueName: 'General', text: 'not a chat' });
    expectApiError(await get(`/api/v2/conversations/chats/${message.id}/messages`), 404, 'not.found');
  });

  it('the agent as code reads a long chat page by page', async () => {
    const emulator = await startEmulator();
    const mia = emulator.agent('Mia Welch');
    await mia.goOnQueue();
    const chat = emulator.customers.start({
      queueName: 'General',
      text: 'c0',
      mediaType: 'chat',
      channel: 'webchat',
    });
    for (let i = 1; i < 150; i++) emulator.customers.say(chat.id, `c${i}`);
    await mia.nextAlert();
    await mia.answer();
    expect(await mia.received()).toHaveLength(150);
    emulator.customers.say(chat.id, 'one more');
    expect(await mia.received()).toEqual(['one more']);
  });
});

describe('a conversation holds at most fidelity.maxMessagesPerConversation messages', () => {
  const limited = () => startEmulator({ fidelity: { maxMessagesPerConversation: 3 } });

  it('the agent API and the scripted customer are refused past the cap with a Genesys error naming the limit', async () => {
    const emulator = await limited();
    const alda = emulator.agent('Alda Moore');
    await alda.goOnQueue();
    const conversation = emulator.customers.start({ queueName: 'General', text: 'one' });
    await alda.nextAlert();
    await alda.answer();
    await alda.say('two');
    emulator.customers.say(conversation.id, 'three');
    const refused = await alda.say('four').catch((e: { status: number; detail: Wire }) => e);
    expect(refused).toMatchObject({
      status: 400,
      detail: {
        code: 'bad.request',
        limit: { key: 'max.messages.per.conversation', namespace: 'conversations', value: 3 },
      },
    });
    const control = await emulator.inject({
      method: 'POST',
      url: `/__emulator/conversations/${conversation.id}/messages`,
      payload: { text: 'five' },
    });
    expectApiError(control, 400, 'bad.request');
    expect(emulator.conversations.get(conversation.id)!.messages.map((m) => m.text)).toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('a Web Messaging guest gets an error frame; a WebChat guest a Genesys 400; nothing is added', async () => {
    const emulator = await limited();
    const guest = await Guest.connect(emulator, randomUUID());
    guests.push(guest);
    await guest.configure();
    for (const text of ['a', 'b', 'c']) {
      expect((await guest.say(text)).class).toBe('StructuredMessage');
      await emulator.clock.advance(1_000); // under the 2 messages per second guest rate
    }
    const refused = await guest.say('d');
    expect(refused).toMatchObject({
      type: 'response',
      code: 400,
      body: expect.stringContaining('maximum of 3 messages'),
    });
    const [conversation] = emulator.conversations.list();
    expect(conversation!.messages.map((m) => m.text)).toEqual(['a', 'b', 'c']);

    const chat = await createChat(emulator);
    const send = (body: string) =>
      guestRequest(emulator, {
        method: 'POST',
        url: `${GUEST_BASE}/${chat.id}/members/${chat.member.id}/messages`,
        headers: bearer(chat),
        payload: { body, bodyType: 'standard' },
      });
    for (const text of ['x', 'y', 'z']) expect((await send(text)).statusCode).toBe(200);
    const over = expectApiError(await send('w'), 400, 'bad.request');
    expect(over.limit).toEqual({
      key: 'max.messages.per.conversation',
      namespace: 'conversations',
      value: 3,
    });
    expect(emulator.conversations.get(chat.id)!.messages.map((m) => m.text)).toEqual(['x', 'y', 'z']);
  });
});
