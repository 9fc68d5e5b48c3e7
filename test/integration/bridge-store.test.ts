import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../bridge/clock.ts';
import { MemoryStore } from '../../bridge/store/memory-store.ts';
import { RedisStore } from '../../bridge/store/redis-store.ts';
import {
  type Lease,
  LeaseLostError,
  type SessionRecord,
  type SessionSignal,
  type SessionStore,
} from '../../bridge/store/session-store.ts';
import type { BridgeEvent } from '../../bridge/types.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';

/**
 * One contract, two stores: the in-process MemoryStore and the RedisStore on a real redis-server pass the
 * same suite. Each test gets two handles on one store (two instances of the bridge sharing it: the same
 * object in memory, two connections to Redis under a fresh key prefix). Time: the memory store runs on a
 * ManualClock that `until` advances; Redis keeps its own time, so `until` polls it (leases of 300 ms).
 */
const TTL = 300;

interface Harness {
  a: SessionStore;
  b: SessionStore;
  /** Resolves once check() holds: moves the manual clock, or polls Redis in real time (5 s at most). */
  until(check: () => Promise<boolean>, what: string): Promise<void>;
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.close();
});

const stores: [string, () => Promise<Harness>][] = [
  [
    'memory',
    async () => {
      const clock = new ManualClock();
      const store = new MemoryStore({ clock });
      return {
        a: store,
        b: store,
        until: async (check, what) => {
          for (let step = 0; step < 200; step++) {
            if (await check()) return;
            clock.advance(25);
          }
          throw new Error(`never happened: ${what}`);
        },
      };
    },
  ],
  [
    'redis',
    async () => {
      const keyPrefix = `suite-${randomUUID()}:`;
      const a = new RedisStore({ url: redis.url, keyPrefix });
      const b = new RedisStore({ url: redis.url, keyPrefix });
      await a.connect();
      await b.connect();
      onTestFinished(async () => {
        await a.close();
        await b.close();
      });
      return {
        a,
        b,
        until: async (check, what) => {
          const deadline = performance.now() + 5000;
          while (!(await check())) {
            if (performance.now() > deadline) throw new Error(`never happened: ${what}`);
            // Waiting for a Redis TTL to run out: the store's own time, polled.
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        },
      };
    },
  ],
];

function record(sessionId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId,
    idempotencyKey: `key-${sessionId}`,
    fingerprint: `{"id":"${sessionId}"}`,
    botConversationId: `bot-${sessionId}`,
    request: {
      idempotencyKey: `key-${sessionId}`,
      botConversationId: `bot-${sessionId}`,
      customer: { id: 'c-1' },
    },
    snapshot: {
      sessionId,
      botConversationId: `bot-${sessionId}`,
      channel: 'webMessaging',
      state: 'connecting',
      connectivity: 'offline',
      lastSeq: 0,
      createdAt: '2026-01-01T09:00:00.000Z',
      updatedAt: '2026-01-01T09:00:00.000Z',
      provider: {},
    },
    metadata: { sent: [], dropped: [], usedBytes: 0 },
    resume: { token: `token-${sessionId}` },
    progress: { accepted: false, startTextsSent: 0, anythingSent: false },
    writtenAt: 0,
    ...overrides,
  };
}

function event(sessionId: string, seq: number, body: Partial<BridgeEvent> = {}): BridgeEvent {
  return {
    eventId: `${sessionId}:${seq}`,
    sessionId,
    seq,
    occurredAt: '2026-01-01T09:00:00.000Z',
    observedAt: '2026-01-01T09:00:00.000Z',
    channel: 'webMessaging',
    source: 'guestApi',
    type: 'agent.message',
    origin: 'human',
    message: { id: `g-${seq}`, text: `message ${seq}` },
    ...body,
  } as BridgeEvent;
}

async function created(
  store: SessionStore,
  sessionId: string,
  owner = 'A',
  overrides: Partial<SessionRecord> = {},
) {
  const outcome = await store.create(record(sessionId, overrides), owner, TTL);
  if (!outcome.created) throw new Error(`session ${sessionId} already existed`);
  return outcome.lease;
}

describe.each(stores)('the session store contract: %s', (_name, harness) => {
  it('creates a session with its idempotency key, and answers it by id, bot conversation and key', async () => {
    const { a, b } = await harness();
    const lease = await created(a, 's1');
    expect(lease).toEqual({ sessionId: 's1', owner: 'A', epoch: 1 });
    expect((await b.get('s1'))?.resume).toEqual({ token: 'token-s1' });
    expect((await b.find('bot-s1'))?.sessionId).toBe('s1');
    expect(await b.get('nope')).toBeUndefined();
    expect(await b.find('nope')).toBeUndefined();
    // The same key again (from another instance) answers the first session, and creates nothing.
    const replay = await b.create(record('s2', { idempotencyKey: 'key-s1' }), 'B', TTL);
    expect(replay).toMatchObject({
      created: false,
      existing: { sessionId: 's1', fingerprint: '{"id":"s1"}' },
    });
    expect(await a.get('s2')).toBeUndefined();
    // A newer session of the same bot conversation is the one found.
    await created(a, 's3', 'A', { botConversationId: 'bot-s1' });
    expect((await b.find('bot-s1'))?.sessionId).toBe('s3');
  });

  it('keeps the event log gap-free in seq order, readable from any afterSeq on any instance', async () => {
    const { a, b } = await harness();
    const lease = await created(a, 's1');
    await a.commit(lease, { events: [event('s1', 1), event('s1', 2)] });
    await a.commit(lease, { events: [event('s1', 3)], record: record('s1', { writtenAt: 3 }) });
    expect((await b.readEvents('s1', 0)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await b.readEvents('s1', 1)).map((e) => e.seq)).toEqual([2, 3]);
    expect((await b.readEvents('s1', 1, 1)).map((e) => e.seq)).toEqual([2]);
    expect(await b.readEvents('s1', 3)).toEqual([]);
    expect((await b.readEvents('s1', 2))[0]).toEqual(event('s1', 3));
    expect((await b.get('s1'))?.writtenAt).toBe(3);
    // A seq that would repeat or skip one is refused, and nothing of that commit is kept.
    await expect(a.commit(lease, { events: [event('s1', 3)], providerIds: ['x'] })).rejects.toThrow();
    await expect(a.commit(lease, { events: [event('s1', 5)] })).rejects.toThrow();
    expect((await b.readEvents('s1', 0)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await b.providerIds('s1')).toEqual([]);
  });

  it('refuses every owner write from a lease that is no longer the session’s', async () => {
    const { a, b, until } = await harness();
    const old = await created(a, 's1');
    await until(async () => (await b.orphans(10)).includes('s1'), 'the lease to expire');
    const taken = await b.acquire('s1', 'B', TTL);
    expect(taken).toEqual({ sessionId: 's1', owner: 'B', epoch: 2 });
    await expect(a.commit(old, { events: [event('s1', 1)] })).rejects.toBeInstanceOf(LeaseLostError);
    await expect(a.finish(old, 1000)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await a.renew([old], TTL)).toEqual([old]);
    await b.commit(taken!, { events: [event('s1', 1)] });
    expect((await a.readEvents('s1', 0)).map((e) => e.seq)).toEqual([1]);
  });

  it('follows a log from any afterSeq: what it holds, then each new event once and in order', async () => {
    const { a, b, until } = await harness();
    const lease = await created(a, 's1');
    await a.commit(lease, { events: [event('s1', 1), event('s1', 2)] });
    const seen: number[] = [];
    const stop = b.watch('s1', 1, (e) => seen.push(e.seq));
    await until(async () => seen.length === 1, 'the replay');
    await a.commit(lease, { events: [event('s1', 3)] });
    await a.commit(lease, { events: [event('s1', 4), event('s1', 5)] });
    await until(async () => seen.length === 4, 'the new events');
    stop();
    await a.commit(lease, { events: [event('s1', 6)] });
    expect(seen).toEqual([2, 3, 4, 5]);
    expect(b.watch('nope', 0, () => {})).toBeTypeOf('function');
  });

  it('remembers delivered Genesys message ids and the customer-message ledger', async () => {
    const { a, b } = await harness();
    const lease = await created(a, 's1');
    await a.commit(lease, { events: [event('s1', 1)], providerIds: ['g-1'] });
    await a.commit(lease, { providerIds: ['g-2', 'g-1'] });
    expect((await b.providerIds('s1')).sort()).toEqual(['g-1', 'g-2']);

    const message = (id: string) => ({
      type: 'message' as const,
      message: { clientMessageId: id, text: `text ${id}` },
      acceptedAt: 1,
    });
    expect(await b.submit('s1', message('m1'), 2)).toMatchObject({ kind: 'accepted' });
    expect(await a.submit('s1', message('m1'))).toEqual({
      kind: 'duplicate',
      entry: { clientMessageId: 'm1', status: 'pending', parts: 2 },
    });
    await a.commit(lease, {
      messages: [{ clientMessageId: 'm1', status: 'sent', providerMessageId: 'p-1' }],
    });
    expect(await b.submit('s1', message('m1'))).toEqual({
      kind: 'duplicate',
      entry: { clientMessageId: 'm1', status: 'sent', parts: 2, providerMessageId: 'p-1' },
    });
    // A retryable failure (QUEUE_FULL) lets the same id be sent again; a final one does not.
    expect(await b.submit('s1', message('m2'))).toMatchObject({ kind: 'accepted' });
    await a.commit(lease, { messages: [{ clientMessageId: 'm2', status: 'failed', retryable: true }] });
    expect(await b.submit('s1', message('m2'))).toMatchObject({ kind: 'accepted' });
    await a.commit(lease, { messages: [{ clientMessageId: 'm2', status: 'failed' }] });
    expect(await b.submit('s1', message('m2'))).toMatchObject({ kind: 'duplicate' });
    expect((await a.messages('s1')).map((m) => `${m.clientMessageId}:${m.status}`).sort()).toEqual([
      'm1:sent',
      'm2:failed',
    ]);
    expect(await b.submit('nope', message('m3'))).toEqual({ kind: 'noSession' });
  });

  it('keeps the command inbox in order, readable after a cursor, and wakes the listening owner', async () => {
    const { a, b, until } = await harness();
    const lease = await created(a, 's1');
    const signals: SessionSignal[] = [];
    const stop = await a.listen('s1', (s) => signals.push(s));
    await b.signal('s1', { type: 'typing' });
    await until(async () => signals.length === 1, 'the typing signal');
    expect(signals).toEqual([{ type: 'typing' }]);
    signals.length = 0;
    const first = await b.submit('s1', {
      type: 'message',
      message: { clientMessageId: 'm1', text: 'one' },
      acceptedAt: 1,
    });
    const second = await b.submit('s1', { type: 'end', reason: 'botEnded' });
    await until(async () => signals.filter((s) => s.type === 'wake').length === 2, 'two wake-ups');
    const all = await a.commands('s1');
    expect(all.map((c) => c.command.type)).toEqual(['message', 'end']);
    expect(all.map((c) => c.id)).toEqual([
      first.kind === 'accepted' ? first.commandId : '',
      second.kind === 'accepted' ? second.commandId : '',
    ]);
    expect((await a.commands('s1', all[0]!.id)).map((c) => c.command.type)).toEqual(['end']);
    expect(await a.commands('s1', all[1]!.id)).toEqual([]);
    stop();
    // An ended session takes no more commands.
    await a.commit(lease, {
      record: record('s1', { snapshot: { ...record('s1').snapshot, state: 'ended' } }),
    });
    expect(await b.submit('s1', { type: 'end', reason: 'botEnded' })).toEqual({
      kind: 'ended',
      state: 'ended',
    });
  });

  it('hands sessions over: expired and released leases are orphans another instance takes', async () => {
    const { a, b, until } = await harness();
    const released: string[] = [];
    b.onReleased((id) => released.push(id));
    const l1 = await created(a, 's1');
    const l2 = await created(a, 's2');
    expect(await b.acquire('s1', 'B', TTL)).toBeUndefined();
    expect(await b.orphans(10)).toEqual([]);
    // Releasing makes it an orphan at once, and tells the other instances.
    await a.release(l2);
    expect(await b.orphans(10)).toEqual(['s2']);
    await until(async () => released.includes('s2'), 'the release notice');
    const taken = await b.acquire('s2', 'B', TTL);
    expect(taken?.epoch).toBe(2);
    expect(await a.acquire('s2', 'A', TTL)).toBeUndefined();
    // Renewing keeps a lease; a lost one is reported.
    expect(await a.renew([l1, l2], TTL)).toEqual([l2]);
    expect(await b.renew([taken!], TTL)).toEqual([]);
  });

  it('lets an owner take back a lease that expired while nobody else took it', async () => {
    const { a, b, until } = await harness();
    const lease = await created(a, 's1');
    await until(async () => (await b.orphans(10)).includes('s1'), 'the lease to expire');
    expect(await a.renew([lease], TTL)).toEqual([]);
    expect(await b.orphans(10)).toEqual([]);
    await a.commit(lease, { events: [event('s1', 1)] });
  });

  it('keeps an ended session for its retention, then forgets it and frees its idempotency key', async () => {
    const { a, b, until } = await harness();
    const lease = await created(a, 's1');
    await a.commit(lease, { events: [event('s1', 1)], providerIds: ['g-1'] });
    await a.saveOutboxCursor('s1', 1);
    await a.finish(lease, 400);
    expect(await b.orphans(10)).toEqual([]);
    expect(await b.acquire('s1', 'B', TTL)).toBeUndefined();
    expect((await b.readEvents('s1', 0)).length).toBe(1);
    expect((await b.find('bot-s1'))?.sessionId).toBe('s1');
    await until(async () => (await b.get('s1')) === undefined, 'the retention to run out');
    expect(await b.readEvents('s1', 0)).toEqual([]);
    expect(await b.providerIds('s1')).toEqual([]);
    expect(await b.find('bot-s1')).toBeUndefined();
    expect(await b.outboxCursor('s1')).toBeUndefined();
    expect((await b.create(record('s9', { idempotencyKey: 'key-s1' }), 'B', TTL)).created).toBe(true);
  });

  it('forgets an ended session at once with a retention of 0', async () => {
    const { a, b } = await harness();
    const lease = await created(a, 's1');
    await a.finish(lease, 0);
    expect(await b.get('s1')).toBeUndefined();
    expect(await b.find('bot-s1')).toBeUndefined();
  });

  it('moves the webhook outbox cursor forward only', async () => {
    const { a, b } = await harness();
    await created(a, 's1');
    expect(await b.outboxCursor('s1')).toBeUndefined();
    await a.saveOutboxCursor('s1', 3);
    await b.saveOutboxCursor('s1', 2);
    expect(await a.outboxCursor('s1')).toBe(3);
  });
});

describe('the Redis store when Redis is not there', () => {
  it('fails to connect with STORE_UNAVAILABLE naming the URL', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 1000 });
    await expect(store.connect()).rejects.toMatchObject({
      error: {
        code: 'STORE_UNAVAILABLE',
        retryable: true,
        message: expect.stringContaining('redis://127.0.0.1:1'),
      },
    });
  });

  it('answers STORE_UNAVAILABLE at once while the server is down, and works again once it is back', async () => {
    const store = new RedisStore({ url: redis.url, keyPrefix: `down-${randomUUID()}:` });
    await store.connect();
    onTestFinished(() => store.close());
    const changes: boolean[] = [];
    store.onAvailability((up) => changes.push(up));
    const lease: Lease = (await store.create(record('s1'), 'A', 60_000)) as never;
    expect(lease).toMatchObject({ created: true });
    await redis.stop();
    try {
      await expect(store.get('s1')).rejects.toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
      expect(store.available).toBe(false);
    } finally {
      await redis.start();
    }
    const deadline = performance.now() + 10_000;
    while (!store.available && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(changes).toEqual([false, true]);
    // The append-only file kept the data across the restart.
    expect((await store.get('s1'))?.sessionId).toBe('s1');
  });
});
