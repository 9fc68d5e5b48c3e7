import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { type Bridge, type BridgeEvent, createBridge } from '../../../bridge/index.ts';
import { DEPLOYMENT, ORG, settle } from './fake-adapter.ts';
import { type FakeConnection, FakeGuestServer } from './fake-guest-server.ts';

/**
 * The WebChat v2 adapter against a scripted REST API (injected fetch) and a scripted event stream
 * (tiny WebSocket server), through the public bridge API. Shapes follow guest-protocols.md part 1.
 */

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

let server: FakeGuestServer;
let clock: ManualClock;
let bridge: Bridge;
let requests: Recorded[];
let overrides: Map<string, Reply[]>;
const members: Record<string, unknown> = {
  A1: {
    id: 'A1',
    displayName: 'Alex',
    role: 'AGENT',
    state: 'CONNECTED',
    avatarImageUrl: 'https://img/alex.png',
  },
  A2: { id: 'A2', displayName: 'Sam', role: 'AGENT', state: 'CONNECTED' },
  Q1: { id: 'Q1', role: 'ACD', state: 'CONNECTED' },
};

function reply(method: string, path: string): Reply {
  const scripted = overrides.get(`${method} ${path}`)?.shift();
  if (scripted) return scripted;
  const base = '/api/v2/webchat/guest/conversations';
  if (method === 'POST' && path === base) {
    return {
      status: 200,
      body: {
        id: 'C1',
        jwt: 'J1',
        eventStreamUri: `ws://127.0.0.1:${server.port}/v1/token/J1`,
        member: { id: 'G1' },
      },
    };
  }
  const member = /^\/api\/v2\/webchat\/guest\/conversations\/C1\/members\/(\w+)$/.exec(path)?.[1];
  if (method === 'GET' && member)
    return members[member] ? { status: 200, body: members[member] } : { status: 404 };
  if (method === 'POST' && path.endsWith('/members/G1/messages')) {
    return { status: 200, body: { id: `m${requests.length}`, sender: { id: 'G1' }, bodyType: 'standard' } };
  }
  if (method === 'POST' && path.endsWith('/members/G1/typing')) return { status: 200, body: { id: 't1' } };
  if (method === 'DELETE' && path.endsWith('/members/G1')) return { status: 204 };
  return { status: 404, body: { status: 404, code: 'not.found', message: 'not found' } };
}

beforeEach(async () => {
  server = await FakeGuestServer.start();
  clock = new ManualClock();
  requests = [];
  overrides = new Map();
  bridge = createBridge(
    {
      loginUrl: server.loginUrl,
      organizationId: ORG,
      deploymentId: DEPLOYMENT,
      queueName: 'Tier1 Chat',
      timeouts: { reorderWindowMs: 0 },
    },
    {
      clock,
      random: () => 1,
      fetch: async (url, init) => {
        const parsed = new URL(url);
        const path = parsed.pathname + parsed.search;
        const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
        requests.push({
          method: init.method ?? 'GET',
          path,
          headers: (init.headers ?? {}) as Record<string, string>,
          body,
        });
        const answer = reply(init.method ?? 'GET', path);
        const text = answer.body === undefined ? null : JSON.stringify(answer.body);
        return new Response(text, {
          status: answer.status,
          headers: { 'Content-Type': 'application/json', ...answer.headers },
        });
      },
    },
  );
});

afterEach(async () => {
  await server.close();
  await bridge.close();
});

function eventOf(sessionId: string, type: BridgeEvent['type'], nth = 1): Promise<BridgeEvent> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = bridge.subscribe(sessionId, (event) => {
      if (event.type === type && ++seen === nth) {
        queueMicrotask(() => stop());
        resolve(event);
      }
    });
  });
}

function frame(type: string, topic: 'members' | 'messages', eventBody: Record<string, unknown>) {
  return {
    topicName: `v2.conversations.chats.C1.${topic}`,
    version: '2',
    eventBody: { conversation: { id: 'C1' }, timestamp: '2026-01-01T09:00:05.000Z', ...eventBody },
    metadata: { CorrelationId: 'corr', type },
  };
}

const memberChange = (id: string, state: string) =>
  frame('member-change', 'members', { member: { id, state } });
const chatMessage = (id: string, sender: string, body: string, bodyType = 'standard') =>
  frame('message', 'messages', { id, sender: { id: sender }, body, bodyType });

async function openChat(): Promise<{ stream: FakeConnection; sessionId: string }> {
  const pending = bridge.startTransfer({
    idempotencyKey: 'k1',
    botConversationId: 'bot-1',
    customer: { id: 'c-1', firstName: 'Jane', lastName: 'Guest', email: 'jane@example.com' },
    metadata: { customerId: 'C-42' },
  });
  const stream = await server.nextConnection();
  const result = await pending;
  expect(result.state).toBe('queued');
  return { stream, sessionId: result.sessionId };
}

describe('WebChat adapter', () => {
  it('creates the chat with routing target and custom fields, then attaches the event stream', async () => {
    const { stream, sessionId } = await openChat();
    expect(requests[0]).toEqual({
      method: 'POST',
      path: '/api/v2/webchat/guest/conversations',
      headers: expect.objectContaining({ 'Content-Type': 'application/json' }),
      body: {
        organizationId: ORG,
        deploymentId: DEPLOYMENT,
        routingTarget: { targetType: 'QUEUE', targetAddress: 'Tier1 Chat' },
        memberInfo: {
          displayName: 'Jane Guest',
          firstName: 'Jane',
          lastName: 'Guest',
          email: 'jane@example.com',
          customFields: { customerId: 'C-42', QueueName: 'Tier1 Chat' },
        },
      },
    });
    expect(requests[0]?.headers).not.toHaveProperty('Authorization');
    expect(stream.url.pathname).toBe('/v1/token/J1');
    expect(await bridge.getSession(sessionId)).toMatchObject({
      state: 'queued',
      provider: { conversationId: 'C1' },
    });
    expect((await bridge.readEvents(sessionId))[0]).toMatchObject({
      type: 'transfer.accepted',
      providerRef: { conversationId: 'C1' },
    });
  });

  it('reports an unknown queue as QUEUE_NOT_FOUND', async () => {
    overrides.set('POST /api/v2/webchat/guest/conversations', [
      { status: 400, body: { status: 400, code: 'chat.error.invalid.queue', message: 'Invalid queue' } },
    ]);
    const result = await bridge.startTransfer({
      idempotencyKey: 'k',
      botConversationId: 'b',
      customer: { id: 'c' },
    });
    expect(result).toMatchObject({ state: 'failed', error: { code: 'QUEUE_NOT_FOUND' } });
  });

  it('observes the agent joining, relays agent messages and typing, and skips its own echoes', async () => {
    const { stream, sessionId } = await openChat();
    const joined = eventOf(sessionId, 'agent.joined');
    const message = eventOf(sessionId, 'agent.message');
    const typing = eventOf(sessionId, 'agent.typing');
    stream.send(memberChange('G1', 'CONNECTED'));
    stream.send(memberChange('Q1', 'CONNECTED'));
    stream.send(memberChange('A1', 'ALERTING'));
    stream.send(memberChange('A1', 'CONNECTED'));
    stream.send(chatMessage('m-own', 'G1', 'my own words'));
    stream.send(frame('typing-indicator', 'messages', { id: 't1', sender: { id: 'A1' } }));
    stream.send(chatMessage('m-a1', 'A1', 'Hi Jane, I see invoice 123.'));
    expect(await joined).toMatchObject({
      agent: { id: 'A1', displayName: 'Alex', avatarUrl: 'https://img/alex.png' },
    });
    expect((await joined).inferred).toBeUndefined();
    expect(await typing).toMatchObject({ expiresAt: '2026-01-01T09:00:09.000Z' });
    expect(await message).toMatchObject({
      origin: 'human',
      agent: { id: 'A1' },
      message: { id: 'm-a1', text: 'Hi Jane, I see invoice 123.' },
    });
    const texts = (await bridge.readEvents(sessionId)).filter((e) => e.type === 'agent.message');
    expect(texts).toHaveLength(1);
  });

  it('sends messages and typing with the guest JWT', async () => {
    const { sessionId } = await openChat();
    const status = eventOf(sessionId, 'message.status');
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'Thanks!' });
    expect(await status).toMatchObject({
      status: 'sent',
      providerMessageId: expect.stringMatching(/^m\d+$/),
    });
    const send = requests.find((r) => r.path.endsWith('/messages'));
    expect(send).toMatchObject({
      method: 'POST',
      path: '/api/v2/webchat/guest/conversations/C1/members/G1/messages',
      headers: expect.objectContaining({ Authorization: 'Bearer J1' }),
      body: { body: 'Thanks!', bodyType: 'standard' },
    });
    clock.advance(1000);
    await bridge.sendTyping(sessionId, { isTyping: true });
    await settle();
    expect(requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/v2/webchat/guest/conversations/C1/members/G1/typing',
      body: undefined,
    });
  });

  it('retries a send refused with 429 after Retry-After', async () => {
    overrides.set('POST /api/v2/webchat/guest/conversations/C1/members/G1/messages', [
      { status: 429, body: { status: 429, code: 'too.many.requests' }, headers: { 'Retry-After': '2' } },
    ]);
    const { sessionId } = await openChat();
    const status = eventOf(sessionId, 'message.status');
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'hello' });
    await settle();
    expect(requests.filter((r) => r.path.endsWith('/messages'))).toHaveLength(1);
    clock.advance(2000);
    expect(await status).toMatchObject({ status: 'sent' });
    expect(requests.filter((r) => r.path.endsWith('/messages'))).toHaveLength(2);
  });

  it('calls an agent leaving while the guest stays a transfer', async () => {
    const { stream, sessionId } = await openChat();
    stream.send(memberChange('A1', 'CONNECTED'));
    await eventOf(sessionId, 'agent.joined');
    const changed = eventOf(sessionId, 'transfer.changed');
    stream.send(memberChange('A1', 'DISCONNECTED'));
    await settle();
    clock.advance(2000);
    expect(await changed).toMatchObject({ kind: 'unknown', from: { id: 'A1' }, inferred: true });
    const second = eventOf(sessionId, 'agent.joined', 2);
    stream.send(memberChange('A2', 'CONNECTED'));
    expect(await second).toMatchObject({ agent: { id: 'A2', displayName: 'Sam' } });
    const types = (await bridge.readEvents(sessionId)).map((e) => e.type);
    expect(types).toEqual([
      'transfer.accepted',
      'agent.joined',
      'agent.left',
      'transfer.changed',
      'agent.joined',
    ]);
    expect((await bridge.getSession(sessionId))?.state).toBe('agentActive');
  });

  it('ends when the agent leaves and Genesys disconnects the guest', async () => {
    const { stream, sessionId } = await openChat();
    stream.send(memberChange('A1', 'CONNECTED'));
    await eventOf(sessionId, 'agent.joined');
    const ended = eventOf(sessionId, 'session.ended');
    stream.send(memberChange('A1', 'DISCONNECTED'));
    stream.send(memberChange('G1', 'DISCONNECTED'));
    expect(await ended).toMatchObject({ reason: 'agentEnded', by: 'agent' });
    const left = (await bridge.readEvents(sessionId)).find((e) => e.type === 'agent.left');
    expect(left).toMatchObject({ conversationContinues: false, agent: { id: 'A1' } });
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('leaves the chat with DELETE member when the bot ends the session', async () => {
    const { sessionId } = await openChat();
    await bridge.endSession(sessionId);
    expect(requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/api/v2/webchat/guest/conversations/C1/members/G1',
      headers: expect.objectContaining({ Authorization: 'Bearer J1' }),
    });
    expect((await bridge.readEvents(sessionId)).at(-1)).toMatchObject({
      type: 'session.ended',
      reason: 'botEnded',
    });
  });

  it('reopens the event stream after a drop and catches up presence and messages', async () => {
    const { stream, sessionId } = await openChat();
    stream.send(memberChange('A1', 'CONNECTED'));
    stream.send(chatMessage('m-1', 'A1', 'first'));
    await eventOf(sessionId, 'agent.message');
    overrides.set(
      'GET /api/v2/webchat/guest/conversations/C1/members?pageSize=25&pageNumber=1&excludeDisconnectedMembers=true',
      [
        {
          status: 200,
          body: {
            entities: [members['A2'], { id: 'G1', role: 'CUSTOMER', state: 'CONNECTED' }],
            pageSize: 25,
            pageNumber: 1,
            total: 2,
          },
        },
      ],
    );
    overrides.set(
      'GET /api/v2/webchat/guest/conversations/C1/messages?sortOrder=ascending&maxResults=100&after=m-1',
      [
        {
          status: 200,
          body: {
            entities: [
              {
                id: 'm-2',
                sender: { id: 'A2' },
                body: 'Sam here',
                bodyType: 'standard',
                timestamp: '2026-01-01T09:01:00.000Z',
              },
            ],
            pageSize: 1,
          },
        },
      ],
    );
    const reconnecting = eventOf(sessionId, 'connection.changed');
    stream.terminate();
    expect(await reconnecting).toMatchObject({ connectivity: 'reconnecting' });
    const caughtUp = eventOf(sessionId, 'agent.message', 2);
    clock.advance(1000);
    const again = await server.nextConnection();
    expect(again.url.pathname).toBe('/v1/token/J1');
    await settle();
    clock.advance(2000);
    expect(await caughtUp).toMatchObject({ agent: { id: 'A2' }, message: { id: 'm-2', text: 'Sam here' } });
    const types = (await bridge.readEvents(sessionId)).map((e) => e.type);
    expect(types).toEqual([
      'transfer.accepted',
      'agent.joined',
      'agent.message',
      'connection.changed',
      'agent.left',
      'transfer.changed',
      'agent.joined',
      'connection.changed',
      'agent.message',
    ]);
  });
});

describe('WebChat adapter: nothing accepted is lost', () => {
  const MESSAGES = '/api/v2/webchat/guest/conversations/C1/messages';
  const SEND = 'POST /api/v2/webchat/guest/conversations/C1/members/G1/messages';

  it('ends after reading back what the agent said when the stream is refused because the chat ended meanwhile', async () => {
    const { stream, sessionId } = await openChat();
    stream.send(memberChange('A1', 'CONNECTED'));
    stream.send(chatMessage('m-1', 'A1', 'first'));
    await eventOf(sessionId, 'agent.message');
    // While the stream is down the agent says goodbye and ends the chat: the guest is no longer a member.
    overrides.set(
      'GET /api/v2/webchat/guest/conversations/C1/members?pageSize=25&pageNumber=1&excludeDisconnectedMembers=true',
      [{ status: 200, body: { entities: [], pageSize: 25, pageNumber: 1, total: 0 } }],
    );
    overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=m-1`, [
      {
        status: 200,
        body: {
          entities: [
            {
              id: 'm-2',
              sender: { id: 'A1' },
              body: 'goodbye',
              bodyType: 'standard',
              timestamp: '2026-01-01T09:01:00.000Z',
            },
          ],
          pageSize: 100,
        },
      },
    ]);
    server.refuseWith = 400;
    const ended = eventOf(sessionId, 'session.ended');
    stream.terminate();
    await eventOf(sessionId, 'connection.changed');
    clock.advance(1000);
    expect(await ended).toMatchObject({ reason: 'agentEnded', by: 'agent' });
    const events = await bridge.readEvents(sessionId);
    expect(events.slice(-3).map((e) => (e.type === 'agent.message' ? e.message.text : e.type))).toEqual([
      'goodbye',
      'agent.left',
      'session.ended',
    ]);
    expect((await bridge.getSession(sessionId))?.connectivity).toBe('offline');
  });

  it('reads the missed messages from the last one before the drop, also on a retry after live ones arrived', async () => {
    const { stream, sessionId } = await openChat();
    stream.send(memberChange('A1', 'CONNECTED'));
    stream.send(chatMessage('m-1', 'A1', 'one'));
    await eventOf(sessionId, 'agent.message');
    const unavailable = { status: 503, body: { status: 503, code: 'service.unavailable', message: 'busy' } };
    const page = (...ids: string[]) => ({
      status: 200,
      body: {
        entities: ids.map((id) => ({
          id,
          sender: { id: 'A1' },
          body: `text ${id}`,
          bodyType: 'standard',
          timestamp: '2026-01-01T09:01:00.000Z',
        })),
        pageSize: 100,
      },
    });
    // The first read fails (every attempt answers 503), the second works.
    overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=m-1`, [
      unavailable,
      unavailable,
      unavailable,
      unavailable,
      page('m-2', 'm-3'),
    ]);
    stream.terminate();
    await eventOf(sessionId, 'connection.changed');
    clock.advance(1000);
    const again = await server.nextConnection();
    await eventOf(sessionId, 'connection.changed', 2);
    // A live message arrives while the read is failing: it waits, and it is not where the next read starts.
    again.send(chatMessage('m-3', 'A1', 'text m-3'));
    for (let i = 0; i < 10; i++) {
      await settle();
      clock.advance(1000);
    }
    await eventOf(sessionId, 'agent.message', 3);
    const events = await bridge.readEvents(sessionId);
    expect(events.flatMap((e) => (e.type === 'agent.message' ? [e.message.id] : []))).toEqual([
      'm-1',
      'm-2',
      'm-3',
    ]);
    const reads = requests.filter((r) => r.method === 'GET' && r.path.startsWith(MESSAGES));
    expect(reads.map((r) => new URL(r.path, 'http://x').searchParams.get('after'))).toEqual([
      'm-1',
      'm-1',
      'm-1',
      'm-1',
      'm-1',
    ]);
  });

  it('looks up a send that got no clear answer (502) and does not send it twice when Genesys has it', async () => {
    const { sessionId } = await openChat();
    overrides.set(SEND, [{ status: 502, body: { status: 502, code: 'bad.gateway', message: 'upstream' } }]);
    overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100`, [
      {
        status: 200,
        body: {
          entities: [{ id: 'm-9', sender: { id: 'G1' }, body: 'did it go?', bodyType: 'standard' }],
          pageSize: 100,
        },
      },
    ]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'did it go?' });
    expect(await eventOf(sessionId, 'message.status')).toMatchObject({
      status: 'sent',
      providerMessageId: 'm-9',
    });
    expect(requests.filter((r) => `${r.method} ${r.path}` === SEND)).toHaveLength(1);
  });

  it('sends it again after the lookup when Genesys does not have it', async () => {
    const { sessionId } = await openChat();
    overrides.set(SEND, [{ status: 502, body: { status: 502, code: 'bad.gateway', message: 'upstream' } }]);
    overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100`, [
      { status: 200, body: { entities: [], pageSize: 100 } },
    ]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'once more' });
    expect(await eventOf(sessionId, 'message.status')).toMatchObject({ status: 'sent' });
    expect(requests.filter((r) => `${r.method} ${r.path}` === SEND)).toHaveLength(2);
    expect(requests.filter((r) => r.method === 'GET' && r.path.startsWith(MESSAGES))).toHaveLength(1);
  });

  it('sends again, without a lookup, a message refused with 503 (Genesys did not handle it)', async () => {
    const { sessionId } = await openChat();
    const unavailable = { status: 503, body: { status: 503, code: 'service.unavailable', message: 'busy' } };
    overrides.set(SEND, [unavailable, unavailable, unavailable, unavailable]);
    const sent = eventOf(sessionId, 'message.status');
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'patience' });
    for (let i = 0; i < 20; i++) {
      await settle();
      clock.advance(1000);
    }
    expect(await sent).toMatchObject({ status: 'sent' });
    expect(requests.filter((r) => `${r.method} ${r.path}` === SEND)).toHaveLength(5);
    expect(requests.filter((r) => r.method === 'GET' && r.path.startsWith(MESSAGES))).toHaveLength(0);
  });
});
