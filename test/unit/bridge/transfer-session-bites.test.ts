import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../../bridge/config.ts';
import { BridgeFailure, bridgeError } from '../../../bridge/errors.ts';
import type {
  AdapterOpenResult,
  AdapterResumeContext,
  ProviderMessage,
  SendResult,
} from '../../../bridge/session/channel-adapter.ts';
import type { SessionResume } from '../../../bridge/session/session-resume.ts';
import { planTransfer } from '../../../bridge/session/transfer-plan.ts';
import { parseStartTransferRequest } from '../../../bridge/session/transfer-request.ts';
import { type StartOutcome, TransferSession } from '../../../bridge/session/transfer-session.ts';
import type { BridgeEvent, JsonValue, SessionSnapshot } from '../../../bridge/types.ts';
import {
  agentText,
  FakeAdapter,
  failureOf,
  fakeBridge,
  settle,
  transfer,
  webChatConfig,
  webMessagingConfig,
} from './fake-adapter.ts';

/**
 * Behaviours of the transfer session (bridge/session/transfer-session.ts) that the other session tests
 * leave open: what the bot sees (state, events, errors, start outcomes), what goes to the Genesys channel
 * and when, and what a session taken over from another instance does. All on a manual clock.
 */

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const forbidden = (message = 'refused') => new BridgeFailure(bridgeError('FORBIDDEN', message));
const iso = (ms: number) => new Date(ms).toISOString();

/** fakeBridge with the session's helpers defaulting to the first session. */
function bridge(config: unknown = webMessagingConfig(), setup: (adapter: FakeAdapter) => void = () => {}) {
  const fake = fakeBridge(config, setup);
  const session = (id = 's1') => fake.registry.require(id);
  const events = (id = 's1') => session(id).log.read();
  const types = (id = 's1') => events(id).map((e) => e.type);
  return { ...fake, session, events, types };
}

function statuses(events: BridgeEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === 'message.status'
      ? [
          `${e.clientMessageId} ${e.status}${e.providerMessageId ? ` ${e.providerMessageId}` : ''}${e.error ? ` ${e.error.code}` : ''}`,
        ]
      : [],
  );
}

const texts = (adapter: FakeAdapter) => adapter.sent.map((m) => m.text);

// ──────────────────────────────────────────────────────────────────────────────────────── opening

describe('opening the Genesys conversation', () => {
  it('opens Web Messaging with the customer and queue but no participant data (that rides on the first message)', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer());
    expect(b.adapter().opens).toEqual([
      { customer: { id: 'c-1', displayName: 'Jane' }, queueName: 'Support', attributes: {} },
    ]);
  });

  it('accepts a Web Messaging transfer only once Genesys confirmed the first opening text', async () => {
    const b = bridge(webMessagingConfig(), (a) => {
      a.autoSend = false;
    });
    let outcome: { state: string } | undefined;
    const pending = b.registry.startTransfer(transfer({ initialMessage: 'hi' })).then((r) => {
      outcome = r;
    });
    await settle();
    expect(b.adapter().pending.map((p) => p.message.text)).toEqual(['hi']);
    expect(outcome).toBeUndefined();
    expect(b.session().state).toBe('connecting');
    expect(b.types()).toEqual([]);
    b.adapter().pending.shift()?.resolve({ providerMessageId: 'g-1' });
    await pending;
    expect(outcome?.state).toBe('queued');
    expect(b.types()).toEqual(['transfer.accepted']);
  });

  it('accepts a WebChat transfer when the chat is open, naming the Genesys conversation', async () => {
    const b = bridge(webChatConfig(), (a) => {
      a.openResult = { conversationId: 'conv-7' };
    });
    const result = await b.registry.startTransfer(transfer());
    expect(result.state).toBe('queued');
    expect(b.events()[0]).toMatchObject({
      type: 'transfer.accepted',
      source: 'guestApi',
      providerRef: { conversationId: 'conv-7' },
    });
    expect(b.session().snapshot().provider).toEqual({ conversationId: 'conv-7' });
  });

  it('sends the participant data with the first opening text only', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer({ summary: 'Invoice dispute', initialMessage: 'hi' }));
    await settle();
    expect(b.adapter().sent).toEqual([
      { text: 'Summary: Invoice dispute', attributes: { QueueName: 'Support' } },
      { text: 'hi' },
    ]);
  });

  it('uses the smaller budget Genesys announces, dropping optional keys and reporting it', async () => {
    const b = bridge(webMessagingConfig({ metadata: { onOversize: 'dropOptional' } }), (a) => {
      a.openResult = { maxCustomDataBytes: 100 };
    });
    const result = await b.registry.startTransfer(
      transfer({ metadata: { notes: 'x'.repeat(200), tier: 'gold' } }),
    );
    expect(result.state).toBe('queued');
    expect(b.adapter().sent[0]?.attributes).toEqual({ tier: 'gold', QueueName: 'Support' });
    expect(result.metadata).toMatchObject({
      budgetBytes: 100,
      dropped: [{ key: 'notes', reason: 'oversize' }],
    });
  });

  it('fails with QUEUE_FULL when the opening texts do not fit the send queue, sending nothing', async () => {
    const b = bridge(webMessagingConfig({ limits: { outboundQueueMax: 1 } }));
    const result = await b.registry.startTransfer(transfer({ summary: 'Invoice', initialMessage: 'hi' }));
    await settle();
    expect(result).toMatchObject({ state: 'failed', error: { code: 'QUEUE_FULL' } });
    expect(b.adapter().sent).toEqual([]);
  });

  it('fails the transfer with the error Genesys gives the first opening text, and leaves the conversation', async () => {
    const b = bridge(webMessagingConfig(), (a) => {
      a.autoSend = false;
    });
    const pending = b.registry.startTransfer(transfer());
    await settle();
    b.adapter().pending.shift()?.reject(forbidden('deployment refuses'));
    const result = await pending;
    expect(result).toMatchObject({ state: 'failed', error: { code: 'FORBIDDEN' } });
    expect(b.events().at(-1)).toMatchObject({
      type: 'session.ended',
      reason: 'transferFailed',
      by: 'system',
    });
    // A message went out, so a Genesys conversation may exist: it is left, not just dropped.
    expect(b.adapter().closes).toEqual(['end']);
  });

  it('reports a later opening text Genesys refuses as an error, and the transfer goes on', async () => {
    const b = bridge(webMessagingConfig(), (a) => {
      a.autoSend = false;
    });
    const pending = b.registry.startTransfer(transfer({ summary: 'Invoice', initialMessage: 'hi' }));
    await settle();
    b.adapter().pending.shift()?.resolve({ providerMessageId: 'g-1' });
    expect((await pending).state).toBe('queued');
    await settle();
    b.adapter().pending.shift()?.reject(forbidden('text refused'));
    await settle();
    expect(b.types()).toEqual(['transfer.accepted', 'error']);
    expect(b.events()[1]).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(b.session().ended).toBe(false);
  });

  it('fails after connectMs with a retryable TIMEOUT, and leaves a WebChat it may have created', async () => {
    const b = bridge(webChatConfig({ timeouts: { connectMs: 5000 } }), (a) => {
      a.openResult = 'hang';
    });
    let outcome: { state: string; error?: unknown } | undefined;
    const pending = b.registry.startTransfer(transfer()).then((r) => {
      outcome = r;
    });
    b.clock.advance(4999);
    await settle();
    expect(outcome).toBeUndefined();
    b.clock.advance(1);
    await pending;
    expect(outcome).toMatchObject({
      state: 'failed',
      error: { code: 'TIMEOUT', retryable: true, message: expect.stringContaining('5000 ms') },
    });
    expect(b.adapter().closes).toEqual(['end']);
  });

  it('does not run the idle timeout before Genesys accepted the transfer', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { idleMs: 1000, connectMs: 5000 } }), (a) => {
      a.openResult = 'hang';
    });
    const pending = b.registry.startTransfer(transfer());
    expect(b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'hello?' }).status).toBe(
      'queued',
    );
    b.clock.advance(4999);
    await settle();
    expect(b.session().ended).toBe(false);
    b.clock.advance(1);
    expect(await pending).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT' } });
    expect(b.events().at(-1)).toMatchObject({ type: 'session.ended', reason: 'transferFailed' });
  });

  it('ignores connectivity reports made before the conversation is open', async () => {
    const open = deferred<AdapterOpenResult>();
    const b = bridge(webChatConfig(), (a) => {
      a.open = () => open.promise;
    });
    const pending = b.registry.startTransfer(transfer());
    b.adapter().events.connectivity('reconnecting');
    open.resolve({});
    await pending;
    expect(b.types()).toEqual(['transfer.accepted']);
    expect(b.session().snapshot().connectivity).toBe('online');
  });
});

describe('a retried start (same idempotency key)', () => {
  it('opens Genesys once for two concurrent starts', async () => {
    const b = bridge();
    const [first, second] = await Promise.all([
      b.registry.startTransfer(transfer()),
      b.registry.startTransfer(transfer()),
    ]);
    expect([first.state, second.state]).toEqual(['queued', 'queued']);
    expect(b.adapter().opens).toHaveLength(1);
  });

  it('returns the same failure after a failed start, without opening again', async () => {
    const b = bridge(webMessagingConfig(), (a) => {
      a.openResult = forbidden('deployment refused');
    });
    const first = await b.registry.startTransfer(transfer());
    const again = await b.registry.startTransfer(transfer());
    expect(first).toMatchObject({ state: 'failed', error: { code: 'FORBIDDEN' } });
    expect(again).toMatchObject({ state: 'failed', created: false, error: { code: 'FORBIDDEN' } });
    expect(b.adapter().opens).toHaveLength(1);
  });

  it('answers with the current state once accepted, and with no error when an accepted session ended in error', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.adapter().events.message(agentText('g1', 'Hi'));
    const retried = await b.registry.startTransfer(transfer());
    expect(retried).toMatchObject({ state: 'agentActive', created: false });
    expect(retried.error).toBeUndefined();
    b.adapter().events.ended({
      reason: 'error',
      by: 'system',
      error: bridgeError('PROVIDER_UNAVAILABLE', 'Genesys closed the socket'),
    });
    const afterEnd = await b.registry.startTransfer(transfer());
    expect(afterEnd.state).toBe('ended');
    expect(afterEnd.error).toBeUndefined();
    expect(b.adapter().opens).toHaveLength(1);
  });
});

describe('the bot ending the session while Genesys is still opening it', () => {
  it('owns the end when the open answers late: nothing is sent, no transfer.accepted', async () => {
    const open = deferred<AdapterOpenResult>();
    const leave = deferred<void>();
    const b = bridge(webMessagingConfig(), (a) => {
      a.open = () => open.promise;
      a.close = (mode) => {
        a.closes.push(mode);
        return leave.promise;
      };
    });
    const starting = b.registry.startTransfer(transfer({ initialMessage: 'hi' }));
    const ending = b.session().end('botEnded');
    open.resolve({});
    await settle();
    expect(b.adapter().sent).toEqual([]);
    leave.resolve();
    await ending;
    expect(await starting).toMatchObject({ state: 'ended' });
    expect(b.types()).toEqual(['session.ended']);
    expect(b.events().at(-1)).toMatchObject({ reason: 'botEnded', by: 'bot' });
  });

  it('owns the end when the open then fails: no transferFailed', async () => {
    const open = deferred<AdapterOpenResult>();
    const leave = deferred<void>();
    const b = bridge(webMessagingConfig(), (a) => {
      a.open = () => open.promise;
      a.close = (mode) => {
        a.closes.push(mode);
        return leave.promise;
      };
    });
    const starting = b.registry.startTransfer(transfer());
    const ending = b.session().end('botEnded');
    open.reject(forbidden('too late'));
    await settle();
    leave.resolve();
    await ending;
    const outcome = await starting;
    expect(outcome.state).toBe('ended');
    expect(outcome.error).toBeUndefined();
    expect(b.types()).toEqual(['session.ended']);
    expect(b.events().at(-1)).toMatchObject({ reason: 'botEnded' });
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────── customer → Genesys

describe('customer messages', () => {
  it('accepts exactly maxTextLength characters and refuses one more, on the call and the stream', async () => {
    const b = bridge(webMessagingConfig({ limits: { maxTextLength: 10 } }));
    await b.registry.startTransfer(transfer());
    expect(b.registry.sendCustomerMessage('s1', { clientMessageId: 'ok', text: 'x'.repeat(10) })).toEqual({
      clientMessageId: 'ok',
      status: 'queued',
      parts: 1,
    });
    const long = failureOf(() =>
      b.registry.sendCustomerMessage('s1', { clientMessageId: 'long', text: 'x'.repeat(11) }),
    );
    expect(long.error).toMatchObject({
      code: 'MESSAGE_TOO_LONG',
      clientMessageId: 'long',
      correctiveAction: expect.stringContaining('longText'),
    });
    expect(b.events().find((e) => e.type === 'message.status' && e.clientMessageId === 'long')).toMatchObject(
      { status: 'failed', error: { code: 'MESSAGE_TOO_LONG' } },
    );
  });

  it('takes a message refused for QUEUE_FULL again under the same clientMessageId once there is room', async () => {
    const b = bridge(
      webMessagingConfig({ limits: { outboundQueueMax: 1 }, timeouts: { reorderWindowMs: 0 } }),
    );
    await b.registry.startTransfer(transfer());
    b.adapter().events.connectivity('reconnecting');
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'one' });
    expect(
      failureOf(() => b.registry.sendCustomerMessage('s1', { clientMessageId: 'm2', text: 'two' })).error,
    ).toMatchObject({ code: 'QUEUE_FULL', retryable: true, clientMessageId: 'm2' });
    b.adapter().events.connectivity('online');
    await settle();
    expect(b.registry.sendCustomerMessage('s1', { clientMessageId: 'm2', text: 'two' }).status).toBe(
      'queued',
    );
    b.clock.advance(1000);
    await settle();
    expect(texts(b.adapter()).slice(1)).toEqual(['one', 'two']);
  });

  it('reports a split message sent once, after its last part, with the last part’s Genesys id', async () => {
    const b = bridge(webMessagingConfig({ limits: { maxTextLength: 10, longText: 'split' } }));
    await b.registry.startTransfer(transfer());
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm', text: 'aaaa bbbb cccc dddd' });
    await settle();
    b.adapter().pending.shift()?.resolve({ providerMessageId: 'g-a' });
    await settle();
    expect(statuses(b.events())).toEqual([]);
    b.clock.advance(1000);
    await settle();
    b.adapter().pending.shift()?.resolve({ providerMessageId: 'g-b' });
    await settle();
    expect(statuses(b.events())).toEqual(['m sent g-b']);
    expect(b.events().at(-1)).toMatchObject({ source: 'guestApi', providerRef: { messageId: 'g-b' } });
  });

  it('sends no further part of a split message once Genesys refused one', async () => {
    const b = bridge(
      webMessagingConfig({
        limits: { maxTextLength: 10, longText: 'split', outboundMessagesPerSecond: 10 },
      }),
    );
    await b.registry.startTransfer(transfer());
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm', text: 'aaaa bbbb cccc dddd eeee ffff' });
    await settle();
    b.adapter().pending.shift()?.reject(forbidden('content refused'));
    await settle();
    b.clock.advance(1000);
    await settle();
    expect(texts(b.adapter()).slice(1)).toEqual(['aaaa bbbb ']);
    expect(statuses(b.events())).toEqual(['m failed FORBIDDEN']);
  });

  it('reports a split message failed once, even when its waiting parts fail as the session ends', async () => {
    const b = bridge(webMessagingConfig({ limits: { maxTextLength: 10, longText: 'split' } }));
    await b.registry.startTransfer(transfer());
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm', text: 'aaaa bbbb cccc dddd eeee ffff' });
    await settle();
    // Part one took this second's last slot; Genesys refuses it while parts two and three wait.
    b.adapter().pending.shift()?.reject(forbidden('content refused'));
    await settle();
    await b.session().end('botEnded');
    expect(statuses(b.events())).toEqual(['m failed FORBIDDEN']);
    expect(b.types().at(-1)).toBe('session.ended');
  });

  it('a send still in flight when the bot ends the session is reported before session.ended, and its late answer not at all', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer());
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'hi' });
    await settle();
    await b.session().end('botEnded');
    b.adapter().pending.shift()?.reject(forbidden('socket closed'));
    await settle();
    expect(b.types()).toEqual(['transfer.accepted', 'message.status', 'session.ended']);
    expect(statuses(b.events())).toEqual(['m1 failed SESSION_ENDED']);
  });

  it('makes the session read-only when Genesys refuses a send as read-only: later messages and typing are refused', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer());
    b.clock.advance(1000);
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'hi' });
    await settle();
    b.adapter()
      .pending.shift()
      ?.reject(new BridgeFailure(bridgeError('SESSION_READ_ONLY', 'conversation is read-only')));
    await settle();
    expect(b.session().snapshot().provider.readOnly).toBe(true);
    expect(
      failureOf(() => b.registry.sendCustomerMessage('s1', { clientMessageId: 'm2', text: 'again' })).error,
    ).toMatchObject({ code: 'SESSION_READ_ONLY', clientMessageId: 'm2' });
    expect(statuses(b.events())).toEqual(['m1 failed SESSION_READ_ONLY', 'm2 failed SESSION_READ_ONLY']);
    b.clock.advance(10_000);
    b.session().sendTyping(true);
    await settle();
    expect(b.adapter().typings).toBe(0);
  });

  it('gives up a lookup Genesys does not answer within sendMs and asks again after a pause', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { sendMs: 2000 } }));
    await b.registry.startTransfer(transfer());
    const lookups: ReturnType<typeof deferred<SendResult | undefined>>[] = [];
    b.adapter().findSent = () => {
      const answer = deferred<SendResult | undefined>();
      lookups.push(answer);
      return answer.promise;
    };
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'slow' });
    await settle();
    // No answer within sendMs, nor in the next sendMs: looked up.
    b.clock.advance(2000);
    await settle();
    b.clock.advance(2000);
    await settle();
    expect(lookups).toHaveLength(1);
    // The lookup hangs: after sendMs it counts as unanswered, and the next one comes 1 s later.
    b.clock.advance(2000);
    await settle();
    b.clock.advance(999);
    await settle();
    expect(lookups).toHaveLength(1);
    b.clock.advance(1);
    await settle();
    expect(lookups).toHaveLength(2);
    lookups[1]?.resolve({ providerMessageId: 'g-found' });
    await settle();
    expect(statuses(b.events())).toEqual(['m1 sent g-found']);
    expect(texts(b.adapter()).slice(1)).toEqual(['slow']);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────── typing

describe('customer typing', () => {
  it('is not sent before Genesys accepted the transfer, nor while the bot is ending the session', async () => {
    const leave = deferred<void>();
    const b = bridge(webMessagingConfig(), (a) => {
      a.autoSend = false;
      a.close = (mode) => {
        a.closes.push(mode);
        return leave.promise;
      };
    });
    const pending = b.registry.startTransfer(transfer());
    await settle();
    b.session().sendTyping(true);
    b.adapter().pending.shift()?.resolve({ providerMessageId: 'g-1' });
    await pending;
    await settle();
    expect(b.adapter().typings).toBe(0);
    b.clock.advance(10_000);
    const ending = b.session().end();
    b.session().sendTyping(true);
    await settle();
    expect(b.adapter().typings).toBe(0);
    leave.resolve();
    await ending;
  });

  it('a typing frame Genesys never answers holds the messages behind it back for sendMs at most', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { sendMs: 2000 } }));
    await b.registry.startTransfer(transfer());
    b.adapter().sendTyping = () => new Promise<void>(() => {});
    b.clock.advance(1000);
    b.session().sendTyping(true);
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'hello' });
    await settle();
    expect(texts(b.adapter())).toHaveLength(1);
    b.clock.advance(2000);
    await settle();
    expect(texts(b.adapter()).slice(1)).toEqual(['hello']);
  });

  it('a typing indicator the full queue could not take does not hold back the next one', async () => {
    const b = bridge(webMessagingConfig({ limits: { outboundQueueMax: 1 } }));
    await b.registry.startTransfer(transfer());
    b.clock.advance(1000);
    b.adapter().events.connectivity('reconnecting');
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'one' });
    b.session().sendTyping(true);
    b.adapter().events.connectivity('online');
    await settle();
    b.session().sendTyping(true);
    await settle();
    expect(b.adapter().typings).toBe(1);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────── Genesys → bot

describe('what the agent side sends', () => {
  it('agent typing and agent messages postpone the idle timeout too', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { idleMs: 60_000, reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.clock.advance(59_000);
    b.adapter().events.typing({});
    b.clock.advance(59_000);
    await settle();
    expect(b.session().ended).toBe(false);
    b.adapter().events.message(agentText('g1', 'still there?'));
    b.clock.advance(59_000);
    await settle();
    expect(b.session().ended).toBe(false);
    b.clock.advance(1000);
    await settle();
    expect(b.events().at(-1)).toMatchObject({ type: 'session.ended', reason: 'idleTimeout' });
  });

  it('agent typing without a provider time expires durationMs from now; without a duration it has no expiry', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.clock.advance(1234);
    b.adapter().events.typing({ durationMs: 3000 });
    b.adapter().events.typing({});
    const [timed, open] = b.events().slice(-2);
    expect(timed).toMatchObject({
      type: 'agent.typing',
      source: 'guestApi',
      expiresAt: iso(b.clock.now() + 3000),
    });
    expect(open?.type).toBe('agent.typing');
    expect(open).not.toHaveProperty('expiresAt');
  });

  it('passes attachments and quick replies through, attributing a sender-less message to the agent who joined', async () => {
    const b = bridge(webChatConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    const alex = { id: 'a1', displayName: 'Alex' };
    b.adapter().events.agentJoined(alex);
    const message: ProviderMessage = {
      id: 'g1',
      text: 'see attached',
      attachments: [{ url: 'https://files.example/a.pdf', mimeType: 'application/pdf' }],
      quickReplies: [{ text: 'Yes', payload: 'y' }],
      sender: { kind: 'human' },
    };
    b.adapter().events.message(message);
    expect(b.events().at(-1)).toMatchObject({
      type: 'agent.message',
      origin: 'human',
      agent: alex,
      providerRef: { messageId: 'g1' },
      message: {
        id: 'g1',
        text: 'see attached',
        attachments: message.attachments,
        quickReplies: message.quickReplies,
      },
    });
  });

  it('WebChat (presence observed) infers neither joins nor transfers from messages', async () => {
    const b = bridge(webChatConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.adapter().events.message(agentText('g1', 'hello', 'Alex'));
    b.adapter().events.agentJoined({ id: 'a1', displayName: 'Alex' });
    b.adapter().events.message(agentText('g2', 'it is Sam now', 'Sam'));
    expect(b.types()).toEqual(['transfer.accepted', 'agent.message', 'agent.joined', 'agent.message']);
  });

  it('Web Messaging tells agents apart by id first, by name only when both lack an id', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    const human = (id: string, agent: { id?: string; displayName?: string }): ProviderMessage => ({
      id,
      text: id,
      sender: { kind: 'human', agent },
    });
    b.adapter().events.message(human('g1', { id: 'a1', displayName: 'Alex' }));
    b.adapter().events.message(human('g2', { id: 'a1', displayName: 'Alex B.' })); // same id: same agent
    b.adapter().events.message(human('g3', { displayName: 'Alex' })); // same name: same agent
    b.adapter().events.message(human('g4', { id: 'a2' })); // another id: a transfer
    b.adapter().events.message(human('g5', { displayName: 'Sam' })); // nothing to compare: no transfer
    b.adapter().events.message(human('g6', { id: 'a2', displayName: 'Kim' }));
    b.adapter().events.message(human('g7', { id: 'a2', displayName: 'Kim' }));
    const changes = b.events().filter((e) => e.type === 'transfer.changed');
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'unknown',
        inferred: true,
        from: { id: 'a1', displayName: 'Alex' },
        to: { id: 'a2' },
      }),
    ]);
    expect(b.events().filter((e) => e.type === 'agent.joined')).toHaveLength(2);
    expect(b.events().at(-1)).toMatchObject({ agent: { id: 'a2', displayName: 'Kim' } });
  });
  it('an inferred agent.joined carries no message reference; the message does', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    const t = b.clock.now() - 500;
    b.adapter().events.message(agentText('g1', 'Hi, I am Alex', 'Alex', t));
    const [joined, message] = b.events().slice(-2);
    expect(joined).toMatchObject({
      type: 'agent.joined',
      inferred: true,
      source: 'guestApi',
      occurredAt: iso(t),
    });
    expect(joined).not.toHaveProperty('providerRef');
    expect(message).toMatchObject({ type: 'agent.message', providerRef: { messageId: 'g1' } });
  });

  it('an agent leaving while the conversation continues clears the agent; one leaving for good changes no state', async () => {
    const b = bridge(webChatConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.adapter().events.agentJoined({ id: 'a1', displayName: 'Alex' });
    b.adapter().events.agentLeft({ id: 'a1' }, true);
    expect(b.session().snapshot()).toMatchObject({ state: 'transferring' });
    expect(b.session().snapshot()).not.toHaveProperty('agent');
    b.adapter().events.agentJoined({ id: 'a2', displayName: 'Sam' });
    b.adapter().events.agentLeft({ id: 'a2' }, false);
    expect(b.session().snapshot()).toMatchObject({ state: 'agentActive', agent: { id: 'a2' } });
    expect(b.events().at(-1)).toMatchObject({ type: 'agent.left', conversationContinues: false });
  });

  it('transfer.changed says whether Genesys said so or it was inferred, and when it happened', async () => {
    const b = bridge(webChatConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    const t = b.clock.now() - 2000;
    b.adapter().events.transferred({ kind: 'queue', inferred: false, occurredAt: t });
    b.adapter().events.transferred({ kind: 'agent', from: { id: 'a1' }, inferred: true });
    const [told, guessed] = b.events().slice(-2);
    expect(told).toMatchObject({
      type: 'transfer.changed',
      kind: 'queue',
      source: 'guestApi',
      occurredAt: iso(t),
    });
    expect(told).not.toHaveProperty('inferred');
    expect(told).not.toHaveProperty('from');
    expect(guessed).toMatchObject({ kind: 'agent', inferred: true, from: { id: 'a1' } });
    expect(b.session().state).toBe('transferring');
  });

  it('keeps the first Genesys conversation id it learns', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer());
    b.adapter().events.conversation?.('conv-1');
    b.adapter().events.conversation?.('conv-2');
    expect(b.session().snapshot().provider).toEqual({ conversationId: 'conv-1' });
  });

  it('reports a non-fatal adapter error, and ignores one that comes after the end', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer());
    b.adapter().events.error(bridgeError('PROVIDER_UNAVAILABLE', 'history hiccup', { retryable: true }));
    expect(b.events().at(-1)).toMatchObject({ type: 'error', error: { code: 'PROVIDER_UNAVAILABLE' } });
    await b.session().end();
    expect(() => b.adapter().events.error(bridgeError('PROVIDER_UNAVAILABLE', 'late'))).not.toThrow();
    expect(b.types().slice(-2)).toEqual(['error', 'session.ended']);
  });

  it('keeps updatedAt at the time of the last event', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    const created = b.session().snapshot().createdAt;
    b.clock.advance(7000);
    b.adapter().events.message(agentText('g1', 'hi'));
    expect(b.session().snapshot()).toMatchObject({ createdAt: created, updatedAt: iso(b.clock.now()) });
  });
});

describe('queue.timeout', () => {
  it('is not raised for an agent who joined before Genesys answered the open, even after a hand-over', async () => {
    const open = deferred<AdapterOpenResult>();
    const b = bridge(webChatConfig({ timeouts: { agentWaitMs: 60_000, reorderWindowMs: 0 } }), (a) => {
      a.open = () => open.promise;
    });
    const pending = b.registry.startTransfer(transfer());
    b.adapter().events.agentJoined({ id: 'a1', displayName: 'Alex' });
    open.resolve({});
    expect((await pending).state).toBe('agentActive');
    b.adapter().events.agentLeft({ id: 'a1' }, true);
    b.clock.advance(60_000);
    expect(b.types()).not.toContain('queue.timeout');
  });

  it('is not raised when an agent joined in time, even if that agent later hands over', async () => {
    const b = bridge(webChatConfig({ timeouts: { agentWaitMs: 60_000, reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.clock.advance(10_000);
    b.adapter().events.agentJoined({ id: 'a1', displayName: 'Alex' });
    b.clock.advance(10_000);
    b.adapter().events.agentLeft({ id: 'a1' }, true);
    b.clock.advance(60_000);
    expect(b.types()).not.toContain('queue.timeout');
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────── ending

describe('ending', () => {
  it('when the customer leaves, what they wrote last goes first, at Genesys’s pace, then the leave', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer());
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'one' });
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm2', text: 'bye' });
    await settle();
    const ending = b.session().end('customerEnded');
    await settle();
    expect(b.session().ended).toBe(false);
    b.clock.advance(1000);
    await ending;
    expect(texts(b.adapter())).toEqual(['Customer transferred from the virtual assistant.', 'one', 'bye']);
    expect(statuses(b.events())).toEqual(['m1 sent p-2', 'm2 sent p-3']);
    expect(b.events().at(-1)).toMatchObject({
      type: 'session.ended',
      reason: 'customerEnded',
      by: 'customer',
    });
    expect(b.adapter().closes).toEqual(['end']);
  });

  it('when the customer leaves and Genesys is unreachable, waits (sendMs + pace) per waiting message plus one', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { sendMs: 1000, reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.adapter().events.connectivity('reconnecting');
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'one' });
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm2', text: 'two' });
    const ending = b.session().end('customerEnded');
    // Two waiting: (1000 + 500) × 3.
    b.clock.advance(4499);
    await settle();
    expect(b.session().ended).toBe(false);
    b.clock.advance(1);
    await ending;
    expect(statuses(b.events())).toEqual(['m1 failed SESSION_ENDED', 'm2 failed SESSION_ENDED']);
    expect(b.events().find((e) => e.type === 'message.status')).toMatchObject({
      error: { message: expect.stringContaining('customerEnded') },
    });
  });

  it('a prompt end (shutdown) waits for nothing and tells the adapter not to be patient', async () => {
    const seen: unknown[] = [];
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }), (a) => {
      a.close = (mode, options?: { patient?: boolean }) => {
        a.closes.push(mode);
        seen.push(options);
        return Promise.resolve();
      };
    });
    await b.registry.startTransfer(transfer());
    await b.registry.startTransfer(transfer({ idempotencyKey: 'k2', botConversationId: 'bot-2' }));
    b.adapter().events.connectivity('reconnecting');
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'one' });
    await b.session().end('customerEnded', { promptly: true });
    expect(statuses(b.events())).toEqual(['m1 failed SESSION_ENDED']);
    await b.session('s2').end('botEnded');
    expect(seen).toEqual([{ patient: false }, { patient: true }]);
  });

  it('a leave Genesys never answers holds the end for connectMs at most; a failed leave still ends', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { connectMs: 5000 } }), (a) => {
      a.close = (mode) => {
        a.closes.push(mode);
        return a.closes.length === 1 ? new Promise<void>(() => {}) : Promise.reject(new Error('socket gone'));
      };
    });
    await b.registry.startTransfer(transfer());
    let ended = false;
    const closed = b.session().whenEnded();
    const ending = b
      .session()
      .end()
      .then(() => {
        ended = true;
      });
    b.clock.advance(4999);
    await settle();
    expect(ended).toBe(false);
    b.clock.advance(1);
    await ending;
    await closed;
    expect(b.events().at(-1)).toMatchObject({ type: 'session.ended', reason: 'botEnded' });

    await b.registry.startTransfer(transfer({ idempotencyKey: 'k2', botConversationId: 'bot-2' }));
    b.adapter(1).close = () => Promise.reject(new Error('socket gone'));
    await b.session('s2').end();
    expect(b.events('s2').at(-1)).toMatchObject({ type: 'session.ended', reason: 'botEnded' });
  });

  it('endMode detach: the bot ending a Web Messaging session only drops the connection (WebChat still leaves)', async () => {
    const wm = bridge(webMessagingConfig({ webMessaging: { endMode: 'detach' } }));
    await wm.registry.startTransfer(transfer());
    await wm.session().end();
    expect(wm.adapter().closes).toEqual(['detach']);
    const wc = bridge(webChatConfig({ webMessaging: { endMode: 'detach' } }));
    await wc.registry.startTransfer(transfer());
    await wc.session().end();
    expect(wc.adapter().closes).toEqual(['end']);
  });

  it('a conversation Genesys ended is only detached from; one ended by an adapter error is left', async () => {
    const cases = [
      { reason: 'sessionExpired', by: 'system', close: 'detach' },
      { reason: 'readOnly', by: 'system', close: 'detach' },
      { reason: 'customerEnded', by: 'customer', close: 'detach' },
      { reason: 'error', by: 'system', close: 'end' },
    ] as const;
    for (const { reason, by, close } of cases) {
      const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
      await b.registry.startTransfer(transfer());
      b.adapter().events.ended({
        reason,
        by,
        ...(reason === 'error' ? { error: bridgeError('RECONNECT_EXHAUSTED', 'gave up reconnecting') } : {}),
      });
      await settle();
      expect({ reason, closes: b.adapter().closes }).toEqual({ reason, closes: [close] });
      expect(b.events().at(-1)).toMatchObject({ type: 'session.ended', reason, by });
      if (reason === 'error') expect(b.types().slice(-2)).toEqual(['error', 'session.ended']);
    }
  });

  it('an agent ending a Web Messaging conversation gets an inferred agent.left naming the agent; none without an agent, none on WebChat', async () => {
    const wm = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await wm.registry.startTransfer(transfer());
    wm.adapter().events.message(agentText('g1', 'bye'));
    wm.adapter().events.ended({ reason: 'agentEnded', by: 'agent' });
    await settle();
    expect(wm.events().slice(-2)).toMatchObject([
      { type: 'agent.left', inferred: true, agent: { displayName: 'Alex' }, conversationContinues: false },
      { type: 'session.ended', reason: 'agentEnded', by: 'agent' },
    ]);

    const alone = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await alone.registry.startTransfer(transfer());
    alone.adapter().events.ended({ reason: 'agentEnded', by: 'agent' });
    await settle();
    expect(alone.types()).toEqual(['transfer.accepted', 'session.ended']);

    const wc = bridge(webChatConfig({ timeouts: { reorderWindowMs: 0 } }));
    await wc.registry.startTransfer(transfer());
    wc.adapter().events.agentJoined({ id: 'a1', displayName: 'Alex' });
    wc.adapter().events.ended({ reason: 'agentEnded', by: 'agent' });
    await settle();
    expect(wc.types()).toEqual(['transfer.accepted', 'agent.joined', 'session.ended']);
  });

  it('the bot’s own end keeps its reason when Genesys answers the leave by ending the conversation', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }), (a) => {
      a.close = (mode) => {
        a.closes.push(mode);
        // Presence Clear answered with the agent-side disconnect.
        a.events.ended({ reason: 'agentEnded', by: 'agent' });
        return Promise.resolve();
      };
    });
    await b.registry.startTransfer(transfer());
    b.adapter().events.message(agentText('g1', 'hi'));
    await b.session().end('botEnded');
    expect(b.types().slice(-1)).toEqual(['session.ended']);
    expect(b.events().at(-1)).toMatchObject({ reason: 'botEnded', by: 'bot' });
    expect(b.events().filter((e) => e.type === 'session.ended')).toHaveLength(1);
  });

  it('read-only from Genesys ends after what the agent sent during an outage', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    b.adapter().events.message(agentText('g1', 'one'));
    b.adapter().events.connectivity('reconnecting');
    b.adapter().history = [agentText('g1', 'one'), agentText('g2', 'two')];
    b.adapter().events.ended({ reason: 'readOnly', by: 'system' });
    await settle();
    const tail = b.events().slice(-2);
    expect(tail[0]).toMatchObject({ type: 'agent.message', message: { id: 'g2' } });
    expect(tail[1]).toMatchObject({ type: 'session.ended', reason: 'readOnly' });
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────── another owner

class ResumableAdapter extends FakeAdapter {
  readonly resumes: { state: JsonValue; context: AdapterResumeContext }[] = [];
  resumeResult: AdapterOpenResult | Error | 'hang' = {};

  resumeState(): JsonValue {
    return { token: 'token-1' };
  }

  resume(state: JsonValue, context: AdapterResumeContext): Promise<AdapterOpenResult> {
    this.resumes.push({
      state,
      context: { sentProviderIds: [...context.sentProviderIds], anythingSent: context.anythingSent },
    });
    const result = this.resumeResult;
    if (result === 'hang') return new Promise(() => {});
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  }
}

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

interface TakeoverOptions {
  config?: Record<string, unknown>;
  request?: Record<string, unknown>;
  snapshot?: Partial<SessionSnapshot>;
  progress?: Partial<SessionResume['progress']>;
  resume?: Partial<Omit<SessionResume, 'snapshot' | 'progress'>>;
  /** Plain FakeAdapter: a channel that cannot reconnect to the same conversation. */
  resumable?: boolean;
  setup?: (adapter: ResumableAdapter) => void;
}

/** A session taken over from another instance that last wrote at T0 - 2000; this one starts at T0. */
function takeover(options: TakeoverOptions = {}) {
  const clock = new ManualClock(T0);
  const config = resolveBridgeConfig(
    options.config ?? webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
  );
  const request = parseStartTransferRequest(options.request ?? transfer());
  const plan = planTransfer(request, config, 's1');
  const adapters: FakeAdapter[] = [];
  let progressCalls = 0;
  const snapshot: SessionSnapshot = {
    sessionId: 's1',
    botConversationId: 'bot-1',
    channel: config.channel,
    state: 'queued',
    connectivity: 'online',
    lastSeq: 5,
    createdAt: iso(T0 - 40_000),
    updatedAt: iso(T0 - 2000),
    provider: { conversationId: 'conv-1' },
    ...options.snapshot,
  };
  const resume: SessionResume = {
    snapshot,
    progress: {
      accepted: true,
      startTextsSent: plan.startTexts.length,
      anythingSent: true,
      ...options.progress,
    },
    metadata: plan.fitted.report,
    adapterState: { token: 'token-1' },
    seenProviderIds: [],
    pending: [],
    unconfirmed: false,
    since: T0 - 2000,
    ...options.resume,
  };
  const session = new TransferSession({
    sessionId: 's1',
    request,
    config,
    plan,
    clock,
    adapterFactory: (context) => {
      const adapter =
        options.resumable === false
          ? new FakeAdapter(context, config.channel)
          : new ResumableAdapter(context, config.channel);
      if (adapter instanceof ResumableAdapter) options.setup?.(adapter);
      adapters.push(adapter);
      return adapter;
    },
    onListenerError: () => {},
    onEnded: () => {},
    onProgress: () => {
      progressCalls += 1;
    },
    resume,
  });
  const adapter = adapters[0]! as ResumableAdapter;
  return {
    clock,
    session,
    adapter,
    events: () => session.log.read(),
    types: () => session.log.read().map((e) => e.type),
    progressCalls: () => progressCalls,
  };
}

describe('a session taken over from another instance', () => {
  it('continues the event log, reconnects with the stored token and context, and opens its gap where the old owner stopped', async () => {
    const t = takeover({
      snapshot: { connectivity: 'reconnecting' },
      progress: { sentProviderIds: ['g-7'] },
      setup: (a) => {
        a.historyScript = [forbidden('history is off')];
      },
    });
    const outcome = await t.session.start();
    await t.session.resumed();
    await settle();
    expect(outcome.state).toBe('queued');
    expect(t.adapter.opens).toEqual([]);
    expect(t.adapter.resumes).toEqual([
      { state: { token: 'token-1' }, context: { sentProviderIds: ['g-7'], anythingSent: true } },
    ]);
    const list = t.events();
    expect(list.map((e) => e.seq)).toEqual([6, 7, 8]);
    expect(list[0]).toMatchObject({ type: 'connection.changed', connectivity: 'reconnecting' });
    expect(list[1]).toMatchObject({ type: 'connection.changed', connectivity: 'online' });
    expect(list[2]).toMatchObject({
      type: 'history.gap',
      reason: 'historyUnavailable',
      since: iso(T0 - 2000),
    });
    expect(t.types()).not.toContain('transfer.accepted');
  });

  it('keeps what the store had: state, agent, conversation, creation time, read-only', async () => {
    const t = takeover({
      snapshot: {
        state: 'agentActive',
        agent: { id: 'a1', displayName: 'Alex' },
        provider: { conversationId: 'conv-1', readOnly: true },
      },
      resume: {
        metadata: { sent: ['QueueName'], dropped: [{ key: 'notes', reason: 'oversize' }], usedBytes: 21 },
      },
      setup: (a) => {
        a.resumeResult = { conversationId: 'conv-2' };
      },
    });
    // Before it reconnects, it says what the store said.
    expect(t.session.snapshot()).toMatchObject({ updatedAt: iso(T0 - 2000), lastSeq: 5 });
    await t.session.start();
    await t.session.resumed();
    expect(t.session.adapterState()).toEqual({ token: 'token-1' });
    expect(t.session.metadataReport).toEqual({
      sent: ['QueueName'],
      dropped: [{ key: 'notes', reason: 'oversize' }],
      usedBytes: 21,
    });
    expect(t.session.snapshot()).toMatchObject({
      state: 'agentActive',
      agent: { id: 'a1', displayName: 'Alex' },
      createdAt: iso(T0 - 40_000),
      provider: { conversationId: 'conv-1', readOnly: true },
    });
    expect(
      failureOf(() => t.session.sendCustomerMessage({ clientMessageId: 'm1', text: 'hi' })).error.code,
    ).toBe('SESSION_READ_ONLY');
  });

  it('restarts the idle timeout from the reconnect', async () => {
    const t = takeover({ config: webMessagingConfig({ timeouts: { idleMs: 60_000, reorderWindowMs: 0 } }) });
    await t.session.start();
    await t.session.resumed();
    t.clock.advance(59_999);
    await settle();
    expect(t.session.ended).toBe(false);
    t.clock.advance(1);
    await settle();
    expect(t.events().at(-1)).toMatchObject({ type: 'session.ended', reason: 'idleTimeout' });
  });

  it('waits only what is left of agentWaitMs for queue.timeout, and never repeats one already reported', async () => {
    const config = webMessagingConfig({ timeouts: { agentWaitMs: 60_000, reorderWindowMs: 0 } });
    const t = takeover({ config });
    await t.session.start();
    await t.session.resumed();
    // Created 40 s before the takeover: 20 s are left.
    t.clock.advance(19_999);
    expect(t.types()).not.toContain('queue.timeout');
    t.clock.advance(1);
    expect(t.events().at(-1)).toMatchObject({ type: 'queue.timeout', waitedMs: 60_000 });
    expect(t.session.progress().queueTimeoutReported).toBe(true);

    const again = takeover({ config, progress: { queueTimeoutReported: true } });
    await again.session.start();
    await again.session.resumed();
    again.clock.advance(120_000);
    expect(again.types()).not.toContain('queue.timeout');
  });

  it('drops Genesys messages the bot already has, live or from the history', async () => {
    const t = takeover({
      resume: { seenProviderIds: ['g1'] },
      setup: (a) => {
        a.history = [agentText('g1', 'one'), agentText('g2', 'two')];
      },
    });
    await t.session.start();
    await t.session.resumed();
    await settle();
    t.adapter.events.message(agentText('g1', 'one'));
    expect(t.adapter.historySince.map((s) => [...s.knownIds])).toEqual([['g1']]);
    expect(
      t
        .events()
        .filter((e) => e.type === 'agent.message')
        .map((e) => e.providerRef?.messageId),
    ).toEqual(['g2']);
  });

  it('sends the customer messages it took over, in order, once each, beyond the queue bound', async () => {
    const t = takeover({
      config: webMessagingConfig({ limits: { outboundQueueMax: 1 }, timeouts: { reorderWindowMs: 0 } }),
      resume: {
        pending: [
          { clientMessageId: 'm1', text: 'first' },
          { clientMessageId: 'm2', text: 'second' },
          { clientMessageId: 'm1', text: 'first' },
        ],
      },
    });
    await t.session.start();
    await t.session.resumed();
    await settle();
    // Two sends a second: a third would go now.
    t.clock.advance(1000);
    await settle();
    expect(texts(t.adapter)).toEqual(['first', 'second']);
    expect(statuses(t.events())).toEqual(['m1 sent p-1', 'm2 sent p-2']);
    expect(t.session.sendCustomerMessage({ clientMessageId: 'm2', text: 'second' })).toMatchObject({
      status: 'duplicate',
      providerMessageId: 'p-2',
    });
  });

  it('before acceptance: sends the opening texts with the participant data, then accepts', async () => {
    const t = takeover({
      request: transfer({ initialMessage: 'hi' }),
      snapshot: { state: 'connecting', provider: {} },
      progress: { accepted: false, startTextsSent: 0, anythingSent: false },
    });
    const outcome = await t.session.start();
    expect(outcome.state).toBe('queued');
    expect(t.adapter.sent).toEqual([{ text: 'hi', attributes: { QueueName: 'Support' } }]);
    expect(t.types().at(-1)).toBe('transfer.accepted');
    expect(t.session.progress()).toMatchObject({ accepted: true, startTextsSent: 1, anythingSent: true });
  });

  it('after acceptance: sends only the opening texts Genesys had not confirmed, without participant data', async () => {
    const t = takeover({
      request: transfer({ summary: 'Invoice', initialMessage: 'hi' }),
      progress: { startTextsSent: 1, firstAttributes: { QueueName: 'Support' } },
    });
    await t.session.start();
    await t.session.resumed();
    await settle();
    expect(t.adapter.sent).toEqual([{ text: 'hi' }]);
  });

  it('before acceptance, once something went out: the first text carries the participant data the old owner fitted', async () => {
    const t = takeover({
      config: webMessagingConfig({
        metadata: { onOversize: 'dropOptional' },
        timeouts: { reorderWindowMs: 0 },
      }),
      request: transfer({ metadata: { tier: 'gold', notes: 'x'.repeat(200) } }),
      snapshot: { state: 'connecting', provider: {} },
      progress: {
        accepted: false,
        startTextsSent: 0,
        anythingSent: true,
        firstAttributes: { tier: 'gold', QueueName: 'Support' },
      },
      setup: (a) => {
        a.resumeResult = { maxCustomDataBytes: 4096 };
      },
    });
    expect((await t.session.start()).state).toBe('queued');
    expect(t.adapter.sent).toEqual([
      {
        text: 'Customer transferred from the virtual assistant.',
        attributes: { tier: 'gold', QueueName: 'Support' },
      },
    ]);
  });

  it('a WebChat taken over before acceptance is accepted once reconnected', async () => {
    const t = takeover({
      config: webChatConfig({ timeouts: { reorderWindowMs: 0 } }),
      snapshot: { state: 'connecting' },
      progress: { accepted: false, startTextsSent: 0, anythingSent: false },
    });
    const outcome = await t.session.start();
    expect(outcome.state).toBe('queued');
    expect(t.types().at(-1)).toBe('transfer.accepted');
  });

  it('before acceptance: fails after connectMs when the reconnect never completes', async () => {
    const t = takeover({
      config: webMessagingConfig({ timeouts: { connectMs: 5000, reorderWindowMs: 0 } }),
      snapshot: { state: 'connecting', provider: {} },
      progress: { accepted: false, startTextsSent: 0, anythingSent: false },
      setup: (a) => {
        a.resumeResult = 'hang';
      },
    });
    let outcome: StartOutcome | undefined;
    const pending = t.session.start().then((o) => {
      outcome = o;
    });
    t.clock.advance(4999);
    await settle();
    expect(outcome).toBeUndefined();
    t.clock.advance(1);
    await pending;
    expect(outcome).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT' } });
  });

  it('ends with an error when the channel cannot be taken over (accepted), as a failed transfer before acceptance', async () => {
    const accepted = takeover({ resumable: false });
    expect(await accepted.session.start()).toMatchObject({ state: 'ended' });
    expect(accepted.types()).toEqual(['error', 'session.ended']);
    expect(accepted.events()[0]).toMatchObject({ error: { code: 'SESSION_ENDED' } });
    expect(accepted.events().at(-1)).toMatchObject({ reason: 'error', by: 'system' });

    const early = takeover({
      resumable: false,
      snapshot: { state: 'connecting' },
      progress: { accepted: false, startTextsSent: 0, anythingSent: false },
    });
    expect(await early.session.start()).toMatchObject({
      state: 'failed',
      error: { code: 'SESSION_ENDED' },
    });
    expect(early.events().at(-1)).toMatchObject({ reason: 'transferFailed', by: 'system' });
  });
  it('ends with the adapter’s error when the reconnect fails', async () => {
    const t = takeover({
      setup: (a) => {
        a.resumeResult = new BridgeFailure(bridgeError('SESSION_EXPIRED', 'the guest session expired'));
      },
    });
    await t.session.start();
    await t.session.resumed();
    expect(t.types().slice(-2)).toEqual(['error', 'session.ended']);
    expect(t.events().at(-2)).toMatchObject({ error: { code: 'SESSION_EXPIRED' } });
    expect(t.events().at(-1)).toMatchObject({ reason: 'error', by: 'system' });
  });
});

describe('what a session keeps for the next owner', () => {
  it('reports acceptance, opening texts, the participant data and the confirmed ids', async () => {
    const progress: number[] = [];
    const clock = new ManualClock();
    const config = resolveBridgeConfig(webMessagingConfig({ timeouts: { agentWaitMs: 60_000 } }));
    const request = parseStartTransferRequest(transfer());
    let calls = 0;
    const session = new TransferSession({
      sessionId: 's1',
      request,
      config,
      plan: planTransfer(request, config, 's1'),
      clock,
      adapterFactory: (context) => new FakeAdapter(context, 'webMessaging'),
      onListenerError: () => {},
      onEnded: () => {},
      onProgress: () => {
        calls += 1;
      },
    });
    expect(session.progress()).toEqual({ accepted: false, startTextsSent: 0, anythingSent: false });
    await session.start();
    progress.push(calls);
    expect(session.progress()).toEqual({
      accepted: true,
      startTextsSent: 1,
      anythingSent: true,
      firstAttributes: { QueueName: 'Support' },
      sentProviderIds: ['p-1'],
    });
    expect(calls).toBeGreaterThan(0);
    clock.advance(60_000);
    expect(session.progress().queueTimeoutReported).toBe(true);
  });

  it('keeps the ids of the last 20 confirmed customer messages', async () => {
    const b = bridge(webMessagingConfig({ limits: { outboundMessagesPerSecond: 100 } }));
    await b.registry.startTransfer(transfer());
    for (let i = 1; i <= 21; i++)
      b.registry.sendCustomerMessage('s1', { clientMessageId: `m${i}`, text: `t${i}` });
    await settle(60);
    expect(statuses(b.events())).toHaveLength(21);
    const kept = Array.from({ length: 20 }, (_, i) => `p-${i + 3}`);
    expect(b.session().progress().sentProviderIds).toEqual(kept);
    // A confirmation without a Genesys id (nothing to look up later) changes nothing.
    b.adapter().sendMessage = () => Promise.resolve({});
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm22', text: 't22' });
    b.clock.advance(1000);
    await settle();
    expect(statuses(b.events()).at(-1)).toBe('m22 sent');
    expect(b.session().progress().sentProviderIds).toEqual(kept);
  });
});

describe('handing a session over and letting it go', () => {
  it('handover waits for the send in flight, delivers what waits in the reorder window, and detaches without ending', async () => {
    const b = bridge();
    await b.registry.startTransfer(transfer());
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'hi' });
    await settle();
    b.adapter().events.message(agentText('g1', 'hello', 'Alex', b.clock.now()));
    let result: { clean: boolean } | undefined;
    const handing = b
      .session()
      .handover()
      .then((r) => {
        result = r;
      });
    await settle();
    expect(result).toBeUndefined();
    b.adapter().pending.shift()?.resolve({ providerMessageId: 'g-m1' });
    await handing;
    expect(result).toEqual({ clean: true });
    expect(b.types()).toEqual(['transfer.accepted', 'message.status', 'agent.joined', 'agent.message']);
    expect(b.adapter().closes).toEqual(['detach']);
    expect(b.session()).toMatchObject({ released: true, ended: false });
    expect(b.registry.liveCount).toBe(1);
    expect(
      failureOf(() => b.registry.sendCustomerMessage('s1', { clientMessageId: 'm2', text: 'more' })).error
        .code,
    ).toBe('SESSION_ENDED');
  });

  it('a handover whose send in flight gets no answer is not clean', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { sendMs: 2000 } }));
    await b.registry.startTransfer(transfer());
    b.adapter().autoSend = false;
    b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'hi' });
    await settle();
    const handing = b.session().handover();
    b.clock.advance(2000);
    expect(await handing).toEqual({ clean: false });
  });

  it('abandoning stops at once, keeps the Genesys conversation and ends nothing; after an end it does nothing', async () => {
    const b = bridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await b.registry.startTransfer(transfer());
    const stopped = b.session().whenEnded();
    b.session().abandon();
    await stopped;
    expect(b.adapter().closes).toEqual(['detach']);
    expect(b.session()).toMatchObject({ released: true, ended: false });
    expect(
      failureOf(() => b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'hi' })).error.code,
    ).toBe('SESSION_ENDED');
    b.adapter().events.message(agentText('g1', 'anyone?'));
    b.adapter().events.agentJoined({ displayName: 'Alex' });
    b.adapter().events.transferred({ kind: 'queue', inferred: false });
    expect(b.types()).toEqual(['transfer.accepted']);

    await b.registry.startTransfer(transfer({ idempotencyKey: 'k2', botConversationId: 'bot-2' }));
    await b.session('s2').end();
    await b.session('s2').whenEnded();
    b.session('s2').abandon();
    expect(b.adapter(1).closes).toEqual(['end']);
    expect(b.session('s2')).toMatchObject({ released: false, ended: true });
    expect(await b.session('s2').handover()).toEqual({ clean: true });
    expect(b.adapter(1).closes).toEqual(['end']);
  });
});
