import { createHmac } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultFixture } from '../../emulator/index.ts';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { listenForTest } from '../support/test-server.ts';
import { TLS_CERT, TLS_KEY } from '../support/tls-cert.ts';

/**
 * How the emulator delivers Open Messaging outbound webhooks to an integration's
 * outboundNotificationWebhookUrl (platform-extra.md §1.5; emulator/surfaces/openmessaging/webhook-*.ts),
 * as the integrator's receiver and the emulator's timeline see them: each POST signed with
 * X-Hub-Signature-256 (`sha256=` + base64 HMAC-SHA256 of the exact bytes, keyed with the integration's
 * secret), its headers and body; 2xx delivered, 429 / 5xx / no answer within 10 s / a failed connection
 * retried 5 times 5 s apart on the emulator's clock with the same bytes, anything else given up at once;
 * per conversation in order; a message whose delivery gives up becomes delivery-failed with the reason;
 * a reset or a close abandons what is in flight. openmessaging-sdk-story.test.ts tells the main story;
 * this file pins the edges.
 *
 * The receiver is the test's own node:http(s) server on port 0 (not test/support/openmessaging-receiver.ts,
 * which cannot hold an answer, cut one short or tell connections apart); the emulator runs on its manual
 * clock, so every retry and timeout happens only when the test moves time.
 */

const SECRET = 'webhook-bites-secret-0123';
const MSG = '/api/v2/conversations/messages';
const INTEGRATIONS = '/api/v2/conversations/messaging/integrations/open';
const HOOK_PATH = '/genesys/webhook';

/**
 * What the receiver does with the next request: answer with a status (and headers), `hold` (never
 * answer), or `cut` (send the head and part of the body, then close the connection).
 */
type Answer = number | { status: number; headers: Record<string, string> } | 'hold' | 'cut';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: {
    id: string;
    type: string;
    text?: string;
    direction?: string;
    conversationId?: string;
    channel: { id: string; messageId?: string; to: { id: string } };
    events?: { eventType: string }[];
  };
  /** Which connection it came on (0 for the receiver's first). */
  connection: number;
  answer: Answer;
  /** The sender closed the connection before the answer was complete. */
  abandoned: boolean;
}

/** The integrator's webhook receiver on 127.0.0.1 port 0; answers 200 unless told otherwise. */
async function receiver(tls = false) {
  const requests: Received[] = [];
  const script: Answer[] = [];
  const connections: { socket: Socket; closed: boolean }[] = [];
  const connectionOf = new WeakMap<object, number>();
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const answer = script.shift() ?? 200;
      const got: Received = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        raw,
        body: JSON.parse(raw.toString('utf8')) as Received['body'],
        connection: connectionOf.get(request.socket) ?? -1,
        answer,
        abandoned: false,
      };
      requests.push(got);
      response.on('close', () => {
        if (!response.writableFinished) got.abandoned = true;
      });
      if (answer === 'hold') return;
      if (answer === 'cut') {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
        response.write('{"status":', () => response.socket?.destroy());
        return;
      }
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      response.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end('{"status":"ok"}');
    });
  };
  const server: Server = tls
    ? createTlsServer({ key: TLS_KEY, cert: TLS_CERT }, handle)
    : createServer(handle);
  // Only the sender ends a kept-alive connection.
  server.keepAliveTimeout = 0;
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const entry = { socket, closed: false };
    connectionOf.set(socket, connections.length);
    connections.push(entry);
    socket.on('close', () => {
      entry.closed = true;
    });
  });
  const port = await listenForTest(server);
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}${HOOK_PATH}`,
    requests,
    connections,
    /** The next requests are answered so, in order (then 200). */
    answerNext(...answers: Answer[]) {
      script.push(...answers);
    },
    texts: () => requests.map((r) => r.body.text ?? r.body.type),
  };
}

/** A port nothing listens on (a server opened and closed again). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const signature = (secret: string, raw: Buffer) =>
  `sha256=${createHmac('sha256', secret).update(raw).digest('base64')}`;

/** Resolves when `check` holds; fails after `ms` real milliseconds (for after the emulator is closed). */
async function eventually(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The default org with its Open Messaging integration posting to `url` (secret SECRET, the given
 * webhookHeaders), on a manual clock.
 */
async function world(url: string, webhookHeaders?: Record<string, string>) {
  const fixture = structuredClone(defaultFixture());
  const integration = {
    ...fixture.openMessaging[0]!,
    webhookUrl: url,
    secret: SECRET,
    ...(webhookHeaders ? { webhookHeaders } : {}),
  };
  fixture.openMessaging[0] = integration;
  const emulator = await startEmulator({ fixture, waitGraceMs: 3_000 });
  const authorization = await bearerFor(emulator, clients(emulator).org);
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, payload?: object) =>
    emulator.inject({ method, url: path, headers: { authorization }, ...(payload ? { payload } : {}) });

  /** A customer's conversation answered by `agentName` (through `queue`): the agent's say and typing. */
  async function conversation(agentName = 'Dena Lakin', queue = 'Shoes Support', customer = 'pat-1') {
    const agent = emulator.agent(agentName);
    await agent.goOnQueue();
    const res = await api(
      'POST',
      `${MSG}/${integration.id}/inbound/open/message?prefetchConversationId=true`,
      {
        channel: {
          from: { id: customer, idType: 'Opaque', nickname: 'Pat' },
          time: '2026-01-01T09:00:00.000Z',
          metadata: { customAttributes: { QueueName: queue } },
        },
        text: 'hello',
      },
    );
    expect(res.statusCode, res.body).toBe(200);
    const cid = res.json().conversationId as string;
    await agent.nextAlert();
    await agent.answer();
    return {
      cid,
      /** The agent sends a message; its id. */
      say: async (text: string) => ((await agent.say(text)) as { id: string }).id,
      typing: () => agent.typing(),
      /** The message's status as the platform API shows it. */
      status: async (messageId: string) => {
        const got = await api('GET', `${MSG}/${cid}/messages/${messageId}`);
        expect(got.statusCode, got.body).toBe(200);
        return got.json().status as string;
      },
    };
  }

  /** Every attempt on the timeline, with its time relative to `origin`. */
  const attempts = (origin: number) =>
    emulator.events
      .ofType('openmessaging.webhook.attempt')
      .map((e) => ({ at: Date.parse(e.time) - origin, ...e.data }));
  const failures = () => emulator.events.ofType('message.failed').map((e) => e.data);
  return { emulator, integration, api, conversation, attempts, failures };
}

/** Waits (no clock movement) until the receiver has had `n` requests; the nth. */
function arrived(emulator: TestEmulator, rx: { requests: Received[] }, n: number): Promise<Received> {
  return emulator.waitUntil(() => (rx.requests.length >= n ? rx.requests[n - 1] : undefined), {
    within: 0,
    what: `request ${n} at the receiver`,
  });
}

describe('Open Messaging webhook deliveries', { timeout: 20_000 }, () => {
  it('a delivery is one POST of the exact JSON bytes, signed sha256=base64(HMAC-SHA256), with the integration headers, on one kept-alive connection', async () => {
    const rx = await receiver();
    const w = await world(rx.url, { 'X-Tenant': 'acme', 'Content-Type': 'text/plain' });
    const c = await w.conversation();
    const t0 = w.emulator.clock.now();
    const firstId = await c.say('Your order shipped');
    const first = await arrived(w.emulator, rx, 1);
    expect(first.method).toBe('POST');
    expect(first.path).toBe(HOOK_PATH);
    // The integration's headers go along; Content-Type and the signature are Genesys's own.
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['x-tenant']).toBe('acme');
    expect(first.headers['content-length']).toBe(String(first.raw.length));
    expect(first.headers['x-hub-signature-256']).toBe(signature(SECRET, first.raw));
    expect(first.headers['x-hub-signature-256']).toMatch(/^sha256=[A-Za-z0-9+/]{43}=$/);
    expect(first.raw.toString('utf8')).toBe(JSON.stringify(first.body));
    expect(first.body).toMatchObject({
      type: 'Text',
      text: 'Your order shipped',
      direction: 'Outbound',
      conversationId: c.cid,
      channel: { id: w.integration.id, to: { id: 'pat-1' } },
    });
    await w.emulator.settle();
    expect(w.attempts(t0)).toEqual([
      {
        at: 0,
        integrationId: w.integration.id,
        id: first.body.id,
        kind: 'message',
        attempt: 1,
        outcome: 'delivered',
        status: 200,
      },
    ]);

    // The conversation's next deliveries, after the first has settled, go too: on the same connection.
    await c.typing();
    const secondId = await c.say('Anything else?');
    const typing = await arrived(w.emulator, rx, 2);
    const second = await arrived(w.emulator, rx, 3);
    expect(typing.body).toMatchObject({ type: 'Event', events: [{ eventType: 'Typing' }] });
    expect(second.body.text).toBe('Anything else?');
    expect(second.headers['x-hub-signature-256']).toBe(signature(SECRET, second.raw));
    expect(rx.requests.map((r) => r.connection)).toEqual([0, 0, 0]);
    await w.emulator.settle();
    expect(w.attempts(t0).map((a) => [a.kind, a.attempt, a.outcome, a.status, a.at])).toEqual([
      ['message', 1, 'delivered', 200, 0],
      ['typing', 1, 'delivered', 200, 0],
      ['message', 1, 'delivered', 200, 0],
    ]);
    // Delivered to the webhook is not delivered to the customer: the messages stay sent, none failed.
    expect(await c.status(firstId)).toBe('sent');
    expect(await c.status(secondId)).toBe('sent');
    expect(w.failures()).toEqual([]);
  });

  it('429 and 5xx answers are retried 5 s apart on the emulator clock with the same bytes and signature; the conversation’s next message waits its turn', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const c = await w.conversation();
    // Retry-After is not honoured: Genesys documents retries 5 s apart.
    rx.answerNext(500, 503, { status: 429, headers: { 'Retry-After': '60' } });
    const t0 = w.emulator.clock.now();
    const oneId = await c.say('one');
    const twoId = await c.say('two');
    await arrived(w.emulator, rx, 1);
    await w.emulator.settle();
    expect(rx.texts()).toEqual(['one']);
    await w.emulator.clock.advance(4_999);
    expect(rx.texts()).toEqual(['one']);
    await w.emulator.clock.advance(1);
    expect(rx.texts()).toEqual(['one', 'one']);
    await w.emulator.clock.advance(5_000);
    expect(rx.texts()).toEqual(['one', 'one', 'one']);
    await w.emulator.clock.advance(5_000);
    expect(rx.texts()).toEqual(['one', 'one', 'one', 'one', 'two']);
    await w.emulator.clock.advance(60_000);
    expect(rx.requests).toHaveLength(5);

    const [one, two] = [rx.requests[0]!.body.id, rx.requests[4]!.body.id];
    const attempt = { integrationId: w.integration.id, kind: 'message' };
    expect(w.attempts(t0)).toEqual([
      { ...attempt, at: 0, id: one, attempt: 1, outcome: 'retrying', status: 500 },
      { ...attempt, at: 5_000, id: one, attempt: 2, outcome: 'retrying', status: 503 },
      { ...attempt, at: 10_000, id: one, attempt: 3, outcome: 'retrying', status: 429 },
      { ...attempt, at: 15_000, id: one, attempt: 4, outcome: 'delivered', status: 200 },
      { ...attempt, at: 15_000, id: two, attempt: 1, outcome: 'delivered', status: 200 },
    ]);
    // What was accepted is sent again byte for byte: the same body, so the same signature.
    const retried = rx.requests.slice(0, 4);
    expect(new Set(retried.map((r) => r.raw.toString('base64'))).size).toBe(1);
    expect(retried.every((r) => r.headers['x-hub-signature-256'] === signature(SECRET, r.raw))).toBe(true);
    expect(await c.status(oneId)).toBe('sent');
    expect(await c.status(twoId)).toBe('sent');
    expect(w.failures()).toEqual([]);
  });

  it('2xx is delivered (204, 299); 300 and 4xx but 429 are given up at once, not retried: the message becomes delivery-failed with the answer, a typing event fails nothing, the next delivery goes at once', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const c = await w.conversation();
    rx.answerNext(204, 299, 300, 404, 499, 410);
    const t0 = w.emulator.clock.now();
    const ids: string[] = [];
    for (const text of ['a', 'b', 'c', 'd', 'e']) ids.push(await c.say(text));
    await c.typing();
    ids.push(await c.say('f'));
    await arrived(w.emulator, rx, 7);
    await w.emulator.settle();
    await w.emulator.clock.advance(60_000);
    expect(rx.texts()).toEqual(['a', 'b', 'c', 'd', 'e', 'Event', 'f']);
    expect(w.attempts(t0).map((a) => [a.kind, a.attempt, a.outcome, a.status, a.at, a.error])).toEqual([
      ['message', 1, 'delivered', 204, 0, undefined],
      ['message', 1, 'delivered', 299, 0, undefined],
      ['message', 1, 'failed', 300, 0, undefined],
      ['message', 1, 'failed', 404, 0, undefined],
      ['message', 1, 'failed', 499, 0, undefined],
      ['typing', 1, 'failed', 410, 0, undefined],
      ['message', 1, 'delivered', 200, 0, undefined],
    ]);
    expect(w.failures()).toEqual([
      { messageId: ids[2], reason: 'webhook answered 300; not retried' },
      { messageId: ids[3], reason: 'webhook answered 404; not retried' },
      { messageId: ids[4], reason: 'webhook answered 499; not retried' },
    ]);
    const statuses = [];
    for (const id of ids) statuses.push(await c.status(id));
    expect(statuses).toEqual([
      'sent',
      'sent',
      'delivery-failed',
      'delivery-failed',
      'delivery-failed',
      'sent',
    ]);
  });

  it('a receiver that never answers: each attempt gets 10 s and its connection is closed, the next comes 5 s later; after 5 retries (85 s) the message is delivery-failed and the next delivery goes', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const c = await w.conversation();
    rx.answerNext('hold', 'hold', 'hold', 'hold', 'hold', 'hold');
    const t0 = w.emulator.clock.now();
    const slowId = await c.say('slow');
    const nextId = await c.say('next');
    const first = await arrived(w.emulator, rx, 1);
    await w.emulator.clock.advance(9_999);
    expect(w.attempts(t0)).toEqual([]);
    expect(first.abandoned).toBe(false);
    await w.emulator.clock.advance(1);
    expect(w.attempts(t0)).toEqual([
      {
        at: 10_000,
        integrationId: w.integration.id,
        id: first.body.id,
        kind: 'message',
        attempt: 1,
        outcome: 'retrying',
        error: 'timeout',
      },
    ]);
    await w.emulator.waitUntil(() => (first.abandoned ? true : undefined), {
      within: 0,
      what: 'the timed-out connection to be closed',
    });
    await w.emulator.clock.advance(4_999);
    expect(rx.requests).toHaveLength(1);
    await w.emulator.clock.advance(1);
    expect(rx.requests).toHaveLength(2);
    // One long advance: each timeout inside it is recorded, and its retry sent, at its own time.
    await w.emulator.clock.advance(130_000);
    expect(rx.texts()).toEqual(['slow', 'slow', 'slow', 'slow', 'slow', 'slow', 'next']);
    expect(rx.requests.slice(0, 6).every((r) => r.abandoned && r.raw.equals(first.raw))).toBe(true);
    expect(w.attempts(t0).map((a) => [a.attempt, a.outcome, a.at, a.error ?? a.status])).toEqual([
      [1, 'retrying', 10_000, 'timeout'],
      [2, 'retrying', 25_000, 'timeout'],
      [3, 'retrying', 40_000, 'timeout'],
      [4, 'retrying', 55_000, 'timeout'],
      [5, 'retrying', 70_000, 'timeout'],
      [6, 'failed', 85_000, 'timeout'],
      [1, 'delivered', 85_000, 200],
    ]);
    expect(w.failures()).toEqual([
      { messageId: slowId, reason: 'webhook no answer within 10 s after 5 retries' },
    ]);
    expect(await c.status(slowId)).toBe('delivery-failed');
    expect(await c.status(nextId)).toBe('sent');
  });

  it('a refused connection is retried 5 times 5 s apart and then given up, the error named', async () => {
    const port = await closedPort();
    const w = await world(`http://127.0.0.1:${port}${HOOK_PATH}`);
    const c = await w.conversation();
    const t0 = w.emulator.clock.now();
    const id = await c.say('nobody home');
    const error = `connect ECONNREFUSED 127.0.0.1:${port}`;
    const first = await w.emulator.waitUntil(() => w.attempts(t0)[0], {
      within: 0,
      what: 'the first attempt',
    });
    expect(first).toEqual({
      at: 0,
      integrationId: w.integration.id,
      id: expect.any(String),
      kind: 'message',
      attempt: 1,
      outcome: 'retrying',
      error,
    });
    await w.emulator.clock.advance(30_000);
    expect(w.attempts(t0).map((a) => [a.attempt, a.outcome, a.at, a.error, a.status])).toEqual([
      [1, 'retrying', 0, error, undefined],
      [2, 'retrying', 5_000, error, undefined],
      [3, 'retrying', 10_000, error, undefined],
      [4, 'retrying', 15_000, error, undefined],
      [5, 'retrying', 20_000, error, undefined],
      [6, 'failed', 25_000, error, undefined],
    ]);
    expect(w.failures()).toEqual([
      { messageId: id, reason: `webhook could not be delivered (${error}) after 5 retries` },
    ]);
    expect(await c.status(id)).toBe('delivery-failed');
  });

  it('an answer cut off in its body is a failed connection, retried at once (not a timeout)', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const c = await w.conversation();
    rx.answerNext('cut');
    const t0 = w.emulator.clock.now();
    const id = await c.say('cut short');
    const first = await w.emulator.waitUntil(() => w.attempts(t0)[0], {
      within: 0,
      what: 'the first attempt',
    });
    expect(first).toMatchObject({ at: 0, attempt: 1, outcome: 'retrying', error: 'aborted' });
    expect(first).not.toHaveProperty('status');
    await w.emulator.clock.advance(5_000);
    expect(w.attempts(t0).map((a) => [a.attempt, a.outcome, a.at, a.error ?? a.status])).toEqual([
      [1, 'retrying', 0, 'aborted'],
      [2, 'delivered', 5_000, 200],
    ]);
    expect(rx.texts()).toEqual(['cut short', 'cut short']);
    expect(await c.status(id)).toBe('sent');
  });

  it('conversations do not wait for each other: one held receiver answer does not hold another conversation’s delivery', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const slow = await w.conversation('Dena Lakin', 'Shoes Support', 'pat-1');
    const fast = await w.conversation('Alda Moore', 'Grocery Support', 'sam-2');
    rx.answerNext('hold');
    const t0 = w.emulator.clock.now();
    await slow.say('held');
    await arrived(w.emulator, rx, 1);
    await fast.say('not held');
    const other = await arrived(w.emulator, rx, 2);
    expect(other.body).toMatchObject({ text: 'not held', conversationId: fast.cid });
    await w.emulator.settle();
    expect(w.attempts(t0).map((a) => [a.outcome, a.at, a.status])).toEqual([['delivered', 0, 200]]);
    await w.emulator.clock.advance(10_000);
    await w.emulator.clock.advance(5_000);
    expect(rx.texts()).toEqual(['held', 'not held', 'held']);
  });

  it('a delivery whose integration is deleted while it waits gives up: it and the conversation’s queued ones become delivery-failed', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const c = await w.conversation();
    rx.answerNext(500);
    const t0 = w.emulator.clock.now();
    const a = await c.say('a');
    const b = await c.say('b');
    await arrived(w.emulator, rx, 1);
    await w.emulator.settle();
    const deleted = await w.api('DELETE', `${INTEGRATIONS}/${w.integration.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    await w.emulator.clock.advance(60_000);
    expect(rx.requests).toHaveLength(1);
    expect(w.attempts(t0).map((x) => [x.kind, x.attempt, x.outcome, x.at, x.error ?? x.status])).toEqual([
      ['message', 1, 'retrying', 0, 500],
      ['message', 2, 'failed', 5_000, 'the integration was deleted'],
      ['message', 1, 'failed', 5_000, 'the integration was deleted'],
    ]);
    expect(w.failures()).toEqual([
      { messageId: a, reason: 'webhook the integration was deleted' },
      { messageId: b, reason: 'webhook the integration was deleted' },
    ]);
    expect([await c.status(a), await c.status(b)]).toEqual(['delivery-failed', 'delivery-failed']);
  });

  it('each attempt goes to the integration’s current URL, signed with its current secret and sent with its current headers', async () => {
    const before = await receiver();
    const after = await receiver();
    const w = await world(before.url, { 'X-Tenant': 'old' });
    const c = await w.conversation();
    before.answerNext(503);
    await c.say('moving');
    const first = await arrived(w.emulator, before, 1);
    await w.emulator.settle();
    const newSecret = 'webhook-bites-rotated-4567';
    const patched = await w.api('PATCH', `${INTEGRATIONS}/${w.integration.id}`, {
      outboundNotificationWebhookUrl: after.url,
      outboundNotificationWebhookSignatureSecretToken: newSecret,
      webhookHeaders: { 'X-Tenant': 'new' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    await w.emulator.clock.advance(5_000);
    const second = await arrived(w.emulator, after, 1);
    expect(second.raw.equals(first.raw)).toBe(true);
    expect(first.headers['x-hub-signature-256']).toBe(signature(SECRET, first.raw));
    expect(second.headers['x-hub-signature-256']).toBe(signature(newSecret, second.raw));
    expect([first.headers['x-tenant'], second.headers['x-tenant']]).toEqual(['old', 'new']);
    expect(before.requests).toHaveLength(1);
  });

  it('refuses webhook headers HTTP cannot carry (a name that is not a token, a value with a line break), and deliveries go on', async () => {
    const rx = await receiver();
    const w = await world(rx.url, { 'X-Tenant': 'ok' });
    const path = `${INTEGRATIONS}/${w.integration.id}`;
    for (const webhookHeaders of [{ 'Bad Header': 'x' }, { 'X-Tenant': 'a\r\nX-Injected: 1' }]) {
      const refused = expectApiError(await w.api('PATCH', path, { webhookHeaders }), 400, 'bad.request');
      expect(JSON.stringify(refused)).toContain(Object.keys(webhookHeaders)[0]);
    }
    const c = await w.conversation();
    await c.say('still delivered');
    const got = await arrived(w.emulator, rx, 1);
    expect(got.headers['x-tenant']).toBe('ok');
    const fixture = structuredClone(defaultFixture());
    fixture.openMessaging[0] = { ...fixture.openMessaging[0]!, webhookHeaders: { 'Bad Header': 'x' } };
    await expect(startEmulator({ fixture })).rejects.toThrow(/Bad Header/);
  });

  it('a reset abandons what is in flight and what waits to be retried: the connection is closed, nothing more is sent or put on the new timeline', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const retrying = await w.conversation('Alda Moore', 'Grocery Support', 'sam-2');
    const held = await w.conversation('Dena Lakin', 'Shoes Support', 'pat-1');
    rx.answerNext(500, 'hold');
    await retrying.say('to be retried');
    await arrived(w.emulator, rx, 1);
    await held.say('in flight');
    const inFlight = await arrived(w.emulator, rx, 2);
    await w.emulator.settle();
    expect(inFlight.abandoned).toBe(false);
    await w.emulator.reset();
    await w.emulator.waitUntil(() => (inFlight.abandoned ? true : undefined), {
      within: 0,
      what: 'the connection in flight to be closed',
    });
    await w.emulator.clock.advance(120_000);
    expect(rx.requests).toHaveLength(2);
    expect(w.emulator.events.ofType('openmessaging.webhook.attempt')).toEqual([]);
    expect(w.emulator.events.ofType('message.failed')).toEqual([]);
  });

  it('closing the emulator closes its kept-alive webhook connections', async () => {
    const rx = await receiver();
    const w = await world(rx.url);
    const c = await w.conversation();
    await c.say('bye');
    await arrived(w.emulator, rx, 1);
    await w.emulator.settle();
    expect(rx.connections.map((k) => k.closed)).toEqual([false]);
    await w.emulator.close();
    await eventually(() => rx.connections[0]!.closed, 'the kept-alive connection closed by the emulator');
  });

  it('https: a receiver whose certificate does not verify is a failed connection; a trusted one gets every delivery on one kept-alive TLS connection', async () => {
    const rx = await receiver(true);
    const w = await world(rx.url);
    const c = await w.conversation();
    const t0 = w.emulator.clock.now();
    await c.say('over tls');
    const refused = await w.emulator.waitUntil(() => w.attempts(t0)[0], {
      within: 0,
      what: 'the first attempt',
    });
    expect(refused).toMatchObject({ attempt: 1, outcome: 'retrying', error: 'self-signed certificate' });
    expect(rx.requests).toEqual([]);

    // Trusting the receiver's certificate (as its real CA would be trusted), the retry goes through.
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    onTestFinished(() => {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    });
    await w.emulator.clock.advance(5_000);
    await c.typing();
    await c.say('still over tls');
    await arrived(w.emulator, rx, 3);
    await w.emulator.settle();
    expect(rx.texts()).toEqual(['over tls', 'Event', 'still over tls']);
    expect(rx.requests.every((r) => r.headers['x-hub-signature-256'] === signature(SECRET, r.raw))).toBe(
      true,
    );
    expect(rx.requests.map((r) => r.connection)).toEqual([0, 0, 0]);
    expect(w.attempts(t0).map((a) => [a.kind, a.attempt, a.outcome, a.status])).toEqual([
      ['message', 1, 'retrying', undefined],
      ['message', 2, 'delivered', 200],
      ['typing', 1, 'delivered', 200],
      ['message', 1, 'delivered', 200],
    ]);
  });
});
