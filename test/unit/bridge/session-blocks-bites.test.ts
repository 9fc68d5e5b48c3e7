import { describe, expect, it } from 'vitest';
import { isoTime, ManualClock } from '../../../bridge/clock.ts';
import { resolveBridgeConfig, resolveBridgeConfigSet } from '../../../bridge/config.ts';
import { BridgeFailure, bridgeError } from '../../../bridge/errors.ts';
import {
  type ChannelAdapter,
  type HistoryCatchUp,
  NotDeliveredFailure,
  type ProviderMessage,
  UnconfirmedFailure,
} from '../../../bridge/session/channel-adapter.ts';
import { EventLog } from '../../../bridge/session/event-log.ts';
import {
  type GapReport,
  type OrderedItem,
  ReconnectGap,
  type ReconnectGapOptions,
} from '../../../bridge/session/reconnect-gap.ts';
import { ReorderBuffer } from '../../../bridge/session/reorder-buffer.ts';
import { SendQueue, type SendUnit } from '../../../bridge/session/send-queue.ts';
import { SessionRegistry } from '../../../bridge/session/session-registry.ts';
import { canTransition, isTerminal } from '../../../bridge/session/session-state.ts';
import { splitText } from '../../../bridge/session/split-text.ts';
import { configuredBudget, planTransfer } from '../../../bridge/session/transfer-plan.ts';
import {
  fingerprint,
  parseCustomerMessage,
  parseStartTransferRequest,
} from '../../../bridge/session/transfer-request.ts';
import { settleWithin, withTimeout } from '../../../bridge/session/with-timeout.ts';
import type { BridgeEvent, SessionState } from '../../../bridge/types.ts';
import {
  agentText,
  fakeBridge,
  settle,
  transfer,
  webChatConfig,
  webMessagingConfig,
} from './fake-adapter.ts';

/**
 * Boundary tests for the session's building blocks (everything in bridge/session/ but the session
 * itself): exact sizes, counts, time-outs and back-off steps, ordering and de-duplication rules, each
 * checked at the value where an off-by-one or a flipped comparison would change what a caller sees.
 */

/** Advances a manual clock to `target`, firing timers one at a time and letting promises run between. */
async function runTo(clock: ManualClock, target: number): Promise<void> {
  await settle();
  for (;;) {
    const due = clock.nextDue();
    if (due === undefined || due > target) break;
    clock.advance(due - clock.now());
    await settle();
  }
  clock.advance(target - clock.now());
  await settle();
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (thrown) {
    return thrown;
  }
  throw new Error('expected a throw');
}

const retryable = (message = 'history answered 503', extra: { retryAfterMs?: number } = {}) =>
  new BridgeFailure(bridgeError('PROVIDER_UNAVAILABLE', message, { retryable: true, ...extra }));

// ---------------------------------------------------------------- split-text

describe('splitText boundaries', () => {
  it('needs max >= 2: 1 is refused, 2 works', () => {
    expect(() => splitText('abc', 1)).toThrow(RangeError);
    expect(splitText('abc', 2)).toEqual(['ab', 'c']);
  });

  it('keeps a text of exactly max units whole, even with a space in it, and splits one unit more', () => {
    expect(splitText('ab cd', 5)).toEqual(['ab cd']);
    expect(splitText('ab cde', 5)).toEqual(['ab ', 'cde']);
    expect(splitText('abcdef', 3)).toEqual(['abc', 'def']);
    expect(splitText('', 5)).toEqual([]);
  });

  it('does not break after a space or newline at index 0, and falls back to a newline when there is no space', () => {
    expect(splitText(' abc', 3)).toEqual([' ab', 'c']);
    expect(splitText('\nabc', 3)).toEqual(['\nab', 'c']);
    expect(splitText('abc\ndef', 5)).toEqual(['abc\n', 'def']);
    expect(splitText(' a\nbc', 4)).toEqual([' a\n', 'bc']);
  });

  it('moves the cut before a high surrogate (0xD800..0xDBFF) only', () => {
    expect(splitText('a\ud800\udc00b', 2)).toEqual(['a', '\ud800\udc00', 'b']);
    expect(splitText('a\udbff\udfffb', 2)).toEqual(['a', '\udbff\udfff', 'b']);
    // A low half or a plain character just below the range at the cut is not the start of a pair.
    expect(splitText('\ud83d\ude00ab', 2)).toEqual(['\ud83d\ude00', 'ab']);
    expect(splitText('a\ud7ffb', 2)).toEqual(['a\ud7ff', 'b']);
  });
});

// ---------------------------------------------------------------- session-state

describe('session lifecycle table', () => {
  const states: SessionState[] = ['connecting', 'queued', 'agentActive', 'transferring', 'ended', 'failed'];
  const allowed: Record<SessionState, SessionState[]> = {
    connecting: ['queued', 'agentActive', 'transferring', 'ended', 'failed'],
    queued: ['agentActive', 'transferring', 'ended'],
    agentActive: ['transferring', 'ended'],
    transferring: ['agentActive', 'queued', 'ended'],
    ended: [],
    failed: [],
  };

  it('allows exactly the documented transitions (bridge.md §4.4) and ends only in ended or failed', () => {
    const table = states.map((from) => states.filter((to) => canTransition(from, to)));
    expect(table).toEqual(states.map((from) => states.filter((to) => allowed[from].includes(to))));
    // Only ended and failed are terminal.
    expect(states.filter(isTerminal)).toEqual(['ended', 'failed']);
  });
});

// ---------------------------------------------------------------- with-timeout

describe('withTimeout and settleWithin', () => {
  it('rejects with the onTimeout failure exactly at ms, and ignores a later result', async () => {
    const clock = new ManualClock(0);
    let resolveLate: (value: string) => void = () => {};
    const late = new Promise<string>((resolve) => (resolveLate = resolve));
    let outcome: unknown;
    void withTimeout(late, clock, 500, () => new BridgeFailure(bridgeError('TIMEOUT', 'too slow'))).then(
      (value) => (outcome = { value }),
      (error: unknown) => (outcome = error),
    );
    clock.advance(499);
    await settle();
    expect(outcome).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(outcome).toBeInstanceOf(BridgeFailure);
    expect((outcome as BridgeFailure).error.code).toBe('TIMEOUT');
    resolveLate('late');
    await settle();
    expect((outcome as BridgeFailure).error.code).toBe('TIMEOUT');
  });

  it('passes a result or a rejection through and never calls onTimeout afterwards', async () => {
    const clock = new ManualClock(0);
    let timeouts = 0;
    const onTimeout = () => {
      timeouts += 1;
      return new BridgeFailure(bridgeError('TIMEOUT', 'too slow'));
    };
    await expect(withTimeout(Promise.resolve(7), clock, 100, onTimeout)).resolves.toBe(7);
    const own = new Error('own failure');
    await expect(withTimeout(Promise.reject(own), clock, 100, onTimeout)).rejects.toBe(own);
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(timeouts).toBe(0);
  });

  it('settleWithin reports the value, the failure, or undefined once ms passed', async () => {
    const clock = new ManualClock(0);
    const own = new Error('nope');
    await expect(settleWithin(Promise.resolve('v'), clock, 10)).resolves.toEqual({ ok: true, value: 'v' });
    await expect(settleWithin(Promise.reject(own), clock, 10)).resolves.toEqual({ ok: false, error: own });
    expect(clock.pending).toBe(0);
    let result: unknown = 'pending';
    void settleWithin(new Promise(() => {}), clock, 300).then((r) => (result = r));
    clock.advance(299);
    await settle();
    expect(result).toBe('pending');
    clock.advance(1);
    await settle();
    expect(result).toBeUndefined();
  });
});

// ---------------------------------------------------------------- channel-adapter failures

describe('send failure classes', () => {
  it('are BridgeFailures carrying the error, told apart by name', () => {
    const error = bridgeError('RATE_LIMITED', 'slow down', { retryable: true });
    const refused = new NotDeliveredFailure(error);
    const maybe = new UnconfirmedFailure(error);
    expect(refused).toBeInstanceOf(BridgeFailure);
    expect(maybe).toBeInstanceOf(BridgeFailure);
    expect([refused.name, maybe.name]).toEqual(['NotDeliveredFailure', 'UnconfirmedFailure']);
    expect(refused.error).toBe(error);
    expect(maybe.message).toBe('RATE_LIMITED: slow down');
  });
});

// ---------------------------------------------------------------- transfer-request

describe('request validation and fingerprints', () => {
  function invalid(run: () => unknown): string {
    const thrown = thrownBy(run);
    expect(thrown).toBeInstanceOf(BridgeFailure);
    expect((thrown as BridgeFailure).error.code).toBe('INVALID_REQUEST');
    return (thrown as BridgeFailure).error.message;
  }

  it('names every bad field of a startTransfer request with its path', () => {
    expect(invalid(() => parseStartTransferRequest({}))).toBe(
      'invalid startTransfer request: idempotencyKey: idempotencyKey is required; ' +
        'botConversationId: botConversationId is required; customer: customer must be an object with an id',
    );
    expect(
      invalid(() =>
        parseStartTransferRequest({
          idempotencyKey: 5,
          botConversationId: '  ',
          customer: { id: 'c' },
          queueName: ' ',
          transcript: [{ role: 'agent', text: 1 }],
          summary: 2,
        }),
      ),
    ).toBe(
      'invalid startTransfer request: idempotencyKey: idempotencyKey must be text; ' +
        'botConversationId: botConversationId must not be empty; queueName: queueName must not be empty; ' +
        'transcript.0.role: transcript[].role must be "customer", "bot" or "system"; ' +
        'transcript.0.text: transcript[].text must be text; summary: summary must be text',
    );
  });

  it('names an unknown or bad customer field itself, not "customer must be an object"', () => {
    const message = invalid(() =>
      parseStartTransferRequest(transfer({ customer: { id: 'c', nickname: 'J' } })),
    );
    expect(message).toContain('nickname');
    expect(message).not.toContain('must be an object');
    expect(invalid(() => parseStartTransferRequest(transfer({ customer: 'c-1' })))).toContain(
      'customer: customer must be an object with an id',
    );
  });

  it('trims required texts and refuses unknown keys', () => {
    expect(
      parseStartTransferRequest({ idempotencyKey: ' k ', botConversationId: 'b', customer: { id: ' c ' } }),
    ).toEqual({ idempotencyKey: 'k', botConversationId: 'b', customer: { id: 'c' } });
    expect(invalid(() => parseCustomerMessage({ clientMessageId: 'a', x: 1 }))).toBe(
      'invalid customer message: Unrecognized key: "x"',
    );
    expect(invalid(() => parseCustomerMessage({ text: 'hi' }))).toBe(
      'invalid customer message: clientMessageId: clientMessageId is required',
    );
    expect(parseCustomerMessage({ clientMessageId: ' m ', text: ' hi ' })).toEqual({
      clientMessageId: 'm',
      text: ' hi ',
    });
  });

  it('fingerprints sort object keys at every depth but keep array order and nulls', () => {
    expect(fingerprint({ b: 1, a: { d: null, c: [2, 1] } })).toBe('{"a":{"c":[2,1],"d":null},"b":1}');
    expect(fingerprint({ a: [{ z: 1, y: 2 }] })).toBe('{"a":[{"y":2,"z":1}]}');
    expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
  });
});

// ---------------------------------------------------------------- transfer-plan

describe('transfer planning boundaries', () => {
  const request = { idempotencyKey: 'k', botConversationId: 'b', customer: { id: 'c' } };

  it('uses the 2048-byte default budget except on WebChat, where only a configured one applies', () => {
    expect(configuredBudget(resolveBridgeConfig(webMessagingConfig()))).toBe(2048);
    expect(configuredBudget(resolveBridgeConfig(webMessagingConfig({ metadata: { maxBytes: 900 } })))).toBe(
      900,
    );
    expect(configuredBudget(resolveBridgeConfig(webChatConfig()))).toBeUndefined();
    expect(configuredBudget(resolveBridgeConfig(webChatConfig({ metadata: { maxBytes: 900 } })))).toBe(900);
  });

  it('accepts an initial message of exactly maxTextLength and refuses one more, saying how to fix it', () => {
    const config = resolveBridgeConfig(webMessagingConfig({ limits: { maxTextLength: 20 } }));
    expect(planTransfer({ ...request, initialMessage: 'x'.repeat(20) }, config, 's').startTexts).toEqual([
      'x'.repeat(20),
    ]);
    const refused = thrownBy(() => planTransfer({ ...request, initialMessage: 'x'.repeat(21) }, config, 's'));
    expect((refused as BridgeFailure).error).toMatchObject({
      code: 'MESSAGE_TOO_LONG',
      message: 'initialMessage is 21 characters; the limit is 20',
      correctiveAction: expect.stringContaining('longText'),
    });
    // Surrounding spaces are not counted, and a blank message is no message.
    expect(
      planTransfer({ ...request, initialMessage: `  ${'x'.repeat(20)}  ` }, config, 's').startTexts,
    ).toEqual(['x'.repeat(20)]);
    expect(planTransfer({ ...request, initialMessage: '   ' }, config, 's').startTexts).toEqual([
      'Customer transferred from the virtual assistant.',
    ]);
  });

  it('needs a queue on WebChat (from the request or the configuration) and sends no handoff text there', () => {
    // The configuration check already insists on a WebChat queue; a resolved configuration without one
    // (built by hand) still must not reach Genesys without a routing target.
    const chat = resolveBridgeConfig(webChatConfig());
    const noQueue = { ...chat, settings: { ...chat.settings, queueName: undefined } };
    const refused = thrownBy(() => planTransfer(request, noQueue, 's'));
    expect((refused as BridgeFailure).error.code).toBe('INVALID_REQUEST');
    const plan = planTransfer({ ...request, queueName: 'Billing' }, noQueue, 's');
    expect(plan.startTexts).toEqual([]);
    expect(plan.transfer.queueName).toBe('Billing');
    expect(planTransfer(request, resolveBridgeConfig(webChatConfig()), 's').startTexts).toEqual([]);
  });
});

// ---------------------------------------------------------------- event-log

describe('EventLog boundaries', () => {
  const noop = () => {};

  it('continues a log that another owner held up to afterSeq (floored, never negative)', () => {
    const clock = new ManualClock(0);
    const log = new EventLog('s', 'webChat', clock, noop, { afterSeq: 5 });
    expect(log.lastSeq).toBe(5);
    expect(log.append({ type: 'transfer.accepted' })).toMatchObject({ seq: 6, eventId: 's:6' });
    expect(log.read().map((e) => e.seq)).toEqual([6]);
    expect(log.read(5).map((e) => e.seq)).toEqual([6]);
    expect(log.read(6)).toEqual([]);
    expect(new EventLog('s', 'webChat', clock, noop, { afterSeq: 2.9 }).lastSeq).toBe(2);
    const negative = new EventLog('s', 'webChat', clock, noop, { afterSeq: -3 });
    expect(negative.append({ type: 'transfer.accepted' }).seq).toBe(1);
  });

  it('stamps provider time, source, inferred and providerRef only when given', () => {
    const clock = new ManualClock(10_000);
    const log = new EventLog('s', 'webMessaging', clock, noop);
    const provided = log.append(
      { type: 'connection.changed', connectivity: 'online' },
      { occurredAt: 4000, source: 'guestApi', inferred: false, providerRef: { messageId: 'g1' } },
    );
    expect(provided).toStrictEqual({
      eventId: 's:1',
      sessionId: 's',
      seq: 1,
      occurredAt: isoTime(4000),
      observedAt: isoTime(10_000),
      channel: 'webMessaging',
      source: 'guestApi',
      providerRef: { messageId: 'g1' },
      type: 'connection.changed',
      connectivity: 'online',
    });
    clock.advance(5);
    expect(log.append({ type: 'transfer.accepted' }, { inferred: true })).toStrictEqual({
      eventId: 's:2',
      sessionId: 's',
      seq: 2,
      occurredAt: isoTime(10_005),
      observedAt: isoTime(10_005),
      channel: 'webMessaging',
      source: 'bridge',
      inferred: true,
      type: 'transfer.accepted',
    });
  });

  it('trims only through the requested seq, never backwards or beyond the end', () => {
    const log = new EventLog('s', 'webChat', new ManualClock(0), noop);
    log.subscribe(noop);
    for (let i = 0; i < 4; i++) log.append({ type: 'connection.changed', connectivity: 'online' });
    log.trimThrough(1);
    expect(log.read(0).map((e) => e.seq)).toEqual([2, 3, 4]);
    log.trimThrough(2);
    expect(log.read().map((e) => e.seq)).toEqual([3, 4]);
    expect(log.read(0).map((e) => e.seq)).toEqual([3, 4]);
    expect(log.read(3).map((e) => e.seq)).toEqual([4]);
    log.trimThrough(1);
    expect(log.read().map((e) => e.seq)).toEqual([3, 4]);
    expect(log.lastSeq).toBe(4);
    // A late subscriber from the start gets what is still held.
    const late: number[] = [];
    log.subscribe((e) => late.push(e.seq), 0);
    expect(late).toEqual([3, 4]);
    log.trimThrough(99);
    expect(log.read()).toEqual([]);
    expect(log.lastSeq).toBe(4);
    expect(log.append({ type: 'transfer.accepted' }).seq).toBe(5);
    expect(late).toEqual([3, 4, 5]);
    // Without subscribers the requested seq alone bounds the trim.
    const alone = new EventLog('t', 'webChat', new ManualClock(0), noop);
    alone.append({ type: 'transfer.accepted' });
    alone.trimThrough(99);
    expect(alone.lastSeq).toBe(1);
    expect(alone.append({ type: 'transfer.accepted' }).eventId).toBe('t:2');
  });

  it('does not trim an event a subscriber has not had yet', () => {
    const log = new EventLog('s', 'webChat', new ManualClock(0), noop);
    const second: number[] = [];
    log.subscribe((e) => log.trimThrough(e.seq));
    log.subscribe((e) => second.push(e.seq));
    log.append({ type: 'transfer.accepted' });
    log.append({ type: 'connection.changed', connectivity: 'online' });
    expect(second).toEqual([1, 2]);
  });

  it('does not trim an event an iterating reader has not had yet; a finished reader holds nothing back', async () => {
    const log = new EventLog('s', 'webChat', new ManualClock(0), noop);
    for (let i = 0; i < 4; i++) log.append({ type: 'connection.changed', connectivity: 'online' });
    const reader = log.iterate(0);
    expect((await reader.next()).value?.seq).toBe(1);
    log.trimThrough(4);
    const rest: number[] = [];
    for (let i = 0; i < 3; i++) rest.push((await reader.next()).value?.seq ?? -1);
    expect(rest).toEqual([2, 3, 4]);
    await reader.return?.();
    log.trimThrough(4);
    expect(log.read()).toEqual([]);
  });

  it('replays from a fractional or future afterSeq without losing or repeating events', () => {
    const log = new EventLog('s', 'webChat', new ManualClock(0), noop);
    for (let i = 0; i < 3; i++) log.append({ type: 'connection.changed', connectivity: 'online' });
    const fractional: number[] = [];
    log.subscribe((e) => fractional.push(e.seq), 1.5);
    expect(fractional).toEqual([2, 3]);
    const future: number[] = [];
    log.subscribe((e) => future.push(e.seq), 99);
    log.append({ type: 'transfer.accepted' });
    expect(future).toEqual([4]);
    expect(fractional).toEqual([2, 3, 4]);
  });

  it('stops delivering to a listener unsubscribed by another listener during the same event', () => {
    const log = new EventLog('s', 'webChat', new ManualClock(0), noop);
    const seen: string[] = [];
    let stopB = () => {};
    log.subscribe((e) => {
      seen.push(`a${e.seq}`);
      stopB();
    });
    stopB = log.subscribe((e) => seen.push(`b${e.seq}`));
    expect(seen).toEqual([]);
    log.append({ type: 'transfer.accepted' });
    log.append({ type: 'transfer.accepted' });
    expect(seen).toEqual(['a1', 'a2']);
  });

  it('iterates a closed log from a fractional seq, and finishes at once past its end', async () => {
    const log = new EventLog('s', 'webChat', new ManualClock(0), noop);
    log.append({ type: 'transfer.accepted' });
    log.append({ type: 'connection.changed', connectivity: 'online' });
    log.append({ type: 'session.ended', reason: 'botEnded', by: 'bot' });
    const seqs: number[] = [];
    for await (const event of log.iterate(1.5)) seqs.push(event.seq);
    expect(seqs).toEqual([2, 3]);
    const past = log.iterate(3);
    expect(await past.next()).toEqual({ value: undefined, done: true });
  });
});

// ---------------------------------------------------------------- reorder-buffer

describe('ReorderBuffer boundaries', () => {
  function buffer(windowMs = 1000) {
    const clock = new ManualClock(0);
    const out: string[] = [];
    const reorder = new ReorderBuffer<string>(clock, windowMs, (s) => out.push(s));
    return { clock, out, reorder };
  }

  it('holds an item for exactly the window', () => {
    const { clock, out, reorder } = buffer();
    reorder.push('a', 5);
    expect(reorder.size).toBe(1);
    clock.advance(999);
    expect(out).toEqual([]);
    clock.advance(1);
    expect(out).toEqual(['a']);
    expect(reorder.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('keeps arrival order between items with the same provider time', () => {
    const { clock, out, reorder } = buffer();
    reorder.push('x', 10);
    reorder.push('y', 10);
    reorder.push('w', 5);
    reorder.push('z', 10);
    clock.advance(1000);
    expect(out).toEqual(['w', 'x', 'y', 'z']);
  });

  it('sorts an untimestamped item at the latest time seen (not the last one), or at the clock when none was', () => {
    const after = buffer();
    after.reorder.push('a', 50);
    after.reorder.push('c', 10);
    after.reorder.push('b');
    after.clock.advance(1000);
    expect(after.out).toEqual(['c', 'a', 'b']);

    const { clock, out, reorder } = buffer();
    clock.advance(500);
    reorder.push('now');
    reorder.push('earlier', 400);
    reorder.push('later', 600);
    clock.advance(1000);
    expect(out).toEqual(['earlier', 'now', 'later']);
  });

  it('releases with a due item every held item stamped no later than the latest due one, and only those', () => {
    const { clock, out, reorder } = buffer();
    reorder.push('a', 100);
    reorder.push('b', 200);
    clock.advance(500);
    reorder.push('c', 150); // not due until 1500, but sorts before b
    reorder.push('z', 300); // due at 1500, stamped after everything due at 1000
    clock.advance(500);
    expect(out).toEqual(['a', 'c', 'b']);
    clock.advance(499);
    expect(out).toEqual(['a', 'c', 'b']);
    clock.advance(1);
    expect(out).toEqual(['a', 'c', 'b', 'z']);
  });

  it('dispose drops what is held and stops the timer; the buffer works again afterwards', () => {
    const { clock, out, reorder } = buffer();
    reorder.push('dropped', 1);
    reorder.dispose();
    expect(reorder.size).toBe(0);
    expect(clock.pending).toBe(0);
    clock.advance(5000);
    expect(out).toEqual([]);
    reorder.push('kept', 2);
    clock.advance(1000);
    expect(out).toEqual(['kept']);
  });

  it('delivers each item once when a delivery flushes the rest re-entrantly', () => {
    const clock = new ManualClock(0);
    const out: string[] = [];
    const reorder: ReorderBuffer<string> = new ReorderBuffer<string>(clock, 1000, (s) => {
      out.push(s);
      if (s === 'a') reorder.flush();
    });
    reorder.push('a', 1);
    reorder.push('b', 1);
    clock.advance(500);
    reorder.push('c', 9);
    clock.advance(500);
    expect(out).toEqual(['a', 'b', 'c']);
    clock.advance(5000);
    expect(out).toEqual(['a', 'b', 'c']);
  });
});

// ---------------------------------------------------------------- send-queue

describe('SendQueue boundaries', () => {
  interface Script {
    transmits?: (Error | 'hang')[];
    confirms?: (boolean | Error)[];
    noConfirm?: boolean;
  }

  /** A unit logging `tx`, `confirm`, `sent`, `failed` with the clock time; scripted outcomes. */
  function unit(
    log: string[],
    clock: ManualClock,
    name: string,
    script: Script = {},
    kind: SendUnit['kind'] = 'message',
  ) {
    const transmits = [...(script.transmits ?? [])];
    const confirms = [...(script.confirms ?? [])];
    const settles: { resolve: () => void; reject: (e: unknown) => void }[] = [];
    const u: SendUnit = {
      kind,
      transmit: () => {
        log.push(`tx ${name} @${clock.now()}`);
        const outcome = transmits.shift();
        if (outcome === 'hang')
          return new Promise<void>((resolve, reject) => settles.push({ resolve, reject }));
        return outcome ? Promise.reject(outcome) : Promise.resolve();
      },
      sent: () => log.push(`sent ${name}`),
      failed: (e) => log.push(`failed ${name} ${e.code}`),
    };
    if (!script.noConfirm) {
      u.confirm = async () => {
        log.push(`confirm ${name} @${clock.now()}`);
        const outcome = confirms.shift() ?? false;
        if (outcome instanceof Error) throw outcome;
        return outcome;
      };
    }
    return { unit: u, settles };
  }

  function setup(perSecond = 10, max = 10) {
    const clock = new ManualClock(0);
    const log: string[] = [];
    const queue = new SendQueue(clock, { perSecond, max });
    const make = (name: string, script: Script = {}, kind: SendUnit['kind'] = 'message') =>
      unit(log, clock, name, script, kind);
    return { clock, log, queue, make };
  }

  const dropped = () =>
    new UnconfirmedFailure(bridgeError('PROVIDER_UNAVAILABLE', 'socket dropped', { retryable: true }));

  it('takes messages up to exactly max, all or nothing, and past it only when forced', () => {
    const { queue, make } = setup(10, 3);
    expect(queue.enqueueMessages([make('a').unit, make('b').unit])).toBe(true);
    expect(queue.hasRoomFor(1)).toBe(true);
    expect(queue.hasRoomFor(2)).toBe(false);
    expect(queue.enqueueMessages([make('c').unit, make('d').unit])).toBe(false);
    expect(queue.size).toBe(2);
    expect(queue.enqueueMessages([make('c').unit])).toBe(true);
    expect(queue.size).toBe(3);
    expect(queue.hasRoomFor(0)).toBe(true);
    expect(queue.enqueueMessages([make('d').unit])).toBe(false);
    expect(queue.enqueueMessages([make('d').unit], { force: true })).toBe(true);
    expect(queue.size).toBe(4);
  });

  it('drops the waiting typing frame only when a message would otherwise not fit', async () => {
    const { queue, make, log } = setup(10, 3);
    expect(queue.enqueueTyping(make('t', {}, 'typing').unit)).toBe(true);
    expect(queue.enqueueMessages([make('a').unit])).toBe(true);
    expect(queue.enqueueMessages([make('b').unit])).toBe(true);
    expect(queue.size).toBe(3);
    queue.setConnected(true);
    await settle();
    expect(log).toEqual(['tx t @0', 'sent t', 'tx a @0', 'sent a', 'tx b @0', 'sent b']);

    const full = setup(10, 3);
    full.queue.enqueueTyping(full.make('t', {}, 'typing').unit);
    full.queue.enqueueMessages([full.make('a').unit, full.make('b').unit]);
    expect(full.queue.enqueueMessages([full.make('c').unit])).toBe(true);
    expect(full.queue.size).toBe(3);
    full.queue.setConnected(true);
    await settle();
    expect(full.log.filter((l) => l.startsWith('tx'))).toEqual(['tx a @0', 'tx b @0', 'tx c @0']);
  });

  it('takes a typing frame while one slot is free and refuses it when the queue is full or closed', () => {
    const roomy = setup(10, 2);
    roomy.queue.enqueueMessages([roomy.make('a').unit]);
    expect(roomy.queue.enqueueTyping(roomy.make('t', {}, 'typing').unit)).toBe(true);
    const tight = setup(10, 1);
    tight.queue.enqueueMessages([tight.make('a').unit]);
    expect(tight.queue.enqueueTyping(tight.make('t', {}, 'typing').unit)).toBe(false);
    const closed = setup();
    closed.queue.close(bridgeError('SESSION_ENDED', 'gone'));
    expect(closed.queue.enqueueTyping(closed.make('t', {}, 'typing').unit)).toBe(false);
  });

  it('closing fails waiting messages but drops a waiting typing frame silently', () => {
    const { queue, make, log } = setup();
    queue.enqueueTyping(make('t', {}, 'typing').unit);
    queue.enqueueMessages([make('a').unit]);
    queue.close(bridgeError('SESSION_EXPIRED', 'expired'));
    expect(log).toEqual(['failed a SESSION_EXPIRED']);
    expect(queue.size).toBe(0);
  });

  it('marks taken-over messages unconfirmed only when they can be looked up', async () => {
    const blind = setup();
    blind.queue.enqueueMessages([blind.make('a', { noConfirm: true }).unit], { unconfirmed: true });
    expect(blind.queue.unconfirmed).toBe(false);
    blind.queue.setConnected(true);
    await settle();
    expect(blind.log).toEqual(['tx a @0', 'sent a']);

    const looked = setup();
    looked.queue.enqueueMessages(
      [looked.make('a', { confirms: [true] }).unit, looked.make('b', { noConfirm: true }).unit],
      { unconfirmed: true },
    );
    expect(looked.queue.unconfirmed).toBe(true);
    looked.queue.setConnected(true);
    await settle();
    expect(looked.log).toEqual(['confirm a @0', 'sent a', 'tx b @0', 'sent b']);
    expect(looked.queue.unconfirmed).toBe(false);
  });

  it('does not hold a lookup back for the send rate, but a resend after it waits its turn', async () => {
    const { clock, queue, make, log } = setup(2, 10);
    queue.setConnected(true);
    queue.enqueueMessages([make('x').unit, make('y').unit]);
    await settle();
    queue.enqueueMessages([make('a', { confirms: [false] }).unit], { unconfirmed: true });
    await settle();
    expect(log).toEqual(['tx x @0', 'sent x', 'tx y @0', 'sent y', 'confirm a @0']);
    clock.advance(999);
    await settle();
    expect(log).toHaveLength(5);
    clock.advance(1);
    await settle();
    expect(log.slice(5)).toEqual(['tx a @1000', 'sent a']);
  });

  it('backs lookups off 1 s, 2 s, 4 s, 8 s, then stays at 8 s', async () => {
    const { clock, queue, make, log } = setup();
    queue.enqueueMessages([
      make('a', {
        transmits: [dropped()],
        confirms: [retryable(), retryable(), retryable(), retryable(), retryable(), true],
      }).unit,
    ]);
    queue.setConnected(true);
    await runTo(clock, 30_000);
    expect(log.filter((l) => l.startsWith('confirm'))).toEqual([
      'confirm a @0',
      'confirm a @1000',
      'confirm a @3000',
      'confirm a @7000',
      'confirm a @15000',
      'confirm a @23000',
    ]);
    expect(log.at(-1)).toBe('sent a');
  });

  it('waits the longer of its backoff and the pause a failed lookup asks for', async () => {
    const { clock, queue, make, log } = setup();
    queue.enqueueMessages([
      make('a', {
        transmits: [dropped()],
        confirms: [retryable('busy', { retryAfterMs: 5000 }), retryable('busy', { retryAfterMs: 200 }), true],
      }).unit,
    ]);
    queue.setConnected(true);
    await runTo(clock, 20_000);
    expect(log.filter((l) => l.startsWith('confirm'))).toEqual([
      'confirm a @0',
      'confirm a @5000',
      'confirm a @7000',
    ]);
  });

  it('retries a refusal after exactly its retryAfter, or 1 s when it names none', async () => {
    const { clock, queue, make, log } = setup();
    queue.enqueueMessages([
      make('a', {
        transmits: [
          new NotDeliveredFailure(
            bridgeError('RATE_LIMITED', 'slow', { retryable: true, retryAfterMs: 2500 }),
          ),
          new NotDeliveredFailure(bridgeError('PROVIDER_UNAVAILABLE', 'not written')),
        ],
      }).unit,
    ]);
    queue.setConnected(true);
    await settle();
    clock.advance(2499);
    await settle();
    expect(log).toEqual(['tx a @0']);
    clock.advance(1);
    await settle();
    clock.advance(999);
    await settle();
    expect(log).toEqual(['tx a @0', 'tx a @2500']);
    clock.advance(1);
    await settle();
    expect(log).toEqual(['tx a @0', 'tx a @2500', 'tx a @3500', 'sent a']);
  });

  it('drops a refused typing frame, reporting it; only a rate refusal pauses the frames behind it', async () => {
    const limited = setup();
    limited.queue.enqueueTyping(
      limited.make(
        't',
        {
          transmits: [
            new NotDeliveredFailure(
              bridgeError('RATE_LIMITED', 'slow', { retryable: true, retryAfterMs: 3000 }),
            ),
          ],
        },
        'typing',
      ).unit,
    );
    limited.queue.enqueueMessages([limited.make('b').unit]);
    limited.queue.setConnected(true);
    await settle();
    limited.clock.advance(2999);
    await settle();
    expect(limited.log).toEqual(['tx t @0', 'failed t RATE_LIMITED']);
    limited.clock.advance(1);
    await settle();
    expect(limited.log).toEqual(['tx t @0', 'failed t RATE_LIMITED', 'tx b @3000', 'sent b']);

    const other = setup();
    other.queue.enqueueTyping(
      other.make(
        't',
        { transmits: [new NotDeliveredFailure(bridgeError('PROVIDER_UNAVAILABLE', 'down'))] },
        'typing',
      ).unit,
    );
    other.queue.enqueueMessages([other.make('b').unit]);
    other.queue.setConnected(true);
    await settle();
    expect(other.log).toEqual(['tx t @0', 'failed t PROVIDER_UNAVAILABLE', 'tx b @0', 'sent b']);
  });

  it('fails the frame in flight with the close reason whatever its send reports, and never retries it', async () => {
    const outcomes: [string, Error][] = [
      ['refused', new NotDeliveredFailure(bridgeError('RATE_LIMITED', 'slow', { retryAfterMs: 10 }))],
      ['dropped', dropped()],
      ['timeout', new BridgeFailure(bridgeError('TIMEOUT', 'no answer'))],
    ];
    for (const [name, error] of outcomes) {
      const { clock, queue, make, log } = setup();
      const { unit: u, settles } = make(name, { transmits: ['hang'], confirms: [false] });
      queue.enqueueMessages([u]);
      queue.setConnected(true);
      await settle();
      queue.close(bridgeError('SESSION_EXPIRED', 'expired'));
      settles[0]?.reject(error);
      await settle();
      clock.advance(10_000);
      await settle();
      expect(log).toEqual([`tx ${name} @0`, `failed ${name} SESSION_EXPIRED`]);
    }
  });

  it('hold() waits for the frame in flight, then nothing more leaves', async () => {
    const { clock, queue, make, log } = setup();
    const a = make('a', { transmits: ['hang'] });
    queue.enqueueMessages([a.unit, make('b').unit]);
    queue.setConnected(true);
    await settle();
    expect(queue.idle).toBe(false);
    let held = false;
    void queue.hold().then(() => {
      held = true;
    });
    await settle();
    expect(held).toBe(false);
    // A message taken while the frame is still in flight does not release the hold early.
    queue.enqueueMessages([make('c').unit]);
    await settle();
    expect(held).toBe(false);
    a.settles[0]?.resolve();
    await settle();
    expect(held).toBe(true);
    queue.setConnected(true);
    clock.advance(5000);
    await settle();
    expect(log).toEqual(['tx a @0', 'sent a']);
    expect(queue.size).toBe(2);
    await expect(queue.hold()).resolves.toBeUndefined();
  });

  it('a hold waiting on a frame in flight is released when the queue closes', async () => {
    const { queue, make } = setup();
    queue.enqueueMessages([make('a', { transmits: ['hang'] }).unit]);
    queue.setConnected(true);
    await settle();
    // Nothing waits, but a frame in flight is not idle.
    expect(queue.size).toBe(0);
    expect(queue.idle).toBe(false);
    let held = false;
    void queue.hold().then(() => {
      held = true;
    });
    queue.close(bridgeError('SESSION_ENDED', 'gone'));
    await settle();
    expect(held).toBe(true);
  });
});

// ---------------------------------------------------------------- reconnect-gap

describe('ReconnectGap', () => {
  type Step = Error | HistoryCatchUp | (() => Promise<HistoryCatchUp>);

  function harness(overrides: Partial<ReconnectGapOptions> = {}) {
    const clock = new ManualClock(0);
    const out: string[] = [];
    const reports: GapReport[] = [];
    const reads: number[] = [];
    const known: string[][] = [];
    const script: Step[] = [];
    const state = { online: true, finished: false, history: { messages: [] } as HistoryCatchUp };
    const seen = new Set<string>();
    const item = (label: string, messageId?: string): OrderedItem => ({
      at: undefined,
      deliver: () => out.push(label),
      ...(messageId !== undefined ? { messageId } : {}),
    });
    const gap = new ReconnectGap({
      clock,
      gapHoldMs: 5000,
      gapHoldMax: 10,
      reconnectInitialDelayMs: 1000,
      reconnectMaxDelayMs: 8000,
      reconnectWindowMs: 60_000,
      fetchHistory: (since) => {
        reads.push(clock.now());
        known.push([...since.knownIds].sort());
        const next = script.shift();
        if (next instanceof Error) return Promise.reject(next);
        if (typeof next === 'function') return next();
        return Promise.resolve(next ?? state.history);
      },
      online: () => state.online,
      finished: () => state.finished,
      release: (i) => i.deliver(),
      fromHistory: (m: ProviderMessage) => {
        if (seen.has(m.id)) return undefined;
        seen.add(m.id);
        return item(`h ${m.id}`, m.id);
      },
      historyEnded: (end) => out.push(`ended ${end.reason}`),
      report: (r) => {
        reports.push(r);
        out.push(`gap ${r.reason} ${r.released}`);
      },
      ...overrides,
    });
    /** A history read the test answers later. */
    const pendingRead = () => {
      let answer: (h: HistoryCatchUp) => void = () => {};
      script.push(() => new Promise<HistoryCatchUp>((resolve) => (answer = resolve)));
      return (h: HistoryCatchUp) => answer(h);
    };
    return { clock, out, reports, reads, known, script, state, seen, item, gap, pendingRead };
  }

  const failing = (n: number) => Array.from({ length: n }, () => retryable());

  it('without a history nothing ever waits', async () => {
    const { gap, out, reads, item } = harness({ fetchHistory: undefined });
    gap.dropped();
    gap.reconnected();
    gap.route(item('a'));
    gap.route(item('b'), 'always');
    await settle();
    expect(out).toEqual(['a', 'b']);
    expect(reads).toEqual([]);
  });

  it('holds live events (online), lets outage reports (offline) and `never` ends through', () => {
    const { gap, out, item, state } = harness();
    gap.dropped();
    state.online = false;
    gap.route(item('outage'));
    gap.route(item('end-always'), 'always');
    state.online = true;
    gap.route(item('live'));
    gap.route(item('end-never'), 'never');
    expect(out).toEqual(['outage', 'end-never']);
  });

  it('releases after exactly gapHoldMs from the reconnect, reporting when the drop happened and no error', async () => {
    const { gap, out, reports, clock, item, pendingRead } = harness();
    pendingRead();
    clock.advance(1000);
    gap.dropped(250);
    clock.advance(1000);
    gap.reconnected();
    gap.route(item('a'));
    clock.advance(4999);
    await settle();
    expect(out).toEqual([]);
    clock.advance(1);
    expect(out).toEqual(['gap holdTimeout 1', 'a']);
    expect(reports).toStrictEqual([{ reason: 'holdTimeout', since: isoTime(250), released: 1 }]);
  });

  it('reads again with backoff: initial, doubling, capped at the maximum', async () => {
    const { gap, reads, clock, script } = harness({
      reconnectInitialDelayMs: 500,
      reconnectMaxDelayMs: 3000,
      gapHoldMs: 100_000,
    });
    script.push(...failing(5));
    gap.dropped();
    gap.reconnected();
    await runTo(clock, 20_000);
    expect(reads).toEqual([0, 500, 1500, 3500, 6500, 9500]);
  });

  it('reads only once at a time, never after the session finished, and not while offline', async () => {
    const one = harness();
    const answer = one.pendingRead();
    one.gap.dropped();
    one.gap.reconnected();
    one.gap.reconnected();
    one.gap.endWaits();
    expect(one.reads).toEqual([0]);
    answer({ messages: [] });
    await settle();

    const done = harness();
    done.gap.dropped();
    done.state.finished = true;
    done.gap.reconnected();
    expect(done.reads).toEqual([]);

    const offline = harness();
    offline.gap.dropped();
    offline.state.online = false;
    offline.gap.reconnected();
    expect(offline.reads).toEqual([]);
  });

  it('a new drop cancels the pending retry: the next read is the reconnect, then the backoff goes on', async () => {
    const { gap, reads, clock, script, state } = harness({ gapHoldMs: 100_000 });
    script.push(...failing(3));
    gap.dropped();
    gap.reconnected();
    await runTo(clock, 500);
    state.online = false;
    gap.dropped();
    await runTo(clock, 600);
    state.online = true;
    gap.reconnected();
    await runTo(clock, 3000);
    expect(reads).toEqual([0, 600, 2600]);
  });

  it('after a released gap, a new drop holds live events again and reports a second gap', async () => {
    const { gap, out, reports, clock, item, script, state } = harness({
      gapHoldMs: 1000,
      reconnectInitialDelayMs: 100_000,
      reconnectMaxDelayMs: 100_000,
      reconnectWindowMs: 1_000_000,
    });
    script.push(...failing(5));
    gap.dropped();
    gap.reconnected();
    await runTo(clock, 1000);
    gap.route(item('x'));
    state.online = false;
    gap.dropped();
    gap.route(item('y'));
    state.online = true;
    clock.advance(500);
    gap.reconnected();
    await settle();
    gap.route(item('z'));
    await runTo(clock, 2499);
    expect(out).toEqual(['gap holdTimeout 0', 'x', 'y']);
    await runTo(clock, 2500);
    expect(out).toEqual(['gap holdTimeout 0', 'x', 'y', 'gap holdTimeout 1', 'z']);
    expect(reports[1]).toMatchObject({
      reason: 'holdTimeout',
      since: isoTime(0),
      error: { code: 'PROVIDER_UNAVAILABLE' },
    });
  });

  it('keeps reading after a release until reconnectWindowMs after the drop, then gives up', async () => {
    const { gap, reads, clock, script, item, out } = harness({
      gapHoldMs: 3000,
      reconnectInitialDelayMs: 1000,
      reconnectMaxDelayMs: 1000,
      reconnectWindowMs: 10_000,
    });
    script.push(...failing(20));
    gap.dropped();
    gap.reconnected();
    await runTo(clock, 30_000);
    expect(reads).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    // The gap is gone: live events flow and a reconnect reads nothing.
    gap.route(item('live'));
    gap.reconnected();
    await settle();
    expect(out.at(-1)).toBe('live');
    expect(reads).toHaveLength(11);
  });

  it('keeps reading past reconnectWindowMs while events still wait', async () => {
    const { gap, reads, clock, script, item, out } = harness({
      gapHoldMs: 8000,
      reconnectInitialDelayMs: 1000,
      reconnectMaxDelayMs: 1000,
      reconnectWindowMs: 5000,
    });
    script.push(...failing(20));
    gap.dropped();
    gap.reconnected();
    gap.route(item('waiting'));
    await runTo(clock, 7000);
    expect(reads).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
    await runTo(clock, 8000);
    expect(out).toEqual(['gap holdTimeout 1', 'waiting']);
  });

  it('fills the gap in history order, skipping what the bot has, and reports the end after it', async () => {
    const { gap, out, reports, item, seen, pendingRead, known } = harness();
    gap.know(['g0']);
    gap.route(item('live g1', 'g1'));
    seen.add('g1');
    const answer = pendingRead();
    gap.dropped();
    gap.reconnected();
    gap.route(item('typing'));
    gap.route(item('live g3', 'g3'));
    gap.route(item('live g5', 'g5'));
    answer({
      messages: [agentText('g1', '1'), agentText('g2', '2'), agentText('g3', '3'), agentText('g4', '4')],
      ended: { reason: 'agentEnded', by: 'agent' },
    });
    await settle();
    expect(out).toEqual(['live g1', 'h g2', 'typing', 'live g3', 'h g4', 'live g5', 'ended agentEnded']);
    expect(reports).toEqual([]);
    // The gap is filled: live events flow again.
    gap.route(item('after'));
    expect(out.at(-1)).toBe('after');
    expect(known[0]).toEqual(['g0', 'g1']);
    // Whatever went on is known to the next read.
    gap.dropped();
    gap.reconnected();
    await settle();
    expect(known[1]).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5']);
  });

  it('delivers nothing from a read that answers after the session finished', async () => {
    const { gap, out, state, pendingRead, item } = harness();
    const answer = pendingRead();
    gap.dropped();
    gap.reconnected();
    gap.route(item('live'));
    state.finished = true;
    answer({ messages: [agentText('g1', '1')] });
    await settle();
    expect(out).toEqual([]);
  });

  it('uses a read that the end waits on even if the connection dropped meanwhile', async () => {
    const { gap, out, reads, state, pendingRead, item } = harness();
    const answer = pendingRead();
    gap.dropped();
    gap.reconnected();
    state.online = false;
    gap.dropped();
    gap.route(item('end'), 'always');
    gap.endWaits();
    answer({ messages: [agentText('g1', '1')] });
    await settle();
    expect(out).toEqual(['h g1', 'end']);
    expect(reads).toHaveLength(1);
  });

  it('an end after the wait was released does not start a read while offline', async () => {
    const { gap, reads, clock, script, state } = harness({
      gapHoldMs: 1000,
      reconnectInitialDelayMs: 100_000,
      reconnectMaxDelayMs: 100_000,
    });
    script.push(...failing(1));
    gap.dropped();
    gap.reconnected();
    await runTo(clock, 1000);
    state.online = false;
    gap.endWaits();
    await settle();
    expect(reads).toEqual([0]);
  });

  it('dispose drops the gap silently: what waited is gone, no report, no more reads', async () => {
    const { gap, out, reports, reads, clock, script, item } = harness();
    script.push(...failing(1));
    gap.dropped();
    gap.reconnected();
    gap.route(item('held'));
    await settle();
    gap.dispose();
    await runTo(clock, 60_000);
    gap.route(item('after'));
    expect(out).toEqual(['after']);
    expect(reports).toEqual([]);
    expect(reads).toEqual([0]);
  });

  it('close reports the unfilled gap before what waited, then stops reading', async () => {
    const { gap, out, reads, clock, script, item } = harness();
    script.push(...failing(1));
    gap.close(); // no gap: nothing to say
    gap.dropped();
    gap.reconnected();
    gap.route(item('a'));
    gap.route(item('b'));
    await settle();
    gap.close();
    expect(out).toEqual(['gap sessionEnded 2', 'a', 'b']);
    await runTo(clock, 60_000);
    expect(reads).toEqual([0]);
  });
});

// ---------------------------------------------------------------- session-registry and new-transfer

describe('SessionRegistry', () => {
  it('counts live sessions and forgets everything, listeners included, on closeAll', async () => {
    const { registry, adapter, clock } = fakeBridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    const a = await registry.startTransfer(transfer());
    const b = await registry.startTransfer(transfer({ idempotencyKey: 'k2', botConversationId: 'bot-2' }));
    expect(registry.liveCount).toBe(2);
    await registry.require(a.sessionId).end();
    expect(registry.liveCount).toBe(1);
    const leaves: unknown[] = [];
    const second: ChannelAdapter = adapter(1);
    const close = second.close.bind(second);
    second.close = (mode: 'end' | 'detach', options?: { patient?: boolean }) => {
      leaves.push(options);
      return close(mode);
    };
    const seen: string[] = [];
    registry.onEvent((e) =>
      seen.push(`${e.sessionId} ${e.type}${e.type === 'session.ended' ? ` ${e.reason}` : ''}`),
    );
    await registry.closeAll();
    // Nothing is left scheduled: no eviction of a forgotten session, no timer of an ended one.
    expect(clock.pending).toBe(0);
    expect(seen).toEqual([`${b.sessionId} session.ended botEnded`]);
    expect(adapter(1).closes).toEqual(['end']);
    // A shutdown does not wait out a refused leave.
    expect(leaves).toEqual([{ patient: false }]);
    expect([registry.get(a.sessionId), registry.get(b.sessionId)]).toEqual([undefined, undefined]);
    expect(registry.findByBotConversation('bot-1')).toBeUndefined();
    expect(registry.liveCount).toBe(0);
    const again = await registry.startTransfer(transfer());
    expect(again).toMatchObject({ created: true, sessionId: 's3' });
    expect(seen).toHaveLength(1);
  });

  it('keeps an ended session until exactly endedRetentionMs, then frees its key but not a newer session', async () => {
    const { registry, clock } = fakeBridge(webMessagingConfig({ timeouts: { endedRetentionMs: 10_000 } }));
    const first = await registry.startTransfer(transfer());
    await registry.require(first.sessionId).end();
    clock.advance(5000);
    const newer = await registry.startTransfer(transfer({ idempotencyKey: 'k2' }));
    expect(registry.findByBotConversation('bot-1')?.id).toBe(newer.sessionId);
    clock.advance(4999);
    expect(registry.get(first.sessionId)?.id).toBe(first.sessionId);
    clock.advance(1);
    expect(registry.get(first.sessionId)).toBeUndefined();
    expect(registry.findByBotConversation('bot-1')?.id).toBe(newer.sessionId);
    const reused = await registry.startTransfer(transfer());
    expect(reused.created).toBe(true);
    expect(reused.sessionId).not.toBe(first.sessionId);
  });

  it('an ended session still answers for its bot conversation until it is evicted', async () => {
    const { registry, clock } = fakeBridge(webMessagingConfig({ timeouts: { endedRetentionMs: 10_000 } }));
    const only = await registry.startTransfer(transfer());
    await registry.require(only.sessionId).end();
    clock.advance(9999);
    expect(registry.findByBotConversation('bot-1')?.id).toBe(only.sessionId);
    clock.advance(1);
    expect(registry.findByBotConversation('bot-1')).toBeUndefined();
  });

  it('gives onEvent listeners only events after they subscribed', async () => {
    const { registry, adapter } = fakeBridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    const { sessionId } = await registry.startTransfer(transfer());
    const seen: string[] = [];
    registry.onEvent((e) => seen.push(e.type));
    expect(seen).toEqual([]);
    adapter().events.message(agentText('g1', 'hi'));
    expect(seen).toEqual(['agent.joined', 'agent.message']);
    expect(registry.require(sessionId).log.lastSeq).toBe(3);
  });

  it('treats the same listener subscribed twice as two subscriptions, each ended by its own call', async () => {
    const { registry, adapter } = fakeBridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
    await registry.startTransfer(transfer());
    const seen: string[] = [];
    const listener = (e: BridgeEvent) => seen.push(`${e.sessionId} ${e.type}`);
    const first = registry.onEvent(listener);
    await registry.startTransfer(transfer({ idempotencyKey: 'k2', botConversationId: 'bot-2' }));
    const second = registry.onEvent(listener);
    expect(seen.splice(0)).toEqual(['s2 transfer.accepted']);
    first();
    second();
    adapter(0).events.message(agentText('g1', 'hi'));
    adapter(1).events.message(agentText('g2', 'hi'));
    expect(seen).toEqual([]);
  });

  it('treats the same request with its keys in another order as a replay', async () => {
    const { registry } = fakeBridge();
    const first = await registry.startTransfer(transfer({ metadata: { a: 1, b: { x: 1, y: 2 } } }));
    const replay = await registry.startTransfer({
      customer: { displayName: 'Jane', id: 'c-1' },
      metadata: { b: { y: 2, x: 1 }, a: 1 },
      botConversationId: 'bot-1',
      idempotencyKey: 'k1',
    });
    expect(replay).toMatchObject({ sessionId: first.sessionId, created: false });
  });

  it('reports only warning-level configuration warnings, as code and message', async () => {
    const { registry } = fakeBridge(
      webChatConfig({
        loginUrl: 'https://login.mypurecloud.ie/some/path',
        webSocketUrl: 'wss://example.com/',
      }),
    );
    const result = await registry.startTransfer(transfer());
    expect(result.warnings.map((w) => w.code)).toEqual(['CHANNEL_DEPRECATED', 'WS_URL_IGNORED']);
    for (const w of result.warnings) expect(Object.keys(w).sort()).toEqual(['code', 'message']);
  });

  it('refuses a channel without an adapter, and leaves nothing behind when a plan is refused', async () => {
    const clock = new ManualClock();
    const bare = new SessionRegistry({
      configs: resolveBridgeConfigSet(webMessagingConfig()),
      adapters: {},
      clock,
      newId: () => 'x1',
      onListenerError: () => {},
    });
    await expect(bare.startTransfer(transfer())).rejects.toMatchObject({
      error: { code: 'CONFIG_INVALID', message: 'no webMessaging adapter is available in this bridge' },
    });
    expect(bare.get('x1')).toBeUndefined();

    const { registry } = fakeBridge();
    await expect(
      registry.startTransfer(transfer({ metadata: { notes: 'x'.repeat(3000) } })),
    ).rejects.toMatchObject({ error: { code: 'METADATA_TOO_LARGE' } });
    expect(registry.findByBotConversation('bot-1')).toBeUndefined();
    expect(registry.liveCount).toBe(0);
    const fixed = await registry.startTransfer(transfer());
    expect(fixed.created).toBe(true);
  });

  it('refuses a malformed customer message with INVALID_REQUEST and an unknown session with its id', async () => {
    const { registry } = fakeBridge();
    const { sessionId } = await registry.startTransfer(transfer());
    expect(thrownBy(() => registry.sendCustomerMessage(sessionId, { text: 'hi' }))).toMatchObject({
      error: { code: 'INVALID_REQUEST' },
    });
    expect(thrownBy(() => registry.require('nope'))).toMatchObject({
      error: { code: 'SESSION_NOT_FOUND', message: expect.stringContaining('no session nope') },
    });
  });
});
