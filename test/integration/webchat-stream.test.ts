import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import {
  bearer,
  createChat,
  GUEST_BASE,
  type GuestStream,
  guestRequest,
  is,
  openStream,
} from '../support/webchat.ts';

/** The guest event stream: routing on attach, heartbeats, closing, reconnecting, idling, agents' moves. */

function userId(emulator: TestEmulator, name: string) {
  return emulator.fixture.users.find((u) => u.name === name)!.id;
}

function legs(emulator: TestEmulator, conversationId: string) {
  return emulator.conversations.get(conversationId)!.participants;
}

/** A ping answered proves every frame sent before it was handled (the socket is ordered). */
async function roundTrip(guest: GuestStream) {
  guest.socket.send(JSON.stringify({ message: 'ping' }));
  await guest.frames.next(
    (f) => f.topicName === 'channel.metadata' && f.eventBody.message === 'pong',
    'pong',
  );
}

/** The HTTP answer to an upgrade the emulator refuses. */
function refusedUpgrade(url: string): Promise<{ status: number; body: { code: string } }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
  });
}

describe('the guest event stream', () => {
  it('starts routing only when it connects', async () => {
    const emulator = await startEmulator();
    await emulator.agent('Alda Moore').goOnQueue();
    const chat = await createChat(emulator);
    await emulator.clock.advance(60_000);
    expect(legs(emulator, chat.id).map((p) => p.purpose)).toEqual(['customer']);
    expect(emulator.events.list({ conversationId: chat.id, type: ['routing.decision'] })).toEqual([]);

    const guest = await openStream(chat.eventStreamUri);
    const queue = await guest.frames.next(
      (f) => is.memberChange(f) && f.eventBody.member!.id !== chat.member.id,
    );
    await guest.frames.next((f) => f.eventBody.member?.state === 'ALERTING', 'Alda ALERTING');
    expect(legs(emulator, chat.id).map((p) => `${p.purpose}:${p.state}`)).toEqual([
      'customer:connected',
      'acd:connected',
      'agent:alerting',
    ]);
    expect(queue.eventBody.member!.id).toBe(legs(emulator, chat.id)[1]!.communicationId);
  });

  it('sends heartbeats every 30 s of emulator time, answers pings, and warns before closing on reset', async () => {
    const emulator = await startEmulator();
    const chat = await createChat(emulator);
    const guest = await openStream(chat.eventStreamUri);
    await emulator.clock.advance(29_999);
    await roundTrip(guest);
    expect(guest.frames.frames.filter(is.heartbeat)).toHaveLength(0);
    await emulator.clock.advance(1);
    await emulator.clock.advance(60_000);
    await roundTrip(guest);
    expect(guest.frames.frames.filter(is.heartbeat)).toHaveLength(3);

    await emulator.inject({ method: 'POST', url: '/__emulator/reset' });
    await guest.frames.next((f) => f.topicName === 'v2.system.socket_closing', 'socket_closing');
    expect(await guest.closed).toMatchObject({ code: 1001 });
    await emulator.clock.advance(60_000);
    expect(guest.frames.frames.at(-1)!.topicName).toBe('v2.system.socket_closing');
  });

  it("keeps each stream's heartbeat 30 s after its own attach, with many streams on one schedule", async () => {
    const emulator = await startEmulator();
    const early = await openStream((await createChat(emulator)).eventStreamUri);
    await emulator.clock.advance(10_000);
    const late = await openStream((await createChat(emulator)).eventStreamUri);
    const beats = async () => {
      if (early.socket.readyState === WebSocket.OPEN) await roundTrip(early);
      await roundTrip(late);
      return [
        early.frames.frames.filter(is.heartbeat).length,
        late.frames.frames.filter(is.heartbeat).length,
      ];
    };
    await emulator.clock.advance(20_000);
    expect(await beats()).toEqual([1, 0]);
    await emulator.clock.advance(10_000);
    expect(await beats()).toEqual([1, 1]);
    early.socket.close();
    await early.closed;
    await emulator.clock.advance(60_000);
    expect((await beats())[1]).toBe(3);
    expect(early.frames.frames.filter(is.heartbeat)).toHaveLength(1);
  });

  it('survives a dropped guest who reconnects to the same URI; one idle for 15 minutes leaves the chat', async () => {
    const emulator = await startEmulator();
    const alda = emulator.agent('Alda Moore');
    await alda.goOnQueue();
    const chat = await createChat(emulator);
    const first = await openStream(chat.eventStreamUri);
    await first.frames.next((f) => f.eventBody.member?.state === 'ALERTING', 'the alert');
    const agent = legs(emulator, chat.id).find((p) => p.purpose === 'agent')!;
    expect(await alda.nextAlert()).toMatchObject({ conversationId: chat.id, participantId: agent.id });
    await alda.answer();
    first.socket.close();
    await first.closed;

    await alda.say('while you were away');
    await emulator.clock.advance(14 * 60_000);
    const again = await openStream(chat.eventStreamUri);
    await again.frames.next(is.member(chat.member.id, 'CONNECTED'), 'CONNECTED again');
    await roundTrip(again);
    expect(again.frames.frames.filter(is.bodyType('member-join'))).toEqual([]);
    const history = await guestRequest(emulator, {
      url: `${GUEST_BASE}/${chat.id}/messages`,
      headers: bearer(chat),
    });
    expect(history.json().entities.map((m: { body: string }) => m.body)).toContain('while you were away');
    expect(legs(emulator, chat.id).find((p) => p.id === agent.id)!.state).toBe('connected');

    again.socket.close();
    await again.closed;
    await emulator.clock.advance(15 * 60_000 - 1);
    expect(emulator.conversations.get(chat.id)!.endTime).toBeUndefined();
    await emulator.clock.advance(1);
    expect(emulator.conversations.get(chat.id)!.endTime).toBeDefined();
    expect(legs(emulator, chat.id).map((p) => [p.purpose, p.disconnectType])).toEqual([
      ['customer', 'session.expired'],
      ['acd', 'transfer'],
      ['agent', 'peer'],
    ]);
    const after = await guestRequest(emulator, {
      url: `${GUEST_BASE}/${chat.id}/messages`,
      headers: bearer(chat),
    });
    // The guest's leave, then the agent's (the agent is disconnected as the conversation ends).
    const leaves = after.json().entities.filter((m: { bodyType: string }) => m.bodyType === 'member-leave');
    expect(leaves.map((m: { sender: { id: string } }) => m.sender.id)).toEqual([
      chat.member.id,
      agent.communicationId,
    ]);
  });

  it('a chat whose stream never attaches is dropped after 15 minutes', async () => {
    const emulator = await startEmulator();
    const chat = await createChat(emulator);
    await emulator.clock.advance(15 * 60_000);
    expect(legs(emulator, chat.id)[0]).toMatchObject({
      state: 'disconnected',
      disconnectType: 'session.expired',
    });
    const refused = await refusedUpgrade(chat.eventStreamUri);
    expect(refused).toMatchObject({ status: 400, body: { code: 'chat.error.member.state' } });
  });

  it('a second connection replaces the first, which closes normally', async () => {
    const emulator = await startEmulator();
    const chat = await createChat(emulator);
    const first = await openStream(chat.eventStreamUri);
    const second = await openStream(chat.eventStreamUri);
    expect(await first.closed).toMatchObject({ code: 1000 });
    await second.frames.next(is.member(chat.member.id, 'CONNECTED'));
    const sent = await guestRequest(emulator, {
      method: 'POST',
      url: `${GUEST_BASE}/${chat.id}/members/${chat.member.id}/messages`,
      headers: bearer(chat),
      payload: { body: 'on the new socket' },
    });
    expect(sent.statusCode).toBe(200);
    await second.frames.next(is.text('on the new socket'));
  });

  it('refuses the upgrade for a bad token or a chat that is over', async () => {
    const emulator = await startEmulator();
    const chat = await createChat(emulator);
    const base = `ws://127.0.0.1:${emulator.port}/v1/token/`;
    expect(await refusedUpgrade(`${base}not-a-jwt`)).toMatchObject({
      status: 401,
      body: { code: 'bad.credentials' },
    });
    expect(await refusedUpgrade(base)).toMatchObject({ status: 404, body: { code: 'not.found' } });
    const plain = await emulator.inject({ url: `/v1/token/${chat.jwt}` });
    expect(plain.statusCode, plain.body).toBe(400);
    expect(plain.json()).toMatchObject({ code: 'bad.request' });
    // Ended through the platform API (PATCH the conversation), not by the guest.
    await emulator.agent('Alda Moore').call('PATCH', `/api/v2/conversations/chats/${chat.id}`, {
      state: 'disconnected',
    });
    expect(await refusedUpgrade(chat.eventStreamUri)).toMatchObject({
      status: 400,
      body: { code: 'chat.error.conversation.state' },
    });
  });

  it('shows a transfer to an agent and an unanswered alert as member changes, keeping the stream open', async () => {
    const emulator = await startEmulator();
    const agentAlda = emulator.agent('Alda Moore');
    await agentAlda.goOnQueue();
    const chat = await createChat(emulator);
    const guest = await openStream(chat.eventStreamUri);
    await guest.frames.next((f) => f.eventBody.member?.state === 'ALERTING', 'the alert');
    const alda = legs(emulator, chat.id).find((p) => p.purpose === 'agent')!;
    expect(await agentAlda.nextAlert()).toMatchObject({ conversationId: chat.id, participantId: alda.id });
    await agentAlda.answer();
    await agentAlda.transferToAgent('Dena Lakin');
    const dena = legs(emulator, chat.id).at(-1)!;
    expect(dena.userId).toBe(userId(emulator, 'Dena Lakin'));
    await guest.frames.next(is.member(alda.communicationId, 'DISCONNECTED'));
    await guest.frames.next(is.bodyType('member-leave', alda.communicationId));
    await guest.frames.next(is.member(dena.communicationId, 'ALERTING'));

    // Dena lets it ring out: she leaves without ever joining; the chat goes back to its queue and Alda.
    await emulator.clock.advance(30_000);
    await guest.frames.next(is.member(dena.communicationId, 'DISCONNECTED'));
    const realda = await guest.frames.next(
      (f) => f.eventBody.member?.state === 'ALERTING' && f.eventBody.member.id !== dena.communicationId,
    );
    expect(legs(emulator, chat.id).at(-1)).toMatchObject({
      userId: userId(emulator, 'Alda Moore'),
      communicationId: realda.eventBody.member!.id,
    });
    expect(guest.frames.frames.filter(is.bodyType('member-leave', dena.communicationId))).toEqual([]);
    expect(guest.frames.frames.filter(is.bodyType('member-join', dena.communicationId))).toEqual([]);
  });
});
