import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { backoffDelay, Reconnector } from '../../../bridge/channels/reconnector.ts';
import { type GuestSocket, type SocketHandlers, wsSocketFactory } from '../../../bridge/channels/socket.ts';
import { webMessagingAdapter } from '../../../bridge/channels/webmessaging.ts';
import { parseServerFrame, parseStructured } from '../../../bridge/channels/webmessaging-frames.ts';
import { toProviderMessage, webMessagingFailure } from '../../../bridge/channels/webmessaging-mapping.ts';
import { ManualClock } from '../../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../../bridge/config.ts';
import { type BridgeError, BridgeFailure } from '../../../bridge/errors.ts';
import {
  type ChannelAdapter,
  type ChannelEvents,
  NotDeliveredFailure,
  type ProviderEnd,
  type ProviderMessage,
  UnconfirmedFailure,
} from '../../../bridge/session/channel-adapter.ts';
import type { Connectivity } from '../../../bridge/types.ts';
import { DEPLOYMENT, settle } from './fake-adapter.ts';

/**
 * The Web Messaging channel adapter (bridge/channels/webmessaging*.ts, reconnector.ts, socket.ts) through
 * its ChannelAdapter contract: the frames it writes to Genesys, what it reports for the frames Genesys
 * answers with (events, BridgeError codes), reconnect pacing and give-up, history catch-up and the lookup
 * of unconfirmed sends, and how it closes. The socket is an in-memory stand-in driven by the test (the
 * server side of the guest protocol, guest-protocols.md part 2); time is a ManualClock. The ws transport
 * itself (socket.ts) is checked against a local WebSocketServer.
 */

type Frame = Record<string, unknown>;

const TIME = '2026-01-01T09:00:05.000Z';
const TIME_MS = Date.parse(TIME);

/** One guest socket as the adapter sees it; the test plays Genesys on the other end. */
class Wire implements GuestSocket {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly handlers: SocketHandlers;
  readonly sent: Frame[] = [];
  closed = false;
  terminated = false;
  failSends = false;

  constructor(url: string, headers: Record<string, string>, handlers: SocketHandlers) {
    this.url = new URL(url);
    this.headers = headers;
    this.handlers = handlers;
  }

  send(text: string): void {
    if (this.failSends) throw new Error('EPIPE');
    this.sent.push(JSON.parse(text) as Frame);
  }

  close(): void {
    this.closed = true;
  }

  terminate(): void {
    this.terminated = true;
  }

  last(): Frame {
    const frame = this.sent.at(-1);
    if (!frame) throw new Error('nothing sent yet');
    return frame;
  }

  actions(): unknown[] {
    return this.sent.map((f) => f['action']);
  }

  reply(frame: Frame): void {
    this.handlers.message(JSON.stringify(frame));
  }

  raw(text: string): void {
    this.handlers.message(text);
  }
}

type Seen =
  | { kind: 'message'; message: ProviderMessage }
  | { kind: 'typing'; typing: { occurredAt?: number; durationMs?: number } }
  | { kind: 'ended'; end: ProviderEnd }
  | { kind: 'connectivity'; state: Connectivity }
  | { kind: 'error'; error: BridgeError }
  | { kind: 'presence' };

interface HistoryCall {
  url: string;
  headers: Record<string, string>;
}

type PageAnswer = Frame | (() => Response);

interface SetupOptions {
  settings?: Record<string, unknown>;
  random?: number;
}

function setup(options: SetupOptions = {}) {
  const clock = new ManualClock();
  const { timeouts, webMessaging, ...rest } = (options.settings ?? {}) as {
    timeouts?: object;
    webMessaging?: object;
  };
  const config = resolveBridgeConfig({
    loginUrl: 'https://login.mypurecloud.ie',
    deploymentId: DEPLOYMENT,
    timeouts: {
      connectMs: 5000,
      sendMs: 4000,
      reconnectInitialDelayMs: 1000,
      reconnectMaxDelayMs: 4000,
      reconnectWindowMs: 20_000,
      ...timeouts,
    },
    webMessaging: { heartbeatMs: 0, ...webMessaging },
    ...rest,
  });
  const seen: Seen[] = [];
  const events: ChannelEvents = {
    message: (message) => seen.push({ kind: 'message', message }),
    typing: (typing) => seen.push({ kind: 'typing', typing }),
    agentJoined: () => seen.push({ kind: 'presence' }),
    agentLeft: () => seen.push({ kind: 'presence' }),
    transferred: () => seen.push({ kind: 'presence' }),
    ended: (end) => seen.push({ kind: 'ended', end }),
    connectivity: (state) => seen.push({ kind: 'connectivity', state }),
    error: (error) => seen.push({ kind: 'error', error }),
  };
  const wires: Wire[] = [];
  const control = { refuse: false, failSends: false };
  const pages: PageAnswer[] = [];
  const historyCalls: HistoryCall[] = [];
  let ids = 0;
  const adapter = webMessagingAdapter({
    socketFactory: (url, headers, handlers) => {
      const wire = new Wire(url, headers, handlers);
      wire.failSends = control.failSends;
      wires.push(wire);
      if (control.refuse) queueMicrotask(() => handlers.error(new Error('connect ECONNREFUSED')));
      return wire;
    },
    fetch: async (url, init) => {
      historyCalls.push({ url, headers: { ...(init.headers as Record<string, string>) } });
      const next = pages.shift() ?? { entities: [] };
      if (typeof next === 'function') return next();
      return new Response(JSON.stringify(next), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    },
    newId: () => `id-${++ids}`,
    random: () => options.random ?? 1,
  })({ sessionId: 's1', config, clock, events });

  const wire = (index = wires.length - 1): Wire => {
    const found = wires[index];
    if (!found) throw new Error(`no socket #${index}`);
    return found;
  };
  const of = <K extends Seen['kind']>(kind: K) =>
    seen.filter((s): s is Extract<Seen, { kind: K }> => s.kind === kind);
  return {
    adapter: adapter as ChannelAdapter & { token: string },
    clock,
    config,
    seen,
    wires,
    wire,
    control,
    pages,
    historyCalls,
    of,
    ended: () => of('ended').map((s) => s.end),
    errors: () => of('error').map((s) => s.error),
    messages: () => of('message').map((s) => s.message),
    connectivity: () => of('connectivity').map((s) => s.state),
  };
}

type Harness = ReturnType<typeof setup>;

function sessionResponse(tracingId: unknown, body: Frame = {}): Frame {
  return {
    type: 'response',
    class: 'SessionResponse',
    code: 200,
    tracingId,
    body: { connected: true, newSession: true, readOnly: false, maxCustomDataBytes: 2048, ...body },
  };
}

function echoOf(frame: Frame, id: string): Frame {
  const message = frame['message'] as Frame;
  return {
    type: 'message',
    class: 'StructuredMessage',
    code: 200,
    tracingId: frame['tracingId'],
    body: { id, type: message['type'], text: message['text'], direction: 'Inbound', channel: { time: TIME } },
  };
}

function outbound(body: Frame): Frame {
  return {
    type: 'message',
    class: 'StructuredMessage',
    code: 200,
    body: { direction: 'Outbound', channel: { time: TIME }, ...body },
  };
}

function agentMessage(id: string, text: string): Frame {
  return outbound({
    id,
    type: 'Text',
    text,
    originatingEntity: 'Human',
    channel: { time: TIME, from: { nickname: 'Alex', image: 'https://img/a.png' } },
  });
}

function errorFrame(code: number, body: unknown, tracingId?: unknown): Frame {
  return { type: 'response', class: 'string', code, body, ...(tracingId !== undefined ? { tracingId } : {}) };
}

function tooMany(body: Frame, tracingId?: unknown): Frame {
  return {
    type: 'response',
    class: 'TooManyRequestsErrorMessage',
    code: 429,
    body,
    ...(tracingId !== undefined ? { tracingId } : {}),
  };
}

function jwtResponse(tracingId: unknown, body: Frame = { jwt: 'eyJ.one', exp: 1_900_000_000 }): Frame {
  return { type: 'response', class: 'JwtResponse', code: 200, tracingId, body };
}

function inbound(id: string, text: string | undefined, type = 'Text'): Frame {
  return { id, type, ...(text !== undefined ? { text } : {}), direction: 'Inbound', channel: { time: TIME } };
}

function agentEntity(id: string, text: string): Frame {
  return {
    id,
    type: 'Text',
    text,
    direction: 'Outbound',
    originatingEntity: 'Human',
    channel: { time: TIME, from: { nickname: 'Alex' } },
  };
}

/** Tracks a promise without letting its rejection go unhandled. */
function track<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => {
      state.done = true;
      state.value = value;
    },
    (error: unknown) => {
      state.done = true;
      state.error = error;
    },
  );
  return state;
}

function codeOf(error: unknown): unknown {
  return error instanceof BridgeFailure ? error.error.code : error;
}

/** Opens the adapter: the first socket opens and Genesys answers configureSession with `body`. */
async function open(h: Harness, body: Frame = {}) {
  const opening = h.adapter.open({ customer: { id: 'c' }, attributes: {} });
  const wire = h.wire();
  wire.handlers.open();
  const configure = wire.last();
  wire.reply(sessionResponse(configure['tracingId'], body));
  const result = await opening;
  return { wire, configure, result };
}

/** Sends a message and returns its frame (not yet answered) with the tracked outcome. */
async function sending(h: Harness, text = 'hello', attributes?: Record<string, string>) {
  const before = h.wire().sent.length;
  const outcome = track(h.adapter.sendMessage({ text, ...(attributes ? { attributes } : {}) }));
  const frame = h.wire().sent[before];
  if (!frame) throw new Error('the message was not written');
  return { frame, outcome };
}

/** Drops the current socket like a network failure would. */
function drop(wire: Wire, code = 1006, reason = ''): void {
  wire.handlers.close(code, reason);
}

/** After a drop: lets the backoff elapse and answers the new socket's configureSession with `body`. */
async function reconnect(h: Harness, body: Frame = { newSession: false }, delay = 1000): Promise<Wire> {
  const count = h.wires.length;
  h.clock.advance(delay);
  await settle();
  expect(h.wires.length).toBe(count + 1);
  const again = h.wire();
  again.handlers.open();
  const configure = again.last();
  again.reply(sessionResponse(configure['tracingId'], body));
  await settle();
  return again;
}

/** Answers the getJwt the adapter sent last (after letting it be written). */
async function answerJwt(wire: Wire, body?: Frame): Promise<void> {
  await settle(2);
  const request = wire.sent.findLast((f) => f['action'] === 'getJwt');
  if (!request) throw new Error('no getJwt sent');
  wire.reply(jwtResponse(request['tracingId'], body));
}

function page(entities: Frame[], extra: Frame = {}): Frame {
  return { entities, pageSize: entities.length, pageNumber: 1, ...extra };
}

describe('opening a guest session', () => {
  it('opens the derived socket URL with deploymentId and application, no Origin unless configured, and configures the session with startNew false', async () => {
    const h = setup();
    const { wire, configure, result } = await open(h);
    expect(`${wire.url.origin}${wire.url.pathname}`).toBe('wss://webmessaging.mypurecloud.ie/v1');
    expect(wire.url.searchParams.get('deploymentId')).toBe(DEPLOYMENT);
    expect(wire.url.searchParams.get('application')).toBe('genesys-bridge');
    expect(Object.keys(wire.headers)).toEqual([]);
    expect(configure).toEqual({
      action: 'configureSession',
      token: h.adapter.token,
      deploymentId: DEPLOYMENT,
      startNew: false,
      tracingId: expect.any(String),
    });
    expect(result).toEqual({ maxCustomDataBytes: 2048 });
    expect(h.adapter.resumeState?.()).toEqual({ token: h.adapter.token });
    expect(h.seen).toEqual([]);
  });

  it('sends the configured Origin header and application name', async () => {
    const h = setup({
      settings: { origin: 'https://shop.example', webMessaging: { application: 'my-bot' } },
    });
    const { wire } = await open(h);
    expect(wire.headers).toEqual({ Origin: 'https://shop.example' });
    expect(wire.url.searchParams.get('application')).toBe('my-bot');
  });

  it('reports no budget when SessionResponse has none, and reads a numeric string budget', async () => {
    const h = setup();
    const { result } = await open(h, { maxCustomDataBytes: undefined });
    expect(result).toEqual({});
    const h2 = setup();
    expect((await open(h2, { maxCustomDataBytes: '4096' })).result).toEqual({ maxCustomDataBytes: 4096 });
    const h3 = setup();
    expect((await open(h3, { maxCustomDataBytes: ' ' })).result).toEqual({});
  });

  it.each([
    [
      'connected false',
      { connected: false },
      'PROVIDER_UNAVAILABLE',
      'Genesys did not connect the guest session',
    ],
    ['connected as a string', { connected: 'true' }, 'PROVIDER_UNAVAILABLE', undefined],
    ['read-only', { readOnly: true }, 'SESSION_READ_ONLY', 'Genesys opened the new guest session read-only'],
  ])('fails open when the session is %s and closes the socket', async (_name, body, code, message) => {
    const h = setup();
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    const wire = h.wire();
    wire.handlers.open();
    wire.reply(sessionResponse(wire.last()['tracingId'], body));
    await settle();
    expect(codeOf(opening.error)).toBe(code);
    if (message) expect((opening.error as BridgeFailure).error.message).toBe(message);
    expect(wire.closed).toBe(true);
    expect(h.seen).toEqual([]);
  });

  it('takes readOnly only when it is a boolean', async () => {
    const h = setup();
    const { result } = await open(h, { readOnly: 'true' });
    expect(result).toEqual({ maxCustomDataBytes: 2048 });
  });

  it('does not retry a 403 refused upgrade: FORBIDDEN with the deployment hint', async () => {
    const h = setup();
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    h.wire().handlers.error(Object.assign(new Error('Unexpected server response: 403'), { status: 403 }));
    await settle();
    expect(opening.error).toBeInstanceOf(BridgeFailure);
    expect((opening.error as BridgeFailure).error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Genesys refused the Web Messaging socket (403)',
      retryable: false,
      provider: { code: 403 },
      correctiveAction: expect.stringContaining('deploymentId'),
    });
    h.clock.advance(10_000);
    await settle();
    expect(h.wires).toHaveLength(1);
  });

  it('retries other connection failures with backoff until connectMs is spent', async () => {
    const h = setup({ settings: { timeouts: { connectMs: 3000 } } });
    h.control.refuse = true;
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    await settle();
    expect(h.wires).toHaveLength(1);
    h.clock.advance(999);
    await settle();
    expect(h.wires).toHaveLength(1);
    h.clock.advance(1);
    await settle();
    // Second attempt at 1000 ms; the next would wait 2000 ms more, reaching the 3000 ms deadline: give up.
    expect(h.wires).toHaveLength(2);
    expect(opening.done).toBe(true);
    expect((opening.error as BridgeFailure).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Web Messaging socket error: connect ECONNREFUSED',
      retryable: true,
    });
    h.clock.advance(10_000);
    await settle();
    expect(h.wires).toHaveLength(2);
  });

  it('opens on a later attempt when an earlier one failed', async () => {
    const h = setup();
    h.control.refuse = true;
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    await settle();
    h.control.refuse = false;
    h.clock.advance(1000);
    await settle();
    const wire = h.wire(1);
    wire.handlers.open();
    wire.reply(sessionResponse(wire.last()['tracingId']));
    await settle();
    expect(opening.value).toEqual({ maxCustomDataBytes: 2048 });
    expect(h.wire(0).closed).toBe(true);
  });

  it('times out a socket Genesys never opens or configures, closing that socket', async () => {
    const h = setup({ settings: { timeouts: { connectMs: 3000 } } });
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    h.clock.advance(2999);
    await settle();
    expect(opening.done).toBe(false);
    expect(h.wire().closed).toBe(false);
    h.clock.advance(1);
    await settle();
    expect((opening.error as BridgeFailure).error).toMatchObject({
      code: 'TIMEOUT',
      message: 'no SessionResponse within 3000 ms',
      retryable: true,
    });
    expect(h.wire().closed).toBe(true);
    // The abandoned socket opening late configures nothing.
    h.wire().handlers.open();
    expect(h.wire().sent).toEqual([]);
  });

  it('answers configureSession with an untraced SessionResponse too', async () => {
    const h = setup();
    const opening = h.adapter.open({ customer: { id: 'c' }, attributes: {} });
    h.wire().handlers.open();
    h.wire().reply({ ...sessionResponse(undefined), tracingId: undefined });
    expect(await opening).toEqual({ maxCustomDataBytes: 2048 });
  });

  it('reports a socket closed before the SessionResponse with its code and reason', async () => {
    const h = setup({ settings: { timeouts: { connectMs: 1000 } } });
    const first = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    drop(h.wire(), 1011, 'overloaded');
    await settle();
    expect((first.error as BridgeFailure).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys closed the socket (1011 overloaded)',
      retryable: true,
    });
    const h2 = setup({ settings: { timeouts: { connectMs: 1000 } } });
    const second = track(h2.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    drop(h2.wire(), 1006, '');
    await settle();
    expect((second.error as BridgeFailure).error.message).toBe('Genesys closed the socket (1006)');
    expect(h2.seen).toEqual([]);
  });

  it('fails a configureSession it cannot write as retryable PROVIDER_UNAVAILABLE', async () => {
    const h = setup({ settings: { timeouts: { connectMs: 1000 } } });
    h.control.failSends = true;
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    h.wire().handlers.open();
    await settle();
    expect((opening.error as BridgeFailure).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'could not configure the session: Error: EPIPE',
      retryable: true,
    });
  });

  it('gives up at once when closed while connecting', async () => {
    const h = setup();
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    await h.adapter.close('detach');
    await settle();
    expect((opening.error as BridgeFailure).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'the connection attempt was abandoned',
    });
    expect(h.wires).toHaveLength(1);
  });

  it('does not try again when closed during the pause between attempts', async () => {
    const h = setup();
    h.control.refuse = true;
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    await settle();
    expect(opening.done).toBe(false);
    await h.adapter.close('detach');
    h.clock.advance(1000);
    await settle();
    expect(opening.done).toBe(true);
    expect(codeOf(opening.error)).toBe('PROVIDER_UNAVAILABLE');
    expect(h.wires).toHaveLength(1);
  });

  it('reports nothing Genesys says before open() succeeded: the failure goes to open()', async () => {
    const h = setup();
    const opening = h.adapter.open({ customer: { id: 'c' }, attributes: {} });
    const wire = h.wire();
    wire.handlers.open();
    wire.reply({ type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    wire.reply(sessionResponse(wire.sent[0]?.['tracingId']));
    await opening;
    expect(h.ended()).toEqual([]);
    // A socket event that is not its SessionResponse does not settle open().
    const h2 = setup();
    const other = track(h2.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    h2.wire().handlers.open();
    const tracingId = h2.wire().last()['tracingId'];
    h2.wire().reply({ type: 'message', class: 'JwtResponse', code: 200, body: { jwt: 'x' } });
    h2.wire().reply(jwtResponse(tracingId));
    await settle();
    expect(other.done).toBe(false);
  });

  it('ignores frames and events of a socket it already replaced', async () => {
    const h = setup();
    const { wire } = await open(h);
    drop(wire);
    const again = await reconnect(h);
    wire.reply(agentMessage('stale', 'from the old socket'));
    drop(wire);
    wire.handlers.error(new Error('late'));
    again.reply(agentMessage('fresh', 'from the new socket'));
    expect(h.messages().map((m) => m.id)).toEqual(['fresh']);
    expect(h.connectivity()).toEqual(['reconnecting', 'online']);
  });
});

describe('sending customer messages and typing', () => {
  it('writes a Text onMessage, custom attributes inside the message only when there are some, confirmed by its echo', async () => {
    const h = setup();
    const { configure } = await open(h);
    const plain = await sending(h, 'Thanks');
    expect(plain.frame).toEqual({
      action: 'onMessage',
      token: configure['token'],
      tracingId: expect.any(String),
      message: { type: 'Text', text: 'Thanks' },
    });
    h.wire().reply(echoOf(plain.frame, 'in-1'));
    await settle();
    expect(plain.outcome.value).toEqual({ providerMessageId: 'in-1' });

    const empty = await sending(h, 'no attributes', {});
    expect(empty.frame['message']).toEqual({ type: 'Text', text: 'no attributes' });
    const withAttributes = await sending(h, 'first', { tier: 'gold', QueueName: 'Support' });
    expect(withAttributes.frame).toEqual({
      action: 'onMessage',
      token: configure['token'],
      tracingId: expect.any(String),
      message: {
        type: 'Text',
        text: 'first',
        channel: { metadata: { customAttributes: { tier: 'gold', QueueName: 'Support' } } },
      },
    });
    expect(withAttributes.frame).not.toHaveProperty('channel');
    expect(h.seen).toEqual([]);
  });

  it('is confirmed only by the echo carrying its tracingId', async () => {
    const h = setup();
    await open(h);
    const { frame, outcome } = await sending(h, 'mine');
    h.wire().reply(echoOf({ ...frame, tracingId: 'someone-else' }, 'in-x'));
    await settle();
    expect(outcome.done).toBe(false);
    expect(h.seen).toEqual([]);
    h.wire().reply(echoOf(frame, 'in-2'));
    await settle();
    expect(outcome.value).toEqual({ providerMessageId: 'in-2' });
  });

  it('returns no provider id when Genesys answers the tracingId with something that is not a message', async () => {
    const h = setup();
    await open(h);
    const { frame, outcome } = await sending(h, 'odd');
    h.wire().reply(jwtResponse(frame['tracingId']));
    await settle();
    expect(outcome.value).toEqual({});
  });

  it('refuses a send while no session is configured, as NotDelivered', async () => {
    const h = setup();
    const before = track(h.adapter.sendMessage({ text: 'too early' }));
    await settle();
    expect(before.error).toBeInstanceOf(NotDeliveredFailure);
    expect((before.error as BridgeFailure).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'the Web Messaging connection is not open',
      retryable: true,
    });
    const { wire } = await open(h);
    drop(wire);
    const during = track(h.adapter.sendMessage({ text: 'while reconnecting' }));
    await settle();
    expect(during.error).toBeInstanceOf(NotDeliveredFailure);
    // The new socket is there but not configured yet: still nothing is written.
    h.clock.advance(1000);
    await settle();
    h.wire().handlers.open();
    const configuring = track(h.adapter.sendMessage({ text: 'before the SessionResponse' }));
    await settle();
    expect(configuring.error).toBeInstanceOf(NotDeliveredFailure);
    expect(h.wire().actions()).toEqual(['configureSession']);
    await h.adapter.close('detach');
    const after = track(h.adapter.sendTyping());
    await settle();
    expect(after.error).toBeInstanceOf(NotDeliveredFailure);
  });

  it('refuses a send it cannot write, as NotDelivered', async () => {
    const h = setup();
    const { wire } = await open(h);
    wire.failSends = true;
    const outcome = track(h.adapter.sendMessage({ text: 'x' }));
    await settle();
    expect(outcome.error).toBeInstanceOf(NotDeliveredFailure);
    expect((outcome.error as BridgeFailure).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'could not write to the socket: Error: EPIPE',
      retryable: true,
    });
    // Nothing stays waiting for an answer: an untraced refusal afterwards is reported, not swallowed.
    wire.failSends = false;
    wire.reply(tooMany({ errorMessage: 'slow down' }));
    expect(h.errors().map((e) => e.code)).toEqual(['RATE_LIMITED']);
  });

  it('writes typing as an Event Typing On, confirmed by its echo', async () => {
    const h = setup();
    const { configure } = await open(h);
    const typing = track(h.adapter.sendTyping());
    const frame = h.wire().last();
    expect(frame).toEqual({
      action: 'onMessage',
      token: configure['token'],
      tracingId: expect.any(String),
      message: { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] },
    });
    h.wire().reply({
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      tracingId: frame['tracingId'],
      body: { id: 'ev-1', type: 'Event', direction: 'Inbound', events: [{ eventType: 'Typing' }] },
    });
    await settle();
    expect(typing.done).toBe(true);
    expect(typing.error).toBeUndefined();
    expect(h.seen).toEqual([]);
  });

  it('takes typing as delivered 2 s after writing it when Genesys does not echo it', async () => {
    const h = setup();
    await open(h);
    const typing = track(h.adapter.sendTyping());
    h.clock.advance(1999);
    await settle();
    expect(typing.done).toBe(false);
    h.clock.advance(1);
    await settle();
    expect(typing.done).toBe(true);
    expect(typing.error).toBeUndefined();
    // It no longer waits for an answer: an untraced refusal now is reported to the bot.
    h.wire().reply(tooMany({}));
    expect(h.errors()).toMatchObject([{ code: 'RATE_LIMITED' }]);
  });

  it('a late refusal naming a typing no longer waited for does not fail the message waiting for its echo', async () => {
    const h = setup();
    await open(h);
    const typing = track(h.adapter.sendTyping());
    const typingId = h.wire().last()['tracingId'];
    h.clock.advance(2000);
    await settle();
    expect(typing.done).toBe(true);
    const { frame, outcome } = await sending(h, 'hello');
    h.wire().reply(tooMany({ retryAfter: 1 }, typingId));
    await settle();
    expect(outcome.done).toBe(false);
    h.wire().reply(echoOf(frame, 'in-1'));
    await settle();
    expect(outcome).toMatchObject({ done: true, value: { providerMessageId: 'in-1' } });
  });

  it('rejects typing Genesys refuses', async () => {
    const h = setup();
    await open(h);
    const typing = track(h.adapter.sendTyping());
    h.wire().reply(tooMany({ retryAfter: 1 }, h.wire().last()['tracingId']));
    await settle();
    expect(codeOf(typing.error)).toBe('RATE_LIMITED');
  });
});

describe('Genesys error frames', () => {
  it.each([
    [4029, 'Too many', 'RATE_LIMITED', true, 'Too many'],
    [4029, '', 'RATE_LIMITED', true, 'Message rate too high for this session'],
    [429, 'slow', 'RATE_LIMITED', true, 'slow'],
    [4011, '', 'MESSAGE_TOO_LONG', false, 'message too long'],
    [4011, 'Message exceeds 4096', 'MESSAGE_TOO_LONG', false, 'Message exceeds 4096'],
    [4013, '', 'METADATA_TOO_LARGE', false, 'custom attributes too large'],
    [401, '', 'AUTH_FAILED', false, 'unauthorized'],
    [403, '', 'FORBIDDEN', false, 'forbidden by the deployment configuration'],
    [4000, 'Deployment not active', 'FORBIDDEN', false, 'Deployment not active'],
    [4020, '', 'INVALID_REQUEST', false, 'request failed'],
    [400, 'Bad', 'INVALID_REQUEST', false, 'Bad'],
    [4001, '', 'ATTACHMENT_REJECTED', false, 'attachment rejected'],
    [4010, 'file type', 'ATTACHMENT_REJECTED', false, 'file type'],
    [499, 'nope', 'PROVIDER_UNAVAILABLE', false, 'nope'],
    // A Web Messaging code the bridge does not know is a refusal, not Genesys's trouble: not retried.
    [4012, '', 'PROVIDER_UNAVAILABLE', false, 'Genesys answered 4012'],
    [4999, '', 'PROVIDER_UNAVAILABLE', false, 'Genesys answered 4999'],
    [500, '', 'PROVIDER_UNAVAILABLE', true, 'Genesys answered 500'],
    [5000, 'Request failed.', 'PROVIDER_UNAVAILABLE', true, 'Request failed.'],
  ])(
    'answers a send refused with %i "%s" as %s (retryable %s)',
    async (code, body, expected, retryable, message) => {
      const h = setup();
      await open(h);
      const { frame, outcome } = await sending(h, 'x');
      h.wire().reply(errorFrame(code, body, frame['tracingId']));
      await settle();
      const error = outcome.error as BridgeFailure;
      expect(error.error).toMatchObject({ code: expected, retryable, message, provider: { code, body } });
      // A retryable answer means Genesys did not take it: safe to send again.
      expect(error instanceof NotDeliveredFailure).toBe(retryable);
      expect(error).not.toBeInstanceOf(UnconfirmedFailure);
      expect(h.seen).toEqual([]);
    },
  );

  it('adds the corrective actions a user needs to fix a refused send', async () => {
    expect(webMessagingFailure(4011, '').error.correctiveAction).toBe(
      'Lower limits.maxTextLength or set limits.longText to "split"',
    );
    expect(webMessagingFailure(4013, '').error.correctiveAction).toBe('Shorten the metadata');
    expect(webMessagingFailure(4000, '').error.correctiveAction).toBe(
      'Check the Messenger deployment and configuration in Genesys Cloud',
    );
    expect(webMessagingFailure(429, 'x', 1500).error.retryAfterMs).toBe(1500);
    expect(webMessagingFailure(429, 'x').error).not.toHaveProperty('retryAfterMs');
  });

  it.each([
    [409, '', 'Session is read-only'],
    [4999, 'Session is readonly', 'Session is readonly'],
    [4999, 'conversation is READ-ONLY', 'conversation is READ-ONLY'],
    [4999, 'read only', 'read only'],
  ])('ends read-only on %i "%s"', async (code, body, message) => {
    const h = setup();
    await open(h);
    const { frame, outcome } = await sending(h, 'x');
    h.wire().reply(errorFrame(code, body, frame['tracingId']));
    await settle();
    expect((outcome.error as BridgeFailure).error).toMatchObject({ code: 'SESSION_READ_ONLY', message });
    expect(h.ended()).toEqual([{ reason: 'readOnly', by: 'system' }]);
    expect(h.errors()).toEqual([]);
  });

  it('ends the session on 4006 (expired) and 4007 (not found)', async () => {
    const h = setup();
    await open(h);
    const { frame } = await sending(h, 'x');
    h.wire().reply(errorFrame(4006, '', frame['tracingId']));
    await settle();
    expect(h.ended()).toMatchObject([
      {
        reason: 'sessionExpired',
        by: 'system',
        error: { code: 'SESSION_EXPIRED', message: 'session expired' },
      },
    ]);
    const h2 = setup();
    await open(h2);
    h2.wire().reply(errorFrame(4007, ''));
    expect(h2.ended()).toMatchObject([
      { reason: 'error', by: 'system', error: { code: 'SESSION_NOT_FOUND', message: 'session not found' } },
    ]);
    expect(h2.errors()).toEqual([]);
  });

  it('reports an error frame nothing waits for as an error event, and keeps the session', async () => {
    const h = setup();
    await open(h);
    h.wire().reply(errorFrame(4011, { errorMessage: 'too long' }));
    h.wire().reply(errorFrame(5000, { message: 'try later' }));
    h.wire().reply(errorFrame(4020, { other: 1 }));
    expect(h.errors()).toMatchObject([
      { code: 'MESSAGE_TOO_LONG', message: 'too long' },
      { code: 'PROVIDER_UNAVAILABLE', message: 'try later', retryable: true },
      { code: 'INVALID_REQUEST', message: 'request failed' },
    ]);
    expect(h.ended()).toEqual([]);
  });

  it('gives an untraced error frame to the oldest send waiting, never to the echo health check', async () => {
    const h = setup({ settings: { webMessaging: { heartbeatMs: 1000 } } });
    await open(h);
    h.clock.advance(1000);
    expect(h.wire().last()).toMatchObject({ action: 'echo' });
    h.wire().reply(errorFrame(4011, 'no target'));
    expect(h.errors()).toMatchObject([{ code: 'MESSAGE_TOO_LONG' }]);
    const first = await sending(h, 'one');
    const second = await sending(h, 'two');
    h.wire().reply(errorFrame(4011, 'too long'));
    await settle();
    expect(codeOf(first.outcome.error)).toBe('MESSAGE_TOO_LONG');
    expect(second.outcome.done).toBe(false);
    expect(h.errors()).toHaveLength(1);
  });

  it('answers the request a traced error frame names, not an older one', async () => {
    const h = setup();
    await open(h);
    const first = await sending(h, 'one');
    const second = await sending(h, 'two');
    h.wire().reply(errorFrame(4011, 'too long', second.frame['tracingId']));
    await settle();
    expect(codeOf(second.outcome.error)).toBe('MESSAGE_TOO_LONG');
    expect(first.outcome.done).toBe(false);
    h.wire().reply(echoOf(first.frame, 'in-1'));
    await settle();
    expect(first.outcome.value).toEqual({ providerMessageId: 'in-1' });
  });

  it('answers the request named by a traced error frame, even a getJwt', async () => {
    const h = setup();
    await open(h);
    const history = track(h.adapter.fetchHistory!());
    await settle(2);
    const jwtRequest = h.wire().last();
    expect(jwtRequest['action']).toBe('getJwt');
    h.wire().reply(errorFrame(401, 'bad token', jwtRequest['tracingId']));
    await settle();
    expect(codeOf(history.error)).toBe('AUTH_FAILED');
    expect(h.errors()).toEqual([]);
  });

  it('gives a rate-limit refusal to the request it names, with the pause Genesys asks', async () => {
    const h = setup();
    await open(h);
    const { frame, outcome } = await sending(h, 'x');
    h.wire().reply(
      tooMany({ retryAfter: 3, errorCode: 4029, errorMessage: 'Message rate too high' }, frame['tracingId']),
    );
    await settle();
    expect(outcome.error).toBeInstanceOf(NotDeliveredFailure);
    expect((outcome.error as BridgeFailure).error).toEqual({
      code: 'RATE_LIMITED',
      message: 'Message rate too high',
      retryable: true,
      retryAfterMs: 3000,
      provider: { code: 4029, body: 'Message rate too high' },
    });
  });

  it('gives an untraced rate-limit refusal to the oldest onMessage request, not to getJwt', async () => {
    const h = setup();
    await open(h);
    const history = track(h.adapter.fetchHistory!());
    await settle(2);
    const { outcome } = await sending(h, 'x');
    h.wire().reply(tooMany({ retryAfter: '2' }));
    await settle();
    expect((outcome.error as BridgeFailure).error).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'Message rate too high for this session',
      retryAfterMs: 2000,
    });
    expect(history.done).toBe(false);
    expect(h.errors()).toEqual([]);
  });

  it('reports a rate-limit refusal nothing waits for, without a pause it did not name', async () => {
    const h = setup();
    await open(h);
    h.wire().reply(tooMany({ retryAfter: '' }));
    expect(h.errors()).toHaveLength(1);
    expect(h.errors()[0]).not.toHaveProperty('retryAfterMs');
    expect(h.ended()).toEqual([]);
  });
});

describe('what Genesys sends the guest', () => {
  it('relays agent and bot messages with the sender, avatar and time Genesys gave', async () => {
    const h = setup();
    const { wire } = await open(h);
    wire.reply(agentMessage('a1', 'Hi, I am Alex'));
    wire.reply(outbound({ id: 'b1', type: 'Text', text: 'Connecting you', originatingEntity: 'Bot' }));
    wire.reply(
      outbound({
        id: 'a2',
        type: 'Text',
        text: 'Ann here',
        channel: { time: TIME, from: { firstName: 'Ann', lastName: 'Lee' } },
      }),
    );
    wire.reply(
      outbound({ id: 'a3', type: 'Text', text: 'Lee only', channel: { from: { lastName: 'Lee' } } }),
    );
    wire.reply(outbound({ id: 'a4', type: 'Text', text: 'nobody', channel: { time: 'not a time' } }));
    expect(h.messages()).toEqual([
      {
        id: 'a1',
        text: 'Hi, I am Alex',
        occurredAt: TIME_MS,
        sender: { kind: 'human', agent: { displayName: 'Alex', avatarUrl: 'https://img/a.png' } },
      },
      { id: 'b1', text: 'Connecting you', occurredAt: TIME_MS, sender: { kind: 'bot' } },
      {
        id: 'a2',
        text: 'Ann here',
        occurredAt: TIME_MS,
        sender: { kind: 'human', agent: { displayName: 'Ann Lee' } },
      },
      { id: 'a3', text: 'Lee only', sender: { kind: 'human', agent: { displayName: 'Lee' } } },
      { id: 'a4', text: 'nobody', sender: { kind: 'human' } },
    ]);
  });

  it('relays attachments and quick replies, and skips what carries nothing to show', async () => {
    const h = setup();
    const { wire } = await open(h);
    wire.reply(
      outbound({
        id: 's1',
        type: 'Structured',
        content: [
          {
            contentType: 'Attachment',
            attachment: { url: 'https://f/a.pdf', mime: 'application/pdf', filename: 'a.pdf' },
          },
          { contentType: 'Attachment', attachment: { url: 'https://f/b.png', mediaType: 'image/png' } },
          { contentType: 'Attachment', attachment: { url: '', filename: 'no-url' } },
          { contentType: 'Attachment', attachment: 'not an object' },
          { contentType: 'Attachment' },
          { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'yes' } },
          { contentType: 'QuickReply', quickReply: { text: 'No' } },
          { contentType: 'QuickReply', quickReply: { payload: 'no-text' } },
          { contentType: 'QuickReply', quickReply: null },
          { contentType: 'Card', card: { title: 'ignored' } },
          'not an object',
        ],
      }),
    );
    wire.reply(outbound({ id: 'e1', type: 'Text', text: '' }));
    wire.reply(outbound({ id: 'e2', type: 'Text' }));
    wire.reply(outbound({ id: 'e3', type: 'Structured', content: [{ contentType: 'Card' }] }));
    wire.reply(outbound({ id: 'r1', type: 'Receipt', text: 'Delivered' }));
    wire.reply(
      outbound({ id: 'i1', type: 'Text', text: 'typed by the guest elsewhere', direction: 'Inbound' }),
    );
    wire.reply(outbound({ id: 'n1', type: 'Text', text: 'no direction', direction: undefined }));
    wire.reply(outbound({ type: 'Text', text: 'no id' }));
    wire.reply(outbound({ id: 'no-type', text: 'no type' }));
    expect(h.messages()).toEqual([
      {
        id: 's1',
        attachments: [
          { url: 'https://f/a.pdf', mimeType: 'application/pdf', fileName: 'a.pdf' },
          { url: 'https://f/b.png', mimeType: 'image/png' },
        ],
        quickReplies: [{ text: 'Yes', payload: 'yes' }, { text: 'No' }],
        occurredAt: TIME_MS,
        sender: { kind: 'human' },
      },
    ]);
    wire.reply(
      outbound({
        id: 's2',
        type: 'Structured',
        text: 'Pick one',
        content: [{ contentType: 'QuickReply', quickReply: { text: 'A' } }],
      }),
    );
    wire.reply(
      outbound({
        id: 's3',
        type: 'Text',
        text: '',
        content: [{ contentType: 'Attachment', attachment: { url: 'https://f/c' } }],
      }),
    );
    expect(h.messages().slice(1)).toEqual([
      {
        id: 's2',
        text: 'Pick one',
        quickReplies: [{ text: 'A' }],
        occurredAt: TIME_MS,
        sender: { kind: 'human' },
      },
      { id: 's3', attachments: [{ url: 'https://f/c' }], occurredAt: TIME_MS, sender: { kind: 'human' } },
    ]);
  });

  it('relays agent typing with its duration, 5 s without one, and not Typing Off', async () => {
    const h = setup();
    const { wire } = await open(h);
    let n = 0;
    const typing = (events: unknown[], channel: Frame = { time: TIME }) =>
      wire.reply(outbound({ id: `t-${++n}`, type: 'Event', events, channel }));
    typing([{ eventType: 'Typing', typing: { type: 'On', duration: 3000 } }]);
    typing([{ eventType: 'Typing', typing: { type: 'On' } }], {});
    typing([{ eventType: 'Typing', typing: { type: 'Off' } }]);
    typing([{ eventType: 'Typing' }]);
    typing([{ eventType: 'Typing', typing: { duration: '1500' } }]);
    typing([{ eventType: 'Presence', presence: { type: 'Join' } }, { eventType: 'Other' }, 'junk']);
    wire.reply(
      outbound({
        id: 'ti',
        type: 'Event',
        direction: 'Inbound',
        events: [{ eventType: 'Typing', typing: { type: 'On' } }],
      }),
    );
    expect(h.of('typing').map((t) => t.typing)).toEqual([
      { durationMs: 3000, occurredAt: TIME_MS },
      { durationMs: 5000 },
      { durationMs: 5000, occurredAt: TIME_MS },
      { durationMs: 1500, occurredAt: TIME_MS },
    ]);
    expect(h.ended()).toEqual([]);
    expect(h.messages()).toEqual([]);
  });

  it('ends when the agent disconnects (Presence Disconnect), once', async () => {
    const h = setup();
    const { wire } = await open(h);
    wire.reply(
      outbound({
        id: 'p1',
        type: 'Event',
        events: [
          { eventType: 'Typing', typing: { type: 'Off' } },
          { eventType: 'Presence', presence: { type: 'Disconnect' } },
        ],
      }),
    );
    wire.reply(
      outbound({
        id: 'p2',
        type: 'Event',
        events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
      }),
    );
    wire.reply({ type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    expect(h.ended()).toEqual([{ reason: 'agentEnded', by: 'agent', occurredAt: TIME_MS }]);
    // The conversation is over: a dropped socket is not reconnected, and the health check stopped.
    drop(wire);
    h.clock.advance(60_000);
    await settle();
    expect(h.wires).toHaveLength(1);
    expect(h.connectivity()).toEqual([]);
  });

  it('ends without a time when the disconnect carries none', async () => {
    const h = setup();
    const { wire } = await open(h);
    wire.reply(
      outbound({
        id: 'p1',
        type: 'Event',
        channel: {},
        events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
      }),
    );
    expect(h.ended()).toEqual([{ reason: 'agentEnded', by: 'agent' }]);
  });

  it.each([
    [
      { class: 'SessionExpiredEvent' },
      {
        reason: 'sessionExpired',
        by: 'system',
        error: { code: 'SESSION_EXPIRED', message: 'the Genesys guest session expired' },
      },
    ],
    [
      { class: 'SessionClearedEvent' },
      {
        reason: 'error',
        by: 'system',
        error: { code: 'SESSION_ENDED', message: 'Genesys cleared the conversation' },
      },
    ],
    [
      { class: 'ConnectionClosedEvent', body: { reason: 'Session moved' } },
      {
        reason: 'error',
        by: 'system',
        error: { code: 'SESSION_ENDED', message: 'Genesys closed this guest connection (Session moved)' },
      },
    ],
    [
      { class: 'ConnectionClosedEvent', body: { reasonCode: 'LoggedOut' } },
      { error: { message: 'Genesys closed this guest connection (LoggedOut)' } },
    ],
    [
      { class: 'ConnectionClosedEvent', body: {} },
      { error: { code: 'SESSION_ENDED', message: 'Genesys closed this guest connection' } },
    ],
    [
      { class: 'LogoutEvent' },
      {
        reason: 'error',
        by: 'system',
        error: { code: 'SESSION_ENDED', message: 'Genesys logged the guest out' },
      },
    ],
  ])('ends on %o', async (frame, end) => {
    const h = setup();
    const { wire } = await open(h);
    wire.reply({ type: 'message', code: 200, body: {}, ...frame });
    expect(h.ended()).toHaveLength(1);
    expect(h.ended()[0]).toMatchObject(end);
    expect(h.errors()).toEqual([]);
  });

  it('ignores frames it does not know or cannot read', async () => {
    const h = setup();
    const { wire } = await open(h);
    wire.raw('not json');
    wire.raw('[1,2]');
    wire.raw('null');
    wire.reply({ type: 'message', class: 'PresenceEvent', code: 200, body: {} });
    wire.reply({ type: 'message', class: 'Unknown', code: '200' });
    wire.reply({ type: 'message', code: 399, body: 'not an error' });
    expect(h.seen).toEqual([]);
  });
});

describe('parsing server frames', () => {
  it('reads the StructuredMessage frame type, defaulting to message', () => {
    const body = { id: 'x', type: 'Text' };
    expect(
      parseServerFrame(JSON.stringify({ class: 'StructuredMessage', type: 'response', body })),
    ).toMatchObject({
      kind: 'structured',
      frameType: 'response',
    });
    expect(parseServerFrame(JSON.stringify({ class: 'StructuredMessage', body }))).toMatchObject({
      kind: 'structured',
      frameType: 'message',
    });
    expect(
      parseServerFrame(JSON.stringify({ class: 'StructuredMessage', tracingId: 't', body: { id: 'x' } })),
    ).toEqual({
      kind: 'other',
      className: 'StructuredMessage',
      tracingId: 't',
    });
  });

  it('reads error texts from a string body, errorMessage or message, and a code given as a string', () => {
    expect(parseServerFrame(JSON.stringify({ class: 'string', code: '4011', body: 'too long' }))).toEqual({
      kind: 'error',
      code: 4011,
      text: 'too long',
    });
    expect(parseServerFrame(JSON.stringify({ code: 400, tracingId: 't', body: { message: 'm' } }))).toEqual({
      kind: 'error',
      tracingId: 't',
      code: 400,
      text: 'm',
    });
    expect(parseServerFrame(JSON.stringify({ code: 400, body: [] }))).toEqual({
      kind: 'error',
      code: 400,
      text: '',
    });
    expect(parseServerFrame(JSON.stringify({ class: 'x', code: '', body: 'b' }))).toEqual({
      kind: 'other',
      className: 'x',
    });
    expect(parseServerFrame('"text"')).toEqual({ kind: 'unreadable', text: '"text"' });
  });

  it('reads TooManyRequests errorCode and a JwtResponse expiry', () => {
    expect(
      parseServerFrame(
        JSON.stringify({ class: 'TooManyRequestsErrorMessage', body: { errorCode: 4029, retryAfter: 1.5 } }),
      ),
    ).toEqual({
      kind: 'tooManyRequests',
      retryAfterMs: 1500,
      errorCode: 4029,
      text: 'Message rate too high for this session',
    });
    expect(
      parseServerFrame(
        JSON.stringify({ class: 'JwtResponse', tracingId: 't', body: { jwt: 'j', exp: '17' } }),
      ),
    ).toEqual({
      kind: 'jwt',
      tracingId: 't',
      jwt: 'j',
      expSeconds: 17,
    });
    expect(parseServerFrame(JSON.stringify({ class: 'JwtResponse', body: { jwt: 'j' } }))).toEqual({
      kind: 'jwt',
      jwt: 'j',
    });
    expect(parseServerFrame(JSON.stringify({ class: 'JwtResponse', body: { jwt: '' } }))).toEqual({
      kind: 'other',
      className: 'JwtResponse',
    });
  });

  it('keeps only string metadata and well-formed events of a structured body', () => {
    expect(
      parseStructured({
        id: 'm',
        type: 'Event',
        metadata: { a: 'x', b: 2 },
        originatingEntity: 'Bot',
        channel: { from: { nickname: 5, image: 'i' } },
        events: [{ eventType: 'Presence', presence: { type: 'Join' } }, { typing: { type: 3 } }, 7],
        content: [{ contentType: 'Card' }, null],
      }),
    ).toEqual({
      id: 'm',
      type: 'Event',
      originatingEntity: 'Bot',
      from: { image: 'i' },
      content: [{ contentType: 'Card' }],
      events: [
        { eventType: 'Presence', presence: { type: 'Join' } },
        { eventType: '', typing: {} },
      ],
      metadata: { a: 'x' },
    });
    expect(parseStructured({ id: 'm', type: 'Text', events: 'x', content: {} })).toEqual({
      id: 'm',
      type: 'Text',
      content: [],
      events: [],
      metadata: {},
    });
  });

  it('maps only outbound Text and Structured messages', () => {
    const base = parseStructured({ id: 'm', type: 'Text', text: 'hi', direction: 'Outbound' })!;
    expect(toProviderMessage(base)).toEqual({ id: 'm', text: 'hi', sender: { kind: 'human' } });
    expect(toProviderMessage({ ...base, direction: 'Inbound' })).toBeUndefined();
    expect(toProviderMessage({ ...base, type: 'Event' })).toBeUndefined();
  });
});

describe('reading the history', () => {
  it('asks a JWT on the socket and reads the newest page with it, oldest first, agent messages only', async () => {
    const h = setup({ settings: { origin: 'https://shop.example' } });
    const { wire, configure } = await open(h);
    h.pages.push(
      page(
        [
          outbound({ id: 'e1', type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] })[
            'body'
          ] as Frame,
          agentEntity('a2', 'second'),
          inbound('in-1', 'mine'),
          agentEntity('a1', 'first'),
        ],
        { pageSize: 25, pageCount: 1 },
      ),
    );
    const reading = h.adapter.fetchHistory!({ knownIds: new Set() });
    expect(wire.last()).toEqual({
      action: 'getJwt',
      token: configure['token'],
      tracingId: expect.any(String),
    });
    wire.reply(jwtResponse(wire.last()['tracingId'], { jwt: 'eyJ.abc', exp: 1_900_000_000 }));
    const result = await reading;
    expect(result).toEqual({
      messages: [
        {
          id: 'a1',
          text: 'first',
          occurredAt: TIME_MS,
          sender: { kind: 'human', agent: { displayName: 'Alex' } },
        },
        {
          id: 'a2',
          text: 'second',
          occurredAt: TIME_MS,
          sender: { kind: 'human', agent: { displayName: 'Alex' } },
        },
      ],
    });
    expect(h.historyCalls).toEqual([
      {
        url: 'https://api.mypurecloud.ie/api/v2/webmessaging/messages?pageNumber=1&pageSize=25',
        headers: {
          Accept: 'application/json',
          Authorization: 'bearer eyJ.abc',
          Origin: 'https://shop.example',
        },
      },
    ]);
  });

  it('sends no Origin header to the history API unless configured', async () => {
    const h = setup();
    const { wire } = await open(h);
    const reading = h.adapter.fetchHistory!();
    await answerJwt(wire);
    expect(await reading).toEqual({ messages: [] });
    expect(h.historyCalls[0]?.headers).toEqual({
      Accept: 'application/json',
      Authorization: 'bearer eyJ.one',
    });
    expect(Object.keys(h.historyCalls[0]?.headers ?? {})).not.toContain('Origin');
  });

  it('reports an agent disconnect found in the history as the end, with its time', async () => {
    const h = setup();
    const { wire } = await open(h);
    const disconnect = (id: string, time?: string) => ({
      id,
      type: 'Event',
      direction: 'Outbound',
      channel: time ? { time } : {},
      events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
    });
    h.pages.push(
      page([
        disconnect('d1', TIME),
        {
          id: 'j1',
          type: 'Event',
          direction: 'Outbound',
          events: [{ eventType: 'Presence', presence: { type: 'Join' } }],
        },
        {
          id: 'd0',
          type: 'Event',
          direction: 'Inbound',
          events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
        },
        agentEntity('a1', 'bye'),
      ]),
    );
    const reading = h.adapter.fetchHistory!();
    await answerJwt(wire);
    expect(await reading).toEqual({
      messages: [
        {
          id: 'a1',
          text: 'bye',
          occurredAt: TIME_MS,
          sender: { kind: 'human', agent: { displayName: 'Alex' } },
        },
      ],
      ended: { reason: 'agentEnded', by: 'agent', occurredAt: TIME_MS },
    });
    // Reading the history does not end the adapter itself: the session does.
    expect(h.ended()).toEqual([]);
    h.pages.push(page([disconnect('d2')]));
    expect(await h.adapter.fetchHistory!()).toEqual({
      messages: [],
      ended: { reason: 'agentEnded', by: 'agent' },
    });
    // A disconnect among other events of one message counts.
    h.pages.push(
      page([
        {
          id: 'd3',
          type: 'Event',
          direction: 'Outbound',
          events: [{ eventType: 'Typing' }, { eventType: 'Presence', presence: { type: 'Disconnect' } }],
        },
      ]),
    );
    expect((await h.adapter.fetchHistory!()).ended).toEqual({ reason: 'agentEnded', by: 'agent' });
  });

  it('does not take the guest leaving or another presence event in the history for the end', async () => {
    const h = setup();
    const { wire } = await open(h);
    h.pages.push(
      page([
        {
          id: 'g1',
          type: 'Event',
          direction: 'Inbound',
          events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
        },
        {
          id: 'j1',
          type: 'Event',
          direction: 'Outbound',
          events: [{ eventType: 'Presence', presence: { type: 'Join' } }],
        },
        {
          id: 't1',
          type: 'Event',
          direction: 'Outbound',
          events: [{ eventType: 'Typing', presence: { type: 'Disconnect' } }],
        },
      ]),
    );
    const reading = h.adapter.fetchHistory!();
    await answerJwt(wire);
    expect(await reading).toEqual({ messages: [] });
    expect(Object.keys(await h.adapter.fetchHistory!())).toEqual(['messages']);
  });

  it('walks back page by page until a page holds a message the session knows', async () => {
    const h = setup({ settings: { webMessaging: { historyPageSize: 2, historyMaxPages: 5 } } });
    const { wire } = await open(h);
    h.pages.push(
      page([agentEntity('a6', '6'), agentEntity('a5', '5')], { pageCount: 5 }),
      page([agentEntity('a4', '4'), agentEntity('a3', '3')], { pageCount: 5 }),
      page([agentEntity('a2', '2'), agentEntity('a1', '1')], { pageCount: 5 }),
    );
    const reading = h.adapter.fetchHistory!({ knownIds: new Set(['a3']) });
    await answerJwt(wire);
    const result = await reading;
    expect(result.messages.map((m) => m.id)).toEqual(['a3', 'a4', 'a5', 'a6']);
    expect(h.historyCalls.map((c) => new URL(c.url).search)).toEqual([
      '?pageNumber=1&pageSize=2',
      '?pageNumber=2&pageSize=2',
    ]);
    // One JWT serves every page.
    expect(wire.actions().filter((a) => a === 'getJwt')).toHaveLength(1);
  });

  it('stops at a short page, at the last page Genesys counts, and at historyMaxPages', async () => {
    const h = setup({ settings: { webMessaging: { historyPageSize: 2, historyMaxPages: 3 } } });
    const { wire } = await open(h);
    h.pages.push(page([agentEntity('a1', '1')], { pageCount: 9 }), page([agentEntity('x', 'x')]));
    const short = h.adapter.fetchHistory!();
    await answerJwt(wire);
    expect((await short).messages.map((m) => m.id)).toEqual(['a1']);
    expect(h.historyCalls).toHaveLength(1);

    h.pages.length = 0;
    h.pages.push(
      page([agentEntity('b2', '2'), agentEntity('b1', '1')], { pageCount: 1 }),
      page([agentEntity('x', 'x')]),
    );
    expect((await h.adapter.fetchHistory!()).messages.map((m) => m.id)).toEqual(['b1', 'b2']);
    expect(h.historyCalls).toHaveLength(2);

    h.pages.length = 0;
    h.pages.push(
      page([agentEntity('c6', '6'), agentEntity('c5', '5')], { pageCount: '1' }),
      page([agentEntity('c4', '4'), agentEntity('c3', '3')]),
      page([agentEntity('c2', '2'), agentEntity('c1', '1')], { pageCount: 4 }),
      page([agentEntity('c0', '0')]),
    );
    expect((await h.adapter.fetchHistory!()).messages.map((m) => m.id)).toEqual([
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
    ]);
    expect(h.historyCalls).toHaveLength(5);
    expect(h.historyCalls.at(-1)?.url).toContain('pageNumber=3&pageSize=2');
  });

  it('skips history entities that are not messages, and a body that is not an object', async () => {
    const h = setup();
    const { wire } = await open(h);
    h.pages.push({
      entities: [null, 'x', { type: 'Text' }, agentEntity('a1', 'ok'), agentEntity('a0', '')],
      pageCount: 1,
    });
    const reading = h.adapter.fetchHistory!();
    await answerJwt(wire);
    expect((await reading).messages.map((m) => m.id)).toEqual(['a1']);
    h.pages.push(() => new Response('"just text"', { status: 200 }));
    expect(await h.adapter.fetchHistory!()).toEqual({ messages: [] });
    h.pages.push({ entities: 'nope' });
    expect(await h.adapter.fetchHistory!()).toEqual({ messages: [] });
    h.pages.push(() => new Response('null', { status: 200 }));
    expect(await h.adapter.fetchHistory!()).toEqual({ messages: [] });
  });

  it('fails a history page still answered 500 after the retries, as retryable', async () => {
    const h = setup();
    const { wire } = await open(h);
    for (let i = 0; i < 4; i++) h.pages.push(() => new Response('', { status: 500 }));
    const reading = track(h.adapter.fetchHistory!());
    await answerJwt(wire);
    for (let i = 0; i < 20 && !reading.done; i++) {
      await settle();
      h.clock.advance(1000);
    }
    expect((reading.error as BridgeFailure).error).toEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'history request failed with 500',
      retryable: true,
      provider: { code: 500 },
    });
    expect(h.historyCalls).toHaveLength(4);
  });

  it('reuses the JWT until 5 s before its exp, then asks a new one', async () => {
    const h = setup();
    const { wire } = await open(h);
    const exp = (h.clock.now() + 10_000) / 1000;
    const first = h.adapter.fetchHistory!();
    await answerJwt(wire, { jwt: 'eyJ.first', exp });
    await first;
    h.clock.advance(4999);
    await h.adapter.fetchHistory!();
    expect(wire.actions().filter((a) => a === 'getJwt')).toHaveLength(1);
    h.clock.advance(1);
    const third = h.adapter.fetchHistory!();
    await answerJwt(wire, { jwt: 'eyJ.second', exp: exp + 600 });
    await third;
    expect(wire.actions().filter((a) => a === 'getJwt')).toHaveLength(2);
    expect(h.historyCalls.map((c) => c.headers['Authorization'])).toEqual([
      'bearer eyJ.first',
      'bearer eyJ.first',
      'bearer eyJ.second',
    ]);
  });

  it('reuses a JWT without exp for a minute', async () => {
    const h = setup();
    const { wire } = await open(h);
    const first = h.adapter.fetchHistory!();
    await answerJwt(wire, { jwt: 'eyJ.noexp' });
    await first;
    h.clock.advance(54_999);
    await h.adapter.fetchHistory!();
    expect(wire.actions().filter((a) => a === 'getJwt')).toHaveLength(1);
    h.clock.advance(1);
    const again = h.adapter.fetchHistory!();
    await answerJwt(wire);
    await again;
    expect(wire.actions().filter((a) => a === 'getJwt')).toHaveLength(2);
  });

  it('drops a JWT the history API refuses (AUTH_FAILED) and asks a new one next time', async () => {
    const h = setup();
    const { wire } = await open(h);
    h.pages.push(() => new Response('{}', { status: 401 }));
    const refused = track(h.adapter.fetchHistory!());
    await answerJwt(wire);
    await settle();
    expect((refused.error as BridgeFailure).error).toMatchObject({
      code: 'AUTH_FAILED',
      message: 'Genesys refused the guest JWT for the history API',
      provider: { code: 401 },
    });
    const again = h.adapter.fetchHistory!();
    await answerJwt(wire);
    await again;
    expect(wire.actions().filter((a) => a === 'getJwt')).toHaveLength(2);
  });

  it.each([
    [
      404,
      JSON.stringify({ code: 'not.found', message: 'No messages' }),
      {},
      'history request failed with 404: No messages',
      false,
      'not.found',
    ],
    [300, '', {}, 'history request failed with 300', false, 300],
    [429, '', { 'Retry-After': '120' }, 'history request failed with 429', true, 429],
    [501, 'plain', {}, 'history request failed with 501', true, 501],
  ])(
    'fails a history page answered %i as PROVIDER_UNAVAILABLE',
    async (status, body, headers, message, retryable, code) => {
      const h = setup();
      const { wire } = await open(h);
      h.pages.push(() => new Response(body, { status, headers }));
      const reading = track(h.adapter.fetchHistory!());
      await answerJwt(wire);
      await settle();
      expect((reading.error as BridgeFailure).error).toEqual({
        code: 'PROVIDER_UNAVAILABLE',
        message,
        retryable,
        provider: { code },
      });
      expect(h.historyCalls).toHaveLength(1);
    },
  );

  it('fails a history read when getJwt is answered without a JWT', async () => {
    const h = setup();
    const { wire } = await open(h);
    const reading = track(h.adapter.fetchHistory!());
    await settle(2);
    wire.reply(sessionResponse(wire.last()['tracingId']));
    await settle();
    expect((reading.error as BridgeFailure).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys answered getJwt without a JWT',
    });
    // An untraced JwtResponse answers the oldest getJwt; one without a jwt answers nothing.
    const next = track(h.adapter.fetchHistory!());
    await settle(2);
    wire.reply({ type: 'response', class: 'JwtResponse', code: 200, body: { jwt: '' } });
    await settle();
    expect(next.done).toBe(false);
    wire.reply({ type: 'response', class: 'JwtResponse', code: 200, body: { jwt: 'eyJ.u' } });
    await settle(10);
    expect(next.value).toEqual({ messages: [] });
    expect(h.historyCalls.at(-1)?.headers['Authorization']).toBe('bearer eyJ.u');
  });
});

describe('looking up a send whose echo never came', () => {
  it('finds the guest message Genesys holds (text compared trimmed), and claims it once', async () => {
    const h = setup();
    const { wire } = await open(h);
    const history = page(
      [inbound('in-3', '  did it arrive?  '), inbound('in-2', 'did it arrive?'), inbound('in-0', undefined)],
      { pageCount: 1 },
    );
    h.pages.push(history, history, history);
    const found = h.adapter.findSent!(' did it arrive? ');
    await answerJwt(wire);
    // Oldest unclaimed first.
    expect(await found).toEqual({ providerMessageId: 'in-2' });
    expect(await h.adapter.findSent!('did it arrive?')).toEqual({ providerMessageId: 'in-3' });
    expect(await h.adapter.findSent!('did it arrive?')).toBeUndefined();
  });

  it('does not take an agent message, a guest event or a message a confirmed send claimed', async () => {
    const h = setup();
    const { wire } = await open(h);
    const { frame } = await sending(h, 'yes');
    wire.reply(echoOf(frame, 'in-5'));
    await settle();
    h.pages.push(
      page(
        [
          { ...agentEntity('a1', 'yes') },
          { id: 'in-6', type: 'Event', text: 'yes', direction: 'Inbound' },
          inbound('in-5', 'yes'),
        ],
        { pageCount: 1 },
      ),
    );
    const lookup = h.adapter.findSent!('yes');
    await answerJwt(wire);
    expect(await lookup).toBeUndefined();
  });

  it('reads only back to the last message it claimed', async () => {
    const h = setup({ settings: { webMessaging: { historyPageSize: 1, historyMaxPages: 5 } } });
    const { wire } = await open(h);
    const { frame } = await sending(h, 'earlier');
    wire.reply(echoOf(frame, 'in-1'));
    await settle();
    h.pages.push(
      page([inbound('in-2', 'lost?')]),
      page([inbound('in-1', 'earlier')]),
      page([inbound('in-0', 'lost?')]),
    );
    const lookup = h.adapter.findSent!('lost?');
    await answerJwt(wire);
    expect(await lookup).toEqual({ providerMessageId: 'in-2' });
    expect(h.historyCalls).toHaveLength(2);
  });
});

describe('closing', () => {
  const cleared: Frame = { type: 'message', class: 'SessionClearedEvent', code: 200, body: {} };

  it('ends with Presence Clear, waits for SessionClearedEvent, then closes the socket', async () => {
    const h = setup();
    const { wire, configure } = await open(h);
    const closing = track(h.adapter.close('end'));
    const clear = wire.last();
    expect(clear).toEqual({
      action: 'onMessage',
      token: configure['token'],
      tracingId: expect.any(String),
      message: { type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Clear' } }] },
    });
    await settle();
    expect(closing.done).toBe(false);
    expect(wire.closed).toBe(false);
    wire.reply(cleared);
    await settle();
    expect(closing.done).toBe(true);
    expect(wire.closed).toBe(true);
    expect(h.seen).toEqual([]);
    // Closed for good: nothing more is written or reported, and closing again does nothing.
    await h.adapter.close('end');
    wire.reply(agentMessage('late', 'after the end'));
    expect(wire.actions()).toEqual(['configureSession', 'onMessage']);
    expect(h.seen).toEqual([]);
  });

  it('fails what still waits with SESSION_ENDED (not unconfirmed) once closed', async () => {
    const h = setup();
    await open(h);
    const { outcome } = await sending(h, 'in flight');
    await h.adapter.close('detach');
    await settle();
    expect(outcome.error).toBeInstanceOf(BridgeFailure);
    expect(outcome.error).not.toBeInstanceOf(UnconfirmedFailure);
    expect((outcome.error as BridgeFailure).error).toMatchObject({
      code: 'SESSION_ENDED',
      message: 'the session was closed',
    });
  });

  it('detaches without Presence Clear', async () => {
    const h = setup();
    const { wire } = await open(h);
    await h.adapter.close('detach');
    expect(wire.actions()).toEqual(['configureSession']);
    expect(wire.closed).toBe(true);
  });

  it('reports a disabled Conversation Clear (403) and still closes', async () => {
    const h = setup();
    const { wire } = await open(h);
    const closing = h.adapter.close('end');
    wire.reply(
      errorFrame(403, 'Presence events Conversation Clear are not supported', wire.last()['tracingId']),
    );
    await closing;
    expect(h.errors()).toEqual([
      {
        code: 'FORBIDDEN',
        message:
          'Conversation Clear is not enabled on this Messenger deployment: the bridge detached and the Genesys conversation stays open until the agent ends it',
        retryable: false,
        provider: { code: 403, body: 'Presence events Conversation Clear are not supported' },
        correctiveAction:
          'Enable Conversation Clear in the Messenger configuration, or set webMessaging.endMode to "detach"',
      },
    ]);
    expect(wire.closed).toBe(true);
  });

  it('reports other refusals of Presence Clear as they are', async () => {
    const h = setup();
    const { wire } = await open(h);
    const closing = h.adapter.close('end');
    wire.reply(errorFrame(4020, 'bad event', wire.last()['tracingId']));
    await closing;
    expect(h.errors()).toMatchObject([{ code: 'INVALID_REQUEST', message: 'bad event' }]);
  });

  it('gives up on an unconfirmed Presence Clear after sendMs with TIMEOUT', async () => {
    const h = setup();
    const { wire } = await open(h);
    const closing = track(h.adapter.close('end'));
    h.clock.advance(3999);
    await settle();
    expect(closing.done).toBe(false);
    h.clock.advance(1);
    await settle();
    expect(closing.done).toBe(true);
    expect(h.errors()).toEqual([
      { code: 'TIMEOUT', message: 'Genesys did not confirm Presence Clear', retryable: false },
    ]);
    expect(wire.closed).toBe(true);
  });

  it('does not resend a Presence Clear refused for the rate unless patient', async () => {
    const h = setup();
    const { wire } = await open(h);
    const closing = h.adapter.close('end');
    wire.reply(tooMany({ retryAfter: 1 }, wire.last()['tracingId']));
    await closing;
    expect(wire.actions().filter((a) => a === 'onMessage')).toHaveLength(1);
    expect(h.errors()).toMatchObject([{ code: 'RATE_LIMITED' }]);
  });

  it('patiently sends Presence Clear again after the pause Genesys asks (1 s by default, 2 s at most), three times', async () => {
    const h = setup();
    const { wire } = await open(h);
    const closing = track(h.adapter.close('end', { patient: true }));
    const clears = () => wire.sent.filter((f) => f['action'] === 'onMessage');
    const refuse = async (body: Frame, pause: number) => {
      const count = clears().length;
      wire.reply(tooMany(body, wire.last()['tracingId']));
      await settle();
      h.clock.advance(pause - 1);
      await settle();
      expect(clears()).toHaveLength(count);
      h.clock.advance(1);
      await settle();
      expect(clears()).toHaveLength(count + 1);
    };
    await refuse({ retryAfter: 1.5 }, 1500);
    await refuse({ retryAfter: 30 }, 2000);
    await refuse({}, 1000);
    wire.reply(tooMany({ retryAfter: 1 }, wire.last()['tracingId']));
    await settle();
    expect(closing.done).toBe(true);
    expect(clears()).toHaveLength(4);
    expect(h.errors()).toMatchObject([{ code: 'RATE_LIMITED' }]);
  });

  it('waits up to sendMs plus the capped pauses for a patient Presence Clear', async () => {
    const h = setup();
    const { wire } = await open(h);
    const closing = track(h.adapter.close('end', { patient: true }));
    h.clock.advance(9999);
    await settle();
    expect(closing.done).toBe(false);
    h.clock.advance(1);
    await settle();
    expect(closing.done).toBe(true);
    expect(h.errors()).toMatchObject([{ code: 'TIMEOUT' }]);
    expect(wire.closed).toBe(true);
  });

  it('stops resending Presence Clear once the conversation ended meanwhile', async () => {
    const h = setup();
    const { wire } = await open(h);
    const closing = h.adapter.close('end', { patient: true });
    const clear = wire.last();
    wire.reply({ type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    wire.reply(tooMany({ retryAfter: 1 }, clear['tracingId']));
    await closing;
    expect(wire.actions().filter((a) => a === 'onMessage')).toHaveLength(1);
  });

  it('sends no Presence Clear when the conversation already ended or the socket is down', async () => {
    const h = setup();
    const { wire } = await open(h);
    wire.reply({ type: 'message', class: 'LogoutEvent', code: 200, body: {} });
    await h.adapter.close('end');
    expect(wire.actions()).toEqual(['configureSession']);
    expect(wire.closed).toBe(true);

    const h2 = setup();
    const { wire: wire2 } = await open(h2);
    drop(wire2);
    await h2.adapter.close('end');
    expect(wire2.actions()).toEqual(['configureSession']);
    // Closed while reconnecting: it never reconnects.
    h2.clock.advance(60_000);
    await settle();
    expect(h2.wires).toHaveLength(1);
    expect(h2.errors()).toEqual([]);
  });

  it('answers a Presence Clear confirmation only to the clear, not to a send waiting beside it', async () => {
    const h = setup();
    const { wire } = await open(h);
    const { outcome } = await sending(h, 'last words');
    const closing = track(h.adapter.close('end'));
    wire.reply(cleared);
    await settle();
    expect(closing.done).toBe(true);
    expect(codeOf(outcome.error)).toBe('SESSION_ENDED');
    expect(h.ended()).toEqual([]);
  });
});

describe('reconnecting after a drop', () => {
  it('fails what waited (a send as unconfirmed), reconnects after the backoff with the same token, and is online again', async () => {
    const h = setup({ settings: { origin: 'https://shop.example' } });
    const { wire, configure } = await open(h);
    const message = await sending(h, 'maybe arrived');
    const typing = track(h.adapter.sendTyping());
    drop(wire);
    await settle();
    expect(message.outcome.error).toBeInstanceOf(UnconfirmedFailure);
    expect((message.outcome.error as BridgeFailure).error).toEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'the Web Messaging connection dropped before Genesys confirmed',
      retryable: true,
    });
    expect(typing.error).toBeInstanceOf(BridgeFailure);
    expect(typing.error).not.toBeInstanceOf(UnconfirmedFailure);
    expect(h.connectivity()).toEqual(['reconnecting']);
    h.clock.advance(999);
    await settle();
    expect(h.wires).toHaveLength(1);
    const again = await reconnect(h, { newSession: false }, 1);
    expect(again.sent[0]).toEqual({
      action: 'configureSession',
      token: configure['token'],
      deploymentId: DEPLOYMENT,
      startNew: false,
      tracingId: expect.any(String),
    });
    expect(again.headers).toEqual({ Origin: 'https://shop.example' });
    expect(h.connectivity()).toEqual(['reconnecting', 'online']);
    expect(h.ended()).toEqual([]);
    const next = await sending(h, 'after');
    again.reply(echoOf(next.frame, 'in-9'));
    await settle();
    expect(next.outcome.value).toEqual({ providerMessageId: 'in-9' });
  });

  it('applies jitter: with the lowest draw the first retry comes after half the initial delay', async () => {
    const h = setup({ random: 0 });
    const { wire } = await open(h);
    drop(wire);
    h.clock.advance(499);
    await settle();
    expect(h.wires).toHaveLength(1);
    await reconnect(h, { newSession: false }, 1);
    expect(h.connectivity()).toEqual(['reconnecting', 'online']);
  });

  it('backs off exponentially up to the maximum and gives up after reconnectWindowMs with RECONNECT_EXHAUSTED', async () => {
    const h = setup();
    const { wire } = await open(h);
    h.control.refuse = true;
    drop(wire);
    const times: number[] = [];
    const start = h.clock.now();
    for (let i = 0; i < 25; i++) {
      const before = h.wires.length;
      h.clock.advance(1000);
      await settle();
      if (h.wires.length > before) times.push(h.clock.now() - start);
    }
    expect(times).toEqual([1000, 3000, 7000, 11_000, 15_000, 19_000]);
    expect(h.ended()).toEqual([
      {
        reason: 'error',
        by: 'system',
        error: {
          code: 'RECONNECT_EXHAUSTED',
          message: 'could not reconnect to Genesys Web Messaging within 20000 ms',
          retryable: false,
        },
      },
    ]);
    expect(h.connectivity()).toEqual(['reconnecting']);
  });

  it('reports reconnecting once even when the new socket drops before it is configured', async () => {
    const h = setup();
    const { wire } = await open(h);
    drop(wire);
    h.clock.advance(1000);
    await settle();
    drop(h.wire());
    await settle();
    expect(h.connectivity()).toEqual(['reconnecting']);
    await reconnect(h, { newSession: false }, 2000);
    expect(h.connectivity()).toEqual(['reconnecting', 'online']);
  });

  it.each([
    ['a new session', { newSession: true }],
    ['an unconnected session', { connected: false }],
  ])('ends with SESSION_EXPIRED when the reconnect finds %s', async (_name, body) => {
    const h = setup();
    const { wire } = await open(h);
    drop(wire);
    await reconnect(h, { newSession: false, ...body });
    expect(h.ended()).toEqual([
      {
        reason: 'sessionExpired',
        by: 'system',
        error: {
          code: 'SESSION_EXPIRED',
          message: 'Genesys no longer knows the guest session (it answered with a new session)',
          retryable: false,
        },
      },
    ]);
    expect(h.connectivity()).toEqual(['reconnecting']);
  });

  it('reports nothing more when the conversation ended in the same breath as the reconnect', async () => {
    const h = setup({ settings: { webMessaging: { heartbeatMs: 1000 } } });
    const { wire } = await open(h);
    drop(wire);
    h.clock.advance(1000);
    await settle();
    const again = h.wire();
    again.handlers.open();
    // Both frames arrive in one read: the end is handled before the reconnect settles.
    again.reply(sessionResponse(again.last()['tracingId'], { newSession: false }));
    again.reply({ type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    await settle();
    expect(h.seen.map((s) => s.kind)).toEqual(['connectivity', 'ended']);
    h.clock.advance(5000);
    expect(again.actions()).toEqual(['configureSession']);
  });

  it('reports a read-only reconnect online, ends read-only, and can still read the history', async () => {
    const h = setup();
    const { wire } = await open(h);
    drop(wire);
    const again = await reconnect(h, { newSession: false, readOnly: true });
    expect(h.connectivity()).toEqual(['reconnecting', 'online']);
    expect(h.ended()).toEqual([{ reason: 'readOnly', by: 'system' }]);
    h.pages.push(page([agentEntity('a9', 'sorry, I have to go')], { pageCount: 1 }));
    const reading = h.adapter.fetchHistory!();
    await answerJwt(again);
    expect((await reading).messages.map((m) => m.id)).toEqual(['a9']);
  });

  it('does not reconnect a socket that drops before open() succeeded', async () => {
    const h = setup({ settings: { timeouts: { connectMs: 1000 } } });
    const opening = track(h.adapter.open({ customer: { id: 'c' }, attributes: {} }));
    h.wire().handlers.open();
    drop(h.wire());
    await settle();
    expect(opening.done).toBe(true);
    h.clock.advance(10_000);
    await settle();
    expect(h.wires).toHaveLength(1);
    expect(h.connectivity()).toEqual([]);
  });
});

describe('the echo health check', () => {
  it('sends an echo every heartbeatMs and drops a socket whose echo went unanswered', async () => {
    const h = setup({ settings: { webMessaging: { heartbeatMs: 30_000 } } });
    const { wire, configure } = await open(h);
    h.clock.advance(29_999);
    expect(wire.actions()).toEqual(['configureSession']);
    h.clock.advance(1);
    const ping = wire.last();
    expect(ping).toEqual({
      action: 'echo',
      token: configure['token'],
      tracingId: expect.any(String),
      message: { type: 'Text', text: 'ping' },
    });
    wire.reply({
      type: 'response',
      class: 'StructuredMessage',
      code: 200,
      tracingId: ping['tracingId'],
      body: { id: 'e', type: 'Text', direction: 'Inbound', text: 'ping' },
    });
    await settle();
    h.clock.advance(30_000);
    expect(wire.actions()).toEqual(['configureSession', 'echo', 'echo']);
    expect(wire.terminated).toBe(false);
    expect(h.connectivity()).toEqual([]);
    h.clock.advance(30_000);
    await settle();
    expect(wire.terminated).toBe(true);
    expect(h.connectivity()).toEqual(['reconnecting']);
    // What the dead socket still delivers is ignored.
    wire.reply(agentMessage('late', 'from the dead socket'));
    drop(wire);
    expect(h.messages()).toEqual([]);
    // Reconnected: the health check runs again on the new socket.
    const again = await reconnect(h);
    h.clock.advance(30_000);
    expect(again.actions()).toEqual(['configureSession', 'echo']);
  });

  it('sends no echo when heartbeatMs is 0', async () => {
    const h = setup();
    const { wire } = await open(h);
    h.clock.advance(600_000);
    expect(wire.actions()).toEqual(['configureSession']);
  });

  it('stops the health check when the conversation ends', async () => {
    const h = setup({ settings: { webMessaging: { heartbeatMs: 1000 } } });
    const { wire } = await open(h);
    wire.reply({ type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    h.clock.advance(5000);
    expect(wire.actions()).toEqual(['configureSession']);
  });
});

describe('resuming a session another process opened', () => {
  const resumeWith = (
    h: Harness,
    state: unknown,
    context = { sentProviderIds: [] as string[], anythingSent: true },
  ) => track(h.adapter.resume!(state as never, context));

  it.each([[null], [[]], ['tok'], [{}], [{ token: '' }], [{ token: 7 }]])(
    'refuses a stored state %j without a token',
    async (state) => {
      const h = setup();
      const resuming = resumeWith(h, state);
      await settle();
      expect((resuming.error as BridgeFailure).error).toMatchObject({
        code: 'SESSION_NOT_FOUND',
        message: 'the stored session has no Web Messaging guest token to resume with',
      });
      expect(h.wires).toHaveLength(0);
    },
  );

  it('configures the stored token and reports the budget', async () => {
    const h = setup({ settings: { webMessaging: { heartbeatMs: 1000 } } });
    const resuming = resumeWith(h, { token: 'tok-9' });
    const wire = h.wire();
    wire.handlers.open();
    expect(wire.last()).toMatchObject({ action: 'configureSession', token: 'tok-9', startNew: false });
    wire.reply(sessionResponse(wire.last()['tracingId'], { newSession: false, maxCustomDataBytes: 999 }));
    await settle();
    expect(resuming.value).toEqual({ maxCustomDataBytes: 999 });
    expect(h.adapter.token).toBe('tok-9');
    expect(h.adapter.resumeState?.()).toEqual({ token: 'tok-9' });
    h.clock.advance(1000);
    expect(wire.actions()).toEqual(['configureSession', 'echo']);
    expect(h.seen).toEqual([]);
  });

  it('accepts a new session when nothing was sent yet, without a budget it was not given', async () => {
    const h = setup();
    const resuming = resumeWith(h, { token: 'tok' }, { sentProviderIds: [], anythingSent: false });
    h.wire().handlers.open();
    h.wire().reply(sessionResponse(h.wire().last()['tracingId'], { maxCustomDataBytes: undefined }));
    await settle();
    expect(resuming.value).toEqual({});
  });

  it('fails with SESSION_EXPIRED when Genesys answers a new session after messages were sent', async () => {
    const h = setup();
    const resuming = resumeWith(h, { token: 'tok' });
    h.wire().handlers.open();
    h.wire().reply(sessionResponse(h.wire().last()['tracingId'], { newSession: true }));
    await settle();
    expect((resuming.error as BridgeFailure).error).toMatchObject({
      code: 'SESSION_EXPIRED',
      message: 'Genesys no longer knows the guest session (it answered with a new session)',
    });
    expect(h.wire().closed).toBe(true);
  });

  it('fails retryably when the session is not connected', async () => {
    const h = setup();
    const resuming = resumeWith(h, { token: 'tok' });
    h.wire().handlers.open();
    h.wire().reply(sessionResponse(h.wire().last()['tracingId'], { newSession: false, connected: false }));
    await settle();
    expect((resuming.error as BridgeFailure).error).toEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Genesys did not connect the guest session',
      retryable: true,
    });
    expect(h.wire().closed).toBe(true);
  });

  it('reports a read-only session online, then ends it read-only', async () => {
    const h = setup({ settings: { webMessaging: { heartbeatMs: 1000 } } });
    const resuming = resumeWith(h, { token: 'tok' });
    h.wire().handlers.open();
    h.wire().reply(
      sessionResponse(h.wire().last()['tracingId'], { newSession: false, connected: false, readOnly: true }),
    );
    await settle();
    expect(resuming.value).toEqual({ maxCustomDataBytes: 2048 });
    expect(h.seen).toEqual([
      { kind: 'connectivity', state: 'online' },
      { kind: 'ended', end: { reason: 'readOnly', by: 'system' } },
    ]);
    h.clock.advance(5000);
    expect(h.wire().actions()).toEqual(['configureSession']);
  });

  it('keeps trying for reconnectWindowMs even when connectMs is shorter', async () => {
    const h = setup({ settings: { timeouts: { connectMs: 1000 } } });
    h.control.refuse = true;
    const resuming = resumeWith(h, { token: 'tok' });
    await settle();
    h.clock.advance(1000);
    await settle();
    expect(h.wires).toHaveLength(2);
    expect(resuming.done).toBe(false);
  });

  it('does not claim again the messages the first process confirmed', async () => {
    const h = setup();
    const resuming = resumeWith(h, { token: 'tok' }, { sentProviderIds: ['in-1'], anythingSent: true });
    const wire = h.wire();
    wire.handlers.open();
    wire.reply(sessionResponse(wire.last()['tracingId'], { newSession: false }));
    await settle();
    expect(resuming.done).toBe(true);
    h.pages.push(page([inbound('in-1', 'same text')], { pageCount: 1 }));
    const lookup = h.adapter.findSent!('same text');
    await answerJwt(wire);
    expect(await lookup).toBeUndefined();
  });
});

describe('reconnect pacing', () => {
  const timings = { reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 500, reconnectWindowMs: 300 };

  it('doubles from the initial delay up to the maximum, with jitter between half and all of it', () => {
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, timings, () => 1))).toEqual([100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, timings, () => 0))).toEqual([50, 100, 200, 250]);
    expect(backoffDelay(0, timings, () => 0.5)).toBe(75);
    expect(backoffDelay(1, { ...timings, reconnectInitialDelayMs: 101 }, () => 0)).toBe(101);
  });

  function pacing(outcomes: ('fail' | 'ok' | 'hang')[], windowMs = 300) {
    const clock = new ManualClock();
    const start = clock.now();
    const attempts: number[] = [];
    const gaveUp: number[] = [];
    const hanging: ((ok: boolean) => void)[] = [];
    const reconnector = new Reconnector(
      clock,
      { ...timings, reconnectWindowMs: windowMs },
      () => 1,
      () => {
        attempts.push(clock.now() - start);
        const outcome = outcomes.shift() ?? 'fail';
        if (outcome === 'hang')
          return new Promise<void>((resolve, reject) =>
            hanging.push((ok) => (ok ? resolve() : reject(new Error('no')))),
          );
        return outcome === 'ok' ? Promise.resolve() : Promise.reject(new Error('refused'));
      },
      () => gaveUp.push(clock.now() - start),
    );
    const run = async (ms: number, step = 50) => {
      for (let t = 0; t < ms; t += step) {
        clock.advance(step);
        await settle(2);
      }
    };
    return { clock, reconnector, attempts, gaveUp, hanging, run };
  }

  it('tries while the next attempt still starts within the window, then gives up once', async () => {
    const p = pacing([]);
    p.reconnector.start();
    expect(p.reconnector.active).toBe(true);
    await p.run(1000);
    // 100 ms, then 100 + 200 = 300 ms (not past the window); the next would start at 700 ms.
    expect(p.attempts).toEqual([100, 300]);
    expect(p.gaveUp).toEqual([300]);
    expect(p.reconnector.active).toBe(false);
  });

  it('gives up at once when even the first attempt would start after the window', async () => {
    const p = pacing([], 99);
    p.reconnector.start();
    expect(p.gaveUp).toEqual([0]);
    expect(p.reconnector.active).toBe(false);
    await p.run(500);
    expect(p.attempts).toEqual([]);
  });

  it('stops after an attempt succeeds', async () => {
    const p = pacing(['fail', 'ok'], 10_000);
    p.reconnector.start();
    await p.run(2000);
    expect(p.attempts).toEqual([100, 300]);
    expect(p.reconnector.active).toBe(false);
    expect(p.gaveUp).toEqual([]);
  });

  it('runs one sequence at a time, and starts afresh after stop', async () => {
    const p = pacing(['hang'], 10_000);
    p.reconnector.start();
    p.reconnector.start();
    await p.run(100);
    expect(p.attempts).toEqual([100]);
    // Stopped while the attempt runs: its failure schedules nothing.
    p.reconnector.stop();
    p.hanging[0]?.(false);
    await p.run(2000);
    expect(p.attempts).toEqual([100]);
    expect(p.reconnector.active).toBe(false);
    p.reconnector.start();
    await p.run(100);
    expect(p.attempts).toEqual([100, 2200]);
  });

  it('cancels the pending attempt on stop', async () => {
    const p = pacing([], 10_000);
    p.reconnector.start();
    await p.run(50);
    p.reconnector.stop();
    await p.run(1000);
    expect(p.attempts).toEqual([]);
    expect(p.gaveUp).toEqual([]);
  });
});

describe('the ws transport', () => {
  let server: WebSocketServer | undefined;

  afterEach(async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    for (const client of closing.clients) client.terminate();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  });

  async function listen(refuseWith?: number) {
    const created = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, done) => (refuseWith ? done(false, refuseWith) : done(true)),
    });
    server = created;
    await new Promise<void>((resolve) => created.on('listening', () => resolve()));
    return `ws://127.0.0.1:${(created.address() as AddressInfo).port}/v1`;
  }

  function recorder() {
    const log: unknown[][] = [];
    const waiters: { test: (entry: unknown[]) => boolean; resolve: (entry: unknown[]) => void }[] = [];
    const push = (entry: unknown[]) => {
      log.push(entry);
      for (const w of [...waiters])
        if (w.test(entry)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
    };
    const handlers: SocketHandlers = {
      open: () => push(['open']),
      message: (text) => push(['message', text]),
      close: (code, reason) => push(['close', code, reason]),
      error: (error) => push(['error', error.message, error.status]),
    };
    const next = (kind: string) =>
      new Promise<unknown[]>((resolve) => {
        const found = log.find((e) => e[0] === kind);
        if (found) resolve(found);
        else waiters.push({ test: (e) => e[0] === kind, resolve });
      });
    return { log, handlers, next };
  }

  it('connects with the given headers, passes text frames only, and closes with 1000', async () => {
    const url = await listen();
    const connected = new Promise<{ socket: import('ws').WebSocket; origin: string | undefined }>((resolve) =>
      server?.on('connection', (socket, request) => resolve({ socket, origin: request.headers.origin })),
    );
    const r = recorder();
    const socket = wsSocketFactory(url, { Origin: 'https://shop.example' }, r.handlers);
    await r.next('open');
    const { socket: peer, origin } = await connected;
    expect(origin).toBe('https://shop.example');
    const received = new Promise<string>((resolve) => peer.on('message', (data) => resolve(data.toString())));
    socket.send('{"action":"echo"}');
    expect(await received).toBe('{"action":"echo"}');
    peer.send(Buffer.from('binary'), { binary: true });
    peer.send('text');
    await r.next('message');
    expect(r.log.filter((e) => e[0] === 'message')).toEqual([['message', 'text']]);
    const peerClosed = new Promise<number>((resolve) => peer.on('close', (code) => resolve(code)));
    socket.close();
    expect(await peerClosed).toBe(1000);
    expect(await r.next('close')).toEqual(['close', 1000, '']);
  });

  it('reports the peer close code and reason, and a terminate as an abnormal close', async () => {
    const url = await listen();
    const connected = new Promise<import('ws').WebSocket>((resolve) => server?.on('connection', resolve));
    const r = recorder();
    wsSocketFactory(url, {}, r.handlers);
    (await connected).close(4001, 'bye');
    expect(await r.next('close')).toEqual(['close', 4001, 'bye']);

    const again = new Promise<import('ws').WebSocket>((resolve) => server?.once('connection', resolve));
    const r2 = recorder();
    const socket = wsSocketFactory(url, {}, r2.handlers);
    const peer = await again;
    const peerClosed = new Promise<number>((resolve) => peer.on('close', (code) => resolve(code)));
    socket.terminate();
    expect(await peerClosed).toBe(1006);
  });

  it('reports a refused upgrade with its HTTP status', async () => {
    const url = await listen(403);
    const r = recorder();
    wsSocketFactory(url, {}, r.handlers);
    expect(await r.next('error')).toEqual(['error', 'Unexpected server response: 403', 403]);
  });

  it('reports a connection failure without a status', async () => {
    const url = await listen();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const r = recorder();
    wsSocketFactory(url, {}, r.handlers);
    const [, message, status] = await r.next('error');
    expect(message).toMatch(/ECONNREFUSED/);
    expect(status).toBeUndefined();
  });
});
