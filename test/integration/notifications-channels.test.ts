import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { closeSocket, FrameCollector, openSocket } from '../support/frames.ts';
import { Guest } from '../support/webmessaging.ts';

/**
 * The Notifications API as a Genesys client sees it (platform-architect.md §3.4, platform-extra.md §7):
 * channels (20 per client, the least recently used evicted, 24 h life), subscriptions (PUT replaces,
 * POST adds, 1000 topics, unknown topics refused), the socket (one per channel, ping/pong, heartbeats,
 * socket_closing) and which conversation topics carry which body.
 *
 * "Nothing else arrived" is checked without sleeping: the test pings the channel and the pong comes
 * back on the same socket after every frame sent before it.
 */

/** Wire JSON as the tests read it: untyped on purpose, so assertions check the wire, not our types. */
// biome-ignore lint/suspicious/noExplicitAny: frames and bodies are untyped wire JSON.
type Json = any;

interface Frame {
  topicName: string;
  version: string;
  eventBody: Json;
  metadata: { CorrelationId: string; type?: string };
}

const CHANNELS = '/api/v2/notifications/channels';
const subscriptionsOf = (channelId: string) => `${CHANNELS}/${channelId}/subscriptions`;
const DAY = 24 * 3600 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

function userNamed(emulator: TestEmulator, name: string) {
  return emulator.fixture.users.find((u) => u.name === name)!;
}

function queueNamed(emulator: TestEmulator, name: string) {
  return emulator.fixture.queues.find((q) => q.name === name)!;
}

/** An agent's platform API through inject, with the OAuth client bound to the agent's user. */
async function apiAs(emulator: TestEmulator, name = 'Alda Moore') {
  const user = userNamed(emulator, name);
  const client = clients(emulator).agents.find((c) => c.user === user.id)!;
  let auth = await bearerFor(emulator, client);
  const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    emulator.inject({
      method: method as 'POST',
      url,
      headers: {
        authorization: auth,
        host: `127.0.0.1:${emulator.port}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const ok = async (method: string, url: string, payload?: unknown): Promise<Json> => {
    const res = await call(method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.body ? JSON.parse(res.body) : undefined;
  };
  return {
    user,
    call,
    ok,
    /** A new token (after a reset or 24 h of clock). */
    relogin: async () => {
      auth = await bearerFor(emulator, client);
    },
    create: async (): Promise<{ id: string; connectUri: string; expires: string }> => ok('POST', CHANNELS),
    ids: async (): Promise<string[]> => (await ok('GET', CHANNELS)).entities.map((c: { id: string }) => c.id),
    subscribe: (channelId: string, topics: string[]) =>
      ok(
        'PUT',
        subscriptionsOf(channelId),
        topics.map((id) => ({ id })),
      ),
    topics: async (channelId: string): Promise<string[]> =>
      (await ok('GET', subscriptionsOf(channelId))).entities.map((e: { id: string }) => e.id),
    head: async (channelId: string) => (await call('HEAD', `${CHANNELS}/${channelId}`)).statusCode,
  };
}

/** A socket on a channel: its frames, its close, and `settle()` for the frames sent before a pong. */
async function listen(connectUri: string) {
  const socket = await openSocket(connectUri);
  const frames = new FrameCollector<Frame>(socket);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let taken = 0;
  return {
    socket,
    frames,
    closed,
    /** Pings and waits for the pong: every frame the server sent before it, heartbeats and pongs left out. */
    settle: async (): Promise<Frame[]> => {
      socket.send(JSON.stringify({ message: 'ping' }));
      await frames.next(
        (f) => f.topicName === 'channel.metadata' && f.eventBody.message === 'pong',
        'a pong',
      );
      const got = frames.frames.slice(taken).filter((f) => f.topicName !== 'channel.metadata');
      taken = frames.frames.length;
      return got;
    },
    /** Waits for socket_closing, then for the close: the way a channel ends for its client. */
    closing: async () => {
      const frame = await frames.next((f) => f.topicName === 'v2.system.socket_closing', 'socket_closing');
      return { frame, ...(await closed) };
    },
    close: () => closeSocket(socket),
  };
}

/** The HTTP status a socket upgrade to `url` is refused with. */
async function refusedUpgrade(url: string): Promise<number> {
  const socket = new WebSocket(url);
  socket.on('error', () => {}); // the refused upgrade also surfaces as an error event
  return new Promise<number>((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      reject(new Error(`${url} was accepted`));
    });
    socket.once('unexpected-response', (request, res) => {
      request.destroy();
      resolve(res.statusCode ?? 0);
    });
  });
}

const heartbeats = (frames: Frame[]) => frames.filter((f) => f.eventBody?.message === 'WebSocket Heartbeat');

describe('notification channels: listing, ownership, the 20-channel limit and the 24 h life', () => {
  it("lists a client's own channels as {connectUri, id, expires} and hides them from other clients", async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const mia = await apiAs(emulator, 'Mia Welch');
    const start = emulator.clock.now();
    const first = await alda.create();
    await emulator.clock.advance(60_000);
    const second = await alda.create();
    const hers = await mia.create();
    expect(first).toEqual({
      connectUri: `ws://127.0.0.1:${emulator.port}/channels/${first.id}`,
      id: first.id,
      expires: iso(start + DAY),
    });
    expect(second.expires).toBe(iso(start + 60_000 + DAY));
    expect(second.id).not.toBe(first.id);
    // The connectUri is on the host the client called.
    const viaName = await alda.call('POST', CHANNELS, undefined, { host: 'emulator.example.test:8443' });
    expect(viaName.json().connectUri).toBe(`ws://emulator.example.test:8443/channels/${viaName.json().id}`);

    // Each answer names the host it was asked on, the listing too.
    expect(await alda.ok('GET', CHANNELS)).toEqual({
      entities: [
        first,
        second,
        { ...viaName.json(), connectUri: `ws://127.0.0.1:${emulator.port}/channels/${viaName.json().id}` },
      ],
    });
    expect(await mia.ids()).toEqual([hers.id]);
    expect(await alda.head(first.id)).toBe(200);

    // Another client's channel is not found, whatever is asked of it; so is a made-up one.
    for (const id of [first.id, 'streaming-0-nope']) {
      expect(await mia.head(id)).toBe(404);
      for (const [method, payload] of [
        ['GET', undefined],
        ['PUT', [{ id: `v2.users.${mia.user.id}.presence` }]],
        ['POST', [{ id: `v2.users.${mia.user.id}.presence` }]],
        ['DELETE', undefined],
      ] as const) {
        const body = expectApiError(await mia.call(method, subscriptionsOf(id), payload), 404, 'not.found');
        expect(body.entityId).toBe(id);
      }
    }
    expect(await alda.topics(first.id)).toEqual([]);
  });

  it('a 21st channel evicts the least recently used one (a socket attached or a ping counts as use)', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const step = () => emulator.clock.advance(1000);
    // t0: A, used at once; t1..t19: B..T (B with a socket from its start).
    const a = await alda.create();
    const onA = await listen(a.connectUri);
    const rest: { id: string; connectUri: string }[] = [];
    let onB: Awaited<ReturnType<typeof listen>> | undefined;
    for (let i = 1; i < 20; i++) {
      await step();
      rest.push(await alda.create());
      if (i === 1) onB = await listen(rest[0]!.connectUri);
    }
    const [b, c, d] = rest as [(typeof rest)[0], (typeof rest)[0], (typeof rest)[0]];
    expect(await alda.ids()).toHaveLength(20);
    await step(); // t20: a socket on C
    const onC = await listen(c.connectUri);
    await step(); // t21: A pings
    await onA.settle();
    await step(); // t22: the 21st: B (last used t1) goes, not A (created first, pinged last)
    const u = await alda.create();
    const gone = await onB!.closing();
    expect(gone.frame.eventBody).toEqual({ message: 'Channel is closing' });
    expect([gone.code, gone.reason]).toEqual([1000, 'channel closed']);
    expect(onB!.frames.frames.map((f) => f.topicName)).toEqual(['v2.system.socket_closing']);
    expect(await alda.ids()).toEqual([a.id, ...rest.slice(1).map((x) => x.id), u.id]);
    expect(await alda.head(b.id)).toBe(404);
    expect(await refusedUpgrade(b.connectUri)).toBe(404);

    await step(); // t23: the next goes by last use too: D (t3), not C (created t2, attached t20)
    const v = await alda.create();
    expect(await alda.ids()).toEqual([a.id, c.id, ...rest.slice(3).map((x) => x.id), u.id, v.id]);
    expect(await alda.head(d.id)).toBe(404);
    // The sockets of the channels kept are still served.
    expect(await onA.settle()).toEqual([]);
    expect(await onC.settle()).toEqual([]);
    await onA.close();
    await onC.close();

    // A repro pack keeps when each channel was last used: C's socket (t20) and A's ping (t21) still count
    // after a restart, so two more channels there evict older ones (E, last used t4, among them), not C
    // or A.
    const again = await startEmulator({ fromPack: emulator.reproPack() });
    const aldaAgain = await apiAs(again);
    await aldaAgain.create();
    await aldaAgain.create();
    const kept = await aldaAgain.ids();
    expect(kept).toHaveLength(20);
    expect(kept).toContain(c.id);
    expect(kept).toContain(a.id);
    expect(kept).not.toContain(rest[3]!.id);
  });

  it("counts only the client's own channels: another client's 20 neither evict nor are evicted", async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const mia = await apiAs(emulator, 'Mia Welch');
    const hers: string[] = [];
    for (let i = 0; i < 20; i++) {
      hers.push((await mia.create()).id);
      await emulator.clock.advance(1000);
    }
    const mine = await alda.create();
    expect(await mia.ids()).toEqual(hers);
    expect(await alda.ids()).toEqual([mine.id]);
    // Mia's 21st evicts her own oldest, even though Alda's channel is older than it... and unused.
    await emulator.clock.advance(1000);
    const next = await mia.create();
    expect(await mia.ids()).toEqual([...hers.slice(1), next.id]);
    expect(await alda.head(mine.id)).toBe(200);
    // The evicted channel is gone for good: a repro pack of this state does not bring it back.
    const again = await startEmulator({ fromPack: emulator.reproPack() });
    expect(await (await apiAs(again, 'Mia Welch')).ids()).toEqual([...hers.slice(1), next.id]);
  });

  it('ends a channel 24 h after its creation: socket_closing, the socket closed, the connectUri refused', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const created = emulator.clock.now();
    const channel = await alda.create();
    await alda.subscribe(channel.id, [`v2.users.${alda.user.id}.routingStatus`]);
    await emulator.clock.advance(DAY - 10_000);
    const socket = await listen(channel.connectUri);
    await emulator.clock.advance(9_999);
    expect(emulator.clock.now()).toBe(created + DAY - 1);
    await alda.relogin(); // the first token lived 24 h too
    expect(await alda.head(channel.id)).toBe(200);
    expect(await socket.settle()).toEqual([]);

    await emulator.clock.advance(1);
    const end = await socket.closing();
    expect([end.code, end.frame.eventBody.message]).toEqual([1000, 'Channel is closing']);
    // Nothing of the channel is left on the clock: no expiry, no heartbeat for the socket it had.
    expect(emulator.clock.nextDue()).toBeUndefined();
    expect(await alda.head(channel.id)).toBe(404);
    expect(await alda.ids()).toEqual([]);
    expectApiError(await alda.call('GET', subscriptionsOf(channel.id)), 404, 'not.found');
    expect(await refusedUpgrade(channel.connectUri)).toBe(404);
  });

  it('a reset ends every channel: the connectUri is refused and the list is empty', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    await alda.create();
    await emulator.reset();
    await alda.relogin();
    expect(emulator.clock.nextDue()).toBeUndefined(); // their expiry timers went with them
    expect(await alda.ids()).toEqual([]);
    expect(await alda.head(channel.id)).toBe(404);
    expect(await refusedUpgrade(channel.connectUri)).toBe(404);
  });

  it('a channel kept in a repro pack comes back with its topics and expires when it would have; an expired one does not', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const old = await alda.create();
    await alda.subscribe(old.id, [`v2.users.${alda.user.id}.routingStatus`]);
    await emulator.clock.advance(12 * 3600_000);
    const young = await alda.create();
    await alda.subscribe(young.id, [`v2.users.${alda.user.id}.presence`]);
    await alda.ok('POST', subscriptionsOf(young.id), [{ id: `v2.users.${alda.user.id}.conversations` }]);
    const emptied = await alda.create();
    await alda.subscribe(emptied.id, [`v2.users.${alda.user.id}.presence`]);
    await alda.ok('DELETE', subscriptionsOf(emptied.id));
    const pack = emulator.reproPack();

    const again = await startEmulator({ fromPack: pack });
    const aldaAgain = await apiAs(again);
    expect(await aldaAgain.ids()).toEqual([old.id, young.id, emptied.id]);
    expect(await aldaAgain.topics(old.id)).toEqual([`v2.users.${alda.user.id}.routingStatus`]);
    expect(await aldaAgain.topics(young.id)).toEqual([
      `v2.users.${alda.user.id}.presence`,
      `v2.users.${alda.user.id}.conversations`,
    ]);
    expect(await aldaAgain.topics(emptied.id)).toEqual([]);
    const socket = await listen(`${again.wsUrl}/channels/${old.id}`);
    await aldaAgain.ok('PUT', `/api/v2/users/${alda.user.id}/routingstatus`, { status: 'IDLE' });
    expect((await socket.settle()).map((f) => f.topicName)).toEqual([
      `v2.users.${alda.user.id}.routingStatus`,
    ]);
    // The old one still ends 24 h after it was created, 12 h from now.
    await again.clock.advance(12 * 3600_000 - 1);
    expect(await aldaAgain.head(old.id)).toBe(200);
    await again.clock.advance(1);
    await socket.closing();
    await aldaAgain.relogin();
    expect(await aldaAgain.ids()).toEqual([young.id, emptied.id]);

    // Opened exactly when the old one expires, the pack gives back only the young one.
    const late = structuredClone(pack);
    late.image.now = Date.parse(old.expires);
    const third = await startEmulator({ fromPack: late });
    const aldaThird = await apiAs(third);
    expect(await aldaThird.ids()).toEqual([young.id, emptied.id]);
    expect(await aldaThird.head(old.id)).toBe(404);
  });
});

describe('subscriptions: PUT replaces, POST adds, 1000 topics, Genesys topics only', () => {
  const many = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ id: `v2.users.user-${from + i}.presence` }));

  it('PUT takes exactly 1000 topics and refuses 1001, leaving the subscription as it was', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const subs = subscriptionsOf(channel.id);
    const full = await alda.ok('PUT', subs, many(1000));
    expect(full.entities).toHaveLength(1000);
    expect(full.entities[999]).toEqual({
      id: 'v2.users.user-999.presence',
      state: 'Permitted',
      selfUri: subs,
    });
    const refused = expectApiError(await alda.call('PUT', subs, many(1001, 5000)), 400, 'bad.request');
    expect(refused.details).toEqual([{ errorCode: 'too_big', fieldName: 'body' }]);
    const kept = await alda.topics(channel.id);
    expect(kept).toHaveLength(1000);
    expect(kept[0]).toBe('v2.users.user-0.presence');
  });

  it('POST adds up to 1000 topics in all; one more is refused and nothing is added', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const subs = subscriptionsOf(channel.id);
    await alda.ok('PUT', subs, many(600));
    const added = await alda.ok('POST', subs, many(400, 600));
    expect(added.entities).toHaveLength(1000);
    expect(added.entities.at(-1).id).toBe('v2.users.user-999.presence');
    const refused = expectApiError(await alda.call('POST', subs, many(1, 1000)), 400, 'bad.request');
    expect(refused.message).toMatch(/1000 topics/);
    expect(await alda.topics(channel.id)).toHaveLength(1000);
    // Topics the full channel already has take no new place: adding them again is accepted.
    const again = await alda.ok('POST', subs, [...many(2, 998), ...many(2, 998)]);
    expect(again.entities).toHaveLength(1000);
    // Replacing is still possible: PUT counts only its own list.
    expect((await alda.ok('PUT', subs, many(1, 1000))).entities.map((e: Json) => e.id)).toEqual([
      'v2.users.user-1000.presence',
    ]);
  });

  it('refuses names Genesys does not have (malformed ids, other case, extra or missing parts), naming each', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const subs = subscriptionsOf(channel.id);
    const me = alda.user.id;
    const good = [`v2.users.${me}.conversations`, `v2.users.${me}.activity`];
    await alda.ok('PUT', subs, [{ id: good[0] }]);
    const bad = [
      'v2.users..conversations', // an empty id
      `v2.users.${me}.x.conversations`, // an id with a dot
      `v2.users.${me}.routingstatus`, // the wrong case (routingStatus)
      `v2.users.${me}.conversationsX`,
      `xv2.users.${me}.conversations`,
      `v2.users.${me}`,
      `v2.conversations.${randomUUID()}`, // no bare conversation topic in Genesys
    ];
    for (const method of ['PUT', 'POST']) {
      const body = expectApiError(
        await alda.call(
          method,
          subs,
          [...good, ...bad].map((id) => ({ id })),
        ),
        400,
        'bad.request',
      );
      expect(body.details).toEqual(bad.map((t) => ({ errorCode: 'topic.not.found', fieldName: t })));
      expect(body.message).toBe(`Not Genesys notification topics: ${bad.join(', ')}`);
      expectApiError(
        await alda.call(
          method,
          `${subs}?ignoreErrors=false`,
          [...good, bad[0]].map((id) => ({ id })),
        ),
        400,
        'bad.request',
      );
      // The whole request is refused: the subscription is as it was.
      expect(await alda.topics(channel.id)).toEqual([good[0]]);
    }
    // ignoreErrors=true takes the Genesys topics and drops the others.
    const taken = await alda.ok(
      'PUT',
      `${subs}?ignoreErrors=true`,
      [bad[0], ...good, bad[2]].map((id) => ({ id })),
    );
    expect(taken.entities.map((e: Json) => e.id)).toEqual(good);
    const added = await alda.ok('POST', `${subs}?ignoreErrors=true`, [
      { id: bad[1] },
      { id: `v2.routing.queues.${randomUUID()}.conversations` },
    ]);
    expect(added.entities).toHaveLength(3);
    expectApiError(await alda.call('PUT', `${subs}?ignoreErrors=yes`, []), 400, 'bad.request');
  });

  it('validates the body: an array of {id} of 1 to 512 characters; no body at all subscribes to nothing', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const subs = subscriptionsOf(channel.id);
    await alda.subscribe(channel.id, [`v2.users.${alda.user.id}.presence`]);
    const longest = `v2.users.${'a'.repeat(512 - 'v2.users..presence'.length)}.presence`;
    expect(longest).toHaveLength(512);
    const tooLong = `v2.users.${'a'.repeat(513 - 'v2.users..presence'.length)}.presence`; // a Genesys shape, too long
    const refusals: [unknown, { errorCode: string; fieldName: string }[]][] = [
      [{ id: `v2.users.${alda.user.id}.presence` }, [{ errorCode: 'invalid_type', fieldName: 'body' }]],
      [[{ id: '' }], [{ errorCode: 'too_small', fieldName: '0.id' }]],
      [[{}], [{ errorCode: 'invalid_type', fieldName: '0.id' }]],
      [[{ id: tooLong }], [{ errorCode: 'too_big', fieldName: '0.id' }]],
      [['v2.users.x.presence'], [{ errorCode: 'invalid_type', fieldName: '0' }]],
    ];
    for (const [body, details] of refusals) {
      expect(expectApiError(await alda.call('PUT', subs, body), 400, 'bad.request').details).toEqual(details);
    }
    expect(await alda.topics(channel.id)).toEqual([`v2.users.${alda.user.id}.presence`]);
    await alda.subscribe(channel.id, [longest]);
    expect(await alda.topics(channel.id)).toEqual([longest]);
    // Extra fields on a topic are allowed (the SDK's ChannelTopic has more).
    await alda.ok('POST', subs, [{ id: `v2.users.${alda.user.id}.routingStatus`, selfUri: 'x' }]);
    const emptied = await alda.call('PUT', subs);
    expect([emptied.statusCode, emptied.json()]).toEqual([200, { entities: [] }]);
  });

  it('GET lists the topics in order as Permitted; DELETE removes them all and their frames stop', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const subs = subscriptionsOf(channel.id);
    const routing = `v2.users.${alda.user.id}.routingStatus`;
    const presence = `v2.users.${alda.user.id}.presence`;
    await alda.subscribe(channel.id, [routing]);
    const after = await alda.ok('POST', subs, [{ id: presence }, { id: routing }]);
    const listing = {
      entities: [routing, presence].map((id) => ({ id, state: 'Permitted', selfUri: subs })),
    };
    expect(after).toEqual(listing);
    expect(await alda.ok('GET', subs)).toEqual(listing);
    const socket = await listen(channel.connectUri);
    await alda.ok('PUT', `/api/v2/users/${alda.user.id}/routingstatus`, { status: 'IDLE' });
    expect((await socket.settle()).map((f) => f.topicName).sort()).toEqual([presence, routing]);

    const deleted = await alda.call('DELETE', subs);
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    expect(await alda.ok('GET', subs)).toEqual({ entities: [] });
    await alda.ok('PUT', `/api/v2/users/${alda.user.id}/routingstatus`, { status: 'OFF_QUEUE' });
    expect(await socket.settle()).toEqual([]);
    await socket.close();
  });

  it('puts on the timeline only the topics it will never publish, once per subscription that has some', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const subs = subscriptionsOf(channel.id);
    const me = alda.user.id;
    const queue = randomUUID();
    const conversation = randomUUID();
    const published = [
      `v2.users.${me}.conversations`,
      `v2.users.${me}.conversations.messages`,
      `v2.users.${me}.conversations.chats`,
      `v2.users.${me}.conversations.inbound.typing.event`,
      `v2.users.${me}.routingStatus`,
      `v2.users.${me}.presence`,
      `v2.routing.queues.${queue}.conversations`,
      `v2.routing.queues.${queue}.conversations.messages`,
      `v2.routing.queues.${queue}.conversations.chats`,
      `v2.conversations.chats.${conversation}.messages`,
    ];
    await alda.ok(
      'PUT',
      subs,
      published.map((id) => ({ id })),
    );
    await alda.ok('POST', subs, [{ id: published[0] }]);
    expect(emulator.events.ofType('notifications.topics.unpublished')).toEqual([]);
    const silent = `v2.routing.queues.${queue}.users`;
    await alda.ok('POST', subs, [{ id: published[1] }, { id: silent }]);
    expect(emulator.events.ofType('notifications.topics.unpublished').map((e) => e.data)).toEqual([
      { channelId: channel.id, topics: [silent] },
    ]);
  });
});

describe('the channel socket: ping, heartbeats, one socket per channel', () => {
  it('answers only a {"message":"ping"} text with a pong and ignores any other text', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const socket = await listen(channel.connectUri);
    for (const text of [
      'ping',
      '{"message":"Ping"}',
      '{"message":"pong"}',
      '{"ping":"message"}',
      'null',
      '[]',
      '{"message":',
    ]) {
      socket.socket.send(text);
    }
    socket.socket.send(JSON.stringify({ message: 'ping', extra: 1 }));
    await socket.frames.next((f) => f.eventBody.message === 'pong', 'the first pong');
    await socket.settle();
    expect(socket.frames.frames).toEqual([
      {
        topicName: 'channel.metadata',
        version: '2',
        eventBody: { message: 'pong' },
        metadata: { CorrelationId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
      expect.objectContaining({ eventBody: { message: 'pong' } }),
    ]);
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    await socket.close();
  });

  it('a second socket replaces the first: socket_closing, close 1000; frames and heartbeats go to the new one only', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const routing = `v2.users.${alda.user.id}.routingStatus`;
    await alda.subscribe(channel.id, [routing]);
    const first = await listen(channel.connectUri);
    await emulator.clock.advance(20_000);
    const second = await listen(channel.connectUri);
    const replaced = await first.closing();
    expect([replaced.code, replaced.reason]).toEqual([1000, 'channel closed']);
    expect(first.frames.frames.map((f) => f.topicName)).toEqual(['v2.system.socket_closing']);
    await second.settle(); // the server has seen the first socket go by now

    // The heartbeat runs from the new socket's start: 30 s after it, not 30 s after the first one.
    await emulator.clock.advance(29_999);
    expect(heartbeats(second.frames.frames)).toHaveLength(0);
    await emulator.clock.advance(1);
    await second.frames.next((f) => f.eventBody.message === 'WebSocket Heartbeat', 'a heartbeat');
    await emulator.clock.advance(29_999);
    await second.settle();
    expect(heartbeats(second.frames.frames)).toHaveLength(1);
    await emulator.clock.advance(1);
    await second.frames.next((f) => f.eventBody.message === 'WebSocket Heartbeat', 'the next heartbeat');
    expect(heartbeats(second.frames.frames)).toHaveLength(2);

    await alda.ok('PUT', `/api/v2/users/${alda.user.id}/routingstatus`, { status: 'IDLE' });
    expect((await second.settle()).map((f) => f.topicName)).toEqual([routing]);
    await second.close();
  });

  it('a socket the client closed gets nothing more: no heartbeat timer left, no frames kept for the next socket', async () => {
    const emulator = await startEmulator();
    const alda = await apiAs(emulator);
    const channel = await alda.create();
    const routing = `v2.users.${alda.user.id}.routingStatus`;
    await alda.subscribe(channel.id, [routing]);
    const first = await listen(channel.connectUri);
    await emulator.clock.advance(10_000);
    await first.close();
    // The only timer left is the channel's expiry (within 0: the clock does not move while it waits).
    const closedAt = emulator.clock.now();
    await emulator.waitUntil(
      () => (emulator.clock.nextDue() === Date.parse(channel.expires) ? true : undefined),
      {
        within: 0,
        what: 'the heartbeat timer cleared',
      },
    );
    expect(emulator.clock.now()).toBe(closedAt);
    // Changes while no socket is attached are not kept for the next one.
    const changed = await alda.call('PUT', `/api/v2/users/${alda.user.id}/routingstatus`, { status: 'IDLE' });
    expect(changed.statusCode).toBe(200);
    const second = await listen(channel.connectUri);
    expect(await second.settle()).toEqual([]);
    await alda.ok('PUT', `/api/v2/users/${alda.user.id}/routingstatus`, { status: 'OFF_QUEUE' });
    const [frame] = await second.settle();
    expect(frame!.eventBody).toEqual({
      id: alda.user.id,
      routingStatus: { status: 'OFF_QUEUE', startTime: iso(emulator.clock.now()) },
    });
    await second.close();
  });
});

/** A channel of Alda's subscribed to `topics`, with a socket on it. */
async function subscriber(emulator: TestEmulator, topics: string[]) {
  const alda = await apiAs(emulator);
  const channel = await alda.create();
  await alda.subscribe(channel.id, topics);
  const socket = await listen(channel.connectUri);
  /** The frames an operation caused, by topic. */
  const framesOf = async (operation: () => Promise<unknown>) => {
    await operation();
    const byTopic = new Map<string, Frame[]>();
    for (const f of await socket.settle()) byTopic.set(f.topicName, [...(byTopic.get(f.topicName) ?? []), f]);
    return byTopic;
  };
  return { alda, socket, framesOf };
}

const userTopics = (userId: string) => ({
  generic: `v2.users.${userId}.conversations`,
  messages: `v2.users.${userId}.conversations.messages`,
  chats: `v2.users.${userId}.conversations.chats`,
});
const queueTopics = (queueId: string) => ({
  generic: `v2.routing.queues.${queueId}.conversations`,
  messages: `v2.routing.queues.${queueId}.conversations.messages`,
  chats: `v2.routing.queues.${queueId}.conversations.chats`,
});

async function startCustomer(emulator: TestEmulator, body: Record<string, unknown>): Promise<string> {
  const res = await emulator.inject({ method: 'POST', url: '/__emulator/conversations', payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id;
}

describe('conversation topics: which topics a change goes to, with which body', () => {
  it('a message conversation goes to the generic and .messages topics of its users and queues, each with its own body', async () => {
    const emulator = await startEmulator();
    const aldaUser = userNamed(emulator, 'Alda Moore');
    const mia = userNamed(emulator, 'Mia Welch');
    const sports = queueNamed(emulator, 'Sports Support');
    const shoes = queueNamed(emulator, 'Shoes Support');
    const aldaT = userTopics(aldaUser.id);
    const sportsT = queueTopics(sports.id);
    const { socket, framesOf } = await subscriber(emulator, [
      ...Object.values(aldaT),
      ...Object.values(sportsT),
      userTopics(mia.id).generic,
      userTopics(mia.id).messages,
      queueTopics(shoes.id).generic,
    ]);
    const agent = emulator.agent('Alda Moore');
    await agent.goOnQueue();
    let cid = '';
    const offered = await framesOf(async () => {
      // Participant Data the customer brings shows on their leg in every body.
      cid = await startCustomer(emulator, {
        queueName: 'Sports Support',
        text: 'hello',
        attributes: { orderId: 'A-1' },
      });
    });
    expect([...offered.keys()].sort()).toEqual(
      [aldaT.generic, aldaT.messages, sportsT.generic, sportsT.messages].sort(),
    );
    for (const list of offered.values()) expect(list).toHaveLength(1);

    const now = iso(emulator.clock.now());
    const conversation = emulator.conversations.get(cid)!;
    const [customer, acd, leg] = conversation.participants as [Json, Json, Json];
    const hello = conversation.messages[0]!;
    const division = {
      division: {
        id: expect.any(String),
        selfUri: expect.stringMatching(/^\/api\/v2\/authorization\/divisions\/[0-9a-f-]{36}$/),
      },
      entities: [],
    };
    const empty = {
      calls: [],
      callbacks: [],
      chats: [],
      cobrowsesessions: [],
      emails: [],
      screenshares: [],
      socialExpressions: [],
      videos: [],
    };
    const generic = {
      id: cid,
      participants: [
        {
          id: customer.id,
          connectedTime: now,
          name: 'Test Customer',
          purpose: 'customer',
          address: 'Test Customer',
          attributes: { orderId: 'A-1' },
          ...empty,
          messages: [
            {
              id: customer.communicationId,
              state: 'connected',
              initialState: 'connected',
              held: false,
              connectedTime: now,
              provider: 'PureCloud Messaging',
              direction: 'inbound',
              type: 'webmessaging',
              toAddress: { name: '' },
              fromAddress: { name: 'Test Customer' },
              // ConversationEventTopicMessageDetails: the id is `messageId`.
              messages: [
                { messageId: hello.id, messageTime: now, messageSegmentCount: 1, messageStatus: 'received' },
              ],
            },
          ],
        },
        {
          id: acd.id,
          connectedTime: now,
          name: 'Sports Support',
          queueId: sports.id,
          purpose: 'acd',
          address: sports.id,
          attributes: {},
          ...empty,
          messages: [
            {
              id: acd.communicationId,
              state: 'connected',
              initialState: 'connected',
              held: false,
              connectedTime: now,
              provider: 'PureCloud Messaging',
              direction: 'inbound',
              type: 'webmessaging',
              messages: [],
            },
          ],
        },
        {
          id: leg.id,
          userId: aldaUser.id,
          name: 'Alda Moore',
          queueId: sports.id,
          purpose: 'agent',
          address: '',
          wrapupRequired: false,
          alertingTimeoutMs: 30_000,
          attributes: {},
          ...empty,
          messages: [
            {
              id: leg.communicationId,
              state: 'alerting',
              initialState: 'alerting',
              held: false,
              provider: 'PureCloud Messaging',
              direction: 'outbound',
              type: 'webmessaging',
              messages: [],
            },
          ],
        },
      ],
      recentTransfers: [],
      recordingState: 'NONE',
      divisions: [division],
    };
    expect(offered.get(aldaT.generic)![0]!.eventBody).toEqual(generic);
    expect(offered.get(sportsT.generic)![0]!.eventBody).toEqual(generic);

    const media = {
      id: cid,
      participants: [
        {
          id: customer.id,
          name: 'Test Customer',
          address: 'Test Customer',
          startTime: now,
          connectedTime: now,
          purpose: 'customer',
          state: 'connected',
          initialState: 'connected',
          direction: 'inbound',
          held: false,
          attributes: { orderId: 'A-1' },
          provider: 'PureCloud Messaging',
          // The media topics' MessageDetails: the id is `message.id`.
          messages: [
            {
              message: { id: hello.id },
              messageTime: now,
              messageSegmentCount: 1,
              messageStatus: 'received',
            },
          ],
          type: 'webmessaging',
        },
        {
          id: acd.id,
          name: 'Sports Support',
          address: sports.id,
          startTime: now,
          connectedTime: now,
          purpose: 'acd',
          state: 'connected',
          initialState: 'connected',
          direction: 'inbound',
          held: false,
          queue: { id: sports.id, name: 'Sports Support' },
          attributes: {},
          provider: 'PureCloud Messaging',
          messages: [],
          type: 'webmessaging',
        },
        {
          id: leg.id,
          name: 'Alda Moore',
          address: '',
          startTime: now,
          purpose: 'agent',
          state: 'alerting',
          initialState: 'alerting',
          direction: 'outbound',
          held: false,
          wrapupRequired: false,
          user: { id: aldaUser.id, name: 'Alda Moore' },
          queue: { id: sports.id, name: 'Sports Support' },
          attributes: {},
          alertingTimeoutMs: 30_000,
          provider: 'PureCloud Messaging',
          messages: [],
          type: 'webmessaging',
        },
      ],
      otherMediaUris: [],
      divisions: [division],
    };
    expect(offered.get(aldaT.messages)![0]!.eventBody).toEqual(media);
    expect(offered.get(sportsT.messages)![0]!.eventBody).toEqual(media);

    // Answered, a reply, then the agent leaves and wraps up: her leg's end shows on both shapes.
    await agent.nextAlert();
    await framesOf(() => agent.answer());
    await emulator.clock.advance(5_000);
    const replied = await framesOf(() => agent.say('Hi, Alda here'));
    const reply = emulator.conversations.get(cid)!.messages[1]!;
    const replyAt = iso(emulator.clock.now());
    const agentIn = (f: Frame) => f.eventBody.participants.find((p: Json) => p.id === leg.id);
    for (const list of replied.values()) expect(list).toHaveLength(1);
    expect(agentIn(replied.get(aldaT.generic)![0]!).messages[0].messages).toEqual([
      { messageId: reply.id, messageTime: replyAt, messageSegmentCount: 1, messageStatus: 'sent' },
    ]);
    expect(agentIn(replied.get(sportsT.messages)![0]!).messages).toEqual([
      { message: { id: reply.id }, messageTime: replyAt, messageSegmentCount: 1, messageStatus: 'sent' },
    ]);
    await emulator.clock.advance(5_000);
    const endAt = iso(emulator.clock.now());
    const ended = await framesOf(() => agent.disconnect());
    expect(agentIn(ended.get(aldaT.generic)![0]!)).toMatchObject({
      connectedTime: now,
      endTime: endAt,
      messages: [
        { state: 'disconnected', disconnectType: 'client', connectedTime: now, disconnectedTime: endAt },
      ],
    });
    expect(agentIn(ended.get(aldaT.messages)![0]!)).toMatchObject({
      connectedTime: now,
      endTime: endAt,
      state: 'disconnected',
      disconnectType: 'client',
    });
    const wrapped = await framesOf(() => agent.wrapUp('Resolved', 'sorted'));
    const resolved = emulator.fixture.wrapupCodes.find((c) => c.name === 'Resolved')!;
    for (const topic of [aldaT.generic, aldaT.messages]) {
      expect(agentIn(wrapped.get(topic)![0]!).wrapup).toEqual({
        code: resolved.id,
        notes: 'sorted',
        endTime: endAt,
      });
    }
    await socket.close();
  });

  it('a chat goes to the generic and .chats topics: chats[] communications with a roomId, no .messages frames', async () => {
    const emulator = await startEmulator();
    const aldaUser = userNamed(emulator, 'Alda Moore');
    const sports = queueNamed(emulator, 'Sports Support');
    const aldaT = userTopics(aldaUser.id);
    const sportsT = queueTopics(sports.id);
    const { socket, framesOf } = await subscriber(emulator, [
      ...Object.values(aldaT),
      ...Object.values(sportsT),
    ]);
    await emulator.agent('Alda Moore').goOnQueue();
    let cid = '';
    const offered = await framesOf(async () => {
      cid = await startCustomer(emulator, {
        mediaType: 'chat',
        channel: 'webchat',
        queueName: 'Sports Support',
      });
    });
    expect([...offered.keys()].sort()).toEqual(
      [aldaT.generic, aldaT.chats, sportsT.generic, sportsT.chats].sort(),
    );
    const now = iso(emulator.clock.now());
    const [customer, , leg] = emulator.conversations.get(cid)!.participants as [Json, Json, Json];
    const roomId = `${cid}@conference.emulator`;
    const generic = offered.get(sportsT.generic)![0]!.eventBody;
    const customerG = generic.participants.find((p: Json) => p.id === customer.id);
    expect(customerG.messages).toEqual([]);
    expect(customerG.chats).toEqual([
      {
        id: customer.communicationId,
        state: 'connected',
        initialState: 'connected',
        held: false,
        connectedTime: now,
        provider: 'PureCloud Webchat v2',
        roomId,
      },
    ]);
    expect(generic.participants.find((p: Json) => p.id === leg.id).chats).toEqual([
      {
        id: leg.communicationId,
        state: 'alerting',
        initialState: 'alerting',
        held: false,
        provider: 'PureCloud Webchat v2',
        roomId,
      },
    ]);
    const media = offered.get(aldaT.chats)![0]!.eventBody;
    expect(Object.keys(media).sort()).toEqual(['divisions', 'id', 'otherMediaUris', 'participants']);
    expect(media.participants.find((p: Json) => p.id === leg.id)).toEqual({
      id: leg.id,
      name: 'Alda Moore',
      address: '',
      startTime: now,
      purpose: 'agent',
      state: 'alerting',
      initialState: 'alerting',
      direction: 'outbound',
      held: false,
      wrapupRequired: false,
      user: { id: aldaUser.id, name: 'Alda Moore' },
      queue: { id: sports.id, name: 'Sports Support' },
      attributes: {},
      alertingTimeoutMs: 30_000,
      provider: 'PureCloud Webchat v2',
      roomId,
    });
    expect(offered.get(sportsT.chats)![0]!.eventBody).toEqual(media);
    await socket.close();
  });

  it("statuses in both shapes: the customer's received; the agent's sent, then delivery-success once a guest socket took it", async () => {
    const emulator = await startEmulator();
    const aldaUser = userNamed(emulator, 'Alda Moore');
    const aldaT = userTopics(aldaUser.id);
    const { socket } = await subscriber(emulator, [aldaT.generic, aldaT.messages]);
    const agent = emulator.agent('Alda Moore');
    await agent.goOnQueue();
    const guest = await Guest.connect(emulator, randomUUID());
    await guest.configure();
    await guest.say('hello', { QueueName: 'Sports Support' });
    const leg = await agent.nextAlert();
    await agent.answer();
    await agent.say('Hi there');
    await guest.outboundText('Hi there');
    const reply = emulator.conversations.get(leg.conversationId)!.messages.at(-1)!;
    const statuses = (topic: string, entry: (m: Json) => string) =>
      socket.frames.frames
        .filter((f) => f.topicName === topic)
        .map((f) => f.eventBody.participants.find((p: Json) => p.id === leg.participantId))
        .flatMap((p: Json) => (topic === aldaT.generic ? p.messages[0].messages : p.messages))
        .filter((m: Json) => entry(m) === reply.id)
        .map((m: Json) => m.messageStatus);
    await socket.frames.next(
      (f) => f.topicName === aldaT.messages && JSON.stringify(f.eventBody).includes('delivery-success'),
      'delivery-success on the .messages topic',
    );
    await socket.settle();
    expect(statuses(aldaT.generic, (m) => m.messageId)).toEqual(['sent', 'delivery-success']);
    expect(statuses(aldaT.messages, (m) => m.message?.id)).toEqual(['sent', 'delivery-success']);
    const last = socket.frames.frames.filter((f) => f.topicName === aldaT.generic).at(-1)!;
    const customer = last.eventBody.participants.find((p: Json) => p.purpose === 'customer');
    expect(customer.messages[0].messages.map((m: Json) => m.messageStatus)).toEqual(['received']);
    expect(customer.messages[0].toAddress).toEqual({ name: guest.deploymentId });
    await guest.close();
    await socket.close();
  });
});

describe('per-user and per-conversation feeds', () => {
  it("a customer's typing goes to each active agent's inbound.typing.event topic: not to agents who left, not for an agent's own typing", async () => {
    const emulator = await startEmulator();
    const aldaUser = userNamed(emulator, 'Alda Moore');
    const mia = userNamed(emulator, 'Mia Welch');
    const typingOf = (userId: string) => `v2.users.${userId}.conversations.inbound.typing.event`;
    const deploymentId = emulator.fixture.deployments.messenger[0]!.id;
    const agent = emulator.agent('Alda Moore');
    await agent.goOnQueue();
    const cid = await startCustomer(emulator, {
      deploymentId,
      customerName: 'Jane',
      attributes: { QueueName: 'Sports Support' },
      text: 'hello',
    });
    const { socket, framesOf } = await subscriber(emulator, [
      typingOf(aldaUser.id),
      typingOf(mia.id),
      `v2.conversations.chats.${cid}.messages`, // a chat's feed: a message conversation never uses it
    ]);
    const customer = emulator.conversations.get(cid)!.participants[0]!;
    const typing = () => emulator.inject({ method: 'POST', url: `/__emulator/conversations/${cid}/typing` });

    const alerted = await framesOf(typing);
    expect([...alerted.keys()]).toEqual([typingOf(aldaUser.id)]);
    expect(alerted.get(typingOf(aldaUser.id))).toEqual([
      {
        topicName: typingOf(aldaUser.id),
        version: '2',
        eventBody: {
          conversationId: cid,
          normalizedMessage: {
            channel: {
              id: deploymentId,
              platform: 'WebMessaging',
              to: { id: deploymentId },
              from: { nickname: 'Jane', id: customer.id, idType: 'Opaque' },
              time: iso(emulator.clock.now()),
            },
            type: 'Event',
            direction: 'Inbound',
            events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }],
          },
        },
        metadata: { CorrelationId: expect.any(String) },
      },
    ]);
    await agent.nextAlert();
    await agent.answer();
    await socket.settle();
    // The agent's own typing and the customer's messages are not on these topics.
    expect((await framesOf(() => agent.typing())).size).toBe(0);
    expect(
      (
        await framesOf(() =>
          emulator.inject({
            method: 'POST',
            url: `/__emulator/conversations/${cid}/messages`,
            payload: { text: 'more' },
          }),
        )
      ).size,
    ).toBe(0);

    // Transferred to Shoes Support, where Mia is on queue: only Mia, who is alerted now, sees the typing.
    await emulator.agent('Mia Welch').goOnQueue();
    await agent.transferToQueue('Shoes Support');
    await socket.settle();
    const later = await framesOf(typing);
    expect([...later.keys()]).toEqual([typingOf(mia.id)]);
    await socket.close();
  });

  it("a customer's typing changes no conversation: no frame on the conversation topics, only the typing event", async () => {
    const emulator = await startEmulator();
    const aldaUser = userNamed(emulator, 'Alda Moore');
    const aldaT = userTopics(aldaUser.id);
    const typingTopic = `v2.users.${aldaUser.id}.conversations.inbound.typing.event`;
    const agent = emulator.agent('Alda Moore');
    await agent.goOnQueue();
    const cid = await startCustomer(emulator, { queueName: 'General', text: 'hello' });
    await agent.nextAlert();
    await agent.answer();
    const { socket, framesOf } = await subscriber(emulator, [aldaT.generic, aldaT.messages, typingTopic]);
    await socket.settle();
    const typed = await framesOf(() =>
      emulator.inject({ method: 'POST', url: `/__emulator/conversations/${cid}/typing` }),
    );
    expect([...typed.keys()]).toEqual([typingTopic]);
    await socket.close();
  });

  it("an Open Messaging customer's typing reaches the agent as platform Open, from the customer's own id", async () => {
    const emulator = await startEmulator();
    const aldaUser = userNamed(emulator, 'Alda Moore');
    const typingTopic = `v2.users.${aldaUser.id}.conversations.inbound.typing.event`;
    const integration = emulator.fixture.openMessaging[0]!;
    const auth = await bearerFor(emulator, clients(emulator).org);
    const inbound = (kind: string, payload: object) =>
      emulator.inject({
        method: 'POST',
        url: `/api/v2/conversations/messages/${integration.id}/inbound/open/${kind}`,
        headers: { authorization: auth },
        payload,
      });
    const from = { id: 'customer-7', idType: 'Opaque', nickname: 'Pat' };
    await emulator.agent('Alda Moore').goOnQueue();
    const { socket, framesOf } = await subscriber(emulator, [typingTopic]);
    const said = await inbound('message', {
      channel: {
        from,
        time: iso(emulator.clock.now()),
        metadata: { customAttributes: { QueueName: 'General' } },
      },
      text: 'hello',
    });
    expect(said.statusCode, said.body).toBe(200);
    await socket.settle();
    const cid = emulator.conversations.list()[0]!.id;
    const typed = await framesOf(() =>
      inbound('event', {
        channel: { from, time: iso(emulator.clock.now()) },
        events: [{ eventType: 'Typing' }],
      }),
    );
    expect(typed.get(typingTopic)?.map((f) => f.eventBody)).toEqual([
      {
        conversationId: cid,
        normalizedMessage: {
          channel: {
            id: integration.id,
            platform: 'Open',
            to: { id: integration.id },
            from: { nickname: 'Pat', id: 'customer-7', idType: 'Opaque' },
            time: iso(emulator.clock.now()),
          },
          type: 'Event',
          direction: 'Inbound',
          events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }],
        },
      },
    ]);
    await socket.close();
  });

  it("a chat's feed carries its messages and typing, each sender named by their communication id", async () => {
    const emulator = await startEmulator();
    const agent = emulator.agent('Alda Moore');
    await agent.goOnQueue();
    const cid = await startCustomer(emulator, {
      mediaType: 'chat',
      channel: 'webchat',
      queueName: 'Sports Support',
    });
    const feed = `v2.conversations.chats.${cid}.messages`;
    const { socket, framesOf } = await subscriber(emulator, [feed]);
    const leg = await agent.nextAlert();
    await agent.answer();
    const [customer] = emulator.conversations.get(cid)!.participants as [Json];
    await emulator.clock.advance(1_000);

    const typed = await framesOf(() =>
      emulator.inject({ method: 'POST', url: `/__emulator/conversations/${cid}/typing` }),
    );
    const seq = emulator.events.ofType('typing.sent').at(-1)!.seq;
    expect(typed.get(feed)).toEqual([
      {
        topicName: feed,
        version: '2',
        eventBody: {
          id: `typing-${seq}`,
          conversation: { id: cid },
          sender: { id: customer.communicationId },
          timestamp: iso(emulator.clock.now()),
        },
        metadata: { CorrelationId: expect.any(String), type: 'typing-indicator' },
      },
    ]);
    const said = await framesOf(() =>
      emulator.inject({
        method: 'POST',
        url: `/__emulator/conversations/${cid}/messages`,
        payload: { text: 'hi' },
      }),
    );
    const hi = emulator.conversations.get(cid)!.messages.at(-1)!;
    expect(said.get(feed)!.map((f) => [f.metadata.type, f.eventBody])).toEqual([
      [
        'message',
        {
          id: hi.id,
          conversation: { id: cid },
          sender: { id: customer.communicationId },
          body: 'hi',
          bodyType: 'standard',
          timestamp: iso(emulator.clock.now()),
        },
      ],
    ]);
    await emulator.clock.advance(1_000);
    const answered = await framesOf(() => agent.say('hello there'));
    expect(answered.get(feed)!.map((f) => f.eventBody)).toEqual([
      expect.objectContaining({
        id: emulator.conversations.get(cid)!.messages.at(-1)!.id,
        sender: { id: leg.communicationId },
        body: 'hello there',
        timestamp: iso(emulator.clock.now()),
      }),
    ]);
    await socket.close();
  });

  it("presence and routing status frames: the user's own topic only, with the definition, message and times", async () => {
    const emulator = await startEmulator();
    const aldaUser = userNamed(emulator, 'Alda Moore');
    const presence = `v2.users.${aldaUser.id}.presence`;
    const routing = `v2.users.${aldaUser.id}.routingStatus`;
    const { alda, socket, framesOf } = await subscriber(emulator, [presence, routing]);
    const BUSY = '31fe3bac-dea6-44b7-bed7-47f91660a1a0';
    await emulator.clock.advance(7_000);
    const busy = await framesOf(() =>
      alda.ok('PATCH', `/api/v2/users/${aldaUser.id}/presences/purecloud`, {
        presenceDefinition: { id: BUSY },
        message: 'In a meeting',
      }),
    );
    expect(busy.get(presence)!.map((f) => f.eventBody)).toEqual([
      {
        source: 'PURECLOUD',
        presenceDefinition: { id: BUSY, systemPresence: 'BUSY' },
        primary: true,
        message: 'In a meeting',
        modifiedDate: iso(emulator.clock.now()),
      },
    ]);
    // Another user's changes are not on these topics.
    expect((await framesOf(() => emulator.agent('Mia Welch').goOnQueue())).size).toBe(0);

    await emulator.clock.advance(5_000);
    const onQueue = await framesOf(() => emulator.agent('Alda Moore').goOnQueue());
    expect(onQueue.get(routing)!.map((f) => f.eventBody)).toEqual([
      { id: aldaUser.id, routingStatus: { status: 'IDLE', startTime: iso(emulator.clock.now()) } },
    ]);
    expect(onQueue.get(presence)!.map((f) => f.eventBody.presenceDefinition.systemPresence)).toEqual([
      'ON_QUEUE',
    ]);
    await socket.close();
  });
});
