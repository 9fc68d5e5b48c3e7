import { describe, expect, it } from 'vitest';
import { type OpenMessagingAdapter, openMessagingAdapter } from '../../../bridge/channels/openmessaging.ts';
import { OpenMessagingHub } from '../../../bridge/channels/openmessaging-hub.ts';
import { hubSignature } from '../../../bridge/channels/openmessaging-signature.ts';
import { OpenMessagingWebhook } from '../../../bridge/channels/openmessaging-webhook.ts';
import type { GuestSocket, SocketHandlers } from '../../../bridge/channels/socket.ts';
import { ManualClock } from '../../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../../bridge/config.ts';
import { type BridgeError, BridgeFailure } from '../../../bridge/errors.ts';
import type { FetchLike } from '../../../bridge/http/http-client.ts';
import {
  type ChannelEvents,
  NotDeliveredFailure,
  type ProviderEnd,
  type ProviderMessage,
  UnconfirmedFailure,
} from '../../../bridge/session/channel-adapter.ts';
import type { AgentInfo } from '../../../bridge/types.ts';
import { settle } from './fake-adapter.ts';

/**
 * The Open Messaging channel (bridge/channels/openmessaging.ts, -hub.ts, -errors.ts, -wire.ts) through its
 * ChannelAdapter contract: the requests it sends to Genesys (inbound message, typing event, Delivered
 * receipt, conversation reads, the customer's disconnect, the notification channel and its queue topics),
 * what it reports for Genesys's answers (BridgeError codes, retryable, retryAfterMs, NotDelivered or
 * Unconfirmed), what signed webhook deliveries and queue notifications turn into (messages, typing, agent
 * joined / left / transferred, the end), and how it closes. Genesys is a FetchLike answering with real
 * Response objects (it plays the statuses the emulator cannot be made to give: 429 with Retry-After, 5xx,
 * 401, 403, 404, 400 with field details) and an in-memory notification socket; time is a ManualClock.
 */

const INTEGRATION = '0f8e2d7a-1b2c-4d3e-9f00-123456789abc';
const SECRET = 'the-integration-secret-0123';
const API = 'http://127.0.0.1:9';
const INBOUND = `/api/v2/conversations/messages/${INTEGRATION}/inbound/open`;
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const T = (s: number) => T0 + s * 1000;
const iso = (s: number) => new Date(T(s)).toISOString();
const TOPIC = 'v2.routing.queues.queue-1.conversations.messages';

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'network';

/** Genesys's Platform API as the bridge talks to it: records each request, answers by route. */
class Genesys {
  readonly calls: Call[] = [];
  readonly overrides: { method: string; prefix: string; replies: (Reply | ((call: Call) => Reply))[] }[] = [];
  readonly snapshots = new Map<string, unknown>();
  readonly messageBodies = new Map<string, unknown>();
  conversationId: string | undefined = 'conv-1';
  queues: unknown = { entities: [{ id: 'queue-1' }], pageCount: 1 };
  tokenExpiresIn = 86_400;
  #logins = 0;
  #channels = 0;
  #messages = 0;

  /** The next requests matching method and path prefix get these answers, in order. */
  next(method: string, prefix: string, ...replies: (Reply | ((call: Call) => Reply))[]): void {
    this.overrides.push({ method, prefix, replies });
  }

  of(method: string, prefix: string): Call[] {
    return this.calls.filter((c) => c.method === method && c.path.startsWith(prefix));
  }

  readonly fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    const headers = { ...(init.headers as Record<string, string>) };
    const raw = typeof init.body === 'string' ? init.body : undefined;
    const body = raw !== undefined && headers['Content-Type'] === 'application/json' ? JSON.parse(raw) : raw;
    const call: Call = { method: init.method ?? 'GET', path: u.pathname + u.search, headers, body };
    this.calls.push(call);
    const override = this.overrides.find(
      (o) => o.method === call.method && call.path.startsWith(o.prefix) && o.replies.length > 0,
    );
    const next = override?.replies.shift();
    const reply = next === undefined ? this.#default(call) : typeof next === 'function' ? next(call) : next;
    if (reply === 'network') throw new TypeError('fetch failed');
    const text =
      reply.body === undefined
        ? null
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    return new Response(text, {
      status: reply.status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  };

  #default(call: Call): Reply {
    const { method, path } = call;
    if (method === 'POST' && path === '/oauth/token')
      return {
        status: 200,
        body: { access_token: `token-${++this.#logins}`, expires_in: this.tokenExpiresIn },
      };
    if (method === 'POST' && path === '/api/v2/notifications/channels') {
      const id = `channel-${++this.#channels}`;
      return { status: 200, body: { id, connectUri: `wss://streaming.example/channels/${id}` } };
    }
    if (method === 'GET' && path.startsWith('/api/v2/routing/queues'))
      return { status: 200, body: this.queues };
    if (method === 'PUT' && path.endsWith('/subscriptions')) return { status: 200, body: {} };
    if (method === 'POST' && path.startsWith(`${INBOUND}/message`)) {
      const id = `genesys-msg-${++this.#messages}`;
      return {
        status: 200,
        body: { id, ...(this.conversationId ? { conversationId: this.conversationId } : {}) },
      };
    }
    if (method === 'POST' && path.startsWith(INBOUND)) return { status: 202, body: {} };
    const message = /^\/api\/v2\/conversations\/messages\/([^/]+)\/messages\/([^/]+)$/.exec(path);
    if (method === 'GET' && message) {
      const found = this.messageBodies.get(decodeURIComponent(message[2]!));
      return found === undefined
        ? { status: 404, body: { code: 'not.found' } }
        : { status: 200, body: found };
    }
    const conversation = /^\/api\/v2\/conversations\/messages\/([^/]+)$/.exec(path);
    if (method === 'GET' && conversation) {
      const found = this.snapshots.get(decodeURIComponent(conversation[1]!));
      return found === undefined
        ? { status: 404, body: { code: 'not.found' } }
        : { status: 200, body: found };
    }
    if (method === 'PATCH' && path.includes('/participants/')) return { status: 202, body: {} };
    return { status: 404, body: { code: 'not.found', message: `no route ${method} ${path}` } };
  }
}

/** The notification socket as the hub sees it; the test plays Genesys's side. */
class Wire implements GuestSocket {
  closed = false;
  constructor(
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly handlers: SocketHandlers,
  ) {}
  send(): void {}
  close(): void {
    this.closed = true;
  }
  terminate(): void {
    this.closed = true;
  }
  push(frame: unknown): void {
    this.handlers.message(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  drop(): void {
    this.handlers.close(1006, '');
  }
}

type Seen =
  | { kind: 'message'; message: ProviderMessage }
  | { kind: 'typing'; typing: { occurredAt?: number; durationMs?: number } }
  | { kind: 'joined'; agent: AgentInfo; at?: number }
  | { kind: 'left'; agent: AgentInfo; continues: boolean; at?: number }
  | { kind: 'transferred'; change: unknown }
  | { kind: 'ended'; end: ProviderEnd }
  | { kind: 'conversation'; id: string }
  | { kind: 'error'; error: BridgeError };

interface SetupOptions {
  openMessaging?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  timeouts?: Record<string, unknown>;
  /** Hub dependencies left out (for the defaults' tests). */
  random?: (() => number) | null;
}

function setup(options: SetupOptions = {}) {
  const clock = new ManualClock();
  const config = resolveBridgeConfig({
    loginUrl: API,
    channel: 'openMessaging',
    platformApi: { clientId: 'bridge-client', clientSecret: 'bridge-secret' },
    openMessaging: { integrationId: INTEGRATION, webhookSecret: SECRET, ...options.openMessaging },
    timeouts: {
      reconnectInitialDelayMs: 1000,
      reconnectMaxDelayMs: 4000,
      reconnectWindowMs: 60_000,
      ...options.timeouts,
    },
    ...options.settings,
  });
  const genesys = new Genesys();
  const wires: Wire[] = [];
  const random = options.random === undefined ? () => 0 : options.random;
  const hub = new OpenMessagingHub(config, clock, {
    fetch: genesys.fetch,
    socketFactory: (url, headers, handlers) => {
      const wire = new Wire(url, headers, handlers);
      wires.push(wire);
      queueMicrotask(() => handlers.open());
      return wire;
    },
    ...(random ? { random } : {}),
  });
  const listenerErrors: unknown[] = [];
  const webhook = new OpenMessagingWebhook(
    () => [hub],
    (e) => listenerErrors.push(e),
  );
  let ids = 0;
  const factory = openMessagingAdapter({ hubFor: () => hub, newId: () => `bridge-msg-${++ids}` });

  const session = (sessionId = 'customer-1') => {
    const seen: Seen[] = [];
    const events: ChannelEvents = {
      message: (message) => seen.push({ kind: 'message', message }),
      typing: (typing) => seen.push({ kind: 'typing', typing }),
      agentJoined: (agent, at) => seen.push({ kind: 'joined', agent, ...(at !== undefined ? { at } : {}) }),
      agentLeft: (agent, continues, at) =>
        seen.push({ kind: 'left', agent, continues, ...(at !== undefined ? { at } : {}) }),
      transferred: (change) => seen.push({ kind: 'transferred', change }),
      ended: (end) => seen.push({ kind: 'ended', end }),
      connectivity: () => {},
      conversation: (id) => seen.push({ kind: 'conversation', id }),
      error: (error) => seen.push({ kind: 'error', error }),
    };
    const adapter = factory({ sessionId, config, clock, events }) as OpenMessagingAdapter;
    const of = <K extends Seen['kind']>(kind: K) =>
      seen.filter((s): s is Extract<Seen, { kind: K }> => s.kind === kind);
    return {
      adapter,
      seen,
      of,
      errors: () => of('error').map((s) => s.error),
      messages: () => of('message').map((s) => s.message),
      ended: () => of('ended').map((s) => s.end),
      open: (customer: Record<string, string> = { id: 'C-1', displayName: 'Pat' }) =>
        adapter.open({ customer: { id: 'C-1', ...customer }, attributes: {} }),
    };
  };

  const wire = (index = wires.length - 1): Wire => {
    const found = wires[index];
    if (!found) throw new Error(`no socket #${index}`);
    return found;
  };

  /** Genesys POSTs a signed delivery to the webhook; processing follows the answer. */
  const deliver = async (body: unknown) => {
    const raw = JSON.stringify(body);
    const answer = webhook.accept(raw, hubSignature(SECRET, raw));
    await settle();
    return answer;
  };

  const notify = async (snapshot: unknown, topicName = TOPIC) => {
    wire().push({ topicName, eventBody: snapshot });
    await settle();
  };

  /** Runs a call to its end, moving the clock to each timer it waits for. */
  const run = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    watched.catch(() => {});
    for (let i = 0; i < 200 && !done; i++) {
      await settle();
      if (done) break;
      const due = clock.nextDue();
      if (due !== undefined) clock.advance(due - clock.now());
    }
    return watched;
  };

  return { clock, config, genesys, hub, wires, wire, webhook, session, deliver, notify, run, listenerErrors };
}

/** An agent's (or the bot's) Outbound Text as Genesys posts it to the webhook. */
function agentText(id: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    channel: { id: INTEGRATION, to: { id: 'customer-1' }, time: iso(3) },
    conversationId: 'conv-1',
    type: 'Text',
    direction: 'Outbound',
    originatingEntity: 'Human',
    text,
    ...extra,
  };
}

function eventBody(id: string, events: unknown[], extra: Record<string, unknown> = {}) {
  return {
    id,
    channel: { id: INTEGRATION, to: { id: 'customer-1' }, time: iso(4) },
    conversationId: 'conv-1',
    type: 'Event',
    direction: 'Outbound',
    events,
    ...extra,
  };
}

type P = Record<string, unknown>;
const customerLeg = (state = 'connected', extra: P = {}): P => ({
  id: 'part-customer',
  purpose: 'customer',
  state,
  ...extra,
});
const agentLeg = (id: string, state: string, extra: P = {}): P => ({
  id,
  purpose: 'agent',
  state,
  user: { id: `user-${id}`, name: `Agent ${id}` },
  startTime: iso(1),
  ...(state === 'connected' || state === 'disconnected' ? { connectedTime: iso(2) } : {}),
  ...extra,
});
const acdLeg = (id: string, start: number, state = 'connected'): P => ({
  id,
  purpose: 'acd',
  state,
  startTime: iso(start),
});
const snap = (...participants: P[]) => ({ id: 'conv-1', participants });
const info = (id: string): AgentInfo => ({ id: `user-${id}`, displayName: `Agent ${id}` });

async function failureOf(promise: Promise<unknown>): Promise<BridgeFailure> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BridgeFailure) return thrown;
    throw thrown;
  }
  throw new Error('expected a failure');
}

describe('Open Messaging: what the bridge sends to Genesys', () => {
  it('open logs in and opens one notification channel subscribed to every queue, shared by the sessions', async () => {
    const h = setup({ settings: { origin: 'https://bot.example' } });
    h.genesys.queues = { entities: [{ id: 'queue-1' }, { id: 'queue-2' }], pageCount: 1 };
    const a = h.session('customer-1');
    const b = h.session('customer-2');
    await Promise.all([a.open(), b.open()]);
    expect(h.genesys.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /oauth/token',
      'POST /api/v2/notifications/channels',
      'GET /api/v2/routing/queues?pageSize=100&pageNumber=1',
      'PUT /api/v2/notifications/channels/channel-1/subscriptions',
    ]);
    expect(h.genesys.calls[0]!.headers['Authorization']).toBe(
      `Basic ${Buffer.from('bridge-client:bridge-secret').toString('base64')}`,
    );
    expect(h.genesys.calls[3]!.headers['Authorization']).toBe('Bearer token-1');
    expect(h.genesys.calls[3]!.body).toEqual([
      { id: 'v2.routing.queues.queue-1.conversations.messages' },
      { id: 'v2.routing.queues.queue-2.conversations.messages' },
    ]);
    expect(h.wires).toHaveLength(1);
    expect(h.wire().url).toBe('wss://streaming.example/channels/channel-1');
    expect(h.wire().headers).toEqual({ Origin: 'https://bot.example' });
    expect(a.adapter).toMatchObject({
      channel: 'openMessaging',
      metadataPlacement: 'firstMessage',
      agentPresence: 'observed',
    });
  });

  it('lists the queues page by page until the last page, and at most 50 pages', async () => {
    const h = setup();
    h.genesys.next(
      'GET',
      '/api/v2/routing/queues',
      { status: 200, body: { entities: [{ id: 'q1' }], pageCount: 3 } },
      { status: 200, body: { entities: [{ id: 'q2' }], pageCount: 3 } },
      { status: 200, body: { entities: [{ id: 'q3' }], pageCount: 3 } },
    );
    await h.session().open();
    expect(h.genesys.of('GET', '/api/v2/routing/queues').map((c) => c.path)).toEqual([
      '/api/v2/routing/queues?pageSize=100&pageNumber=1',
      '/api/v2/routing/queues?pageSize=100&pageNumber=2',
      '/api/v2/routing/queues?pageSize=100&pageNumber=3',
    ]);
    expect(h.genesys.of('PUT', '/api/v2/notifications')[0]!.body).toEqual(
      ['q1', 'q2', 'q3'].map((q) => ({ id: `v2.routing.queues.${q}.conversations.messages` })),
    );

    const many = setup();
    many.genesys.queues = { entities: [{ id: 'q' }], pageCount: 99 };
    await many.session().open();
    const pages = many.genesys.of('GET', '/api/v2/routing/queues');
    expect(pages).toHaveLength(50);
    expect(pages.at(-1)!.path).toBe('/api/v2/routing/queues?pageSize=100&pageNumber=50');

    const onePage = setup();
    onePage.genesys.queues = { entities: [{ id: 'q' }] };
    await onePage.session().open();
    expect(onePage.genesys.of('GET', '/api/v2/routing/queues')).toHaveLength(1);
  });

  it('a queue listing Genesys refuses or answers without queues fails the open; a 500 is asked again', async () => {
    const refused = setup();
    refused.genesys.next('GET', '/api/v2/routing/queues', {
      status: 403,
      body: { message: 'no routing:queue:view' },
    });
    const forbidden = await failureOf(refused.session().open());
    expect(forbidden.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'listing queues: no routing:queue:view',
      retryable: false,
    });

    const empty = setup();
    empty.genesys.queues = { entities: 'none' };
    const odd = await failureOf(empty.session().open());
    expect(odd.error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys answered the queue listing without queues',
    });

    const flaky = setup();
    flaky.genesys.next('GET', '/api/v2/routing/queues', { status: 500, body: {} });
    await flaky.run(flaky.session().open());
    expect(flaky.genesys.of('GET', '/api/v2/routing/queues')).toHaveLength(2);
    expect(flaky.genesys.of('PUT', '/api/v2/notifications')).toHaveLength(1);
  });

  it('a failed login fails the open, and the next open logs in again', async () => {
    const h = setup();
    h.genesys.next('POST', '/oauth/token', { status: 401, body: { error: 'invalid_client' } });
    const s = h.session();
    const failed = await failureOf(s.open());
    expect(failed.error.code).toBe('AUTH_FAILED');
    expect(h.wires).toHaveLength(0);
    await s.open();
    expect(h.genesys.of('POST', '/oauth/token')).toHaveLength(2);
    expect(h.wires).toHaveLength(1);
  });

  it('a session closed while it was opening rejects the open with SESSION_ENDED', async () => {
    const h = setup();
    const s = h.session();
    const opening = s.open();
    await s.adapter.close('detach');
    const failed = await failureOf(opening);
    expect(failed.error).toMatchObject({
      code: 'SESSION_ENDED',
      message: 'the session was closed while it was opening',
    });
    // Never attached: a delivery for the customer reaches nobody.
    await h.deliver(agentText('m-1', 'Hello?'));
    expect(s.messages()).toEqual([]);
  });

  it('the first message carries the customer and the metadata; the answer names the conversation once', async () => {
    const h = setup();
    const s = h.session();
    await s.open({ firstName: 'Pat', lastName: 'Lee', email: 'pat@example.com', displayName: 'Pat L.' });
    h.clock.advance(1500);
    const first = await s.adapter.sendMessage({ text: 'I need help', attributes: { QueueName: 'Sports' } });
    expect(first).toEqual({ providerMessageId: 'genesys-msg-1' });
    const [call] = h.genesys.of('POST', INBOUND);
    expect(call!.path).toBe(`${INBOUND}/message?prefetchConversationId=true`);
    expect(call!.headers).toMatchObject({
      Authorization: 'Bearer token-1',
      'Content-Type': 'application/json',
      Accept: 'application/json',
    });
    expect(call!.body).toStrictEqual({
      channel: {
        messageId: 'bridge-msg-1',
        from: {
          id: 'customer-1',
          idType: 'Opaque',
          nickname: 'Pat L.',
          firstName: 'Pat',
          lastName: 'Lee',
          email: 'pat@example.com',
        },
        time: new Date(T0 + 1500).toISOString(),
        metadata: { customAttributes: { QueueName: 'Sports' } },
      },
      text: 'I need help',
    });
    h.genesys.conversationId = 'conv-other';
    const second = await s.adapter.sendMessage({ text: 'Anyone?', attributes: {} });
    expect(second).toEqual({ providerMessageId: 'genesys-msg-2' });
    expect(h.genesys.of('POST', INBOUND)[1]!.body).toStrictEqual({
      channel: {
        messageId: 'bridge-msg-2',
        from: {
          id: 'customer-1',
          idType: 'Opaque',
          nickname: 'Pat L.',
          firstName: 'Pat',
          lastName: 'Lee',
          email: 'pat@example.com',
        },
        time: new Date(T0 + 1500).toISOString(),
      },
      text: 'Anyone?',
    });
    await s.adapter.sendMessage({ text: 'Hello?' });
    expect(h.genesys.of('POST', INBOUND)[2]!.body).not.toHaveProperty('channel.metadata');
    expect(s.of('conversation')).toEqual([{ kind: 'conversation', id: 'conv-1' }]);
  });

  it('the nickname: the display name, else first and last name, else the one given, else the customer id', async () => {
    const nicknames: unknown[] = [];
    for (const customer of [
      { firstName: 'Pat', lastName: 'Lee' },
      { lastName: 'Lee' },
      { firstName: 'Pat' },
      {},
    ]) {
      const h = setup({ openMessaging: { idType: 'Email' } });
      const s = h.session();
      await s.adapter.open({ customer: { id: 'C-9', ...customer }, attributes: {} });
      await s.adapter.sendMessage({ text: 'hi' });
      const from = (h.genesys.of('POST', INBOUND)[0]!.body as { channel: { from: P } }).channel.from;
      expect(from['idType']).toBe('Email');
      nicknames.push(from);
    }
    expect(nicknames).toStrictEqual([
      { id: 'customer-1', idType: 'Email', nickname: 'Pat Lee', firstName: 'Pat', lastName: 'Lee' },
      { id: 'customer-1', idType: 'Email', nickname: 'Lee', lastName: 'Lee' },
      { id: 'customer-1', idType: 'Email', nickname: 'Pat', firstName: 'Pat' },
      { id: 'customer-1', idType: 'Email', nickname: 'C-9' },
    ]);
  });

  it('an answer without a conversation id names none; one without a message id confirms without an id', async () => {
    const h = setup();
    h.genesys.conversationId = undefined;
    const s = h.session();
    await s.open();
    expect(await s.adapter.sendMessage({ text: 'one' })).toEqual({ providerMessageId: 'genesys-msg-1' });
    expect(s.of('conversation')).toEqual([]);
    h.genesys.next('POST', `${INBOUND}/message`, { status: 202 });
    expect(await s.adapter.sendMessage({ text: 'two' })).toEqual({});
    // Still no conversation to read: an unconfirmed send counts as not sent, and end has nothing to leave.
    expect(await s.adapter.findSent('two')).toBeUndefined();
    await s.adapter.close('end');
    expect(h.genesys.calls.filter((c) => c.method !== 'POST')).toHaveLength(2); // queues + subscriptions
  });

  it('typing posts a Typing event, never a message, and its failure is not an unconfirmed send', async () => {
    const h = setup({ openMessaging: { idType: 'Phone' } });
    const s = h.session();
    await s.open();
    h.clock.advance(2000);
    await s.adapter.sendTyping();
    const [call] = h.genesys.of('POST', INBOUND);
    expect(call!.path).toBe(`${INBOUND}/event`);
    expect(call!.body).toStrictEqual({
      channel: { from: { id: 'customer-1', idType: 'Phone' }, time: iso(2) },
      events: [{ eventType: 'Typing' }],
    });
    h.genesys.next('POST', `${INBOUND}/event`, 'network');
    const failed = await failureOf(s.adapter.sendTyping());
    expect(failed).not.toBeInstanceOf(UnconfirmedFailure);
    expect(failed.error.code).toBe('PROVIDER_UNAVAILABLE');
  });
});

describe("Open Messaging: Genesys's refusals of a customer message", () => {
  const refuse = async (reply: Reply, options: SetupOptions = {}) => {
    const h = setup(options);
    const s = h.session();
    await s.open();
    h.genesys.next('POST', `${INBOUND}/message`, reply);
    const failed = await failureOf(s.adapter.sendMessage({ text: 'hello' }));
    return { failed, error: failed.error, h };
  };

  it('429 with a Retry-After too long to wait: not delivered, RATE_LIMITED, retryable after that pause', async () => {
    const { failed, error, h } = await refuse({
      status: 429,
      body: { code: 'too.many.requests', message: 'Rate limit exceeded' },
      headers: { 'Retry-After': '120' },
    });
    expect(failed).toBeInstanceOf(NotDeliveredFailure);
    expect(error).toStrictEqual({
      code: 'RATE_LIMITED',
      message: 'Rate limit exceeded',
      retryable: true,
      retryAfterMs: 120_000,
      provider: { code: 'too.many.requests' },
    });
    expect(h.genesys.of('POST', `${INBOUND}/message`)).toHaveLength(1);
  });

  it('429 without Retry-After, refused on every attempt: sent four times with backoff, then not delivered', async () => {
    const h = setup();
    const s = h.session();
    await s.open();
    const refused: Reply = { status: 429, body: {} };
    h.genesys.next('POST', `${INBOUND}/message`, refused, refused, refused, refused);
    const sending = s.adapter.sendMessage({ text: 'hello' });
    sending.catch(() => {});
    await settle();
    expect(h.genesys.of('POST', `${INBOUND}/message`)).toHaveLength(1);
    // random() = 0: the first pause is half of 500 ms.
    h.clock.advance(249);
    await settle();
    expect(h.genesys.of('POST', `${INBOUND}/message`)).toHaveLength(1);
    h.clock.advance(1);
    await settle();
    expect(h.genesys.of('POST', `${INBOUND}/message`)).toHaveLength(2);
    const failed = await failureOf(h.run(sending));
    expect(h.genesys.of('POST', `${INBOUND}/message`)).toHaveLength(4);
    expect(failed).toBeInstanceOf(NotDeliveredFailure);
    expect(failed.error).toStrictEqual({
      code: 'RATE_LIMITED',
      message: 'Genesys answered 429',
      retryable: true,
      provider: { code: 429 },
    });
  });

  it('503 with a long Retry-After: not delivered, PROVIDER_UNAVAILABLE, retryable after the pause', async () => {
    const { failed, error } = await refuse({
      status: 503,
      body: { code: 'service.unavailable' },
      headers: { 'Retry-After': '90' },
    });
    expect(failed).toBeInstanceOf(NotDeliveredFailure);
    expect(error).toStrictEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys answered 503 service.unavailable',
      retryable: true,
      retryAfterMs: 90_000,
      provider: { code: 'service.unavailable' },
    });
  });

  it('another 5xx may have been applied: unconfirmed, retryable, never retried blindly', async () => {
    const { failed, error, h } = await refuse({
      status: 500,
      body: 'upstream exploded',
      headers: { 'Retry-After': '5', 'Content-Type': 'text/plain' },
    });
    expect(failed).toBeInstanceOf(UnconfirmedFailure);
    expect(error).toStrictEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys answered 500',
      retryable: true,
      provider: { code: 500, body: 'upstream exploded' },
    });
    expect(h.genesys.of('POST', `${INBOUND}/message`)).toHaveLength(1);
  });

  it('no answer at all is unconfirmed; a login that fails meanwhile is not', async () => {
    const { failed, error } = await refuse('network');
    expect(failed).toBeInstanceOf(UnconfirmedFailure);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });

    const h = setup();
    h.genesys.tokenExpiresIn = 120;
    const s = h.session();
    await s.open();
    h.clock.advance(61_000);
    h.genesys.next('POST', '/oauth/token', { status: 400, body: { error: 'invalid_client' } });
    const login = await failureOf(s.adapter.sendMessage({ text: 'hello' }));
    expect(login).not.toBeInstanceOf(UnconfirmedFailure);
    expect(login.error.code).toBe('AUTH_FAILED');
  });

  it('401 twice (a new token did not help): AUTH_FAILED, not retryable', async () => {
    const h = setup();
    const s = h.session();
    await s.open();
    const denied: Reply = { status: 401, body: { code: 'bad.credentials' } };
    h.genesys.next('POST', `${INBOUND}/message`, denied, denied);
    const failed = await failureOf(s.adapter.sendMessage({ text: 'hello' }));
    expect(failed).not.toBeInstanceOf(UnconfirmedFailure);
    expect(failed).not.toBeInstanceOf(NotDeliveredFailure);
    expect(failed.error).toStrictEqual({
      code: 'AUTH_FAILED',
      message: 'Genesys answered 401 bad.credentials',
      retryable: false,
      provider: { code: 'bad.credentials' },
    });
    expect(h.genesys.of('POST', '/oauth/token')).toHaveLength(2);
  });

  it('403 names the missing permission; 404 names the integration setting', async () => {
    const forbidden = await refuse({ status: 403, body: { message: 'Missing permission' } });
    expect(forbidden.error).toStrictEqual({
      code: 'FORBIDDEN',
      message: 'Missing permission',
      retryable: false,
      provider: { code: 403 },
      correctiveAction: 'Give the platformApi client the conversation:message:receive permission',
    });
    const missing = await refuse({
      status: 404,
      body: { code: 'not.found', message: 'Integration not found' },
    });
    expect(missing.error).toStrictEqual({
      code: 'CONFIG_INVALID',
      message: 'Integration not found',
      retryable: false,
      provider: { code: 'not.found' },
      correctiveAction:
        'Check openMessaging.integrationId: it must be an Open Messaging integration of this org',
    });
  });

  it('400 names the refused field: the metadata, the text, or neither', async () => {
    const field = (fieldName: unknown) => ({
      status: 400,
      body: { code: 'bad.request', message: 'Invalid', details: [{ errorCode: 'x' }, { fieldName }] },
    });
    const metadata = await refuse(field('channel.metadata.customAttributes'));
    expect(metadata.error).toStrictEqual({
      code: 'METADATA_TOO_LARGE',
      message: 'Invalid',
      retryable: false,
      provider: { code: 'bad.request' },
    });
    expect(metadata.failed).not.toBeInstanceOf(UnconfirmedFailure);
    const text = await refuse(field('text'));
    expect(text.error).toStrictEqual({
      code: 'MESSAGE_TOO_LONG',
      message: 'Invalid',
      retryable: false,
      provider: { code: 'bad.request' },
    });
    const other = await refuse(field('channel.from.id'));
    expect(other.error).toStrictEqual({
      code: 'INVALID_REQUEST',
      message: 'Invalid',
      retryable: false,
      provider: { code: 'bad.request' },
    });
  });

  it('400 bodies without a usable field: INVALID_REQUEST whatever their shape', async () => {
    const bodies: unknown[] = [
      undefined,
      'null',
      'plain words',
      {},
      { details: 'text' },
      { details: [] },
      { details: [{ message: 'no field' }] },
      { details: [{ fieldName: 7 }] },
    ];
    const seen: unknown[] = [];
    for (const body of bodies) {
      const { error } = await refuse({ status: 400, ...(body === undefined ? {} : { body }) });
      seen.push([error.code, error.message, error.provider]);
    }
    expect(seen).toEqual([
      ['INVALID_REQUEST', 'Genesys answered 400', { code: 400 }],
      ['INVALID_REQUEST', 'Genesys answered 400', { code: 400 }],
      ['INVALID_REQUEST', 'Genesys answered 400', { code: 400, body: 'plain words' }],
      ...Array.from({ length: 5 }, () => ['INVALID_REQUEST', 'Genesys answered 400', { code: 400 }]),
    ]);
  });

  it('an unexpected 3xx is not a confirmation', async () => {
    const { error } = await refuse({ status: 300, body: { code: 'multiple.choices' } });
    expect(error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'Genesys answered 300 multiple.choices',
    });
  });
});

describe('Open Messaging: finding an unconfirmed message in the conversation', () => {
  const withConversation = async () => {
    const h = setup();
    const s = h.session();
    await s.open();
    h.genesys.next('POST', `${INBOUND}/message`, {
      status: 200,
      body: { id: 'AAAA-1111', conversationId: 'conv-1' },
    });
    await s.adapter.sendMessage({ text: 'yes' });
    return { h, s };
  };

  it("looks the text up among the customer's messages no confirmed send accounts for, and claims it once", async () => {
    const { h, s } = await withConversation();
    h.genesys.snapshots.set(
      'conv-1',
      snap(
        agentLeg('a', 'connected', { messages: [{ messageId: 'agent-msg' }] }),
        customerLeg('connected', {
          messages: [
            { messageId: 'aaaa1111' }, // the confirmed "yes", written without dashes
            {},
            { messageId: 'gone' },
            { messageId: 'empty' },
            { messageId: 'odd' },
            { message: { id: 'BBBB-2222' } },
            { messageId: 'cccc3333' },
          ],
        }),
      ),
    );
    h.genesys.messageBodies.set('agent-msg', { textBody: 'yes' });
    h.genesys.messageBodies.set('aaaa1111', { textBody: 'yes' });
    h.genesys.messageBodies.set('empty', {});
    h.genesys.messageBodies.set('odd', { textBody: 7, normalizedMessage: { text: 8 } });
    h.genesys.messageBodies.set('BBBB-2222', { normalizedMessage: { text: '  yes ' } });
    h.genesys.messageBodies.set('cccc3333', { textBody: 'yes' });
    h.genesys.next('GET', '/api/v2/conversations/messages/conv-1/messages/gone', { status: 404 });

    expect(await s.adapter.findSent(' yes')).toEqual({ providerMessageId: 'bbbb2222' });
    expect(h.genesys.of('GET', '/api/v2/conversations/messages/conv-1').map((c) => c.path)).toEqual([
      '/api/v2/conversations/messages/conv-1',
      '/api/v2/conversations/messages/conv-1/messages/gone',
      '/api/v2/conversations/messages/conv-1/messages/empty',
      '/api/v2/conversations/messages/conv-1/messages/odd',
      '/api/v2/conversations/messages/conv-1/messages/BBBB-2222',
    ]);
    expect(h.genesys.calls.at(-1)!.headers['Authorization']).toBe('Bearer token-1');
    // The same text again: the next unclaimed one, then none.
    expect(await s.adapter.findSent('yes')).toEqual({ providerMessageId: 'cccc3333' });
    expect(await s.adapter.findSent('yes')).toBeUndefined();
  });

  it('a text Genesys does not hold is not sent; a conversation without a customer holds nothing', async () => {
    const { h, s } = await withConversation();
    h.genesys.snapshots.set('conv-1', snap(customerLeg('connected', { messages: [{ messageId: 'm-9' }] })));
    h.genesys.messageBodies.set('m-9', { textBody: 'no' });
    expect(await s.adapter.findSent('yes')).toBeUndefined();
    h.genesys.snapshots.set('conv-1', snap(customerLeg('connected')));
    expect(await s.adapter.findSent('yes')).toBeUndefined();
    h.genesys.snapshots.set('conv-1', snap(agentLeg('a', 'connected')));
    expect(await s.adapter.findSent('yes')).toBeUndefined();
  });

  it('a read of one customer message that Genesys refuses rejects (asking again later), never "not sent"', async () => {
    const { h, s } = await withConversation();
    h.genesys.snapshots.set('conv-1', snap(customerLeg('connected', { messages: [{ messageId: 'm-3' }] })));
    h.genesys.messageBodies.set('m-3', { textBody: 'yes' });
    h.genesys.next('GET', '/api/v2/conversations/messages/conv-1/messages/m-3', {
      status: 403,
      body: { message: 'no view' },
    });
    const refused = await failureOf(s.adapter.findSent('yes'));
    expect(refused.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'reading a customer message: no view',
      retryable: false,
    });
    h.genesys.next(
      'GET',
      '/api/v2/conversations/messages/conv-1/messages/m-3',
      { status: 500, body: {} },
      { status: 500, body: {} },
      { status: 500, body: {} },
      { status: 500, body: {} },
    );
    const unavailable = await failureOf(h.run(s.adapter.findSent('yes')));
    expect(unavailable.error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    // Asked again once Genesys answers: the message is found, not sent twice.
    expect(await s.adapter.findSent('yes')).toEqual({ providerMessageId: 'm3' });
  });

  it('a read Genesys refuses or answers without participants rejects; a 5xx is read again', async () => {
    const { h, s } = await withConversation();
    h.genesys.next('GET', '/api/v2/conversations/messages/conv-1', {
      status: 403,
      body: { message: 'no view' },
    });
    const refused = await failureOf(s.adapter.findSent('yes'));
    expect(refused.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'reading the conversation: no view',
      retryable: false,
    });
    h.genesys.snapshots.set('conv-1', { id: 'conv-1' });
    const odd = await failureOf(s.adapter.findSent('yes'));
    expect(odd.error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys answered the conversation without participants',
    });
    h.genesys.snapshots.set('conv-1', snap(customerLeg('connected', { messages: [{ messageId: 'm-2' }] })));
    h.genesys.messageBodies.set('m-2', { textBody: 'yes' });
    h.genesys.next(
      'GET',
      '/api/v2/conversations/messages/conv-1',
      { status: 500, body: {} },
      { status: 200, body: h.genesys.snapshots.get('conv-1') },
      { status: 502, body: {} },
    );
    expect(await h.run(s.adapter.findSent('yes'))).toEqual({ providerMessageId: 'm2' });
  });
});

describe('Open Messaging: what Genesys posts to the webhook', () => {
  const opened = async (options: SetupOptions = {}) => {
    const h = setup(options);
    const s = h.session();
    await s.open();
    return { h, s };
  };

  it("an agent's text: a message from the agent in the conversation, timed by Genesys, then a Delivered receipt", async () => {
    const { h, s } = await opened();
    await h.deliver(agentText('m-0', 'before anyone joined'));
    await h.notify(snap(customerLeg(), agentLeg('a', 'connected')));
    h.clock.advance(7000);
    expect(await h.deliver(agentText('m-1', 'Hi, this is Agent a'))).toEqual({
      status: 200,
      body: { status: 'accepted' },
    });
    expect(s.messages()).toStrictEqual([
      { id: 'm-0', text: 'before anyone joined', occurredAt: T(3), sender: { kind: 'human' } },
      {
        id: 'm-1',
        text: 'Hi, this is Agent a',
        occurredAt: T(3),
        sender: { kind: 'human', agent: info('a') },
      },
    ]);
    expect(s.of('conversation')).toEqual([{ kind: 'conversation', id: 'conv-1' }]);
    const receipts = h.genesys.of('POST', `${INBOUND}/receipt`);
    expect(receipts.map((c) => c.path)).toEqual([`${INBOUND}/receipt`, `${INBOUND}/receipt`]);
    expect(receipts[1]!.headers['Authorization']).toBe('Bearer token-1');
    expect(receipts[1]!.body).toStrictEqual({
      id: 'm-1',
      channel: { to: { id: 'customer-1', idType: 'Opaque' }, time: iso(7) },
      status: 'Delivered',
      direction: 'Outbound',
      isFinalReceipt: true,
    });
    expect(h.listenerErrors).toEqual([]);
  });

  it("the bot's text is from the bot; a body without time or direction still counts; the customer's own echo does not", async () => {
    const { h, s } = await opened();
    const unassigned = agentText('m-0', 'No conversation named');
    delete (unassigned as Partial<typeof unassigned>).conversationId;
    await h.deliver(unassigned);
    expect(s.of('conversation')).toEqual([]);
    await h.deliver(agentText('m-1', 'Flow says hi', { originatingEntity: 'Bot' }));
    const untimed = agentText('m-2', 'No time');
    delete (untimed as Partial<typeof untimed>).direction;
    untimed.channel = { id: INTEGRATION, to: { id: 'customer-1' } } as typeof untimed.channel;
    await h.deliver(untimed);
    await h.deliver(agentText('m-3', 'my own words', { direction: 'Inbound' }));
    expect(s.of('conversation')).toEqual([{ kind: 'conversation', id: 'conv-1' }]);
    expect(s.messages()).toStrictEqual([
      { id: 'm-0', text: 'No conversation named', occurredAt: T(3), sender: { kind: 'human' } },
      { id: 'm-1', text: 'Flow says hi', occurredAt: T(3), sender: { kind: 'bot' } },
      { id: 'm-2', text: 'No time', sender: { kind: 'human' } },
    ]);
  });

  it('attachments of Structured and Text bodies become the message attachments; empty bodies and receipts are ignored', async () => {
    const { h, s } = await opened();
    await h.deliver(
      agentText('m-1', '', {
        type: 'Structured',
        content: [
          {
            contentType: 'Attachment',
            attachment: { url: 'https://files.example/a.pdf', mime: 'application/pdf', filename: 'a.pdf' },
          },
          { contentType: 'Attachment', attachment: { url: 'https://files.example/b' } },
          { contentType: 'Attachment', attachment: { mime: 'image/png' } },
          { contentType: 'QuickReply' },
        ],
      }),
    );
    await h.deliver(
      agentText('m-2', 'See this', { content: [{ attachment: { url: 'https://files.example/c' } }] }),
    );
    await h.deliver(agentText('m-3', 'Structured words', { type: 'Structured' }));
    await h.deliver(agentText('m-4', '', { content: [{ attachment: { filename: 'x' } }] }));
    const noText = agentText('m-5', '');
    delete (noText as Partial<typeof noText>).text;
    await h.deliver(noText);
    await h.deliver(agentText('m-6', 'a receipt', { type: 'Receipt' }));
    expect(s.messages()).toStrictEqual([
      {
        id: 'm-1',
        attachments: [
          { url: 'https://files.example/a.pdf', mimeType: 'application/pdf', fileName: 'a.pdf' },
          { url: 'https://files.example/b' },
        ],
        occurredAt: T(3),
        sender: { kind: 'human' },
      },
      {
        id: 'm-2',
        text: 'See this',
        attachments: [{ url: 'https://files.example/c' }],
        occurredAt: T(3),
        sender: { kind: 'human' },
      },
      { id: 'm-3', text: 'Structured words', occurredAt: T(3), sender: { kind: 'human' } },
    ]);
    expect(h.genesys.of('POST', `${INBOUND}/receipt`).map((c) => (c.body as { id: string }).id)).toEqual([
      'm-1',
      'm-2',
      'm-3',
    ]);
  });

  it('with receipts off no receipt is sent; a receipt Genesys refuses is not an error', async () => {
    const off = await opened({ openMessaging: { receipts: false } });
    await off.h.deliver(agentText('m-1', 'hello'));
    expect(off.s.messages()).toHaveLength(1);
    expect(off.h.genesys.of('POST', `${INBOUND}/receipt`)).toEqual([]);

    const on = await opened();
    on.h.genesys.next('POST', `${INBOUND}/receipt`, { status: 400, body: {} }, 'network');
    await on.h.deliver(agentText('m-1', 'hello'));
    await on.h.deliver(agentText('m-2', 'again'));
    expect(on.s.messages()).toHaveLength(2);
    expect(on.h.genesys.of('POST', `${INBOUND}/receipt`)).toHaveLength(2);
    expect(on.s.errors()).toEqual([]);
  });

  it('typing events: the duration Genesys gives, else 5 s; typing Off and other events say nothing', async () => {
    const { h, s } = await opened();
    await h.deliver(
      eventBody('e-1', [
        { eventType: 'Typing', typing: { type: 'On', duration: 3000 } },
        { eventType: 'Typing', typing: { type: 'On' } },
        { eventType: 'Typing' },
        { eventType: 'Typing', typing: { type: 'Off', duration: 1000 } },
        { eventType: 'Presence', presence: { type: 'Join' } },
        { eventType: 'Presence' },
        { eventType: 'Receipt', presence: { type: 'Disconnect' } },
      ]),
    );
    const untimed = eventBody('e-2', [{ eventType: 'Typing', typing: { type: 'On', duration: 2000 } }]);
    untimed.channel = { id: INTEGRATION, to: { id: 'customer-1' } } as typeof untimed.channel;
    await h.deliver(untimed);
    await h.deliver(eventBody('e-3', [{ eventType: 'Typing' }], { direction: 'Inbound' }));
    await h.deliver(eventBody('e-4', undefined as unknown as unknown[]));
    expect(s.of('typing').map((t) => t.typing)).toStrictEqual([
      { durationMs: 3000, occurredAt: T(4) },
      { durationMs: 5000, occurredAt: T(4) },
      { durationMs: 5000, occurredAt: T(4) },
      { durationMs: 2000 },
    ]);
    expect(s.ended()).toEqual([]);
    expect(s.messages()).toEqual([]);
    expect(h.genesys.of('POST', `${INBOUND}/receipt`)).toEqual([]);
    expect(h.listenerErrors).toEqual([]);
  });

  it('a Presence Disconnect event ends the conversation once: by the agent when one is there, else by the system', async () => {
    const withAgent = await opened();
    await withAgent.h.notify(snap(customerLeg(), agentLeg('a', 'connected')));
    await withAgent.h.deliver(agentText('m-0', 'claims the conversation'));
    await withAgent.h.deliver(
      eventBody('e-1', [
        { eventType: 'Presence', presence: { type: 'Disconnect' } },
        { eventType: 'Presence', presence: { type: 'Disconnect' } },
      ]),
    );
    await withAgent.h.deliver(agentText('m-1', 'too late'));
    await withAgent.h.notify(
      snap(customerLeg('disconnected', { endTime: iso(9) }), agentLeg('a', 'disconnected')),
    );
    expect(withAgent.s.ended()).toStrictEqual([{ reason: 'agentEnded', by: 'agent', occurredAt: T(4) }]);
    expect(withAgent.s.messages().map((m) => m.id)).toEqual(['m-0']);
    // Over in Genesys: ending the session leaves nothing.
    await withAgent.s.adapter.close('end');
    expect(withAgent.h.genesys.of('PATCH', '/api')).toEqual([]);

    const alone = await opened();
    const untimed = eventBody('e-1', [{ eventType: 'Presence', presence: { type: 'Disconnect' } }]);
    untimed.channel = { id: INTEGRATION, to: { id: 'customer-1' } } as typeof untimed.channel;
    await alone.h.deliver(untimed);
    expect(alone.s.ended()).toStrictEqual([{ reason: 'agentEnded', by: 'system' }]);
  });

  it('deliveries for another customer, or after the session closed, reach no session', async () => {
    const { h, s } = await opened();
    await h.deliver(
      agentText('m-1', 'for someone else', { channel: { id: INTEGRATION, to: { id: 'nobody' } } }),
    );
    expect(h.listenerErrors).toEqual([]);
    await s.adapter.close('detach');
    await h.deliver(agentText('m-2', 'after close'));
    expect(s.messages()).toEqual([]);
    expect(s.of('conversation')).toEqual([]);
  });

  it('a session that re-attaches the same customer keeps the deliveries when the older one closes', async () => {
    const h = setup();
    const older = h.session('customer-1');
    const newer = h.session('customer-1');
    await older.open();
    await newer.open();
    await older.adapter.close('detach');
    await h.deliver(agentText('m-1', 'still here'));
    expect(newer.messages().map((m) => m.id)).toEqual(['m-1']);
    expect(older.messages()).toEqual([]);
  });
});

describe('Open Messaging: agents joining, handing over and ending, from the queue notifications', () => {
  const claimed = async () => {
    const h = setup();
    const s = h.session();
    await s.open();
    await s.adapter.sendMessage({ text: 'hello' });
    return { h, s };
  };
  /** Another customer's session that has sent a message, so it owns `conversationId`. */
  const owning = async (h: ReturnType<typeof setup>, customer: string, conversationId: string) => {
    const session = h.session(customer);
    await session.open();
    h.genesys.conversationId = conversationId;
    await session.adapter.sendMessage({ text: `from ${customer}` });
    return session;
  };

  it('joined, then a transfer to a queue (left, transferred), the next agent, then the end by the agent', async () => {
    const { h, s } = await claimed();
    await h.notify(snap(customerLeg(), acdLeg('q', 0, 'disconnected'), agentLeg('a', 'connected')));
    const left = agentLeg('a', 'disconnected', { disconnectType: 'transfer', endTime: iso(5) });
    await h.notify(snap(customerLeg(), left, acdLeg('q2', 5)));
    const b = agentLeg('b', 'connected', { startTime: iso(6), connectedTime: iso(7) });
    await h.notify(snap(customerLeg(), left, acdLeg('q2', 5, 'disconnected'), b));
    await h.notify(
      snap(customerLeg('disconnected', { endTime: iso(9) }), left, {
        ...b,
        state: 'disconnected',
        endTime: iso(9),
      }),
    );
    expect(s.seen.filter((e) => e.kind !== 'conversation')).toStrictEqual([
      { kind: 'joined', agent: info('a'), at: T(2) },
      { kind: 'left', agent: info('a'), continues: true, at: T(5) },
      { kind: 'transferred', change: { kind: 'queue', from: info('a'), inferred: false, occurredAt: T(5) } },
      { kind: 'joined', agent: info('b'), at: T(7) },
      { kind: 'left', agent: info('b'), continues: false, at: T(9) },
      { kind: 'ended', end: { reason: 'agentEnded', by: 'agent', occurredAt: T(9) } },
    ]);
    // After the end: nothing more is reported, and end leaves nothing.
    await h.deliver(agentText('m-9', 'late'));
    await h.notify(snap(customerLeg(), agentLeg('c', 'connected')));
    await s.adapter.close('end');
    expect(s.seen.at(-1)).toMatchObject({ kind: 'ended' });
    expect(h.genesys.of('PATCH', '/api')).toEqual([]);
  });

  it('a transfer whose target is not visible is to an unknown target; untimed legs report no times', async () => {
    const { h, s } = await claimed();
    await h.notify(
      snap(customerLeg(), { id: 'a', purpose: 'agent', state: 'connected', userId: 'u-a', name: 'Ann' }),
    );
    await h.notify(
      snap(customerLeg(), {
        id: 'a',
        purpose: 'agent',
        state: 'disconnected',
        userId: 'u-a',
        name: 'Ann',
        disconnectType: 'transfer',
      }),
    );
    await h.notify(snap(customerLeg('disconnected')));
    const ann = { id: 'u-a', displayName: 'Ann' };
    expect(s.seen.filter((e) => e.kind !== 'conversation')).toStrictEqual([
      { kind: 'joined', agent: ann },
      { kind: 'left', agent: ann, continues: true },
      { kind: 'transferred', change: { kind: 'unknown', from: ann, inferred: false } },
      { kind: 'ended', end: { reason: 'agentEnded', by: 'agent' } },
    ]);
  });

  it('a transfer to an agent, and the end before any agent (by the system)', async () => {
    const { h, s } = await claimed();
    await h.notify(snap(customerLeg(), agentLeg('a', 'connected')));
    const left = agentLeg('a', 'disconnected', { disconnectType: 'transfer', endTime: iso(5) });
    await h.notify(snap(customerLeg(), left, agentLeg('b', 'alerting', { startTime: iso(5) })));
    expect(s.of('transferred')).toStrictEqual([
      { kind: 'transferred', change: { kind: 'agent', from: info('a'), inferred: false, occurredAt: T(5) } },
    ]);

    const early = await claimed();
    await early.h.notify(snap(customerLeg('disconnected', { endTime: iso(3) })));
    expect(early.s.ended()).toStrictEqual([{ reason: 'agentEnded', by: 'system', occurredAt: T(3) }]);
  });

  it('a notification that beats the send answer is kept for the conversation and given when it is claimed', async () => {
    const h = setup();
    const s = h.session();
    await s.open();
    await h.notify(snap(agentLeg('a', 'connected'), customerLeg()));
    expect(s.of('joined')).toEqual([]);
    await s.adapter.sendMessage({ text: 'hello' });
    expect(s.of('joined')).toStrictEqual([{ kind: 'joined', agent: info('a'), at: T(2) }]);
    // The customer's participant came with it: end disconnects it without reading the conversation.
    await s.adapter.close('end');
    expect(h.genesys.of('GET', '/api/v2/conversations')).toEqual([]);
    expect(h.genesys.of('PATCH', '/api').map((c) => c.path)).toEqual([
      '/api/v2/conversations/messages/conv-1/participants/part-customer',
    ]);
  });

  it('keeps the latest 500 unclaimed conversations: the oldest beyond that is forgotten', async () => {
    const h = setup();
    const first = h.session('customer-1');
    const second = h.session('customer-2');
    await first.open();
    await second.open();
    const one = (id: string) => ({ id, participants: [customerLeg(), agentLeg('a', 'connected')] });
    await h.notify(one('conv-first'));
    await h.notify(one('conv-second'));
    for (let i = 0; i < 498; i++) h.wire().push({ topicName: TOPIC, eventBody: one(`conv-${i}`) });
    await h.notify(one('conv-second')); // seen again: now the newest
    await h.notify(one('conv-500'));
    await h.deliver(agentText('m-1', 'hi', { conversationId: 'conv-first' }));
    await h.deliver(
      agentText('m-2', 'hi', {
        conversationId: 'conv-second',
        channel: { id: INTEGRATION, to: { id: 'customer-2' } },
      }),
    );
    expect(first.of('joined')).toEqual([]);
    expect(second.of('joined')).toHaveLength(1);

    const exact = setup();
    const third = exact.session('customer-1');
    await third.open();
    await exact.notify(one('conv-first'));
    for (let i = 0; i < 499; i++) exact.wire().push({ topicName: TOPIC, eventBody: one(`conv-${i}`) });
    await exact.deliver(agentText('m-1', 'hi', { conversationId: 'conv-first' }));
    expect(third.of('joined')).toHaveLength(1);
  });

  it('frames on other topics, unreadable frames and bodies without participants are ignored', async () => {
    const { h, s } = await claimed();
    const body = snap(customerLeg(), agentLeg('a', 'connected'));
    await h.notify(body, 'v2.users.u-1.presence');
    await h.notify(body, `x${TOPIC}`);
    await h.notify(body, `${TOPIC}.extra`);
    await h.notify(body, 'v2.routing.queues.a.b.conversations.messages');
    h.wire().push('not json');
    h.wire().push({ eventBody: body });
    await h.notify({ id: 'conv-1' });
    await h.notify({ participants: [] });
    expect(s.seen.filter((e) => e.kind !== 'conversation')).toEqual([]);
    // A snapshot that shows no customer yet still tells who joined (and end then reads the customer).
    await h.notify(snap(agentLeg('b', 'connected')));
    expect(s.of('joined')).toStrictEqual([{ kind: 'joined', agent: info('b'), at: T(2) }]);
    await h.notify(body);
    expect(s.of('joined')).toHaveLength(2);
    expect(h.listenerErrors).toEqual([]);
  });

  it('after the notification socket is replaced, each owned conversation is read again', async () => {
    const { h, s } = await claimed();
    const other = await owning(h, 'customer-2', 'conv-2');
    const closedOne = await owning(h, 'customer-3', 'conv-3');
    await closedOne.adapter.close('detach');
    h.genesys.snapshots.set('conv-1', snap(customerLeg(), agentLeg('a', 'connected')));
    h.genesys.snapshots.set('conv-2', {
      id: 'conv-2',
      participants: [customerLeg(), agentLeg('b', 'connected')],
    });
    // The read after the reconnect is asked again when Genesys answers 500.
    h.genesys.next('GET', '/api/v2/conversations/messages/conv-2', { status: 500, body: {} });
    h.wire().drop();
    // random() = 0: the channel is made again after half the 1 s initial delay.
    h.clock.advance(499);
    await settle();
    expect(h.wires).toHaveLength(1);
    h.clock.advance(1);
    await settle(10);
    expect(h.wires).toHaveLength(2);
    expect(h.genesys.of('POST', '/api/v2/notifications/channels')).toHaveLength(2);
    expect(h.genesys.of('GET', '/api/v2/conversations/messages').map((c) => c.path)).toEqual([
      '/api/v2/conversations/messages/conv-1',
      '/api/v2/conversations/messages/conv-2',
    ]);
    expect(s.of('joined')).toStrictEqual([{ kind: 'joined', agent: info('a'), at: T(2) }]);
    expect(other.of('joined')).toEqual([]);
    h.clock.advance(250);
    await settle(10);
    expect(h.genesys.of('GET', '/api/v2/conversations/messages')).toHaveLength(3);
    expect(other.of('joined')).toStrictEqual([{ kind: 'joined', agent: info('b'), at: T(2) }]);
    // Frames of the new socket reach the sessions.
    await h.notify(snap(customerLeg('disconnected')));
    expect(s.ended()).toHaveLength(1);
  });

  it('a read after the reconnect that fails is told to that session; one without participants changes nothing', async () => {
    const { h, s } = await claimed();
    const other = await owning(h, 'customer-2', 'conv-2');
    const third = await owning(h, 'customer-3', 'conv-3');
    h.genesys.next('GET', '/api/v2/conversations/messages/conv-1', {
      status: 403,
      body: { message: 'denied' },
    });
    h.genesys.next('GET', '/api/v2/conversations/messages/conv-2', { status: 200, body: { id: 'conv-2' } });
    h.genesys.next(
      'GET',
      '/api/v2/conversations/messages/conv-3',
      'network',
      'network',
      'network',
      'network',
    );
    h.wire().drop();
    for (let i = 0; i < 20 && third.errors().length === 0; i++) {
      h.clock.advance(h.clock.nextDue() !== undefined ? h.clock.nextDue()! - h.clock.now() : 100);
      await settle();
    }
    expect(s.errors()).toStrictEqual([
      {
        code: 'FORBIDDEN',
        message: 'reading the conversation after a reconnect: denied',
        retryable: false,
        provider: { code: 403 },
      },
    ]);
    expect(other.errors()).toEqual([]);
    expect(other.seen.filter((e) => e.kind !== 'conversation')).toEqual([]);
    expect(third.errors()).toMatchObject([{ code: 'PROVIDER_UNAVAILABLE', retryable: true }]);
  });

  it('a channel that cannot be reopened within the window is told to every open session (once each)', async () => {
    const h = setup({ timeouts: { reconnectWindowMs: 3000 } });
    const a = h.session('customer-1');
    const b = h.session('customer-2');
    await a.open();
    await b.open();
    const closed = h.session('customer-3');
    await closed.open();
    await closed.adapter.close('detach');
    const over = h.session('customer-4');
    await over.open();
    await h.deliver(
      eventBody('e-1', [{ eventType: 'Presence', presence: { type: 'Disconnect' } }], {
        channel: { id: INTEGRATION, to: { id: 'customer-4' } },
      }),
    );
    expect(over.ended()).toHaveLength(1);
    h.genesys.next(
      'POST',
      '/api/v2/notifications/channels',
      ...Array.from({ length: 10 }, () => ({ status: 403, body: {} }) as Reply),
    );
    h.wire().drop();
    for (let i = 0; i < 20 && a.errors().length === 0; i++) {
      await settle();
      const due = h.clock.nextDue();
      if (due !== undefined) h.clock.advance(due - h.clock.now());
    }
    expect(a.errors()).toStrictEqual([
      {
        code: 'PROVIDER_UNAVAILABLE',
        message: 'the Platform API notification channel could not be reopened; still trying',
        retryable: true,
      },
    ]);
    expect(b.errors()).toEqual(a.errors());
    expect(closed.errors()).toEqual([]);
    expect(over.errors()).toEqual([]);
  });
});

describe('Open Messaging: closing', () => {
  const claimed = async (options: SetupOptions = {}) => {
    const h = setup(options);
    const s = h.session();
    await s.open();
    await s.adapter.sendMessage({ text: 'hello' });
    return { h, s };
  };
  const patches = (h: ReturnType<typeof setup>) => h.genesys.of('PATCH', '/api');

  it("end reads the customer's participant and disconnects it; a second close does nothing", async () => {
    const { h, s } = await claimed();
    h.genesys.snapshots.set('conv-1', snap(agentLeg('a', 'connected'), customerLeg()));
    await s.adapter.close('end');
    await s.adapter.close('end');
    expect(h.genesys.of('GET', '/api/v2/conversations').map((c) => c.path)).toEqual([
      '/api/v2/conversations/messages/conv-1',
    ]);
    expect(patches(h)).toStrictEqual([
      {
        method: 'PATCH',
        path: '/api/v2/conversations/messages/conv-1/participants/part-customer',
        headers: expect.objectContaining({ Authorization: 'Bearer token-1' }),
        body: { state: 'disconnected' },
      },
    ]);
    expect(s.errors()).toEqual([]);
    // Detached: nothing reaches the closed session.
    await h.deliver(agentText('m-1', 'hello?'));
    expect(s.messages()).toEqual([]);
  });

  it('detach only stops listening; end without a conversation, or without a customer in it, sends nothing', async () => {
    const detached = await claimed();
    await detached.s.adapter.close('detach');
    expect(patches(detached.h)).toEqual([]);
    expect(detached.h.genesys.of('GET', '/api/v2/conversations')).toEqual([]);

    const noCustomer = await claimed();
    noCustomer.h.genesys.snapshots.set('conv-1', snap(agentLeg('a', 'connected')));
    await noCustomer.s.adapter.close('end');
    expect(patches(noCustomer.h)).toEqual([]);
    expect(noCustomer.s.errors()).toEqual([]);

    const gone = await claimed();
    gone.h.genesys.next('GET', '/api/v2/conversations/messages/conv-1', { status: 404, body: {} });
    await gone.s.adapter.close('end');
    expect(patches(gone.h)).toEqual([]);
    expect(gone.s.errors()).toEqual([]);

    const never = setup();
    const unopened = never.session();
    await unopened.adapter.close('end');
    await never.session('customer-2').adapter.close('detach');
    expect(never.genesys.calls).toEqual([]);
  });

  it('an end whose read of the participants Genesys refuses or answers without them is reported, not skipped', async () => {
    const refused = await claimed();
    refused.h.genesys.next('GET', '/api/v2/conversations/messages/conv-1', {
      status: 403,
      body: { message: 'no view' },
    });
    await refused.s.adapter.close('end');
    expect(patches(refused.h)).toEqual([]);
    expect(refused.s.errors()).toMatchObject([
      { code: 'FORBIDDEN', message: 'reading the conversation to end it: no view', retryable: false },
    ]);

    const unreadable = await claimed();
    unreadable.h.genesys.snapshots.set('conv-1', { id: 'conv-1' });
    await unreadable.s.adapter.close('end');
    expect(patches(unreadable.h)).toEqual([]);
    expect(unreadable.s.errors()).toMatchObject([
      { code: 'PROVIDER_UNAVAILABLE', message: 'Genesys answered the conversation without participants' },
    ]);
  });

  it('a read of the participants that Genesys answers 500 is asked again before the disconnect', async () => {
    const { h, s } = await claimed();
    h.genesys.snapshots.set('conv-1', snap(customerLeg()));
    h.genesys.next('GET', '/api/v2/conversations/messages/conv-1', { status: 500, body: {} });
    await h.run(s.adapter.close('end'));
    expect(h.genesys.of('GET', '/api/v2/conversations')).toHaveLength(2);
    expect(patches(h)).toHaveLength(1);
    expect(s.errors()).toEqual([]);
  });

  it.each([400, 404])('a disconnect answered %i (already over) is the goal reached', async (status) => {
    const { h, s } = await claimed();
    h.genesys.snapshots.set('conv-1', snap(customerLeg()));
    h.genesys.next('PATCH', '/api', { status, body: {} });
    await s.adapter.close('end');
    expect(patches(h)).toHaveLength(1);
    expect(s.errors()).toEqual([]);
  });

  it.each([
    [403, 'FORBIDDEN', false],
    [300, 'PROVIDER_UNAVAILABLE', false],
    [409, 'PROVIDER_UNAVAILABLE', false],
  ] as const)('a disconnect answered %i is reported as %s', async (status, code, retryable) => {
    const { h, s } = await claimed();
    h.genesys.snapshots.set('conv-1', snap(customerLeg()));
    h.genesys.next('PATCH', '/api', { status, body: {} });
    await s.adapter.close('end');
    expect(s.errors()).toStrictEqual([
      {
        code,
        message: `ending the conversation: Genesys answered ${status}`,
        retryable,
        provider: { code: status },
      },
    ]);
  });

  it('a disconnect that gets no answer (after its retries) is reported, and close still resolves', async () => {
    const { h, s } = await claimed();
    h.genesys.snapshots.set('conv-1', snap(customerLeg()));
    h.genesys.next('PATCH', '/api', 'network', 'network', 'network', 'network');
    await h.run(s.adapter.close('end'));
    expect(patches(h)).toHaveLength(4);
    expect(s.errors()).toMatchObject([{ code: 'PROVIDER_UNAVAILABLE', retryable: true }]);
  });

  it('hub close drops the notification socket and every session; closing before it opened is harmless', async () => {
    const h = setup();
    const s = h.session();
    await s.open();
    h.hub.close();
    expect(h.wire().closed).toBe(true);
    await h.deliver(agentText('m-1', 'anyone?'));
    expect(s.messages()).toEqual([]);

    const early = setup();
    expect(() => early.hub.close()).not.toThrow();

    const racing = setup();
    const ready = racing.hub.ready();
    racing.hub.close();
    await ready;
    expect(racing.wire().closed).toBe(true);
  });
});

describe('Open Messaging hub: settings and defaults', () => {
  it('a session whose events take no conversation id still sends and receives', async () => {
    const h = setup();
    const seen: string[] = [];
    const adapter = openMessagingAdapter({ hubFor: () => h.hub })({
      sessionId: 'customer-1',
      config: h.config,
      clock: h.clock,
      events: {
        message: (m) => seen.push(m.id),
        typing: () => {},
        agentJoined: () => {},
        agentLeft: () => {},
        transferred: () => {},
        ended: () => {},
        connectivity: () => {},
        error: () => {},
      },
    });
    await adapter.open({ customer: { id: 'C-1' }, attributes: {} });
    expect(await adapter.sendMessage({ text: 'hello' })).toEqual({ providerMessageId: 'genesys-msg-1' });
    const body = h.genesys.of('POST', INBOUND)[0]!.body as { channel: { messageId: string } };
    expect(body.channel.messageId).toMatch(/^[0-9a-f-]{36}$/);
    await h.deliver(agentText('m-1', 'hi'));
    expect(seen).toEqual(['m-1']);
  });

  it('refuses a configuration without openMessaging or platformApi settings', () => {
    const clock = new ManualClock();
    const webMessaging = resolveBridgeConfig({
      loginUrl: API,
      deploymentId: '11111111-2222-4333-8444-555555555555',
      openMessaging: { integrationId: INTEGRATION, webhookSecret: SECRET },
    });
    expect(() => new OpenMessagingHub(webMessaging, clock, {})).toThrow(
      'an Open Messaging hub needs openMessaging and platformApi settings',
    );
    const noIntegration = resolveBridgeConfig({
      loginUrl: API,
      deploymentId: '11111111-2222-4333-8444-555555555555',
      platformApi: { clientId: 'c', clientSecret: 's' },
    });
    expect(() => new OpenMessagingHub(noIntegration, clock, {})).toThrow(
      'an Open Messaging hub needs openMessaging and platformApi settings',
    );
  });

  it('without a random source the backoff and the reconnect use their own jitter (never below half)', async () => {
    const h = setup({ random: null });
    const s = h.session();
    await s.open();
    const refused: Reply = { status: 429, body: {} };
    h.genesys.next('POST', `${INBOUND}/message`, refused, { status: 200, body: { id: 'x' } });
    const sending = s.adapter.sendMessage({ text: 'hello' });
    await settle();
    h.clock.advance(249);
    await settle();
    expect(h.genesys.of('POST', `${INBOUND}/message`)).toHaveLength(1);
    h.clock.advance(251);
    expect(await sending).toEqual({ providerMessageId: 'x' });
  });
});
