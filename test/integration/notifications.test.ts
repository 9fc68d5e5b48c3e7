import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { closeSocket, FrameCollector, openSocket } from '../support/frames.ts';

interface Frame {
  topicName: string;
  version: string;
  eventBody: { message?: string; id?: string; routingStatus?: { status: string } };
  metadata: { CorrelationId: string };
}

async function channelFor(emulator: TestEmulator, agentIndex = 0) {
  const client = clients(emulator).agents[agentIndex]!;
  const auth = await bearerFor(emulator, client);
  const call = (method: string, url: string, payload?: unknown) =>
    emulator.inject({
      method: method as 'POST',
      url,
      headers: {
        authorization: auth,
        'content-type': 'application/json',
        host: `127.0.0.1:${emulator.port}`,
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const created = await call('POST', '/api/v2/notifications/channels');
  expect(created.statusCode, created.body).toBe(200);
  const channel = created.json() as { id: string; connectUri: string; expires: string };
  return { channel, call, userId: client.user! };
}

describe('notification channels', () => {
  it('returns a connectUri on the emulator, and PUT replaces while POST adds subscriptions', async () => {
    const emulator = await startEmulator();
    const { channel, call, userId } = await channelFor(emulator);
    expect(channel.connectUri).toBe(`ws://127.0.0.1:${emulator.port}/channels/${channel.id}`);
    expect(channel.id).toMatch(/^streaming-0-/);

    const subs = `/api/v2/notifications/channels/${channel.id}/subscriptions`;
    const topic = (t: string) => ({ id: `v2.users.${userId}.${t}` });
    await call('PUT', subs, [topic('conversations')]);
    await call('POST', subs, [topic('routingStatus')]);
    expect((await call('GET', subs)).json().entities.map((e: { id: string }) => e.id)).toEqual([
      topic('conversations').id,
      topic('routingStatus').id,
    ]);
    const replaced = await call('PUT', subs, [topic('conversations.messages')]);
    expect(replaced.json().entities).toEqual([
      expect.objectContaining({ id: topic('conversations.messages').id, state: 'Permitted' }),
    ]);

    expectApiError(await call('PUT', subs, [{ id: 'v2.conversations.x' }]), 400, 'bad.request');
    expect((await call('PUT', `${subs}?ignoreErrors=true`, [{ id: 'v2.conversations.x' }])).statusCode).toBe(
      200,
    );
    expectApiError(
      await call('PUT', '/api/v2/notifications/channels/nope/subscriptions', []),
      404,
      'not.found',
    );
  });

  it('streams routing-status events in the real envelope, heartbeats every 30 s on the clock, and answers ping', async () => {
    const emulator = await startEmulator();
    const { channel, call, userId } = await channelFor(emulator);
    await call('PUT', `/api/v2/notifications/channels/${channel.id}/subscriptions`, [
      { id: `v2.users.${userId}.routingStatus` },
    ]);
    const socket = await openSocket(channel.connectUri);
    const frames = new FrameCollector<Frame>(socket);

    await call('PUT', `/api/v2/users/${userId}/routingstatus`, { status: 'IDLE' });
    const status = await frames.next((f) => f.topicName === `v2.users.${userId}.routingStatus`);
    expect(status).toEqual({
      topicName: `v2.users.${userId}.routingStatus`,
      version: '2',
      eventBody: { id: userId, routingStatus: { status: 'IDLE', startTime: expect.any(String) } },
      metadata: { CorrelationId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });

    await emulator.clock.advance(29_999);
    socket.send(JSON.stringify({ message: 'ping' }));
    expect((await frames.next((f) => f.topicName === 'channel.metadata')).eventBody).toEqual({
      message: 'pong',
    });
    expect(frames.frames.filter((f) => f.eventBody.message === 'WebSocket Heartbeat')).toHaveLength(0);
    await emulator.clock.advance(1);
    await frames.next((f) => f.eventBody.message === 'WebSocket Heartbeat', 'a heartbeat');
    await emulator.clock.advance(30_000);
    await frames.next((f) => f.eventBody.message === 'WebSocket Heartbeat', 'a second heartbeat');
    await closeSocket(socket);
  });

  it('sends v2.system.socket_closing before the server closes the channel', async () => {
    const emulator = await startEmulator();
    const { channel } = await channelFor(emulator);
    const socket = await openSocket(channel.connectUri);
    const frames = new FrameCollector<Frame>(socket);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await emulator.inject({ method: 'POST', url: '/__emulator/reset' });
    expect(await closed).toBe(1000);
    expect(frames.frames.map((f) => f.topicName)).toEqual(['v2.system.socket_closing']);
  });

  it('sends v2.system.socket_closing before the emulator shuts down, too (the cue to reconnect)', async () => {
    const emulator = await startEmulator();
    const { channel } = await channelFor(emulator);
    const socket = await openSocket(channel.connectUri);
    const frames = new FrameCollector<Frame>(socket);
    const closed = new Promise<[number, string]>((resolve) =>
      socket.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    await emulator.close();
    expect(await closed).toEqual([1000, 'channel closed']);
    expect(frames.frames.map((f) => f.topicName)).toEqual(['v2.system.socket_closing']);
  });

  it('refuses a socket for an unknown channel', async () => {
    const emulator = await startEmulator();
    const socket = new WebSocket(`ws://127.0.0.1:${emulator.port}/channels/streaming-0-unknown`);
    socket.on('error', () => {}); // the refused upgrade also surfaces as an error event
    const status = await new Promise<number>((resolve) =>
      socket.once('unexpected-response', (request, res) => {
        request.destroy();
        resolve(res.statusCode ?? 0);
      }),
    );
    expect(status).toBe(404);
  });
});

describe('per-conversation feeds', () => {
  it("publish the customer's typing to the agents of a message conversation, and a chat's messages and typing", async () => {
    const emulator = await startEmulator();
    const { channel, call, userId } = await channelFor(emulator);
    // On queue in General, the agent is offered both conversations: typing goes to the agents on one.
    await call('PUT', `/api/v2/users/${userId}/routingstatus`, { status: 'IDLE' });
    const start = async (mediaType: string) =>
      (
        await emulator.inject({
          method: 'POST',
          url: '/__emulator/conversations',
          payload: {
            mediaType,
            channel: mediaType === 'chat' ? 'webchat' : 'webmessaging',
            queueName: 'General',
          },
        })
      ).json().id as string;
    const message = await start('message');
    const chat = await start('chat');
    const typingTopic = `v2.users.${userId}.conversations.inbound.typing.event`;
    await call('PUT', `/api/v2/notifications/channels/${channel.id}/subscriptions`, [
      { id: typingTopic },
      { id: `v2.conversations.chats.${chat}.messages` },
    ]);
    const socket = await openSocket(channel.connectUri);
    const frames = new FrameCollector<Frame & { eventBody: Record<string, unknown> }>(socket);

    await emulator.inject({ method: 'POST', url: `/__emulator/conversations/${message}/typing` });
    const typing = await frames.next((f) => f.topicName === typingTopic);
    expect(typing.eventBody).toMatchObject({
      conversationId: message,
      normalizedMessage: {
        type: 'Event',
        direction: 'Inbound',
        events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }],
      },
    });

    await emulator.inject({ method: 'POST', url: `/__emulator/conversations/${chat}/typing` });
    await emulator.inject({
      method: 'POST',
      url: `/__emulator/conversations/${chat}/messages`,
      payload: { text: 'hi' },
    });
    const chatFrames = [
      await frames.next((f) => f.topicName.startsWith('v2.conversations.chats.')),
      await frames.next((f) => f.topicName.startsWith('v2.conversations.chats.')),
    ];
    // As on the WebChat stream, the kind is in metadata.type.
    expect(chatFrames.map((f) => (f.metadata as { type?: string }).type)).toEqual([
      'typing-indicator',
      'message',
    ]);
    expect(chatFrames[1]!.eventBody).toMatchObject({
      body: 'hi',
      bodyType: 'standard',
      conversation: { id: chat },
    });
    await closeSocket(socket);
  });
});
