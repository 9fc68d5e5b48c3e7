import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { bridgeError } from '../../../bridge/errors.ts';
import { HttpClient, retryAfterMs } from '../../../bridge/http/http-client.ts';
import { NotDeliveredFailure } from '../../../bridge/session/channel-adapter.ts';
import { EventLog } from '../../../bridge/session/event-log.ts';
import { ReorderBuffer } from '../../../bridge/session/reorder-buffer.ts';
import { SendQueue, type SendUnit } from '../../../bridge/session/send-queue.ts';
import { canTransition, isTerminal } from '../../../bridge/session/session-state.ts';
import { splitText } from '../../../bridge/session/split-text.ts';
import { settle } from './fake-adapter.ts';

describe('ReorderBuffer', () => {
  it('releases events sorted by provider time when every delay is within the window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ at: fc.integer({ min: 0, max: 10_000 }), delay: fc.integer({ min: 0, max: 900 }) }),
          { maxLength: 30 },
        ),
        (items) => {
          const clock = new ManualClock(0);
          const out: number[] = [];
          const buffer = new ReorderBuffer<number>(clock, 1000, (at) => out.push(at));
          // Each item reaches the bridge `delay` ms after it happened.
          const arrivals = items
            .map((i) => ({ at: i.at, arrive: i.at + i.delay }))
            .sort((a, b) => a.arrive - b.arrive);
          for (const item of arrivals) {
            clock.advance(item.arrive - clock.now());
            buffer.push(item.at, item.at);
          }
          clock.advance(2000);
          expect(out).toEqual(items.map((i) => i.at).sort((a, b) => a - b));
        },
      ),
    );
  });

  it('keeps arrival order for untimestamped events and passes through with a zero window', () => {
    const clock = new ManualClock(0);
    const out: string[] = [];
    const buffer = new ReorderBuffer<string>(clock, 1000, (s) => out.push(s));
    buffer.push('a', 50);
    buffer.push('b');
    buffer.push('c', 10);
    clock.advance(1000);
    expect(out).toEqual(['c', 'a', 'b']);
    const direct: string[] = [];
    new ReorderBuffer<string>(clock, 0, (s) => direct.push(s)).push('now', 5);
    expect(direct).toEqual(['now']);
  });

  it('flushes everything in order on demand', () => {
    const clock = new ManualClock(0);
    const out: number[] = [];
    const buffer = new ReorderBuffer<number>(clock, 1000, (n) => out.push(n));
    buffer.push(3, 3);
    buffer.push(1, 1);
    buffer.flush();
    expect(out).toEqual([1, 3]);
    expect(clock.pending).toBe(0);
  });
});

describe('SendQueue', () => {
  function unit(log: string[], name: string, outcome: () => Promise<void> = async () => {}): SendUnit {
    return {
      kind: 'message',
      transmit: () => {
        log.push(`tx ${name}`);
        return outcome();
      },
      sent: () => log.push(`sent ${name}`),
      failed: (e) => log.push(`failed ${name} ${e.code}`),
    };
  }

  it('waits for a connection and sends one frame at a time, in order', async () => {
    const clock = new ManualClock(0);
    const queue = new SendQueue(clock, { perSecond: 10, max: 10 });
    const log: string[] = [];
    queue.enqueueMessages([unit(log, 'a'), unit(log, 'b')]);
    expect(log).toEqual([]);
    queue.setConnected(true);
    await settle();
    expect(log).toEqual(['tx a', 'sent a', 'tx b', 'sent b']);
    expect(queue.idle).toBe(true);
  });

  it('drained() resolves once the paced frames are sent, or at once when the queue closes', async () => {
    const clock = new ManualClock(0);
    const queue = new SendQueue(clock, { perSecond: 2, max: 10 });
    const log: string[] = [];
    queue.setConnected(true);
    queue.enqueueMessages([unit(log, 'a'), unit(log, 'b'), unit(log, 'c')]);
    let drained = false;
    void queue.drained().then(() => {
      drained = true;
    });
    await settle();
    expect(log).toEqual(['tx a', 'sent a', 'tx b', 'sent b']);
    expect(drained).toBe(false);
    clock.advance(1000);
    await settle();
    expect(log.at(-1)).toBe('sent c');
    expect(drained).toBe(true);

    const stuck = new SendQueue(clock, { perSecond: 2, max: 10 });
    stuck.enqueueMessages([unit(log, 'd')]); // never connected: it cannot move
    let released = false;
    void stuck.drained().then(() => {
      released = true;
    });
    await settle();
    expect(released).toBe(false);
    stuck.close(bridgeError('SESSION_ENDED', 'ended'));
    await settle();
    expect(released).toBe(true);
    expect(log.at(-1)).toBe('failed d SESSION_ENDED');
  });

  it('never starts more than perSecond frames in any second', async () => {
    const clock = new ManualClock(0);
    const queue = new SendQueue(clock, { perSecond: 2, max: 50 });
    const starts: number[] = [];
    const units = Array.from(
      { length: 7 },
      (): SendUnit => ({
        kind: 'message',
        transmit: async () => {
          starts.push(clock.now());
        },
        sent: () => {},
        failed: () => {},
      }),
    );
    queue.enqueueMessages(units);
    queue.setConnected(true);
    for (let i = 0; i < 8; i++) {
      await settle();
      clock.advance(500);
    }
    expect(starts).toEqual([0, 0, 1000, 1000, 2000, 2000, 3000]);
  });

  it('drops a waiting typing frame to make room for a message', () => {
    const clock = new ManualClock(0);
    const queue = new SendQueue(clock, { perSecond: 2, max: 1 });
    const log: string[] = [];
    expect(
      queue.enqueueTyping({
        kind: 'typing',
        transmit: async () => {},
        sent: () => log.push('typing'),
        failed: () => {},
      }),
    ).toBe(true);
    expect(
      queue.enqueueTyping({ kind: 'typing', transmit: async () => {}, sent: () => {}, failed: () => {} }),
    ).toBe(false);
    expect(queue.enqueueMessages([unit(log, 'm')])).toBe(true);
    expect(queue.size).toBe(1);
    expect(queue.enqueueMessages([unit(log, 'n')])).toBe(false);
  });

  it('fails waiting messages with the given error when closed', () => {
    const queue = new SendQueue(new ManualClock(0), { perSecond: 2, max: 5 });
    const log: string[] = [];
    queue.enqueueMessages([unit(log, 'a')]);
    queue.close(bridgeError('SESSION_ENDED', 'gone'));
    expect(log).toEqual(['failed a SESSION_ENDED']);
    expect(queue.enqueueMessages([unit(log, 'b')])).toBe(false);
  });

  it('retries a not-delivered frame first, after its pause', async () => {
    const clock = new ManualClock(0);
    const queue = new SendQueue(clock, { perSecond: 10, max: 5 });
    const log: string[] = [];
    let refusals = 1;
    const refusedOnce = async () => {
      if (refusals-- > 0)
        throw new NotDeliveredFailure(
          bridgeError('RATE_LIMITED', 'slow down', { retryAfterMs: 2000, retryable: true }),
        );
    };
    queue.enqueueMessages([unit(log, 'a', refusedOnce), unit(log, 'b')]);
    queue.setConnected(true);
    await settle();
    expect(log).toEqual(['tx a']);
    clock.advance(2000);
    await settle();
    expect(log).toEqual(['tx a', 'tx a', 'sent a', 'tx b', 'sent b']);
  });
});

describe('EventLog', () => {
  it('numbers events from 1 without gaps and closes after session.ended', () => {
    const log = new EventLog('s', 'webMessaging', new ManualClock(0), () => {});
    log.append({ type: 'transfer.accepted' });
    log.append({ type: 'connection.changed', connectivity: 'reconnecting' });
    log.append({ type: 'session.ended', reason: 'botEnded', by: 'bot' });
    expect(log.read().map((e) => [e.seq, e.eventId])).toEqual([
      [1, 's:1'],
      [2, 's:2'],
      [3, 's:3'],
    ]);
    expect(log.closed).toBe(true);
    expect(() => log.append({ type: 'transfer.accepted' })).toThrow(/closed/);
  });

  it('delivers in seq order to every listener even when a listener appends', () => {
    const log = new EventLog('s', 'webMessaging', new ManualClock(0), () => {});
    const first: number[] = [];
    const second: number[] = [];
    log.subscribe((e) => {
      first.push(e.seq);
      if (e.seq === 1) log.append({ type: 'connection.changed', connectivity: 'online' });
    });
    log.subscribe((e) => second.push(e.seq));
    log.append({ type: 'transfer.accepted' });
    log.subscribe((e) => second.push(e.seq * 10), 1);
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1, 2, 20]);
  });

  it('lets an iterator stop early', async () => {
    const log = new EventLog('s', 'webChat', new ManualClock(0), () => {});
    const iterator = log.iterate();
    const pending = iterator.next();
    await iterator.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('small helpers', () => {
  it('knows the lifecycle transitions', () => {
    expect(canTransition('connecting', 'queued')).toBe(true);
    expect(canTransition('queued', 'failed')).toBe(false);
    expect(canTransition('ended', 'agentActive')).toBe(false);
    expect(isTerminal('failed')).toBe(true);
  });

  it('splits at spaces and never inside a surrogate pair', () => {
    expect(splitText('hello brave new world', 12)).toEqual(['hello brave ', 'new world']);
    // A space exactly at index max must not make a part one unit too long (found by the property below).
    expect(splitText('ab c', 2)).toEqual(['ab', ' c']);
    const parts = splitText('😀😀😀', 3);
    expect(parts.join('')).toBe('😀😀😀');
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(3);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 2, max: 50 }),
        (text, max) => {
          const split = splitText(text, max);
          expect(split.join('')).toBe(text);
          for (const part of split) expect(part.length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });
});

describe('HttpClient retries', () => {
  function client(statuses: number[], clock: ManualClock) {
    const calls: number[] = [];
    const http = new HttpClient({
      clock,
      random: () => 1,
      fetch: async () => {
        calls.push(clock.now());
        const status = statuses.shift() ?? 200;
        return new Response(status === 200 ? '{"ok":true}' : '', {
          status,
          headers: status === 429 ? { 'Retry-After': '2' } : {},
        });
      },
    });
    return { http, calls };
  }

  it('retries 429 after Retry-After and 5xx with backoff for idempotent calls', async () => {
    const clock = new ManualClock(0);
    const { http, calls } = client([429, 503], clock);
    const pending = http.request({ method: 'GET', url: 'http://x/', retry: 'idempotent' });
    await settle();
    clock.advance(2000);
    await settle();
    clock.advance(1000);
    const response = await pending;
    expect(response).toMatchObject({ status: 200, body: { ok: true } });
    expect(calls).toEqual([0, 2000, 3000]);
  });

  it('does not retry a 5xx for a call that may have taken effect', async () => {
    const clock = new ManualClock(0);
    const { http, calls } = client([502], clock);
    expect(
      (await http.request({ method: 'POST', url: 'http://x/', body: {}, retry: 'refusalsOnly' })).status,
    ).toBe(502);
    expect(calls).toHaveLength(1);
  });
});
