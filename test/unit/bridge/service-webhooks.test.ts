import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import type { BridgeEvent, FetchLike } from '../../../bridge/index.ts';
import { signWebhookBody, verifyWebhookSignature } from '../../../bridge/service/index.ts';
import { WebhookSettingsSchema } from '../../../bridge/service/settings.ts';
import { WebhookDispatcher, type WebhookFailure } from '../../../bridge/service/webhooks.ts';

/**
 * Webhook signing and delivery: a fake receiver (fetch) answers each attempt from a script, the bridge's
 * ManualClock decides when retries happen, and jitter is pinned, so every delay is exact and nothing sleeps.
 */

const SECRET = 'webhook-secret-0123456789';

describe('webhook signatures', () => {
  const T = 1_767_258_000; // 2026-01-01T09:00:00Z
  const at = (seconds: number) => ({ now: seconds * 1000 });

  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    // `printf '1767258000.The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -hmac key`
    expect(signWebhookBody('key', 'The quick brown fox jumps over the lazy dog', T)).toBe(
      `t=${T},v1=a7df84bdcac98ec69294f73a611b0df8f4fa195a01b5d3d55a8b15585f84f3f2`,
    );
    expect(signWebhookBody('key', 'x', T + 0.9)).toMatch(new RegExp(`^t=${T},v1=[0-9a-f]{64}$`));
  });

  it('verifies only the exact body, time and secret', () => {
    const body = JSON.stringify({ eventId: 's:1', seq: 1 });
    const signature = signWebhookBody(SECRET, body, T);
    expect(verifyWebhookSignature(SECRET, body, signature, at(T))).toBe(true);
    expect(verifyWebhookSignature(SECRET, `${body} `, signature, at(T))).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456789', body, signature, at(T))).toBe(false);
    // The time is signed: moving it breaks the signature.
    expect(verifyWebhookSignature(SECRET, body, signature.replace(`t=${T}`, `t=${T + 1}`), at(T))).toBe(
      false,
    );
    for (const bad of [
      undefined,
      '',
      'sha256=00',
      `t=${T}`,
      `v1=${'0'.repeat(64)}`,
      `t=x,v1=00`,
      't=1,t=2,v1=0',
    ])
      expect(verifyWebhookSignature(SECRET, body, bad, at(T))).toBe(false);
  });

  it('refuses a delivery older (or newer) than the tolerance, 300 s by default', () => {
    const body = '{"eventId":"s:1"}';
    const signature = signWebhookBody(SECRET, body, T);
    expect(verifyWebhookSignature(SECRET, body, signature, at(T + 300))).toBe(true);
    expect(verifyWebhookSignature(SECRET, body, signature, at(T + 301))).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, signature, at(T - 301))).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, signature, { ...at(T + 301), toleranceSeconds: 600 })).toBe(
      true,
    );
    expect(verifyWebhookSignature(SECRET, body, signature, { ...at(T + 5), toleranceSeconds: 2 })).toBe(
      false,
    );
    expect(
      verifyWebhookSignature(SECRET, body, signature, { now: 0, toleranceSeconds: Number.POSITIVE_INFINITY }),
    ).toBe(true);
    // Without `now`, the receiver's clock.
    const fresh = signWebhookBody(SECRET, body, Date.now() / 1000);
    expect(verifyWebhookSignature(SECRET, body, fresh)).toBe(true);
    expect(verifyWebhookSignature(SECRET, body, signature)).toBe(Math.abs(Date.now() / 1000 - T) <= 300);
  });

  it('accepts any of several v1 signatures (secret rotation) and ignores other schemes', () => {
    const body = '{"eventId":"s:2"}';
    const old = signWebhookBody('old-secret-0123456789', body, T).split(',')[1];
    const current = signWebhookBody(SECRET, body, T).split(',')[1];
    expect(verifyWebhookSignature(SECRET, body, `t=${T},${old},${current}`, at(T))).toBe(true);
    expect(verifyWebhookSignature(SECRET, body, `t=${T},v0=abc,${current}`, at(T))).toBe(true);
    expect(verifyWebhookSignature(SECRET, body, `t=${T},${old}`, at(T))).toBe(false);
  });
});

// ---------------------------------------------------------------- delivery

function event(sessionId: string, seq: number, type: BridgeEvent['type'] = 'agent.typing'): BridgeEvent {
  return {
    eventId: `${sessionId}:${seq}`,
    sessionId,
    seq,
    occurredAt: '2026-01-01T09:00:00.000Z',
    observedAt: '2026-01-01T09:00:00.000Z',
    channel: 'webMessaging',
    source: 'bridge',
    ...(type === 'session.ended'
      ? { type, reason: 'agentEnded', by: 'agent' }
      : { type: 'agent.typing', isTyping: true }),
  } as BridgeEvent;
}

type Answer = number | 'network' | 'hang' | Promise<number> | { status: number; retryAfter: string };

/** A log per session, a receiver answering from a script (200 once it runs out), and a dispatcher. */
function harness(settings: Record<string, unknown> = {}, script: Answer[] = []) {
  const clock = new ManualClock();
  const logs = new Map<string, BridgeEvent[]>();
  const calls: { at: number; headers: Record<string, string>; body: string }[] = [];
  const failures: WebhookFailure[] = [];
  const fetch: FetchLike = async (_url, init) => {
    calls.push({ at: clock.now(), headers: init.headers as Record<string, string>, body: String(init.body) });
    const answer = script.shift() ?? 200;
    if (answer === 'network') throw new TypeError('fetch failed');
    if (answer === 'hang') {
      return new Promise<Response>((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    if (answer instanceof Promise) return new Response(null, { status: await answer });
    if (typeof answer === 'object') {
      return new Response(null, { status: answer.status, headers: { 'retry-after': answer.retryAfter } });
    }
    return new Response(null, { status: answer });
  };
  const dispatcher = new WebhookDispatcher(
    WebhookSettingsSchema.parse({ url: 'https://bot.example/hooks', secret: SECRET, ...settings }),
    {
      clock,
      fetch,
      random: () => 0.5,
      onGiveUp: (failure) => failures.push(failure),
      source: {
        readEvents: async (sessionId, { afterSeq }) => {
          const log = logs.get(sessionId);
          if (!log) throw new Error('no such session');
          return log.filter((e) => e.seq > afterSeq);
        },
      },
    },
  );
  const emit = (e: BridgeEvent) => {
    logs.set(e.sessionId, [...(logs.get(e.sessionId) ?? []), e]);
    dispatcher.notify(e);
  };
  /** Lets promise chains and fetch answers run; time does not move. */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const delivered = () =>
    calls.map((c) => `${c.headers['x-bridge-session-id']}#${c.headers['x-bridge-seq']}`);
  return { clock, calls, failures, dispatcher, emit, settle, delivered, logs };
}

describe('webhook delivery', () => {
  it('POSTs each event once, in order, as signed JSON with its ids and the send time', async () => {
    const h = harness();
    h.clock.advance(1234);
    h.emit(event('s1', 1));
    h.emit(event('s1', 2));
    h.emit(event('s1', 3, 'session.ended'));
    await h.settle();
    expect(h.delivered()).toEqual(['s1#1', 's1#2', 's1#3']);
    for (const [i, call] of h.calls.entries()) {
      expect(JSON.parse(call.body)).toEqual(event('s1', i + 1, i === 2 ? 'session.ended' : 'agent.typing'));
      expect(call.headers).toMatchObject({
        'content-type': 'application/json',
        'x-bridge-event-id': `s1:${i + 1}`,
        'x-bridge-timestamp': String(h.clock.now()),
        'x-bridge-delivery-attempt': '1',
      });
      // Signed at the time it left, on the bridge's clock.
      expect(call.headers['x-bridge-signature']).toMatch(
        new RegExp(`^t=${Math.floor(h.clock.now() / 1000)},v1=[0-9a-f]{64}$`),
      );
      expect(
        verifyWebhookSignature(SECRET, call.body, call.headers['x-bridge-signature'], { now: h.clock.now() }),
      ).toBe(true);
    }
    expect(h.dispatcher.idle).toBe(true);
  });

  it('retries 5xx, 408 and network errors with exponential backoff and jitter, on the clock', async () => {
    // initialDelayMs 500, jitter pinned at 0.5: waits of 375, 750, 1500 ms (half fixed, half random).
    const h = harness({}, [503, 'network', 408, 200]);
    h.emit(event('s1', 1));
    await h.settle();
    expect(h.calls.map((c) => c.at - h.calls[0]!.at)).toEqual([0]);
    for (const wait of [375, 750, 1500]) {
      h.clock.advance(wait - 1);
      await h.settle();
      const before = h.calls.length;
      h.clock.advance(1);
      await h.settle();
      expect(h.calls.length).toBe(before + 1);
    }
    expect(h.calls.map((c) => c.headers['x-bridge-delivery-attempt'])).toEqual(['1', '2', '3', '4']);
    expect(h.failures).toEqual([]);
    expect(h.dispatcher.idle).toBe(true);
  });

  it('waits at least Retry-After on 429 and 503', async () => {
    const h = harness({}, [{ status: 429, retryAfter: '3' }]);
    h.emit(event('s1', 1));
    await h.settle();
    h.clock.advance(2999);
    await h.settle();
    expect(h.calls).toHaveLength(1);
    h.clock.advance(1);
    await h.settle();
    expect(h.calls).toHaveLength(2);
  });

  it('gives up after maxAttempts, with the delays capped at maxDelayMs', async () => {
    const h = harness({ maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 1500 }, [500, 500, 500, 500]);
    h.emit(event('s1', 1));
    await h.settle();
    // Steps of 1000, 2000 (capped to 1500), 4000 (capped): waits of 750, 1125, 1125.
    for (const wait of [750, 1125, 1125]) {
      h.clock.advance(wait);
      await h.settle();
    }
    expect(h.calls.map((c) => c.at - h.calls[0]!.at)).toEqual([0, 750, 1875, 3000]);
    expect(h.failures).toEqual([
      {
        sessionId: 's1',
        eventId: 's1:1',
        seq: 1,
        attempts: 4,
        status: 500,
        reason: 'the receiver answered 500',
      },
    ]);
    h.clock.advance(60_000);
    await h.settle();
    expect(h.calls).toHaveLength(4);
  });

  it('does not retry other 4xx; the next event resumes from the undelivered one, in order', async () => {
    const h = harness({}, [400]);
    h.emit(event('s1', 1));
    await h.settle();
    expect(h.failures).toMatchObject([{ seq: 1, attempts: 1, status: 400 }]);
    h.clock.advance(60_000);
    await h.settle();
    expect(h.delivered()).toEqual(['s1#1']);
    h.emit(event('s1', 2));
    await h.settle();
    expect(h.delivered()).toEqual(['s1#1', 's1#1', 's1#2']);
  });

  it('holds seq n+1 until seq n is acknowledged, while other sessions carry on', async () => {
    const h = harness({}, [503]);
    h.emit(event('a', 1));
    h.emit(event('a', 2));
    h.emit(event('b', 1));
    await h.settle();
    expect(h.delivered()).toEqual(['a#1', 'b#1']);
    h.clock.advance(375);
    await h.settle();
    expect(h.delivered()).toEqual(['a#1', 'b#1', 'a#1', 'a#2']);
  });

  it('counts an attempt without an answer within timeoutMs as failed and retries it', async () => {
    const h = harness({ timeoutMs: 2000 }, ['hang']);
    h.emit(event('s1', 1));
    await h.settle();
    h.clock.advance(2000);
    await h.settle();
    h.clock.advance(375);
    await h.settle();
    expect(h.calls.map((c) => c.at - h.calls[0]!.at)).toEqual([0, 2375]);
    expect(h.failures).toEqual([]);
  });

  it('stops quietly when the session is gone from the bridge', async () => {
    const h = harness({}, [503]);
    h.emit(event('s1', 1));
    await h.settle();
    h.logs.delete('s1');
    h.clock.advance(375);
    await h.settle();
    expect(h.calls).toHaveLength(2);
    expect(h.dispatcher.idle).toBe(true);
  });

  it('on close, waits for an attempt in flight to finish', async () => {
    let answer = (_status: number) => {};
    const h = harness({ drainMs: 5000 }, [new Promise<number>((resolve) => (answer = resolve))]);
    h.emit(event('s1', 1));
    await h.settle();
    let closed = false;
    void h.dispatcher.close().then(() => {
      closed = true;
    });
    await h.settle();
    expect(closed).toBe(false);
    answer(204);
    await h.settle();
    expect(closed).toBe(true);
    expect(h.clock.pending).toBe(0);
  });

  it('on close, lets an attempt in flight finish within drainMs, then abandons retries', async () => {
    const h = harness({ drainMs: 1000 }, ['hang']);
    h.emit(event('s1', 1));
    await h.settle();
    let closed = false;
    void h.dispatcher.close().then(() => {
      closed = true;
    });
    await h.settle();
    expect(closed).toBe(false);
    h.clock.advance(1000);
    await h.settle();
    expect(closed).toBe(true);
    h.clock.advance(60_000);
    await h.settle();
    expect(h.calls).toHaveLength(1);
    h.emit(event('s1', 2));
    await h.settle();
    expect(h.calls).toHaveLength(1);
  });
});
