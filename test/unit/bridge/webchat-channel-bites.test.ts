import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../bridge/channels/reconnector.ts';
import type { GuestSocket, SocketFactory, SocketHandlers } from '../../../bridge/channels/socket.ts';
import { ManualClock } from '../../../bridge/clock.ts';
import { type Bridge, type BridgeEvent, createBridge } from '../../../bridge/index.ts';
import { MemoryStore } from '../../../bridge/store/memory-store.ts';
import { DEPLOYMENT, ORG, settle } from './fake-adapter.ts';

/**
 * The WebChat v2 channel (bridge/channels/webchat.ts, webchat-protocol.ts) through the public bridge API,
 * for what webchat-adapter.test.ts leaves open: how each Genesys answer and stream frame becomes a bridge
 * event or error code, presence and transfer detection, history paging, lookups of unconfirmed sends,
 * reconnects and handovers. The REST API is a scripted fetch and the event stream a scripted socket (each
 * stream is opened, fed and dropped by the test itself), all on a manual clock.
 */

const BASE = '/api/v2/webchat/guest/conversations';
const CONV = `${BASE}/C1`;
const MESSAGES = `${CONV}/messages`;
const MEMBERS_LIST = `${CONV}/members?pageSize=25&pageNumber=1&excludeDisconnectedMembers=true`;
const SEND = `POST ${CONV}/members/G1/messages`;
const STREAM_URI = 'wss://streaming.example/v1/token/J1';
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const TS = '2026-01-01T09:00:05.000Z';
const iso = (ms: number) => new Date(ms).toISOString();

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; text?: string; headers?: Record<string, string> } | 'network';

/** One event stream the bridge opened; the test decides when it opens, what it carries and when it ends. */
class ScriptedSocket implements GuestSocket {
  closedByBridge = false;
  constructor(
    readonly at: number,
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly handlers: SocketHandlers,
  ) {}

  open(): void {
    this.handlers.open();
  }
  frame(frame: Record<string, unknown>): void {
    this.handlers.message(JSON.stringify(frame));
  }
  raw(text: string): void {
    this.handlers.message(text);
  }
  /** Genesys (or the network) closes the stream. */
  drop(code = 1006): void {
    this.handlers.close(code, '');
  }
  /** The upgrade is refused (status) or the connection fails (no status), then the socket closes. */
  fail(status?: number): void {
    const error: Error & { status?: number } = new Error(
      status === undefined ? 'connect ECONNREFUSED' : `Unexpected server response: ${status}`,
    );
    if (status !== undefined) error.status = status;
    this.handlers.error(error);
    this.handlers.close(1006, '');
  }
  send(): void {}
  close(): void {
    this.closedByBridge = true;
  }
  terminate(): void {
    this.closedByBridge = true;
  }
}

/** What each new stream does on its own: open, be refused with a status, fail, or wait for the test. */
type StreamPlan = 'open' | 'hang' | 'fail' | number;

interface MemberBody {
  id?: string;
  role?: string;
  state?: string;
  displayName?: string;
  avatarImageUrl?: string;
}

function world() {
  const clock = new ManualClock();
  const requests: Recorded[] = [];
  const overrides = new Map<string, Reply[]>();
  const sockets: ScriptedSocket[] = [];
  const plans: StreamPlan[] = [];
  let sent = 0;
  const members: Record<string, MemberBody | null> = {
    A1: {
      id: 'A1',
      displayName: 'Alex',
      role: 'AGENT',
      state: 'CONNECTED',
      avatarImageUrl: 'https://img/alex.png',
    },
    A2: { id: 'A2', displayName: 'Sam', role: 'AGENT', state: 'CONNECTED' },
    A3: { id: 'A3', displayName: 'Kim', role: 'AGENT', state: 'CONNECTED' },
    Q1: { id: 'Q1', role: 'ACD', state: 'CONNECTED' },
    G1: { id: 'G1', role: 'CUSTOMER', state: 'CONNECTED' },
  };
  /** Who GET members (excludeDisconnectedMembers) lists. */
  const present = { ids: ['G1'] };

  function reply(method: string, path: string): Reply {
    const scripted = overrides.get(`${method} ${path}`)?.shift();
    if (scripted) return scripted;
    if (method === 'POST' && path === BASE) {
      return {
        status: 200,
        body: { id: 'C1', jwt: 'J1', eventStreamUri: STREAM_URI, member: { id: 'G1' } },
      };
    }
    if (method === 'GET' && path === MEMBERS_LIST) {
      return { status: 200, body: { entities: present.ids.map((id) => members[id]), pageSize: 25 } };
    }
    const member = new RegExp(`^${CONV}/members/(\\w+)$`).exec(path)?.[1];
    if (method === 'GET' && member) {
      const body = members[member];
      return body === undefined ? { status: 404 } : { status: 200, body };
    }
    if (method === 'GET' && path.startsWith(`${MESSAGES}?`)) {
      return { status: 200, body: { entities: [], pageSize: 100 } };
    }
    if (`${method} ${path}` === SEND) {
      sent += 1;
      return { status: 200, body: { id: `g${sent}`, sender: { id: 'G1' }, bodyType: 'standard' } };
    }
    if (method === 'POST' && path === `${CONV}/members/G1/typing`) return { status: 200, body: { id: 't1' } };
    if (method === 'DELETE' && path === `${CONV}/members/G1`) return { status: 204 };
    return { status: 404, body: { status: 404, code: 'not.found', message: 'not found' } };
  }

  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const parsed = new URL(url);
    const path = parsed.pathname + parsed.search;
    const method = init.method ?? 'GET';
    requests.push({
      method,
      path,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const answer = reply(method, path);
    if (answer === 'network') throw new TypeError('fetch failed');
    const text = answer.text ?? (answer.body === undefined ? null : JSON.stringify(answer.body));
    return new Response(answer.status === 204 ? null : text, {
      status: answer.status,
      headers: { 'Content-Type': 'application/json', ...answer.headers },
    });
  };

  const socketFactory: SocketFactory = (url, headers, handlers) => {
    const socket = new ScriptedSocket(clock.now(), url, headers, handlers);
    sockets.push(socket);
    const plan = plans.shift() ?? 'open';
    queueMicrotask(() => {
      if (plan === 'open') socket.open();
      else if (plan === 'fail') socket.fail();
      else if (typeof plan === 'number') socket.fail(plan);
    });
    return socket;
  };

  const config = (overrides: Record<string, unknown> = {}) => ({
    loginUrl: 'https://login.mypurecloud.ie',
    organizationId: ORG,
    deploymentId: DEPLOYMENT,
    queueName: 'Tier1 Chat',
    ...overrides,
    timeouts: { reorderWindowMs: 0, ...((overrides['timeouts'] as object | undefined) ?? {}) },
  });

  const count = (method: string, path: string) =>
    requests.filter((r) => r.method === method && r.path === path).length;
  const reads = () =>
    requests
      .filter((r) => r.method === 'GET' && r.path.startsWith(`${MESSAGES}?`))
      .map((r) => new URL(r.path, 'http://x').searchParams.get('after'));

  /** Moves the clock in steps, letting promises run between them. */
  const pass = async (ms: number, step = 100) => {
    for (let left = ms; left > 0; left -= step) {
      clock.advance(Math.min(step, left));
      await settle();
    }
  };

  return {
    clock,
    requests,
    overrides,
    sockets,
    plans,
    members,
    present,
    fetch,
    socketFactory,
    config,
    count,
    reads,
    pass,
  };
}

type World = ReturnType<typeof world>;

let w: World;
let bridge: Bridge;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function start(config: Record<string, unknown> = {}): void {
  w = world();
  const made = createBridge(w.config(config), {
    clock: w.clock,
    random: () => 1,
    fetch: w.fetch,
    socketFactory: w.socketFactory,
  });
  bridge = made;
  cleanups.push(() => made.close());
}

const member = (id: string | undefined, state: string | undefined, timestamp: string | undefined = TS) =>
  frame('member-change', 'members', {
    member: { ...(id ? { id } : {}), ...(state ? { state } : {}) },
    ...(timestamp ? { timestamp } : {}),
  });

const say = (id: string, sender: string, body: string, bodyType = 'standard', timestamp = TS) =>
  frame('message', 'messages', { id, sender: { id: sender }, body, bodyType, timestamp });

function frame(type: string, topic: string, eventBody: Record<string, unknown>) {
  return {
    topicName: `v2.conversations.chats.C1.${topic}`,
    version: '2',
    eventBody: { conversation: { id: 'C1' }, ...eventBody },
    metadata: { CorrelationId: 'corr', type },
  };
}

const stored = (id: string, sender: string, body: string, bodyType = 'standard') => ({
  id,
  sender: { id: sender },
  body,
  bodyType,
  timestamp: '2026-01-01T09:01:00.000Z',
});
const page = (...entities: unknown[]) => ({ status: 200, body: { entities, pageSize: 100 } });

async function open(request: Record<string, unknown> = {}) {
  const result = await bridge.startTransfer({
    idempotencyKey: 'k1',
    botConversationId: 'bot-1',
    customer: { id: 'c-1', firstName: 'Jane', lastName: 'Guest' },
    ...request,
  });
  await settle();
  return { ...result, socket: w.sockets.at(-1) as ScriptedSocket };
}

async function opened(request: Record<string, unknown> = {}) {
  const result = await open(request);
  expect(result.state).toBe('queued');
  return result;
}

/** Feeds frames to a stream, then lets the bridge handle them. */
async function feed(socket: ScriptedSocket, ...frames: Record<string, unknown>[]) {
  for (const f of frames) socket.frame(f);
  await settle(10);
}

async function events(sessionId: string): Promise<BridgeEvent[]> {
  return bridge.readEvents(sessionId);
}
async function types(sessionId: string): Promise<string[]> {
  return (await events(sessionId)).map((e) => e.type);
}
async function all<T extends BridgeEvent['type']>(sessionId: string, type: T) {
  return (await events(sessionId)).filter((e): e is Extract<BridgeEvent, { type: T }> => e.type === type);
}
async function last<T extends BridgeEvent['type']>(sessionId: string, type: T) {
  return (await all(sessionId, type)).at(-1);
}

/** Drops the stream, lets the reconnect open a new one (the next plan), and returns it. */
async function reconnect(socket: ScriptedSocket): Promise<ScriptedSocket> {
  const before = w.sockets.length;
  socket.drop();
  await settle();
  await w.pass(1000);
  await settle(10);
  const next = w.sockets[before];
  if (!next) throw new Error('no reconnect attempt');
  return next;
}

async function startedWithin(ms: number, pending: Promise<unknown>) {
  let done = false;
  void pending.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let left = ms; left > 0 && !done; left -= 250) {
    w.clock.advance(250);
    await settle();
  }
  return pending;
}

describe('WebChat: creating the chat', () => {
  it('names the guest from displayName, else first and last name, else the customer id', async () => {
    start();
    const names: unknown[] = [];
    const customers = [
      { id: 'c-1', displayName: 'JJ', firstName: 'Jane', phone: '+353 1 555' },
      { id: 'c-2', firstName: 'Jane' },
      { id: 'c-3', lastName: 'Guest', email: 'g@example.com' },
      { id: 'c-4' },
    ];
    for (const [i, customer] of customers.entries()) {
      await bridge.startTransfer({ idempotencyKey: `k${i}`, botConversationId: `b${i}`, customer });
      names.push(w.requests.filter((r) => r.path === BASE).at(-1)?.body);
    }
    const info = (body: unknown) => (body as { memberInfo: unknown }).memberInfo;
    expect(names.map(info)).toEqual([
      {
        displayName: 'JJ',
        firstName: 'Jane',
        phoneNumber: '+353 1 555',
        customFields: { QueueName: 'Tier1 Chat' },
      },
      { displayName: 'Jane', firstName: 'Jane', customFields: { QueueName: 'Tier1 Chat' } },
      {
        displayName: 'Guest',
        lastName: 'Guest',
        email: 'g@example.com',
        customFields: { QueueName: 'Tier1 Chat' },
      },
      { displayName: 'c-4', customFields: { QueueName: 'Tier1 Chat' } },
    ]);
  });

  it('routes to the transfer queue and puts the metadata in customFields at create', async () => {
    start();
    await opened({ queueName: 'Billing', metadata: { orderId: 'O-7', vip: true } });
    expect(w.requests[0]?.body).toEqual({
      organizationId: ORG,
      deploymentId: DEPLOYMENT,
      routingTarget: { targetType: 'QUEUE', targetAddress: 'Billing' },
      memberInfo: {
        displayName: 'Jane Guest',
        firstName: 'Jane',
        lastName: 'Guest',
        customFields: { orderId: 'O-7', vip: 'true', QueueName: 'Billing' },
      },
    });
  });

  it('sends the configured Origin on every call and on the stream, and none without one', async () => {
    start({ origin: 'https://bot.example' });
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'));
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'hi' });
    await settle();
    expect(socket.url).toBe(STREAM_URI);
    expect(socket.headers).toEqual({ Origin: 'https://bot.example' });
    expect(w.requests.map((r) => r.headers['Origin'])).toEqual(w.requests.map(() => 'https://bot.example'));
    expect(w.requests.length).toBeGreaterThanOrEqual(3);

    start();
    const plain = await opened();
    await feed(plain.socket, member('A1', 'CONNECTED'));
    expect(Object.keys(plain.socket.headers)).toEqual([]);
    expect(w.requests.filter((r) => Object.keys(r.headers).includes('Origin'))).toEqual([]);
  });

  const code = (c: string, message?: string) => ({ status: 400, code: c, ...(message ? { message } : {}) });
  it.each([
    {
      answer: { status: 400, body: code('chat.error.invalid.queue', 'Invalid queue') },
      error: {
        code: 'QUEUE_NOT_FOUND',
        message: 'Invalid queue',
        retryable: false,
        provider: { code: 'chat.error.invalid.queue' },
        correctiveAction: 'Check the queue name; it must match the Genesys queue exactly',
      },
    },
    {
      answer: { status: 400, body: code('chat.error.createconversationrequest.routingtarget') },
      error: {
        code: 'QUEUE_NOT_FOUND',
        message: 'Genesys answered 400 chat.error.createconversationrequest.routingtarget',
        retryable: false,
        provider: { code: 'chat.error.createconversationrequest.routingtarget' },
        correctiveAction: 'Check the queue name; it must match the Genesys queue exactly',
      },
    },
    {
      answer: { status: 400, body: code('chat.deployment.disabled', 'disabled') },
      error: {
        code: 'FORBIDDEN',
        message: 'disabled',
        retryable: false,
        provider: { code: 'chat.deployment.disabled' },
        correctiveAction: 'Enable the widget deployment in Genesys Cloud',
      },
    },
    ...['chat.deployment.require.auth', 'chat.deployment.bad.auth'].map((c) => ({
      answer: { status: 400, body: code(c, 'auth') },
      error: {
        code: 'AUTH_FAILED',
        message: 'auth',
        retryable: false,
        provider: { code: c },
        correctiveAction: 'This deployment requires authenticated guests, which the bridge does not support',
      },
    })),
    ...['chat.error.conversation.state', 'chat.error.member.state'].map((c) => ({
      answer: { status: 400, body: code(c, 'over') },
      error: { code: 'SESSION_ENDED', message: 'over', retryable: false, provider: { code: c } },
    })),
    {
      answer: { status: 401, body: { code: 'bad.credentials', message: 'who?' } },
      error: {
        code: 'AUTH_FAILED',
        message: 'who?',
        retryable: false,
        provider: { code: 'bad.credentials' },
      },
    },
    {
      answer: { status: 403, body: { code: 'not.allowed', message: 'no' } },
      error: { code: 'FORBIDDEN', message: 'no', retryable: false, provider: { code: 'not.allowed' } },
    },
    {
      answer: { status: 404 },
      error: {
        code: 'FORBIDDEN',
        message: 'Genesys answered 404',
        retryable: false,
        provider: { code: 404 },
        correctiveAction: 'Check organizationId and deploymentId',
      },
    },
    {
      answer: { status: 500, body: { code: 'internal', message: 'boom' } },
      error: {
        code: 'PROVIDER_UNAVAILABLE',
        message: 'boom',
        retryable: true,
        provider: { code: 'internal' },
      },
    },
    {
      answer: { status: 400, body: { code: 'bad.request' } },
      error: {
        code: 'INVALID_REQUEST',
        message: 'Genesys answered 400 bad.request',
        retryable: false,
        provider: { code: 'bad.request' },
      },
    },
    {
      answer: { status: 409, text: 'conflict!' },
      error: {
        code: 'INVALID_REQUEST',
        message: 'Genesys answered 409',
        retryable: false,
        provider: { code: 409, body: 'conflict!' },
      },
    },
    {
      // A 3xx is no created chat, whatever its body says.
      answer: {
        status: 300,
        body: { id: 'C1', jwt: 'J1', eventStreamUri: STREAM_URI, member: { id: 'G1' } },
      },
      error: {
        code: 'INVALID_REQUEST',
        message: 'Genesys answered 300',
        retryable: false,
        provider: { code: 300 },
      },
    },
    {
      answer: { status: 429, body: { code: 'too.many.requests' }, headers: { 'Retry-After': '120' } },
      error: {
        code: 'RATE_LIMITED',
        message: 'Genesys answered 429 too.many.requests',
        retryable: true,
        retryAfterMs: 120_000,
        provider: { code: 'too.many.requests' },
      },
    },
    {
      answer: { status: 503, body: { code: 'busy', message: 'later' }, headers: { 'Retry-After': '120' } },
      error: {
        code: 'PROVIDER_UNAVAILABLE',
        message: 'later',
        retryable: true,
        retryAfterMs: 120_000,
        provider: { code: 'busy' },
      },
    },
  ])('maps a create answered $answer.status $answer.body.code to $error.code', async ({ answer, error }) => {
    start();
    w.overrides.set(`POST ${BASE}`, [answer]);
    const result = await open();
    expect(result.state).toBe('failed');
    expect(result.error).toStrictEqual(error);
    expect(w.sockets).toHaveLength(0);
  });

  it.each([429, 503])(
    'reports a create still refused with %i after the retries without a Retry-After',
    async (status) => {
      start();
      const refused = { status, body: { code: 'later' } };
      w.overrides.set(`POST ${BASE}`, [refused, refused, refused, refused]);
      const result = await startedWithin(
        20_000,
        bridge.startTransfer({ idempotencyKey: 'k', botConversationId: 'b', customer: { id: 'c' } }),
      );
      expect(w.count('POST', BASE)).toBe(4);
      expect(result).toMatchObject({
        state: 'failed',
        error: { code: status === 429 ? 'RATE_LIMITED' : 'PROVIDER_UNAVAILABLE', retryable: true },
      });
      const error = (result as { error: object }).error;
      expect(Object.keys(error)).not.toContain('retryAfterMs');
    },
  );

  it.each([
    ['id', { jwt: 'J1', eventStreamUri: STREAM_URI, member: { id: 'G1' } }],
    ['member', { id: 'C1', jwt: 'J1', eventStreamUri: STREAM_URI }],
    ['member id', { id: 'C1', jwt: 'J1', eventStreamUri: STREAM_URI, member: {} }],
    ['jwt', { id: 'C1', eventStreamUri: STREAM_URI, member: { id: 'G1' } }],
    ['eventStreamUri', { id: 'C1', jwt: 'J1', member: { id: 'G1' } }],
    ['everything (text body)', 'created'],
  ])('fails the transfer when the created chat has no %s', async (_missing, body) => {
    start();
    w.overrides.set(`POST ${BASE}`, [
      typeof body === 'string' ? { status: 200, text: body } : { status: 200, body },
    ]);
    const result = await open();
    expect(result.error).toStrictEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys answered the chat creation without id, member, jwt or eventStreamUri',
      retryable: false,
    });
    expect(w.sockets).toHaveLength(0);
  });

  it.each([
    {
      plan: 403 as StreamPlan,
      error: {
        code: 'PROVIDER_UNAVAILABLE',
        message: 'the WebChat event stream failed: Unexpected server response: 403',
        retryable: true,
        provider: { code: 403 },
      },
    },
    {
      plan: 'fail' as StreamPlan,
      error: {
        code: 'PROVIDER_UNAVAILABLE',
        message: 'the WebChat event stream failed: connect ECONNREFUSED',
        retryable: true,
      },
    },
  ])(
    'leaves the chat when its stream cannot be opened ($plan), and does not try again',
    async ({ plan, error }) => {
      start();
      w.plans.push(plan);
      const result = await open();
      expect(result.error).toStrictEqual(error);
      expect(w.requests.at(-1)).toMatchObject({
        method: 'DELETE',
        path: `${CONV}/members/G1`,
        headers: expect.objectContaining({ Authorization: 'Bearer J1' }),
      });
      await w.pass(10_000, 500);
      expect(w.sockets).toHaveLength(1);
    },
  );

  it('leaves a chat whose stream never opens once, when connectMs is up', async () => {
    start({ timeouts: { connectMs: 2000 } });
    w.plans.push('hang');
    const pending = open();
    await w.pass(2500, 250);
    const result = await pending;
    expect(result.error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    await w.pass(10_000, 500);
    expect(w.count('DELETE', `${CONV}/members/G1`)).toBe(1);
    expect(w.sockets).toHaveLength(1);
    expect(w.sockets[0]?.closedByBridge).toBe(true);
  });

  it('reports a stream that closes before it opened', async () => {
    start();
    w.plans.push('hang');
    const pending = open();
    await settle();
    w.sockets[0]?.drop(1011);
    const result = await pending;
    expect(result.error).toStrictEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'the WebChat event stream closed (1011)',
      retryable: true,
    });
    // Left once: the session's end after the failed open does not leave again.
    await w.pass(5000, 500);
    expect(w.count('DELETE', `${CONV}/members/G1`)).toBe(1);
  });
});

describe('WebChat: event stream frames', () => {
  it('ignores frames it cannot use without a lookup or an error, and relays the next good one', async () => {
    start();
    const { sessionId, socket } = await opened();
    for (const text of ['not json', 'null', '[1,2]', '5', '"text"']) socket.raw(text);
    socket.frame({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
    socket.frame({ topicName: 'v2.conversations.chats.C1.members', eventBody: { member: { id: 'A1' } } });
    socket.frame(frame('other-kind', 'messages', { id: 'x', sender: { id: 'A1' }, body: 'x' }));
    socket.frame(member('A1', undefined));
    socket.frame(member(undefined, 'CONNECTED'));
    socket.frame(frame('message', 'messages', { sender: { id: 'A1' }, body: 'no id', bodyType: 'standard' }));
    socket.frame(frame('message', 'messages', { id: 'm-x', body: 'no sender', bodyType: 'standard' }));
    socket.frame(frame('message', 'messages', { id: 'm-y', sender: { id: 'A1' }, bodyType: 'standard' }));
    socket.frame(frame('typing-indicator', 'messages', { timestamp: TS }));
    socket.frame(frame('message', 'messages', { id: 'm-1', sender: { id: 'A1' }, body: 'hello' }));
    await settle(10);
    const got = await events(sessionId);
    expect(got.map((e) => e.type)).toEqual(['transfer.accepted', 'agent.message']);
    expect(got[1]).toMatchObject({
      origin: 'human',
      agent: { id: 'A1' },
      message: { id: 'm-1', text: 'hello' },
    });
    expect(w.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([`${CONV}/members/A1`]);
  });

  it('reads the frame type from metadata.Type too, and member states in any case', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, {
      topicName: 'v2.conversations.chats.C1.members',
      eventBody: { member: { id: 'A1', state: 'connected' }, timestamp: TS },
      metadata: { Type: 'member-change' },
    });
    expect(await last(sessionId, 'agent.joined')).toMatchObject({ agent: { id: 'A1', displayName: 'Alex' } });
  });

  it('dates events by the frame timestamp, else by when the bridge saw them', async () => {
    start();
    const { sessionId, socket } = await opened();
    w.clock.advance(1000);
    await feed(socket, member('A1', 'CONNECTED'), say('m-1', 'A1', 'stamped'));
    await feed(
      socket,
      say('m-2', 'A1', 'no stamp', 'standard', ''),
      say('m-3', 'A1', 'bad stamp', 'standard', 'yesterday'),
    );
    await feed(socket, frame('typing-indicator', 'messages', { sender: { id: 'A1' }, timestamp: TS }));
    await feed(socket, frame('typing-indicator', 'messages', { sender: { id: 'A1' } }));
    const got = await events(sessionId);
    const joined = got.find((e) => e.type === 'agent.joined');
    expect(joined?.occurredAt).toBe(TS);
    expect(
      got.filter((e) => e.type === 'agent.message').map((e) => [e.providerRef?.messageId, e.occurredAt]),
    ).toEqual([
      ['m-1', TS],
      ['m-2', iso(T0 + 1000)],
      ['m-3', iso(T0 + 1000)],
    ]);
    expect((await all(sessionId, 'agent.typing')).map((e) => [e.occurredAt, e.expiresAt])).toEqual([
      [TS, '2026-01-01T09:00:09.000Z'],
      [iso(T0 + 1000), iso(T0 + 5000)],
    ]);
  });

  it('relays agent text as human, notices and queue messages as bot, and drops join notices, empty and own text', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(
      socket,
      say('m-own', 'G1', 'mine'),
      say('m-join', 'A1', 'Alex joined', 'member-join'),
      say('m-empty', 'A1', ''),
      frame('message', 'messages', {
        id: 'm-nobt',
        sender: { id: 'A1' },
        body: 'default type',
        timestamp: TS,
      }),
      say('m-notice', 'A1', 'Alex is busy', 'notice'),
      say('m-acd', 'Q1', 'You are number 2', 'standard'),
      frame('typing-indicator', 'messages', { sender: { id: 'G1' }, timestamp: TS }),
    );
    const got = await events(sessionId);
    expect(got.map((e) => e.type)).toEqual([
      'transfer.accepted',
      'agent.message',
      'agent.message',
      'agent.message',
    ]);
    expect(
      got.flatMap((e) => (e.type === 'agent.message' ? [[e.message.id, e.origin, e.agent?.id ?? null]] : [])),
    ).toEqual([
      ['m-nobt', 'human', 'A1'],
      ['m-notice', 'bot', null],
      ['m-acd', 'bot', null],
    ]);
  });

  it('looks a member up once when it has a role, every time when it has none', async () => {
    start();
    w.members['B1'] = { id: 'B1', displayName: 'Flow' };
    w.members['A9'] = { id: 'A9', displayName: 'Lower', role: 'agent' };
    const { sessionId, socket } = await opened();
    await feed(socket, say('m-1', 'A1', 'one'), say('m-2', 'A1', 'two'));
    await feed(socket, say('b-1', 'B1', 'flow one'), say('b-2', 'B1', 'flow two'));
    await feed(socket, say('l-1', 'A9', 'lower case role'));
    expect(w.count('GET', `${CONV}/members/A1`)).toBe(1);
    expect(w.count('GET', `${CONV}/members/B1`)).toBe(2);
    expect(
      (await all(sessionId, 'agent.message')).map((e) => [
        e.message.id,
        e.origin,
        e.agent?.displayName ?? null,
      ]),
    ).toEqual([
      ['m-1', 'human', 'Alex'],
      ['m-2', 'human', 'Alex'],
      ['b-1', 'bot', null],
      ['b-2', 'bot', null],
      ['l-1', 'human', 'Lower'],
    ]);
  });

  it('takes a member Genesys describes without an id, or not at all, for a bot', async () => {
    start();
    w.members['X1'] = { role: 'AGENT', displayName: 'No id' };
    w.members['X2'] = null;
    const { sessionId, socket } = await opened();
    await feed(socket, member('X1', 'CONNECTED'), say('x-1', 'X1', 'who am I'), say('x-2', 'X2', 'and I'));
    const got = await events(sessionId);
    expect(got.map((e) => e.type)).toEqual(['transfer.accepted', 'agent.message', 'agent.message']);
    expect(got.flatMap((e) => (e.type === 'agent.message' ? [e.origin] : []))).toEqual(['bot', 'bot']);
  });
});

describe('WebChat: agents joining, leaving and transfers', () => {
  const TS2 = '2026-01-01T09:00:07.000Z';

  it('ignores an agent alerting before any agent joined, the same agent connecting twice, and other members leaving', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, member('G1', 'CONNECTED'), member('A1', 'ALERTING'), member('A1', 'CONNECTED'));
    await feed(socket, member('A1', 'CONNECTED'), member('Q1', 'DISCONNECTED'), member('A1', 'SUSPENDED'));
    await w.pass(5000, 1000);
    expect(await types(sessionId)).toEqual(['transfer.accepted', 'agent.joined']);
    expect((await last(sessionId, 'agent.joined'))?.agent).toEqual({
      id: 'A1',
      displayName: 'Alex',
      avatarUrl: 'https://img/alex.png',
    });
    expect((await bridge.getSession(sessionId))?.state).toBe('agentActive');
  });

  it('calls an agent leaving a transfer only once the grace has passed, dated by the leave', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), member('A1', 'DISCONNECTED', TS2));
    w.clock.advance(1999);
    await settle();
    expect(await types(sessionId)).toEqual(['transfer.accepted', 'agent.joined']);
    w.clock.advance(1);
    await settle();
    const got = await events(sessionId);
    expect(got.slice(2)).toMatchObject([
      {
        type: 'agent.left',
        agent: { id: 'A1', displayName: 'Alex' },
        conversationContinues: true,
        occurredAt: TS2,
      },
      { type: 'transfer.changed', kind: 'unknown', from: { id: 'A1' }, inferred: true, occurredAt: TS2 },
    ]);
    expect((await bridge.getSession(sessionId))?.state).toBe('transferring');
  });

  it('calls it a transfer at once when another agent is alerted or connects during the grace', async () => {
    start();
    const first = await opened();
    await feed(
      first.socket,
      member('A1', 'CONNECTED'),
      member('A1', 'DISCONNECTED'),
      member('A2', 'ALERTING', TS2),
    );
    expect((await types(first.sessionId)).slice(2)).toEqual(['agent.left', 'transfer.changed']);
    expect(await last(first.sessionId, 'agent.left')).toMatchObject({ occurredAt: TS2 });
    await w.pass(3000, 1000);
    expect((await types(first.sessionId)).slice(2)).toEqual(['agent.left', 'transfer.changed']);

    start();
    const second = await opened();
    await feed(
      second.socket,
      member('A1', 'CONNECTED'),
      member('A1', 'DISCONNECTED'),
      member('A2', 'CONNECTED'),
    );
    expect((await types(second.sessionId)).slice(2)).toEqual([
      'agent.left',
      'transfer.changed',
      'agent.joined',
    ]);
    expect(await last(second.sessionId, 'agent.joined')).toMatchObject({
      agent: { id: 'A2', displayName: 'Sam' },
    });
  });

  it('calls it a transfer as soon as another agent is alerted while the first is still connected, once', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), member('A2', 'ALERTING', TS2), member('A3', 'ALERTING'));
    expect((await events(sessionId)).slice(2)).toMatchObject([
      {
        type: 'transfer.changed',
        kind: 'unknown',
        from: { id: 'A1', displayName: 'Alex' },
        inferred: true,
        occurredAt: TS2,
      },
    ]);
    expect((await events(sessionId)).length).toBe(3);
    await feed(socket, member('A1', 'DISCONNECTED'));
    await w.pass(2000, 500);
    await feed(socket, member('A2', 'CONNECTED'));
    expect((await types(sessionId)).slice(2)).toEqual(['transfer.changed', 'agent.left', 'agent.joined']);
  });

  it('signals the next transfer again once the new agent took over', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), member('A2', 'ALERTING'), member('A2', 'CONNECTED'));
    // A1 leaving after handing over is not the current agent leaving.
    await feed(socket, member('A1', 'DISCONNECTED'));
    await w.pass(3000, 1000);
    await feed(socket, member('A3', 'ALERTING'));
    const got = (await events(sessionId)).slice(2);
    expect(got.map((e) => e.type)).toEqual(['transfer.changed', 'agent.joined', 'transfer.changed']);
    expect(got[2]).toMatchObject({ from: { id: 'A2' } });
  });

  it('with agentLeftGraceMs 0, calls an agent leaving a transfer at once', async () => {
    start({ webChat: { agentLeftGraceMs: 0 } });
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), member('A1', 'DISCONNECTED'));
    expect((await types(sessionId)).slice(2)).toEqual(['agent.left', 'transfer.changed']);
  });

  it('ends as the agent ending it when the guest is disconnected while an agent is connected', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), member('G1', 'DISCONNECTED', TS2));
    expect((await events(sessionId)).slice(2)).toMatchObject([
      { type: 'agent.left', agent: { id: 'A1' }, conversationContinues: false, occurredAt: TS2 },
      { type: 'session.ended', reason: 'agentEnded', by: 'agent' },
    ]);
    expect(w.count('DELETE', `${CONV}/members/G1`)).toBe(0);
  });

  it('ends with SESSION_ENDED when Genesys disconnects the guest before any agent joined', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, member('G1', 'DISCONNECTED', TS2));
    expect((await events(sessionId)).slice(1)).toMatchObject([
      {
        type: 'error',
        error: { code: 'SESSION_ENDED', message: 'Genesys disconnected the guest from the chat' },
      },
      { type: 'session.ended', reason: 'error', by: 'system' },
    ]);
    // Ended: the chat is not left again, and the stream closing now is not reconnected.
    socket.drop();
    await w.pass(5000, 500);
    expect(w.sockets).toHaveLength(1);
    expect(w.count('DELETE', `${CONV}/members/G1`)).toBe(0);
  });
});

describe('WebChat: sending', () => {
  const statuses = async (sessionId: string) =>
    (await all(sessionId, 'message.status')).map((e) => ({
      id: e.clientMessageId,
      status: e.status,
      ...(e.providerMessageId ? { providerMessageId: e.providerMessageId } : {}),
      ...(e.error ? { code: e.error.code } : {}),
    }));

  it.each([429, 503])(
    'waits out a %i whose Retry-After the HTTP client does not wait for, then sends it again without a lookup',
    async (status) => {
      start();
      const { sessionId } = await opened();
      w.overrides.set(SEND, [{ status, body: { code: 'later' }, headers: { 'Retry-After': '120' } }]);
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'hello' });
      await w.pass(119_000, 1000);
      expect(w.count('POST', `${CONV}/members/G1/messages`)).toBe(1);
      expect(await statuses(sessionId)).toEqual([]);
      await w.pass(3000);
      expect(await statuses(sessionId)).toEqual([{ id: 'c1', status: 'sent', providerMessageId: 'g1' }]);
      expect(w.count('POST', `${CONV}/members/G1/messages`)).toBe(2);
      expect(w.reads()).toEqual([]);
      expect(w.requests.filter((r) => r.path.endsWith('/messages')).map((r) => r.body)).toEqual([
        { body: 'hello', bodyType: 'standard' },
        { body: 'hello', bodyType: 'standard' },
      ]);
    },
  );

  it.each([
    [{ status: 400, body: { code: 'bad.request', message: 'no' } }, 'INVALID_REQUEST'],
    [{ status: 404, body: { code: 'not.found', message: 'gone' } }, 'SESSION_NOT_FOUND'],
    [{ status: 403, body: { code: 'nope' } }, 'FORBIDDEN'],
  ])(
    'reports a send answered %o as failed with %s, without a lookup or a second send',
    async (answer, code) => {
      start();
      const { sessionId } = await opened();
      w.overrides.set(SEND, [answer]);
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'hello' });
      await w.pass(5000, 500);
      expect(await statuses(sessionId)).toEqual([{ id: 'c1', status: 'failed', code }]);
      expect(w.count('POST', `${CONV}/members/G1/messages`)).toBe(1);
      expect(w.reads()).toEqual([]);
      expect((await bridge.getSession(sessionId))?.state).toBe('queued');
    },
  );

  it('ends the session when Genesys refuses a send because the chat is over', async () => {
    start();
    const { sessionId } = await opened();
    w.overrides.set(SEND, [
      { status: 400, body: { code: 'chat.error.conversation.state', message: 'ended' } },
    ]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'hello' });
    await settle(10);
    const got = await events(sessionId);
    expect(got.at(-1)).toMatchObject({ type: 'session.ended', reason: 'error', by: 'system' });
    expect(got.find((e) => e.type === 'error')).toMatchObject({
      error: { code: 'SESSION_ENDED', message: 'ended' },
    });
    expect(await statuses(sessionId)).toEqual([{ id: 'c1', status: 'failed', code: 'SESSION_ENDED' }]);
  });

  it.each([
    ['no body', { status: 200 }],
    ['a null body', { status: 200, body: null }],
    ['a body without id', { status: 200, body: { sender: { id: 'G1' } } }],
  ])(
    'counts a send answered with %s as sent, without a provider id (a later lookup starts after the last id it had)',
    async (_what, answer) => {
      start();
      const { sessionId } = await opened();
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c0', text: 'first' });
      await w.pass(1000);
      w.overrides.set(SEND, [answer, { status: 502, body: { code: 'bad.gateway' } }]);
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'hello' });
      await w.pass(1000);
      expect((await statuses(sessionId)).at(-1)).toEqual({ id: 'c1', status: 'sent' });
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c2', text: 'unclear' });
      await w.pass(1000);
      expect(w.reads()).toEqual(['g1']);
    },
  );

  it('looks an unclear send up after the last confirmed one, skipping messages that are not it, then sends it again', async () => {
    start();
    const { sessionId } = await opened();
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'again' });
    await w.pass(1000);
    w.overrides.set(SEND, [{ status: 502, body: { code: 'bad.gateway' } }]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=g1`, [
      page(
        stored('g1', 'G1', 'again'),
        stored('a-1', 'A1', 'again'),
        stored('n-1', 'G1', 'again', 'notice'),
        stored('o-1', 'G1', 'something else'),
      ),
    ]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c2', text: 'again' });
    await w.pass(2000);
    expect(w.reads()).toEqual(['g1']);
    expect(w.count('POST', `${CONV}/members/G1/messages`)).toBe(3);
    expect(await statuses(sessionId)).toEqual([
      { id: 'c1', status: 'sent', providerMessageId: 'g1' },
      { id: 'c2', status: 'sent', providerMessageId: 'g2' },
    ]);
  });

  it('finds an unclear send whose stored text differs only in surrounding spaces, and looks the next one up after it', async () => {
    start();
    const { sessionId } = await opened();
    w.overrides.set(SEND, [
      { status: 502, body: { code: 'bad.gateway' } },
      { status: 502, body: { code: 'bad.gateway' } },
      'network',
    ]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100`, [
      page(stored('s-1', 'G1', '  did it go?\n')),
    ]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=s-1`, [
      page(stored('s-2', 'G1', 'padded')),
    ]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=s-2`, [page()]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'did it go?' });
    await w.pass(1000);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c2', text: ' padded ' });
    await w.pass(1000);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c3', text: 'network' });
    await w.pass(2000);
    expect(w.reads()).toEqual([null, 's-1', 's-2']);
    expect(w.count('POST', `${CONV}/members/G1/messages`)).toBe(4);
    expect(await statuses(sessionId)).toEqual([
      { id: 'c1', status: 'sent', providerMessageId: 's-1' },
      { id: 'c2', status: 'sent', providerMessageId: 's-2' },
      { id: 'c3', status: 'sent', providerMessageId: 'g1' },
    ]);
  });

  it('retries a lookup read that failed at once, as any GET', async () => {
    start();
    const { sessionId } = await opened();
    w.overrides.set(SEND, [{ status: 502, body: { code: 'bad.gateway' } }]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100`, [
      { status: 500, body: { code: 'internal' } },
      page(stored('s-1', 'G1', 'are you there')),
    ]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'are you there' });
    await settle(10);
    expect(w.reads()).toEqual([null]);
    await w.pass(500);
    expect(w.reads()).toEqual([null, null]);
    expect(await statuses(sessionId)).toEqual([{ id: 'c1', status: 'sent', providerMessageId: 's-1' }]);
  });

  it('reads a lookup page by page while pages are full, and takes a page without entities for none', async () => {
    start();
    const { sessionId } = await opened();
    const full = Array.from({ length: 100 }, (_, i) => stored(`p-${i}`, 'A1', `agent ${i}`));
    w.overrides.set(SEND, [{ status: 502, body: { code: 'bad.gateway' } }]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100`, [page(...full)]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=p-99`, [
      { status: 200, body: {} },
    ]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'where' });
    await w.pass(1000);
    expect(w.reads()).toEqual([null, 'p-99']);
    expect(w.count('POST', `${CONV}/members/G1/messages`)).toBe(2);
    expect(await statuses(sessionId)).toEqual([{ id: 'c1', status: 'sent', providerMessageId: 'g1' }]);
    // An empty answer is no messages either.
    w.overrides.set(SEND, [{ status: 502, body: { code: 'bad.gateway' } }]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=g1`, [{ status: 200 }]);
    await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'c2', text: 'there' });
    await w.pass(1000);
    expect(w.reads()).toEqual([null, 'p-99', 'g1']);
    expect(w.count('POST', `${CONV}/members/G1/messages`)).toBe(4);
    expect((await statuses(sessionId)).at(-1)).toEqual({ id: 'c2', status: 'sent', providerMessageId: 'g2' });
  });
});

describe('WebChat: reconnecting and reading back', () => {
  const texts = async (sessionId: string) => (await all(sessionId, 'agent.message')).map((e) => e.message.id);
  const connectivity = async (sessionId: string) =>
    (await all(sessionId, 'connection.changed')).map((e) => e.connectivity);

  async function withAgentMessage() {
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), say('m-1', 'A1', 'first'));
    return { sessionId, socket };
  }

  it('reads the gap page by page from the last message it had, skipping what is not an agent or bot message', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    const full = Array.from({ length: 100 }, (_, i) => stored(`h-${i}`, 'A1', `text ${i}`));
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=m-1`, [page(...full)]);
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=h-99`, [
      page(
        null,
        'junk',
        { id: 'no-sender', body: 'x' },
        stored('own', 'G1', 'my own words'),
        stored('join', 'A2', 'Sam joined', 'member-join'),
        stored('h-100', 'A1', 'last'),
      ),
    ]);
    await reconnect(socket);
    await w.pass(2000);
    expect(w.reads()).toEqual(['m-1', 'h-99']);
    expect(await texts(sessionId)).toEqual(['m-1', ...full.map((m) => m.id), 'h-100']);
    expect(await types(sessionId)).not.toContain('error');
    expect(await types(sessionId)).not.toContain('history.gap');
  });

  it('stops after ten full pages', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    let after = 'm-1';
    for (let p = 0; p < 11; p++) {
      const entries = Array.from({ length: 100 }, (_, i) => stored(`p${p}-${i}`, 'A1', `text ${p} ${i}`));
      w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=${after}`, [
        page(...entries),
      ]);
      after = `p${p}-99`;
    }
    await reconnect(socket);
    await w.pass(2000);
    expect(w.reads()).toHaveLength(10);
    expect(w.reads().at(-1)).toBe('p8-99');
    expect(await texts(sessionId)).toHaveLength(1001);
  });

  it('stops at a full page of entries it cannot read, without an error', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    const junk = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? null : { id: `j-${i}` }));
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=m-1`, [page(...junk)]);
    await reconnect(socket);
    await w.pass(60_000, 1000);
    expect(w.reads()).toEqual(['m-1']);
    expect(await types(sessionId)).not.toContain('error');
    expect(await types(sessionId)).not.toContain('history.gap');
    expect(await texts(sessionId)).toEqual(['m-1']);
  });

  it('reads the next gap after the newest message it learnt, live or from history', async () => {
    start();
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), say('m-1', 'A1', 'one'), say('m-2', 'A1', 'two'));
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=m-2`, [
      page(stored('m-3', 'A1', 'three')),
    ]);
    const second = await reconnect(socket);
    await w.pass(2000);
    await reconnect(second);
    await w.pass(2000);
    expect(w.reads()).toEqual(['m-2', 'm-3']);
    expect(await texts(sessionId)).toEqual(['m-1', 'm-2', 'm-3']);
  });

  it('catches up presence from the member list: a gone agent left, a new one joined, whatever the list order', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    w.overrides.set(`GET ${MEMBERS_LIST}`, [
      {
        status: 200,
        body: {
          entities: [
            { id: 'G1', role: 'CUSTOMER' },
            'junk',
            { id: 'A1', role: 'AGENT', state: 'DISCONNECTED' },
            { id: 'A2', role: 'AGENT', displayName: 'Sam', state: 'connected' },
          ],
        },
      },
    ]);
    const next = await reconnect(socket);
    await w.pass(2000);
    await feed(next, say('m-2', 'A2', 'Sam here'));
    expect((await types(sessionId)).slice(3)).toEqual([
      'connection.changed',
      'agent.left',
      'transfer.changed',
      'agent.joined',
      'connection.changed',
      'agent.message',
    ]);
    expect(await last(sessionId, 'agent.joined')).toMatchObject({ agent: { id: 'A2', displayName: 'Sam' } });
    expect(await last(sessionId, 'agent.message')).toMatchObject({ origin: 'human', agent: { id: 'A2' } });
    expect(w.count('GET', `${CONV}/members/A2`)).toBe(0);
  });

  it('retries a member list that failed once, and catches up from it', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    w.overrides.set(`GET ${MEMBERS_LIST}`, [{ status: 500, body: { code: 'internal' } }]);
    w.present.ids = ['G1', 'A2'];
    await reconnect(socket);
    await w.pass(2000);
    expect(w.count('GET', MEMBERS_LIST)).toBe(2);
    expect((await types(sessionId)).slice(3)).toEqual([
      'connection.changed',
      'agent.left',
      'transfer.changed',
      'agent.joined',
      'connection.changed',
    ]);
  });

  it.each([
    ['the same agent', ['G1', 'A1'], true],
    ['no agent yet', ['G1'], false],
  ])('reports nothing but the reconnect when the member list shows %s', async (_what, ids, withAgent) => {
    start();
    const { sessionId, socket } = withAgent ? await withAgentMessage() : await opened();
    w.present.ids = ids;
    await reconnect(socket);
    await w.pass(2000);
    const before = withAgent ? ['transfer.accepted', 'agent.joined', 'agent.message'] : ['transfer.accepted'];
    expect(await types(sessionId)).toEqual([...before, 'connection.changed', 'connection.changed']);
    expect(await connectivity(sessionId)).toEqual(['reconnecting', 'online']);
  });

  it('ends, without coming back online, when the member list after a reconnect no longer has the guest', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    w.present.ids = ['A1'];
    await reconnect(socket);
    await w.pass(5000);
    expect(await connectivity(sessionId)).toEqual(['reconnecting']);
    expect(await last(sessionId, 'session.ended')).toMatchObject({ reason: 'agentEnded', by: 'agent' });
  });

  it.each([500, 'fail', 302] as StreamPlan[])(
    'keeps trying, without asking who is there, when the stream reopen fails with %s',
    async (plan) => {
      start();
      const { sessionId, socket } = await withAgentMessage();
      w.present.ids = ['G1', 'A1'];
      w.plans.push(plan);
      await reconnect(socket);
      expect(w.count('GET', MEMBERS_LIST)).toBe(0);
      await w.pass(1000);
      expect(w.sockets).toHaveLength(3);
      await w.pass(2000);
      expect(w.count('GET', MEMBERS_LIST)).toBe(1);
      expect(await connectivity(sessionId)).toEqual(['reconnecting', 'online']);
    },
  );

  it.each([
    [400, ['G1', 'A1']],
    [404, ['G1']],
    [499, ['G1', 'A1']],
  ])(
    'asks who is there when the reopen is refused with %i, and keeps trying while the guest is (%o)',
    async (status, ids) => {
      start();
      const { sessionId, socket } = await withAgentMessage();
      w.present.ids = ids;
      w.plans.push(status);
      await reconnect(socket);
      expect(w.count('GET', MEMBERS_LIST)).toBe(1);
      await w.pass(1000);
      expect(w.sockets).toHaveLength(3);
      await w.pass(2000);
      expect(w.count('GET', MEMBERS_LIST)).toBe(2);
      expect(await connectivity(sessionId)).toEqual(['reconnecting', 'online']);
      expect(await types(sessionId)).not.toContain('session.ended');
    },
  );

  it('ends when the reopen is refused and the guest is no longer in the chat', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    w.present.ids = ['A1'];
    w.plans.push(403);
    await reconnect(socket);
    await w.pass(5000);
    expect(w.count('GET', MEMBERS_LIST)).toBe(1);
    expect(w.sockets).toHaveLength(2);
    expect(await last(sessionId, 'session.ended')).toMatchObject({ reason: 'agentEnded', by: 'agent' });
  });

  it('does not reopen the stream of a chat that ended while the gap was still being read', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    const down = { status: 500, body: { code: 'internal' } };
    w.overrides.set(`GET ${MESSAGES}?sortOrder=ascending&maxResults=100&after=m-1`, Array(8).fill(down));
    const next = await reconnect(socket);
    // Genesys disconnects the guest and closes the stream; the end waits behind the gap.
    await feed(next, member('G1', 'DISCONNECTED'));
    next.drop();
    await w.pass(40_000, 250);
    expect(w.sockets).toHaveLength(2);
    expect(await connectivity(sessionId)).toEqual(['reconnecting', 'online']);
    expect(await last(sessionId, 'session.ended')).toMatchObject({ reason: 'agentEnded', by: 'agent' });
  });

  it('gives up with RECONNECT_EXHAUSTED once the reconnect window is spent', async () => {
    start({ timeouts: { reconnectWindowMs: 3000 } });
    const { sessionId, socket } = await withAgentMessage();
    w.plans.push(500, 500, 500, 500);
    socket.drop();
    await w.pass(10_000, 250);
    expect(await last(sessionId, 'session.ended')).toMatchObject({ reason: 'error', by: 'system' });
    expect(await last(sessionId, 'error')).toMatchObject({
      error: {
        code: 'RECONNECT_EXHAUSTED',
        message: 'could not reopen the WebChat event stream within 3000 ms',
      },
    });
  });

  it('counts a reconnect attempt whose stream never opens as failed after connectMs, and tries again', async () => {
    start({ timeouts: { connectMs: 2000 } });
    const { sessionId, socket } = await withAgentMessage();
    w.plans.push('hang', 'open');
    socket.drop();
    await w.pass(8000, 250);
    const [, stalled, next] = w.sockets;
    // The stalled stream is closed when its time is up; the next attempt follows the backoff after it.
    expect(stalled?.closedByBridge).toBe(true);
    expect((next?.at ?? 0) - (stalled?.at ?? 0)).toBe(2000 + 1000);
    expect(await connectivity(sessionId)).toEqual(['reconnecting', 'online']);
    expect(await types(sessionId)).not.toContain('session.ended');
  });

  it('closes a stalled reconnect stream as soon as connectMs is up, before the next attempt', async () => {
    start({ timeouts: { connectMs: 2000, reconnectInitialDelayMs: 5000, reconnectMaxDelayMs: 5000 } });
    const { socket } = await withAgentMessage();
    w.plans.push('hang');
    socket.drop();
    await w.pass(5000 + 1999, 250);
    const stalled = w.sockets[1];
    expect(stalled?.closedByBridge).toBe(false);
    await w.pass(250, 250);
    expect(stalled?.closedByBridge).toBe(true);
    expect(w.sockets).toHaveLength(2);
  });

  it('makes no further attempt once the session ends during a stalled reconnect', async () => {
    start({ timeouts: { connectMs: 2000 } });
    const { sessionId, socket } = await withAgentMessage();
    w.plans.push('hang', 'hang', 'hang');
    socket.drop();
    await w.pass(1500, 250);
    expect(w.sockets).toHaveLength(2);
    await bridge.endSession(sessionId);
    await w.pass(30_000, 500);
    expect(w.sockets).toHaveLength(2);
    expect(w.sockets[1]?.closedByBridge).toBe(true);
  });

  it('still makes an attempt that starts exactly when the reconnect window ends, and none after it', async () => {
    // Backoff 500 ms then 1000 ms (random 1): the second attempt starts at 1500 ms, the window's end.
    start({ timeouts: { reconnectWindowMs: 1500, reconnectInitialDelayMs: 500 } });
    const { sessionId, socket } = await withAgentMessage();
    w.plans.push('fail', 'fail', 'fail');
    socket.drop();
    await w.pass(10_000, 250);
    const first = (w.sockets[1] as ScriptedSocket).at;
    expect(w.sockets.slice(1).map((s) => s.at - first)).toEqual([0, 1000]);
    expect(await last(sessionId, 'error')).toMatchObject({ error: { code: 'RECONNECT_EXHAUSTED' } });
  });

  it('waits between half and all of each backoff ceiling (doubling from the initial delay, capped)', () => {
    const timings = { reconnectInitialDelayMs: 500, reconnectMaxDelayMs: 3000, reconnectWindowMs: 60_000 };
    expect([0, 0.5, 1].map((r) => backoffDelay(2, timings, () => r))).toEqual([1000, 1500, 2000]);
    expect([0, 1].map((r) => backoffDelay(5, timings, () => r))).toEqual([1500, 3000]);
  });

  it('gives up with RECONNECT_EXHAUSTED when no reconnect attempt ever opens or fails', async () => {
    start({ timeouts: { connectMs: 1000, reconnectWindowMs: 5000 } });
    const { sessionId, socket } = await withAgentMessage();
    w.plans.push('hang', 'hang', 'hang', 'hang');
    socket.drop();
    await w.pass(20_000, 250);
    expect(w.sockets.slice(1).every((s) => s.closedByBridge)).toBe(true);
    expect(await last(sessionId, 'session.ended')).toMatchObject({ reason: 'error', by: 'system' });
    expect(await last(sessionId, 'error')).toMatchObject({ error: { code: 'RECONNECT_EXHAUSTED' } });
  });

  it('ignores what a stream it has replaced still says', async () => {
    start();
    const { sessionId, socket } = await withAgentMessage();
    await reconnect(socket);
    await w.pass(2000);
    socket.frame(say('m-stale', 'A1', 'from the old stream'));
    socket.drop();
    await w.pass(3000, 500);
    expect(await texts(sessionId)).toEqual(['m-1']);
    expect(await connectivity(sessionId)).toEqual(['reconnecting', 'online']);
    expect(w.sockets).toHaveLength(2);
  });

  it('reports a member it cannot look up as an error, and goes on with the next frame', async () => {
    start();
    const { sessionId, socket } = await opened();
    const down = { status: 500, body: { code: 'internal', message: 'down' } };
    w.overrides.set(`GET ${CONV}/members/A2`, [down, down, down, down]);
    socket.frame(member('A2', 'CONNECTED'));
    socket.frame(member('A1', 'CONNECTED'));
    await w.pass(5000, 250);
    expect((await events(sessionId)).slice(1)).toMatchObject([
      { type: 'error', error: { code: 'PROVIDER_UNAVAILABLE', message: 'down' } },
      { type: 'agent.joined', agent: { id: 'A1' } },
    ]);
    // A GET is retried before it is given up.
    expect(w.count('GET', `${CONV}/members/A2`)).toBe(4);
  });
});

describe('WebChat: leaving and handing over', () => {
  it('retries a failed leave and reports nothing when it got through', async () => {
    start();
    const { sessionId } = await opened();
    w.overrides.set(`DELETE ${CONV}/members/G1`, [{ status: 500, body: { code: 'internal' } }]);
    const ending = bridge.endSession(sessionId);
    await w.pass(2000);
    await ending;
    expect(w.count('DELETE', `${CONV}/members/G1`)).toBe(2);
    expect((await types(sessionId)).slice(1)).toEqual(['session.ended']);
    expect(w.sockets[0]?.closedByBridge).toBe(true);
  });

  it.each([
    [{ status: 404, body: { code: 'not.found', message: 'no such chat' } }, []],
    [{ status: 400, body: { code: 'chat.error.member.state', message: 'already left' } }, []],
    [{ status: 400, body: { code: 'bad.request', message: 'what?' } }, ['INVALID_REQUEST']],
  ])('takes a leave answered %o as done, and reports only other refusals', async (answer, errors) => {
    start();
    const { sessionId } = await opened();
    w.overrides.set(`DELETE ${CONV}/members/G1`, [answer]);
    await bridge.endSession(sessionId);
    const got = await events(sessionId);
    expect(got.flatMap((e) => (e.type === 'error' ? [e.error.code] : []))).toEqual(errors);
    expect(got.at(-1)).toMatchObject({ type: 'session.ended', reason: 'botEnded' });
    expect(w.count('DELETE', `${CONV}/members/G1`)).toBe(1);
  });

  /** A shared store whose reads can rewrite the chat state a session was saved with (a damaged record). */
  class DamagingStore extends MemoryStore {
    damage: ((resume: unknown) => unknown) | undefined;
    override async get(sessionId: string) {
      const record = await super.get(sessionId);
      if (record?.resume && this.damage) record.resume = this.damage(record.resume) as typeof record.resume;
      return record;
    }
  }

  /** The store of the last cluster(). */
  let lastStore: DamagingStore;

  function cluster(config: Record<string, unknown> = {}) {
    w = world();
    const store = new DamagingStore({ clock: w.clock });
    lastStore = store;
    let ids = 0;
    const instance = (name: string) => {
      const made = createBridge(w.config(config), {
        clock: w.clock,
        random: () => 1,
        fetch: w.fetch,
        socketFactory: w.socketFactory,
        newId: () => `${name}-${++ids}`,
        store: { shared: store, leaseTtlMs: 3000, instanceId: name },
      });
      cleanups.push(() => made.close());
      return made;
    };
    return { a: instance('A'), b: instance('B') };
  }

  it('hands a chat over without leaving it: the next owner reopens the same stream with the agent it had', async () => {
    const { a, b } = cluster();
    await b.start();
    bridge = a;
    const { sessionId, socket } = await opened();
    await feed(socket, member('A1', 'CONNECTED'), say('m-1', 'A1', 'hello'));
    await a.sendCustomerMessage(sessionId, { clientMessageId: 'c1', text: 'hi' });
    await settle(10);
    w.present.ids = ['G1', 'A1'];
    await a.close();
    await settle(20);
    expect(w.count('DELETE', `${CONV}/members/G1`)).toBe(0);
    expect(w.sockets).toHaveLength(2);
    const taken = w.sockets[1] as ScriptedSocket;
    expect(taken.url).toBe(STREAM_URI);
    bridge = b;
    await w.pass(1000);
    expect((await types(sessionId)).filter((t) => t === 'agent.joined')).toHaveLength(1);
    expect(await all(sessionId, 'connection.changed')).toMatchObject([
      { connectivity: 'reconnecting' },
      { connectivity: 'online' },
    ]);

    // What it sends goes with the chat's JWT; an unclear send is looked up after the last one confirmed.
    w.overrides.set(SEND, [{ status: 502, body: { code: 'bad.gateway' } }]);
    await b.sendCustomerMessage(sessionId, { clientMessageId: 'c2', text: 'still there?' });
    await w.pass(1000);
    expect(w.reads().at(-1)).toBe('g1');
    expect(
      w.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).at(-1),
    ).toMatchObject({
      headers: expect.objectContaining({ Authorization: 'Bearer J1' }),
    });

    // The agent it took over with ends the chat.
    await feed(taken, member('G1', 'DISCONNECTED'));
    await w.pass(1000);
    expect(
      (await events(sessionId)).filter((e) => e.type === 'agent.left' || e.type === 'session.ended'),
    ).toMatchObject([
      { type: 'agent.left', agent: { id: 'A1', displayName: 'Alex' }, conversationContinues: false },
      { type: 'session.ended', reason: 'agentEnded', by: 'agent' },
    ]);
  });

  it.each([
    ['no state object', () => null],
    ['a list', () => []],
    ['no chat', () => ({})],
    ['a chat that is text', () => ({ chat: 'C1' })],
    ...(['conversationId', 'memberId', 'jwt', 'eventStreamUri'] as const).flatMap((key) => [
      [
        `a chat without ${key}`,
        (r: { chat: Record<string, unknown> }) => ({ chat: { ...r.chat, [key]: undefined } }),
      ],
      [
        `a chat whose ${key} is empty`,
        (r: { chat: Record<string, unknown> }) => ({ chat: { ...r.chat, [key]: '' } }),
      ],
      [
        `a chat whose ${key} is a number`,
        (r: { chat: Record<string, unknown> }) => ({ chat: { ...r.chat, [key]: 7 } }),
      ],
    ]),
  ] as [string, (resume: never) => unknown][])(
    'does not take over a chat saved with %s: the session ends, no stream is opened',
    async (_, damage) => {
      const { a, b } = cluster();
      await b.start();
      bridge = a;
      const { sessionId } = await opened();
      lastStore.damage = damage as (resume: unknown) => unknown;
      await a.close();
      await settle(20);
      await w.pass(30_000);
      expect(w.sockets).toHaveLength(1);
      bridge = b;
      expect(await last(sessionId, 'session.ended')).toMatchObject({ reason: 'error' });
      expect(await last(sessionId, 'error')).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    },
  );

  it('retries reopening the stream of a chat it took over with backoff, for as long as the reconnect window', async () => {
    const { a, b } = cluster({ timeouts: { connectMs: 1000, reconnectWindowMs: 20_000 } });
    await b.start();
    bridge = a;
    const { sessionId } = await opened();
    w.plans.push(500, 500, 500, 500, 500, 500);
    await a.close();
    await settle(20);
    await w.pass(30_000);
    const attempts = w.sockets.slice(1).map((s) => s.at - (w.sockets[1] as ScriptedSocket).at);
    expect(attempts).toEqual([0, 500, 1500, 3500, 7500, 12_500, 17_500]);
    bridge = b;
    expect(await types(sessionId)).not.toContain('session.ended');
    expect(await connectivity2(sessionId)).toEqual(['reconnecting', 'online']);
  });

  it('gives a taken-over chat up when the stream cannot be reopened within the window', async () => {
    const { a, b } = cluster({ timeouts: { connectMs: 100, reconnectWindowMs: 3500 } });
    await b.start();
    bridge = a;
    const { sessionId } = await opened();
    w.plans.push(403, 403, 403, 403, 403);
    await a.close();
    await settle(20);
    await w.pass(10_000);
    expect(w.sockets.slice(1).map((s) => s.at - (w.sockets[1] as ScriptedSocket).at)).toEqual([0, 500, 1500]);
    bridge = b;
    expect(await last(sessionId, 'session.ended')).toMatchObject({ reason: 'error' });
    expect(await last(sessionId, 'error')).toMatchObject({
      error: { code: 'PROVIDER_UNAVAILABLE', provider: { code: 403 } },
    });
  });

  async function connectivity2(sessionId: string) {
    return (await all(sessionId, 'connection.changed')).map((e) => e.connectivity);
  }
});
