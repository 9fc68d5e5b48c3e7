import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { BridgeConfigError, type BridgeEvent, type GenesysChannel } from '../../bridge/index.ts';
import { buildBridgeService, verifyWebhookSignature } from '../../bridge/service/index.ts';
import { agentsFor, bridgeConfig, storyFixture } from '../support/bridge-story.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { SharedTime } from '../support/shared-time.ts';

/**
 * The bridge as a service (bridge/service) against the emulator: the library story of
 * bridge-story.test.ts told over the HTTP API, with events read from the WebSocket stream (dropped and
 * resumed from a seq), the long-poll, a live SSE stream resumed with Last-Event-ID, and signed webhooks;
 * then API-key auth, clear 4xx answers for bad requests, and fast-check throwing random requests at it.
 *
 * As in the story test, the emulator's manual clock is the bridge's (and the service's) clock and moves
 * only in small steps while the bridge's own I/O is idle.
 */

const KEY = 'test-api-key-0123456789';
const AUTH = { authorization: `Bearer ${KEY}` };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';

// ---------------------------------------------------------------- service side

async function startService(
  emulator: TestEmulator,
  channel: GenesysChannel,
  extra: { webhookUrl?: string } = {},
) {
  const time = new SharedTime(emulator.clock);
  const service = await buildBridgeService({
    config: bridgeConfig(channel, emulator),
    apiKeys: [KEY],
    deps: time.deps,
    ...(extra.webhookUrl ? { webhooks: { url: extra.webhookUrl, secret: WEBHOOK_SECRET } } : {}),
  });
  // Registered after the emulator's own cleanup, so it runs first: sessions can still leave Genesys.
  onTestFinished(() => service.close());
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
  return { service, time, base };
}

async function call(base: string, method: string, path: string, body?: unknown, headers = {}) {
  const response = await fetch(`http://${base}${path}`, {
    method,
    headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** A `/v1/stream` socket following one session; frames and events as they arrive. */
async function openStream(base: string, sessionId: string, afterSeq: number) {
  const socket = new WebSocket(`ws://${base}/v1/stream?sessionId=${sessionId}&afterSeq=${afterSeq}`, {
    headers: AUTH,
  });
  const frames: { type: string; event?: BridgeEvent; lastSeq?: number }[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  onTestFinished(() => socket.terminate());
  return {
    socket,
    frames,
    closed,
    events: () => frames.flatMap((f) => (f.type === 'event' && f.event ? [f.event] : [])),
  };
}

/** A live SSE stream read with fetch; resolves `done` when the service ends it. */
async function openSse(base: string, sessionId: string, lastEventId: number) {
  const response = await fetch(`http://${base}/v1/transfers/${sessionId}/events/stream`, {
    headers: { ...AUTH, 'last-event-id': String(lastEventId) },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: { id: string; type: string; event: BridgeEvent }[] = [];
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        if (fields['data']) {
          events.push({
            id: fields['id'] ?? '',
            type: fields['event'] ?? '',
            event: JSON.parse(fields['data']),
          });
        }
      }
    }
  })();
  return { events, done };
}

/** A webhook receiver on loopback that records every delivery and acknowledges it. */
async function webhookReceiver() {
  const deliveries: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, deliveries };
}

const METADATA = { QueueName: 'Sports Support', customerId: 'C-1001', intent: 'billing' };

function transferBody(key = 'svc-1') {
  return {
    idempotencyKey: key,
    botConversationId: `bot-${key}`,
    customer: { id: 'C-1001', displayName: 'Pat Customer' },
    metadata: METADATA,
    initialMessage: 'I would like to talk to a person',
  };
}

// ---------------------------------------------------------------- the story over HTTP

describe('the bridge service against the emulator', () => {
  it.each<GenesysChannel>(['webMessaging', 'webChat'])(
    '%s: the story over HTTP, the WebSocket stream resumed from a seq, long-poll, SSE and signed webhooks',
    {
      timeout: 30_000,
    },
    async (channel) => {
      const emulator = await startEmulator({ fixture: storyFixture() });
      const fx = emulator.fixture;
      const queue = (name: string) => fx.queues.find((q) => q.name === name)!;
      const receiver = await webhookReceiver();
      const { service, time, base } = await startService(emulator, channel, { webhookUrl: receiver.url });
      const agent = await agentsFor(channel, emulator);
      const alda = await agent('Alda Moore');
      const dena = await agent('Dena Lakin');
      for (const a of [alda, dena]) {
        await a.listen();
        await a.goOnQueue();
      }

      // Create with the Idempotency-Key header; the same request again is a replay, a different one a conflict.
      const { idempotencyKey: _key, ...body } = transferBody();
      const created = await call(base, 'POST', '/v1/transfers', body, { 'idempotency-key': 'svc-1' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ channel, state: 'queued', created: true });
      const sessionId = created.body.sessionId as string;
      expect(created.headers.get('location')).toBe(`/v1/transfers/${sessionId}`);
      const replay = await call(base, 'POST', '/v1/transfers', transferBody());
      expect(replay).toMatchObject({ status: 200, body: { sessionId, created: false } });
      const conflict = await call(base, 'POST', '/v1/transfers', { ...transferBody(), summary: 'other' });
      expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_CONFLICT' } } });

      const first = await openStream(base, sessionId, 0);
      const seen = () => first.events();
      const on = (events: () => BridgeEvent[], what: string, match: (e: BridgeEvent) => boolean) =>
        time.until(what, () => events().find(match));

      const snapshot = await call(base, 'GET', `/v1/transfers/${sessionId}`);
      expect(snapshot).toMatchObject({ status: 200, body: { sessionId, botConversationId: 'bot-svc-1' } });
      const offer = await alda.alert(snapshot.body.provider.conversationId);
      const cid = offer.conversationId;
      const prefix = channel === 'webChat' ? 'context.' : '';
      const conversation = await alda.conversation(cid);
      expect(conversation.participants!.find((p) => p.userId === alda.user.id)?.queueId).toBe(
        queue('Sports Support').id,
      );
      expect(conversation.participants!.find((p) => p.purpose === 'customer')!.attributes).toMatchObject(
        Object.fromEntries(Object.entries(METADATA).map(([k, v]) => [prefix + k, v])),
      );

      await alda.answer(cid, offer.participantId);
      await alda.typing(cid, offer.communicationId);
      await on(seen, 'agent typing', (e) => e.type === 'agent.typing');
      await alda.send(cid, offer.communicationId, 'Hi Pat, this is Alda');
      await alda.send(cid, offer.communicationId, 'How can I help?');
      await on(seen, 'Alda', (e) => e.type === 'agent.message' && e.message.text === 'How can I help?');

      // The bot's stream drops. Events keep coming; the long-poll sees the first of them.
      const droppedAt = Math.max(...first.events().map((e) => e.seq));
      first.socket.close();
      expect(await first.closed).toBe(1005);
      const typing = await call(base, 'POST', `/v1/transfers/${sessionId}/typing`, { isTyping: true });
      expect(typing).toMatchObject({ status: 202, body: { sessionId, accepted: true } });
      const m1 = await call(base, 'POST', `/v1/transfers/${sessionId}/messages`, {
        clientMessageId: 'm1',
        text: 'My bill is wrong',
      });
      expect(m1).toMatchObject({ status: 202, body: { clientMessageId: 'm1', status: 'queued', parts: 1 } });
      const again = await call(base, 'POST', `/v1/transfers/${sessionId}/messages`, {
        clientMessageId: 'm1',
        text: 'My bill is wrong',
      });
      expect(again).toMatchObject({ status: 200, body: { clientMessageId: 'm1', status: 'duplicate' } });
      await call(base, 'POST', `/v1/transfers/${sessionId}/messages`, {
        clientMessageId: 'm2',
        text: 'It says 40 EUR',
      });
      const polled = await call(
        base,
        'GET',
        `/v1/transfers/${sessionId}/events?afterSeq=${droppedAt}&wait=25`,
      );
      expect(polled.status).toBe(200);
      expect(polled.body.events[0]).toMatchObject({ seq: droppedAt + 1 });
      expect(polled.body.nextAfter).toBe(polled.body.events.at(-1).seq);

      // Reconnecting from the last seq received replays exactly what was missed, then carries on live.
      const second = await openStream(base, sessionId, droppedAt);
      await on(second.events, 'm2 sent', (e) => e.type === 'message.status' && e.clientMessageId === 'm2');
      // The customer's typing reached Genesys too (agents see it as a typing event on the conversation).
      await time.until('the customer typing in the emulator', () =>
        emulator.events
          .list({ conversationId: cid })
          .find((e) => e.type === 'typing.sent' && e.data.purpose === 'customer'),
      );
      expect(second.frames[0]).toMatchObject({ type: 'subscribed', afterSeq: droppedAt });
      expect(second.events()[0]?.seq).toBe(droppedAt + 1);

      // A live SSE stream joins here, resuming with Last-Event-ID.
      const sseFrom = Math.max(...second.events().map((e) => e.seq));
      const sse = await openSse(base, sessionId, sseFrom);

      await alda.transferToQueue(cid, offer.participantId, queue('Shoes Support').id);
      const next = await dena.alert(cid);
      await dena.answer(cid, next.participantId);
      await dena.send(cid, next.communicationId, 'Dena here, I can fix that');
      await on(
        second.events,
        'Dena',
        (e) => e.type === 'agent.message' && e.message.text === 'Dena here, I can fix that',
      );
      await call(base, 'POST', `/v1/transfers/${sessionId}/messages`, {
        clientMessageId: 'm3',
        text: 'Thank you Dena',
      });
      await on(second.events, 'm3 sent', (e) => e.type === 'message.status' && e.clientMessageId === 'm3');
      expect(emulator.conversations.get(cid)!.messages.map((m) => `${m.purpose}: ${m.text}`)).toEqual([
        'customer: I would like to talk to a person',
        'agent: Hi Pat, this is Alda',
        'agent: How can I help?',
        'customer: My bill is wrong',
        'customer: It says 40 EUR',
        'agent: Dena here, I can fix that',
        'customer: Thank you Dena',
      ]);

      await dena.disconnect(cid, next.participantId);
      await on(second.events, 'the end', (e) => e.type === 'session.ended');
      // The single-session socket closes normally after session.ended; the SSE stream ends too.
      expect(await second.closed).toBe(1000);
      await sse.done;

      const all = (await call(base, 'GET', `/v1/transfers/${sessionId}/events?afterSeq=0`)).body
        .events as BridgeEvent[];
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
      expect(all.filter((e) => e.type === 'session.ended')).toEqual([
        expect.objectContaining({ reason: 'agentEnded', by: 'agent' }),
      ]);
      expect(all.at(-1)?.type).toBe('session.ended');
      expect(
        all
          .filter((e) => e.type === 'agent.message')
          .map((e) => e.type === 'agent.message' && e.message.text),
      ).toEqual(['Hi Pat, this is Alda', 'How can I help?', 'Dena here, I can fix that']);
      expect([...first.events(), ...second.events()]).toEqual(all);
      expect(sse.events.map((e) => e.event)).toEqual(all.slice(sseFrom));
      expect(sse.events.map((e) => [e.id, e.type])).toEqual(
        all.slice(sseFrom).map((e) => [String(e.seq), e.type]),
      );

      // Every event reached the webhook once, in order, signed.
      await time.until('every webhook', () => (receiver.deliveries.length >= all.length ? true : undefined));
      expect(receiver.deliveries.map((d) => JSON.parse(d.body))).toEqual(all);
      for (const d of receiver.deliveries) {
        expect(
          verifyWebhookSignature(WEBHOOK_SECRET, d.body, d.headers['x-bridge-signature'] as string, {
            // The receiver's clock is the emulator's (the bridge signs with it).
            now: emulator.clock.now(),
          }),
        ).toBe(true);
        const event = JSON.parse(d.body) as BridgeEvent;
        expect(d.headers).toMatchObject({
          'x-bridge-event-id': event.eventId,
          'x-bridge-session-id': sessionId,
          'x-bridge-seq': String(event.seq),
        });
        // Sent at or after the event was observed, on the same (emulator) clock.
        expect(Number(d.headers['x-bridge-timestamp'])).toBeGreaterThanOrEqual(Date.parse(event.observedAt));
      }

      expect(await call(base, 'GET', `/v1/transfers/${sessionId}`)).toMatchObject({
        status: 200,
        body: { state: 'ended', endReason: 'agentEnded', lastSeq: all.length },
      });
      expect(await call(base, 'GET', '/v1/transfers?botConversationId=bot-svc-1')).toMatchObject({
        status: 200,
        body: [{ sessionId }],
      });
      const late = await call(base, 'POST', `/v1/transfers/${sessionId}/messages`, {
        clientMessageId: 'm4',
        text: 'hello?',
      });
      expect(late).toMatchObject({ status: 409, body: { error: { code: 'SESSION_ENDED' } } });
      await service.close();
    },
  );
});

// ---------------------------------------------------------------- refusals

/** A service on the emulator with one live Web Messaging session, for inject() requests. */
async function serviceWithSession(options: { bodyLimit?: number } = {}) {
  const emulator = await startEmulator();
  const time = new SharedTime(emulator.clock);
  const service = await buildBridgeService({
    config: bridgeConfig('webMessaging', emulator),
    apiKeys: [KEY, 'second-api-key-0123456789'],
    deps: time.deps,
    ...options,
  });
  onTestFinished(() => service.close());
  const send = (method: string, url: string, payload?: unknown, headers: Record<string, string> = AUTH) =>
    service.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(payload === undefined
        ? {}
        : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });
  const created = await send('POST', '/v1/transfers', transferBody('live'));
  expect(created.statusCode, created.body).toBe(201);
  return { emulator, time, service, send, sessionId: created.json().sessionId as string };
}

function expectError(
  response: { statusCode: number; json(): unknown; headers: Record<string, unknown> },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  const body = response.json() as { error: { code: string; message: string; requestId: string } };
  expect(body.error).toMatchObject({ code, message: expect.stringMatching(/\S/) });
  expect(body.error.requestId).toBe(response.headers['x-request-id']);
  return body.error;
}

describe('the bridge service refuses what it cannot do, clearly', () => {
  it('will not start without API keys, with weak keys or a bad configuration, and names each setting', async () => {
    const emulator = await startEmulator();
    const config = bridgeConfig('webMessaging', emulator);
    const settingsOf = async (options: Parameters<typeof buildBridgeService>[0]) => {
      const thrown = await buildBridgeService(options).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(BridgeConfigError);
      return (thrown as BridgeConfigError).issues.map((i) => i.setting);
    };
    expect(await settingsOf({ config, apiKeys: [] })).toEqual(['apiKeys']);
    expect(await settingsOf({ config, apiKeys: [KEY, 'short'] })).toEqual(['apiKeys.1']);
    expect(await settingsOf({ config: { ...config, loginUrl: 'ftp://login.example' }, apiKeys: [] })).toEqual(
      ['loginUrl', 'apiKeys'],
    );
    expect(
      await settingsOf({ config, apiKeys: [KEY], webhooks: { url: 'not a url', secret: 'short' } }),
    ).toEqual(['webhooks.url', 'webhooks.secret']);
  });

  it('answers 401 without a valid API key, on every route but the health checks', async () => {
    const { send, sessionId } = await serviceWithSession();
    const path = `/v1/transfers/${sessionId}`;
    const missing = expectError(await send('GET', path, undefined, {}), 401, 'UNAUTHORIZED');
    expect(missing.message).toMatch(/Authorization: Bearer/);
    const wrong = await send('GET', path, undefined, { authorization: 'Bearer not-the-key-0123456789' });
    expectError(wrong, 401, 'UNAUTHORIZED');
    expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
    expectError(await send('GET', '/no/such/route', undefined, {}), 401, 'UNAUTHORIZED');
    expectError(await send('GET', path, undefined, { authorization: `Basic ${KEY}` }), 401, 'UNAUTHORIZED');
    expect(
      (await send('GET', path, undefined, { 'x-api-key': 'second-api-key-0123456789' })).statusCode,
    ).toBe(200);
    expect((await send('GET', path)).statusCode).toBe(200);
    expect((await send('GET', '/healthz', undefined, {})).json()).toEqual({ status: 'ok' });
    expect((await send('GET', '/readyz', undefined, {})).json()).toEqual({
      status: 'ready',
      channel: 'webMessaging',
      store: { kind: 'memory', label: 'memory', available: true },
      sessions: expect.any(Number),
    });
  });

  it('answers bad requests with a 4xx naming the problem', async () => {
    const { send, sessionId } = await serviceWithSession({ bodyLimit: 64 * 1024 });
    const s = `/v1/transfers/${sessionId}`;
    const { idempotencyKey: _k, ...noKey } = transferBody('k1');

    expect(expectError(await send('POST', '/v1/transfers', noKey), 400, 'INVALID_REQUEST').message).toMatch(
      /Idempotency-Key/,
    );
    expectError(
      await send('POST', '/v1/transfers', transferBody('k2'), {
        ...AUTH,
        'content-type': 'application/json',
        'idempotency-key': 'other',
      }),
      400,
      'INVALID_REQUEST',
    );
    expect(
      expectError(
        await send('POST', '/v1/transfers', { ...transferBody('k3'), colour: 'red' }),
        400,
        'INVALID_REQUEST',
      ),
    ).toMatchObject({ issues: [{ path: 'body', message: 'unknown field(s): colour' }] });
    expect(
      expectError(
        await send('POST', '/v1/transfers', { ...transferBody('k4'), customer: {} }),
        400,
        'INVALID_REQUEST',
      ),
    ).toMatchObject({ issues: [{ path: 'body.customer.id', message: 'customer.id is required' }] });
    expect(expectError(await send('POST', '/v1/transfers', []), 400, 'INVALID_REQUEST').message).toMatch(
      /body must be a JSON object/,
    );
    expectError(
      await send('POST', '/v1/transfers', { ...transferBody('k5'), metadata: { notes: 'x'.repeat(3000) } }),
      400,
      'METADATA_TOO_LARGE',
    );
    expectError(await send('POST', '/v1/transfers', '{"idempotencyKey":'), 400, 'INVALID_REQUEST');
    expectError(
      await send('POST', '/v1/transfers', 'hello', { ...AUTH, 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await send('POST', '/v1/transfers', { ...transferBody('k6'), summary: 'x'.repeat(70_000) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(expectError(await send('GET', '/v1/transfers'), 400, 'INVALID_REQUEST').message).toMatch(
      /botConversationId/,
    );

    for (const [method, tail, body] of [
      ['GET', '', undefined],
      ['POST', '/messages', { clientMessageId: 'x', text: 'hi' }],
      ['POST', '/typing', { isTyping: true }],
      ['POST', '/end', undefined],
      ['GET', '/events', undefined],
      ['GET', '/events/stream', undefined],
    ] as const) {
      expectError(await send(method, `/v1/transfers/nope${tail}`, body), 404, 'SESSION_NOT_FOUND');
    }
    expectError(await send('GET', `${s}/events?afterSeq=abc`), 400, 'INVALID_REQUEST');
    expect(
      expectError(await send('GET', `${s}/events?afterSeq=999`), 400, 'INVALID_REQUEST').message,
    ).toMatch(/beyond the last event/);
    expectError(await send('GET', `${s}/events?wait=60`), 400, 'INVALID_REQUEST');
    expectError(
      await send('GET', `${s}/events/stream`, undefined, { ...AUTH, 'last-event-id': 'abc' }),
      400,
      'INVALID_REQUEST',
    );
    expectError(await send('POST', `${s}/typing`, { isTyping: 'yes' }), 400, 'INVALID_REQUEST');
    expectError(await send('POST', `${s}/typing`), 400, 'INVALID_REQUEST');
    expectError(await send('POST', `${s}/end`, { reason: 'agentEnded' }), 400, 'INVALID_REQUEST');
    expectError(await send('POST', `${s}/messages`, { clientMessageId: 'e1' }), 400, 'INVALID_REQUEST');
    expectError(
      await send('POST', `${s}/messages`, {
        clientMessageId: 'e2',
        text: 'see file',
        attachments: [{ url: 'https://files.example/a.pdf', mimeType: 'application/pdf' }],
      }),
      422,
      'ATTACHMENTS_UNSUPPORTED',
    );
    expectError(
      await send('POST', `${s}/messages`, { clientMessageId: 'e3', text: 'x'.repeat(4001) }),
      413,
      'MESSAGE_TOO_LONG',
    );
    expectError(await send('DELETE', s), 404, 'NOT_FOUND');
    expectError(await send('GET', '/v1/stream'), 426, 'UPGRADE_REQUIRED');
    expectError(await send('GET', '/v1/transfers/%E0%A4%A'), 400, 'INVALID_REQUEST');
    // The refused sends are on the session's stream too, so a bot listening there learns of them.
    const events = (await send('GET', `${s}/events`)).json().events as BridgeEvent[];
    expect(
      events
        .filter((e) => e.type === 'message.status')
        .map((e) => e.type === 'message.status' && e.error?.code),
    ).toEqual(['INVALID_REQUEST', 'ATTACHMENTS_UNSUPPORTED', 'MESSAGE_TOO_LONG']);
  });

  it('the WebSocket stream authenticates, refuses unknown sessions, and answers bad frames without closing', async () => {
    const { service, sessionId } = await serviceWithSession();
    await service.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
    const refused = (url: string, headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        // ws reports a refused upgrade as an error "Unexpected server response: <status>".
        new WebSocket(url, { headers }).once('error', (error) =>
          resolve(Number(/response: (\d+)/.exec(error.message)?.[1])),
        );
      });
    expect(await refused(`ws://${base}/v1/stream`, {})).toBe(401);
    expect(await refused(`ws://${base}/v1/stream?sessionId=nope`, AUTH)).toBe(404);
    expect(await refused(`ws://${base}/v1/stream?sessionId=${sessionId}&afterSeq=99`, AUTH)).toBe(400);

    const socket = new WebSocket(`ws://${base}/v1/stream`, { headers: { 'x-api-key': KEY } });
    onTestFinished(() => socket.terminate());
    const frames: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    socket.on('message', (data) => {
      frames.push(JSON.parse(data.toString()));
      for (const wake of waiters.splice(0)) wake();
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const reply = async (frame: unknown) => {
      const before = frames.length;
      socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      while (frames.length === before) await new Promise<void>((resolve) => waiters.push(resolve));
      return frames[before];
    };
    expect(await reply('not json')).toMatchObject({ type: 'error', error: { code: 'INVALID_REQUEST' } });
    expect(await reply({ type: 'dance' })).toMatchObject({
      type: 'error',
      error: { code: 'INVALID_REQUEST' },
    });
    expect(await reply({ type: 'ping' })).toEqual({ type: 'pong' });
    expect(await reply({ type: 'subscribe', sessionId: 'nope' })).toMatchObject({
      type: 'error',
      sessionId: 'nope',
      error: { code: 'SESSION_NOT_FOUND' },
    });
    expect(
      await reply({
        type: 'command',
        requestId: 'r1',
        op: 'sendMessage',
        sessionId,
        payload: { text: 'no id' },
      }),
    ).toMatchObject({ type: 'result', requestId: 'r1', ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(
      await reply({ type: 'command', requestId: 'r2', op: 'typing', sessionId, payload: { isTyping: true } }),
    ).toMatchObject({ type: 'result', requestId: 'r2', ok: true, data: { sessionId, accepted: true } });
    expect(await reply({ type: 'subscribe', sessionId, afterSeq: 0 })).toMatchObject({
      type: 'subscribed',
      sessionId,
      afterSeq: 0,
    });
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });
});

// ---------------------------------------------------------------- random requests

describe('the bridge service under random requests', () => {
  it('never answers 5xx or crashes, and a normal request still works afterwards (fast-check)', async () => {
    const { send, sessionId, time, service } = await serviceWithSession();
    // An ended session (streams and long-polls on it finish at once) and ids that name nothing.
    let ended = false;
    service.bridge.subscribe(sessionId, (e) => {
      ended ||= e.type === 'session.ended';
    });
    expect((await send('POST', `/v1/transfers/${sessionId}/end`)).statusCode).toBe(202);
    await time.until('the session to end', () => (ended ? true : undefined));
    const ascii = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });
    const id = fc.oneof(
      fc.constantFrom(sessionId, 'nope', '..', '%2F', '%00', '%C3%BC', 'a'.repeat(300)),
      ascii(12).map(encodeURIComponent),
    );
    // Mostly the real routes with the right method (so bodies and queries reach validation), some wild.
    const route = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom(
              ['POST', '/v1/transfers'],
              ['GET', '/v1/transfers'],
              ['POST', '/v1/config/validate'],
              ['GET', '/v1/stream'],
              ['GET', '/healthz'],
            ),
          )
          .map(([[m, p]]) => ({ method: m, path: p })),
      },
      {
        weight: 6,
        arbitrary: fc
          .tuple(
            id,
            fc.constantFrom(
              ['GET', ''],
              ['POST', '/messages'],
              ['POST', '/typing'],
              ['POST', '/end'],
              ['GET', '/events'],
              ['GET', '/events/stream'],
            ),
          )
          .map(([s, [m, tail]]) => ({ method: m, path: `/v1/transfers/${s}${tail}` })),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
          path: fc.oneof(
            fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
            fc.tuple(id, ascii(10)).map(([s, tail]) => `/v1/transfers/${s}/${encodeURIComponent(tail)}`),
          ),
        }),
      },
    );
    const query = fc.dictionary(
      fc.constantFrom('afterSeq', 'after', 'wait', 'limit', 'botConversationId', 'sessionId', 'x'),
      fc.oneof(fc.constantFrom('0', '1', '-1', 'abc', '1e3', '99999999999999999999', ''), ascii(8)),
      { maxKeys: 3 },
    );
    const nearTransfer = fc.record(
      {
        idempotencyKey: ascii(6),
        botConversationId: ascii(6),
        customer: fc.oneof(fc.record({ id: ascii(6) }), fc.jsonValue()),
        metadata: fc.dictionary(ascii(6), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        queueName: fc.oneof(fc.constantFrom('General', 'Sports Support'), ascii(8)),
        initialMessage: ascii(20),
      },
      { requiredKeys: [] },
    );
    const nearMessage = fc.record(
      { clientMessageId: ascii(6), text: ascii(30), isTyping: fc.boolean(), reason: ascii(12) },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      nearTransfer.map((v) => JSON.stringify(v)),
      nearMessage.map((v) => JSON.stringify(v)),
      ascii(40),
    );
    const headers = fc.record(
      {
        auth: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom<Record<string, string>>(AUTH, { 'x-api-key': KEY }) },
          {
            weight: 1,
            arbitrary: fc.constantFrom<Record<string, string>>(
              {},
              { authorization: 'Bearer nope' },
              { authorization: 'Basic abc' },
              { authorization: `bearer   ${KEY}` },
            ),
          },
        ),
        contentType: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(undefined, 'application/json') },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'application/json; charset=utf-8',
              'text/plain',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
            ),
          },
        ),
        extra: fc.record(
          { 'idempotency-key': ascii(10), 'last-event-id': ascii(6), 'x-request-id': ascii(20) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['auth', 'contentType', 'extra'] },
    );
    await fc.assert(
      fc.asyncProperty(route, query, body, headers, async ({ method: m, path: p }, q, b, h) => {
        const search = new URLSearchParams(q).toString();
        const response = await send(m, `${p}${search ? `?${search}` : ''}`, b, {
          ...h.auth,
          ...(h.contentType ? { 'content-type': h.contentType } : {}),
          ...h.extra,
        });
        expect(response.statusCode, `${m} ${p} -> ${response.body}`).toBeLessThan(500);
        expect(response.headers['x-request-id']).toBeTruthy();
        if (response.statusCode >= 400 && m !== 'HEAD') {
          expect(response.json().error).toMatchObject({
            code: expect.any(String),
            message: expect.any(String),
          });
        }
      }),
      { numRuns: 300 },
    );

    expect((await send('GET', `/v1/transfers/${sessionId}`)).json()).toMatchObject({
      sessionId,
      state: 'ended',
    });
    const fresh = await send('POST', '/v1/transfers', transferBody('after-the-storm'));
    expect(fresh.statusCode, fresh.body).toBe(201);
  }, 60_000);
});
