import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SocketFactory, wsSocketFactory } from '../../../bridge/channels/socket.ts';
import { ManualClock } from '../../../bridge/clock.ts';
import { type Bridge, type BridgeEvent, createBridge } from '../../../bridge/index.ts';
import { DEPLOYMENT, settle } from './fake-adapter.ts';
import { type FakeConnection, FakeGuestServer, type Frame } from './fake-guest-server.ts';

/**
 * The Web Messaging adapter against a scripted guest WebSocket server, through the public bridge API.
 * Frames on both sides are written from guest-protocols.md part 2.
 */

let server: FakeGuestServer;
let clock: ManualClock;
let bridge: Bridge;
let historyRequests: { url: string; headers: Record<string, string> }[];
let historyPages: unknown[];

function makeBridge(overrides: Record<string, unknown> = {}, socketFactory?: SocketFactory) {
  const { timeouts, webMessaging, ...rest } = overrides as { timeouts?: object; webMessaging?: object };
  return createBridge(
    {
      loginUrl: server.loginUrl,
      deploymentId: DEPLOYMENT,
      queueName: 'Support',
      origin: 'https://shop.example',
      timeouts: {
        reorderWindowMs: 0,
        reconnectInitialDelayMs: 1000,
        reconnectMaxDelayMs: 1000,
        reconnectWindowMs: 5000,
        ...timeouts,
      },
      webMessaging: { heartbeatMs: 0, ...webMessaging },
      ...rest,
    },
    {
      clock,
      random: () => 1,
      ...(socketFactory ? { socketFactory } : {}),
      fetch: async (url, init) => {
        historyRequests.push({ url, headers: (init.headers ?? {}) as Record<string, string> });
        const page = historyPages.shift() ?? {
          entities: [],
          pageSize: 25,
          pageNumber: 1,
          total: 0,
          pageCount: 0,
        };
        return new Response(JSON.stringify(page), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  );
}

beforeEach(async () => {
  server = await FakeGuestServer.start();
  clock = new ManualClock();
  historyRequests = [];
  historyPages = [];
  bridge = makeBridge();
});

afterEach(async () => {
  // Server first: a bridge closing live sessions would otherwise wait for Presence Clear confirmations.
  await server.close();
  await bridge.close();
});

const TIME = '2026-01-01T09:00:05.000Z';

function sessionResponse(tracingId: unknown, body: Record<string, unknown> = {}): Frame {
  return {
    type: 'response',
    class: 'SessionResponse',
    code: 200,
    tracingId,
    body: { connected: true, newSession: true, readOnly: false, maxCustomDataBytes: 2048, ...body },
  };
}

function echoOf(frame: Frame, id = 'in-1'): Frame {
  const message = frame['message'] as Record<string, unknown>;
  return {
    type: 'message',
    class: 'StructuredMessage',
    code: 200,
    tracingId: frame['tracingId'],
    body: { id, type: message['type'], text: message['text'], direction: 'Inbound', channel: { time: TIME } },
  };
}

function outbound(body: Record<string, unknown>): Frame {
  return {
    type: 'message',
    class: 'StructuredMessage',
    code: 200,
    body: { direction: 'Outbound', channel: { time: TIME }, ...body },
  };
}

function agentMessage(id: string, text: string, nickname = 'Alex'): Frame {
  return outbound({
    id,
    type: 'Text',
    text,
    originatingEntity: 'Human',
    channel: { time: TIME, from: { nickname, image: 'https://img/a.png' } },
  });
}

/** Resolves with the first event of a type (already logged or future). */
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

let markers = 0;

/**
 * Resolves once the bridge has handled every frame sent so far: frames are handled in order, so the
 * event of a marker agent message sent last proves the ones before it were processed.
 */
async function processed(connection: FakeConnection, sessionId: string): Promise<void> {
  const id = `marker-${++markers}`;
  const seen = new Promise<void>((resolve) => {
    const stop = bridge.subscribe(sessionId, (event) => {
      if (event.type === 'agent.message' && event.message.id === id) {
        queueMicrotask(() => stop());
        resolve();
      }
    });
  });
  connection.send(agentMessage(id, 'marker'));
  await seen;
  // ws may hand several frames over in one tick; let promise chains started by earlier frames finish.
  await settle();
}

async function openSession(request: Record<string, unknown> = {}) {
  const pending = bridge.startTransfer({
    idempotencyKey: 'k1',
    botConversationId: 'bot-1',
    customer: { id: 'c-1', displayName: 'Jane' },
    ...request,
  });
  const connection = await server.nextConnection();
  const configure = await connection.next();
  connection.send(sessionResponse(configure['tracingId']));
  const first = await connection.next();
  connection.send(echoOf(first));
  const result = await pending;
  return { connection, configure, first, result, sessionId: result.sessionId };
}

describe('Web Messaging adapter: opening', () => {
  it('connects with deploymentId, configures a session and sends the metadata on the first message', async () => {
    const { connection, configure, first, result } = await openSession({
      metadata: { tier: 'gold', vip: true },
      initialMessage: 'I need help with my bill',
    });
    expect(connection.url.pathname).toBe('/v1');
    expect(connection.url.searchParams.get('deploymentId')).toBe(DEPLOYMENT);
    expect(connection.url.searchParams.get('application')).toBe('genesys-bridge');
    expect(connection.headers.origin).toBe('https://shop.example');
    expect(configure).toMatchObject({
      action: 'configureSession',
      deploymentId: DEPLOYMENT,
      startNew: false,
    });
    expect(typeof configure['token']).toBe('string');
    expect(first).toEqual({
      action: 'onMessage',
      token: configure['token'],
      tracingId: expect.any(String),
      message: {
        type: 'Text',
        text: 'I need help with my bill',
        channel: { metadata: { customAttributes: { tier: 'gold', vip: 'true', QueueName: 'Support' } } },
      },
    });
    expect(result).toMatchObject({
      state: 'queued',
      channel: 'webMessaging',
      metadata: { budgetBytes: 2048 },
    });
  });

  it('fails the transfer when Genesys refuses the socket with 403', async () => {
    await server.close();
    server = await FakeGuestServer.start({ refuseWith: 403 });
    await bridge.close();
    bridge = makeBridge();
    const result = await bridge.startTransfer({
      idempotencyKey: 'k',
      botConversationId: 'b',
      customer: { id: 'c' },
    });
    expect(result).toMatchObject({ state: 'failed', error: { code: 'FORBIDDEN' } });
  });

  it('refuses metadata over the announced maxCustomDataBytes without sending a message', async () => {
    const pending = bridge.startTransfer({
      idempotencyKey: 'k',
      botConversationId: 'b',
      customer: { id: 'c' },
      metadata: { notes: 'x'.repeat(300) },
    });
    const connection = await server.nextConnection();
    const configure = await connection.next();
    connection.send(sessionResponse(configure['tracingId'], { maxCustomDataBytes: 256 }));
    const result = await pending;
    expect(result).toMatchObject({ state: 'failed', error: { code: 'METADATA_TOO_LARGE' } });
    await connection.closed;
    expect(connection.unread).toBe(0);
  });
});

describe('Web Messaging adapter: conversation', () => {
  it('relays agent and bot messages and typing, ignoring inbound echoes it did not send', async () => {
    const { connection, sessionId } = await openSession();
    const joined = eventOf(sessionId, 'agent.joined');
    const typing = eventOf(sessionId, 'agent.typing');
    const messages: BridgeEvent[] = [];
    bridge.subscribe(sessionId, (e) => {
      if (e.type === 'agent.message') messages.push(e);
    });
    connection.send(outbound({ id: 'b1', type: 'Text', text: 'Connecting you…', originatingEntity: 'Bot' }));
    connection.send(outbound({ id: 'x1', type: 'Text', text: 'typed elsewhere', direction: 'Inbound' }));
    connection.send(
      outbound({
        id: 't1',
        type: 'Event',
        events: [{ eventType: 'Typing', typing: { type: 'On', duration: 3000 } }],
      }),
    );
    connection.send(agentMessage('a1', 'Hi, I am Alex'));
    expect(await joined).toMatchObject({
      inferred: true,
      agent: { displayName: 'Alex', avatarUrl: 'https://img/a.png' },
    });
    expect(await typing).toMatchObject({ expiresAt: '2026-01-01T09:00:08.000Z', occurredAt: TIME });
    expect(messages.map((e) => (e.type === 'agent.message' ? [e.origin, e.message.text] : []))).toEqual([
      ['bot', 'Connecting you…'],
      ['human', 'Hi, I am Alex'],
    ]);
  });

  it('sends customer text, confirms it by the echo and reports the Genesys id', async () => {
    const { connection, sessionId } = await openSession();
    const status = eventOf(sessionId, 'message.status');
    const ack = await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'Thanks' });
    expect(ack.status).toBe('queued');
    clock.advance(1000);
    const frame = await connection.next();
    expect(frame).toMatchObject({ action: 'onMessage', message: { type: 'Text', text: 'Thanks' } });
    expect(frame['message']).not.toHaveProperty('channel');
    connection.send(echoOf(frame, 'in-2'));
    expect(await status).toMatchObject({ status: 'sent', providerMessageId: 'in-2', clientMessageId: 'm1' });
  });

  it('waits out a 4029 retryAfter and resends the refused message', async () => {
    const { connection, sessionId } = await openSession();
    const status = eventOf(sessionId, 'message.status');
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'again' });
    clock.advance(1000);
    const refused = await connection.next();
    connection.send({
      type: 'response',
      class: 'TooManyRequestsErrorMessage',
      code: 429,
      body: { retryAfter: 3, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
    });
    await processed(connection, sessionId);
    const retried = connection.next();
    // Nothing is resent before the 3 s pause is over.
    clock.advance(2999);
    expect(connection.unread).toBe(0);
    clock.advance(1);
    const resent = await retried;
    expect(resent['message']).toEqual(refused['message']);
    connection.send(echoOf(resent, 'in-3'));
    expect(await status).toMatchObject({ status: 'sent', providerMessageId: 'in-3' });
  });

  it('sends typing as an Event onMessage', async () => {
    const { connection, sessionId } = await openSession();
    clock.advance(1000);
    await bridge.sendTyping(sessionId, { isTyping: true });
    expect(await connection.next()).toMatchObject({
      action: 'onMessage',
      message: { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] },
    });
  });
});

describe('Web Messaging adapter: ending', () => {
  it('ends on Presence Disconnect and just detaches', async () => {
    const { connection, sessionId } = await openSession();
    connection.send(agentMessage('a1', 'Bye now'));
    const ended = eventOf(sessionId, 'session.ended');
    connection.send(
      outbound({
        id: 'e1',
        type: 'Event',
        metadata: { readOnly: 'true' },
        events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
      }),
    );
    expect(await ended).toMatchObject({ reason: 'agentEnded', by: 'agent' });
    await connection.closed;
    expect(connection.unread).toBe(0);
    const types = (await bridge.readEvents(sessionId)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['agent.left', 'session.ended']);
  });

  it('ends on SessionExpiredEvent', async () => {
    const { connection, sessionId } = await openSession();
    const ended = eventOf(sessionId, 'session.ended');
    connection.send({ type: 'response', class: 'SessionExpiredEvent', code: 200, body: {} });
    expect(await ended).toMatchObject({ reason: 'sessionExpired', by: 'system' });
  });

  it('sends Presence Clear when the bot ends the session', async () => {
    const { connection, sessionId } = await openSession();
    const ending = bridge.endSession(sessionId);
    const clear = await connection.next();
    expect(clear).toMatchObject({
      action: 'onMessage',
      message: { type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Clear' } }] },
    });
    connection.send({ type: 'message', class: 'SessionClearedEvent', code: 200, body: {} });
    await ending;
    await connection.closed;
    const events = await bridge.readEvents(sessionId);
    expect(events.at(-1)).toMatchObject({ type: 'session.ended', reason: 'botEnded', by: 'bot' });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('reports a disabled Conversation Clear (403) and still ends', async () => {
    const { connection, sessionId } = await openSession();
    const ending = bridge.endSession(sessionId);
    const clear = await connection.next();
    connection.send({
      type: 'response',
      class: 'string',
      code: 403,
      tracingId: clear['tracingId'],
      body: 'Presence events Conversation Clear are not supported',
    });
    await ending;
    const events = await bridge.readEvents(sessionId);
    expect(events.slice(-2)).toMatchObject([
      { type: 'error', error: { code: 'FORBIDDEN' } },
      { type: 'session.ended', reason: 'botEnded' },
    ]);
  });
});

describe('Web Messaging adapter: a send the socket dropped before its echo', () => {
  /** Drops the socket while `text` waits for its echo, then resumes the same token. */
  async function dropWhileSending(text: string, history: Record<string, unknown>[]) {
    const opened = await openSession();
    const { connection, sessionId } = opened;
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text });
    const sent = await connection.next();
    expect(sent).toMatchObject({ action: 'onMessage', message: { text } });
    const reconnecting = eventOf(sessionId, 'connection.changed');
    connection.terminate();
    await reconnecting;
    const again = await resumeReading(history);
    return { ...opened, again };
  }

  /**
   * Lets the dropped socket come back and answers the two history reads that follow: the session's
   * catch-up and the lookup of the unconfirmed send each get a JWT over the socket and read one page.
   */
  async function resumeReading(history: Record<string, unknown>[]): Promise<FakeConnection> {
    const page = { entities: history, pageSize: 25, pageNumber: 1, total: history.length, pageCount: 1 };
    historyPages.push(page, page);
    clock.advance(1000);
    const again = await server.nextConnection();
    const resume = await again.next();
    again.send(sessionResponse(resume['tracingId'], { newSession: false }));
    for (let i = 0; i < 2; i++) {
      const jwtRequest = await again.next();
      expect(jwtRequest).toMatchObject({ action: 'getJwt' });
      again.send({
        type: 'response',
        class: 'JwtResponse',
        code: 200,
        tracingId: jwtRequest['tracingId'],
        body: { jwt: 'eyJ.jwt', exp: 1_900_000_000 },
      });
    }
    return again;
  }

  const inbound = (id: string, text: string) => ({
    id,
    type: 'Text',
    text,
    direction: 'Inbound',
    channel: { time: TIME },
  });

  it('finds it in the history when Genesys took it: sent once, with the id Genesys gave it', async () => {
    // in-1 is the opening message the echo confirmed; in-2 is the one whose echo never came.
    const { sessionId, again } = await dropWhileSending('did it arrive?', [
      inbound('in-2', 'did it arrive?'),
      inbound('in-1', 'Customer transferred from the virtual assistant.'),
    ]);
    const status = await eventOf(sessionId, 'message.status');
    expect(status).toMatchObject({ clientMessageId: 'm1', status: 'sent', providerMessageId: 'in-2' });
    await processed(again, sessionId);
    expect(again.unread).toBe(0);
    expect(historyRequests.length).toBeGreaterThanOrEqual(1);
  });

  it('sends it again when the history does not have it', async () => {
    const { sessionId, again } = await dropWhileSending('lost on the way', [
      inbound('in-1', 'Customer transferred from the virtual assistant.'),
    ]);
    const resent = await again.next();
    expect(resent).toMatchObject({ action: 'onMessage', message: { type: 'Text', text: 'lost on the way' } });
    again.send(echoOf(resent, 'in-7'));
    expect(await eventOf(sessionId, 'message.status')).toMatchObject({
      status: 'sent',
      providerMessageId: 'in-7',
    });
  });

  it('does not count a message an earlier confirmed send claimed, even with the same text', async () => {
    const { connection, sessionId } = await openSession();
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm0', text: 'yes' });
    const first = await connection.next();
    connection.send(echoOf(first, 'in-5'));
    await eventOf(sessionId, 'message.status');
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'yes' });
    clock.advance(1000);
    await connection.next();
    connection.terminate();
    await eventOf(sessionId, 'connection.changed');
    const again = await resumeReading([
      inbound('in-5', 'yes'),
      inbound('in-1', 'Customer transferred from the virtual assistant.'),
    ]);
    const resent = await again.next();
    expect(resent).toMatchObject({ action: 'onMessage', message: { text: 'yes' } });
  });

  it('resends a message Genesys answered with a retryable error (it did not take it)', async () => {
    const { connection, sessionId } = await openSession();
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'again please' });
    const sent = await connection.next();
    connection.send({
      type: 'response',
      class: 'string',
      code: 5000,
      tracingId: sent['tracingId'],
      body: 'Request failed.',
    });
    await settle();
    clock.advance(1000);
    const resent = await connection.next();
    expect(resent).toMatchObject({ action: 'onMessage', message: { text: 'again please' } });
    connection.send(echoOf(resent, 'in-3'));
    const statuses = (await eventOf(sessionId, 'message.status')) as BridgeEvent;
    expect(statuses).toMatchObject({ status: 'sent', providerMessageId: 'in-3' });
  });
});

describe('Web Messaging adapter: reconnecting', () => {
  it('resumes the same token after a drop and fetches missed agent messages from history', async () => {
    const { connection, configure, sessionId } = await openSession();
    connection.send(agentMessage('a1', 'first'));
    await eventOf(sessionId, 'agent.message');
    const reconnecting = eventOf(sessionId, 'connection.changed');
    connection.terminate();
    expect(await reconnecting).toMatchObject({ connectivity: 'reconnecting' });

    historyPages.push({
      entities: [
        {
          id: 'a2',
          type: 'Text',
          text: 'second',
          direction: 'Outbound',
          originatingEntity: 'Human',
          channel: { time: TIME, from: { nickname: 'Alex' } },
        },
        { id: 'in-9', type: 'Text', text: 'mine', direction: 'Inbound', channel: { time: TIME } },
        {
          id: 'a1',
          type: 'Text',
          text: 'first',
          direction: 'Outbound',
          originatingEntity: 'Human',
          channel: { time: TIME, from: { nickname: 'Alex' } },
        },
      ],
      pageSize: 25,
      pageNumber: 1,
      total: 3,
      pageCount: 1,
    });
    const second = eventOf(sessionId, 'agent.message', 2);
    clock.advance(1000);
    const again = await server.nextConnection();
    const resume = await again.next();
    expect(resume).toMatchObject({ action: 'configureSession', token: configure['token'], startNew: false });
    again.send(sessionResponse(resume['tracingId'], { newSession: false }));
    const jwtRequest = await again.next();
    expect(jwtRequest).toMatchObject({ action: 'getJwt', token: configure['token'] });
    again.send({
      type: 'response',
      class: 'JwtResponse',
      code: 200,
      tracingId: jwtRequest['tracingId'],
      body: { jwt: 'eyJ.jwt', exp: 1_900_000_000 },
    });
    expect(await second).toMatchObject({ message: { id: 'a2', text: 'second' } });
    expect(historyRequests).toEqual([
      {
        url: `${server.loginUrl}/api/v2/webmessaging/messages?pageNumber=1&pageSize=25`,
        headers: expect.objectContaining({ Authorization: 'bearer eyJ.jwt', Origin: 'https://shop.example' }),
      },
    ]);
    const types = (await bridge.readEvents(sessionId)).map((e) => e.type);
    expect(types.filter((t) => t === 'agent.message')).toHaveLength(2);
    expect(types).toContain('connection.changed');
    expect((await bridge.getSession(sessionId))?.connectivity).toBe('online');
  });

  it('ends read-only when the resumed session is read-only, after reading what the agent sent before the end', async () => {
    const { connection, sessionId } = await openSession();
    const ended = eventOf(sessionId, 'session.ended');
    connection.terminate();
    await eventOf(sessionId, 'connection.changed');
    historyPages.push({
      entities: [
        {
          id: 'a9',
          type: 'Text',
          text: 'sorry, I have to go',
          direction: 'Outbound',
          originatingEntity: 'Human',
          channel: { time: TIME, from: { nickname: 'Alex' } },
        },
      ],
      pageSize: 25,
      pageNumber: 1,
      total: 1,
      pageCount: 1,
    });
    clock.advance(1000);
    const again = await server.nextConnection();
    const resume = await again.next();
    again.send(sessionResponse(resume['tracingId'], { newSession: false, readOnly: true }));
    // A read-only session still reads its history: the JWT comes over the same socket.
    const jwtRequest = await again.next();
    expect(jwtRequest).toMatchObject({ action: 'getJwt' });
    again.send({
      type: 'response',
      class: 'JwtResponse',
      code: 200,
      tracingId: jwtRequest['tracingId'],
      body: { jwt: 'eyJ.jwt', exp: 1_900_000_000 },
    });
    expect(await ended).toMatchObject({ reason: 'readOnly' });
    const events = await bridge.readEvents(sessionId);
    expect(events.slice(-3).map((e) => e.type)).toEqual(['agent.joined', 'agent.message', 'session.ended']);
    expect(events.at(-2)).toMatchObject({ message: { id: 'a9', text: 'sorry, I have to go' } });
    expect((await bridge.getSession(sessionId))?.connectivity).toBe('offline');
  });

  it('gives up after reconnectWindowMs with RECONNECT_EXHAUSTED', async () => {
    await bridge.close();
    let refuse = false;
    let attempts = 0;
    bridge = makeBridge({}, (url, headers, handlers) => {
      if (!refuse) return wsSocketFactory(url, headers, handlers);
      attempts += 1;
      queueMicrotask(() => {
        handlers.error(new Error('connect ECONNREFUSED'));
        handlers.close(1006, '');
      });
      return { send: () => {}, close: () => {}, terminate: () => {} };
    });
    const { connection, sessionId } = await openSession();
    const ended = eventOf(sessionId, 'session.ended');
    refuse = true;
    connection.terminate();
    await eventOf(sessionId, 'connection.changed');
    for (let i = 0; i < 6; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(await ended).toMatchObject({ reason: 'error' });
    expect(attempts).toBe(5);
    const errors = (await bridge.readEvents(sessionId)).filter((e) => e.type === 'error');
    expect(errors.at(-1)).toMatchObject({ error: { code: 'RECONNECT_EXHAUSTED' } });
  });

  it('treats an unanswered echo health check as a dead connection', async () => {
    await bridge.close();
    bridge = makeBridge({ webMessaging: { heartbeatMs: 30_000 } });
    const { connection, sessionId } = await openSession();
    clock.advance(30_000);
    const ping = await connection.next();
    expect(ping).toMatchObject({ action: 'echo', message: { type: 'Text', text: 'ping' } });
    connection.send({
      type: 'response',
      class: 'StructuredMessage',
      code: 200,
      tracingId: ping['tracingId'],
      body: { id: 'e', type: 'Text', direction: 'Inbound', text: 'ping' },
    });
    await processed(connection, sessionId);
    clock.advance(30_000);
    await connection.next();
    const reconnecting = eventOf(sessionId, 'connection.changed');
    clock.advance(30_000);
    expect(await reconnecting).toMatchObject({ connectivity: 'reconnecting' });
  });
});
