import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentTexts,
  answeringAgents,
  botApi,
  botStream,
  clusterAgentNames,
  clusterConfigFile,
  clusterFixture,
  sseIds,
  startInstance,
  statuses,
  untilEmulator,
} from '../support/bridge-cluster.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { BRIDGE_BIN, spawnCli } from '../support/spawn-cli.ts';

/**
 * The bridge service on Redis across restarts, as separate processes in front of the emulator:
 * - one instance restarted mid-conversation (SIGTERM, as a deploy does, and SIGKILL, as a crash does)
 *   finds its sessions again at start, reconnects to the same Genesys guest sessions and delivers what
 *   the agents wrote while it was away, once and in order; the conversations go on both ways.
 * - redis-server stopped and started again mid-conversation: while it is gone the instances say they are
 *   not ready and answer commands with a retryable 503 in the bridge's error shape, their Genesys
 *   connections keep their place (no reconnect), and what happened meanwhile (agent messages, a message
 *   the bot had sent just before) reaches the bot and the agents once Redis is back.
 */
const SESSIONS = 6;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.close();
});

/**
 * /readyz until it answers 503, for at most `ms` of real time: an instance learns that redis-server went
 * away from its connection closing, which can land a moment after the server process has exited (on a
 * busy machine, after the first probe). Each look is a real request, so nothing sleeps.
 */
async function notReadyWithin(api: ReturnType<typeof botApi>, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const ready = await api.call('GET', '/readyz');
    if (ready.status === 503 || Date.now() > deadline) return ready;
  }
}

function conversationOf(emulator: TestEmulator, i: number): string {
  const event = emulator.events
    .ofType('message.sent')
    .find((e) => e.data.message.purpose === 'customer' && e.data.message.text === `hello ${i}`);
  if (!event?.conversationId) throw new Error(`no conversation for session ${i}`);
  return event.conversationId;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

async function setUp(leaseTtlMs: number) {
  const fixture = clusterFixture();
  const emulator = await startEmulator({ clock: 'system', fixture });
  const agents = await answeringAgents(emulator, clusterAgentNames(fixture));
  const config = clusterConfigFile(emulator, redis, { keyPrefix: `restart-${randomUUID()}:`, leaseTtlMs });
  return { emulator, agents, config };
}

type Agents = Awaited<ReturnType<typeof answeringAgents>>;

/** Both sides write message n in every session (the bot through `api`). */
async function round(
  api: ReturnType<typeof botApi>,
  agents: Agents,
  sessions: string[],
  cids: string[],
  n: number,
) {
  await Promise.all(
    sessions.map(async (sessionId, i) => {
      await api.send(sessionId, `c-${i}-${n}`, `customer ${i} message ${n}`);
      await agents.say(cids[i]!, `agent ${i} message ${n}`);
    }),
  );
}

function caughtUp(stream: Awaited<ReturnType<typeof botStream>>, sessions: string[], upTo: number) {
  return stream.until(
    () =>
      sessions.every((sessionId, i) => {
        const events = stream.events.get(sessionId)!;
        return (
          agentTexts(events).at(upTo - 1) === `agent ${i} message ${upTo}` &&
          statuses(events).includes(`c-${i}-${upTo}:sent`)
        );
      }),
    `messages 1..${upTo} both ways in every session`,
    30_000,
  );
}

async function expectExactlyOnce(
  agents: Agents,
  stream: Awaited<ReturnType<typeof botStream>>,
  sessions: string[],
  cids: string[],
  last: number,
) {
  expect(stream.problems).toEqual([]);
  for (const [i, sessionId] of sessions.entries()) {
    const events = stream.events.get(sessionId)!;
    expect(agentTexts(events), `session ${i}`).toEqual(range(1, last).map((n) => `agent ${i} message ${n}`));
    expect(statuses(events), `session ${i}`).toEqual(range(1, last).map((n) => `c-${i}-${n}:sent`));
    expect(await agents.customerTexts(cids[i]!), `conversation ${i}`).toEqual([
      `hello ${i}`,
      ...range(1, last).map((n) => `customer ${i} message ${n}`),
    ]);
  }
}

describe('one bridge instance on Redis, restarted mid-conversation', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`resumes its sessions after ${signal}: what the agents wrote meanwhile arrives once, in order`, {
      timeout: 120_000,
    }, async () => {
      const { emulator, agents, config } = await setUp(1500);
      const first = await startInstance('first', config);
      const api = botApi(first.url);
      const sessions = await Promise.all(
        range(0, SESSIONS - 1).map((i) => api.startTransfer(i, `hello ${i}`)),
      );
      await agents.untilAnswered(SESSIONS);
      const cids = sessions.map((_, i) => conversationOf(emulator, i));
      const before = await botStream(first.url, sessions);
      await round(api, agents, sessions, cids, 1);
      await caughtUp(before, sessions, 1);

      first.cli.child.kill(signal);
      await first.cli.exited;
      // Nobody relays now; the agents go on writing. With the memory store these sessions would be gone.
      await Promise.all(cids.map((cid, i) => agents.say(cid, `agent ${i} message 2`)));

      const second = await startInstance('second', config);
      const api2 = botApi(second.url);
      const stream = await botStream(second.url, sessions);
      await stream.until(
        () => sessions.every((id, i) => agentTexts(stream.events.get(id)!).at(1) === `agent ${i} message 2`),
        'the messages written while no instance ran',
        30_000,
      );
      await Promise.all(sessions.map((id, i) => api2.send(id, `c-${i}-2`, `customer ${i} message 2`)));
      await round(api2, agents, sessions, cids, 3);
      await caughtUp(stream, sessions, 3);
      await expectExactlyOnce(agents, stream, sessions, cids, 3);
      // SSE resumes from the first instance's seqs too (Last-Event-ID), gap-free.
      const lastSeq = stream.events.get(sessions[0]!)!.at(-1)!.seq;
      expect(await sseIds(second.url, sessions[0]!, 2, lastSeq)).toEqual(range(3, lastSeq));
      // The same Genesys conversations all along: the bridge reconnected, it did not start new ones.
      expect(emulator.events.ofType('conversation.created')).toHaveLength(SESSIONS);

      second.cli.child.kill('SIGTERM');
      expect(await second.cli.exited).toBe(0);
    });
  }
});

describe('redis-server stopped and started again mid-conversation', () => {
  it('turns readiness off and answers a retryable 503 while it is gone; nothing is lost; Genesys connections stay', {
    timeout: 120_000,
  }, async () => {
    const { emulator, agents, config } = await setUp(20_000);
    const [a, b] = await Promise.all([startInstance('A', config), startInstance('B', config)]);
    const viaA = botApi(a.url);
    const viaB = botApi(b.url);
    // A owns the sessions; the bot talks to B, so every command crosses Redis.
    const sessions = await Promise.all(
      range(0, SESSIONS - 1).map((i) => viaA.startTransfer(i, `hello ${i}`)),
    );
    await agents.untilAnswered(SESSIONS);
    const cids = sessions.map((_, i) => conversationOf(emulator, i));
    const stream = await botStream(b.url, sessions);
    await round(viaB, agents, sessions, cids, 1);
    await caughtUp(stream, sessions, 1);
    expect((await viaB.call('GET', '/readyz')).body).toMatchObject({
      status: 'ready',
      store: { kind: 'redis', available: true },
    });

    // Accepted just before Redis goes: these must still reach the agents.
    await Promise.all(sessions.map((id, i) => viaB.send(id, `c-${i}-2`, `customer ${i} message 2`)));
    await redis.stop();
    try {
      for (const api of [viaA, viaB]) {
        const ready = await notReadyWithin(api, 5_000);
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', retryable: true } });
      }
      const refused = await fetch(`${b.url}/v1/transfers/${sessions[0]}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer cluster-api-key-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ clientMessageId: 'during-outage', text: 'anyone?' }),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({
        error: {
          code: 'STORE_UNAVAILABLE',
          retryable: true,
          message: expect.stringContaining(redis.url),
          requestId: expect.any(String),
        },
      });
      expect((await viaB.call('GET', `/v1/transfers/${sessions[0]}`)).status).toBe(503);
      // The agents write while Redis is gone: A still holds the Genesys connections and takes their messages.
      await Promise.all(cids.map((cid, i) => agents.say(cid, `agent ${i} message 2`)));
      await untilEmulator(
        emulator,
        () =>
          cids.every((cid, i) =>
            emulator.conversations
              .get(cid)
              ?.messages.some((m) => m.text === `agent ${i} message 2` && m.deliveredAt !== undefined),
          ),
        "the agents' messages delivered to the bridge's guest sockets during the outage",
      );
    } finally {
      await redis.start();
    }

    // Back: ready again, and what waited reaches everyone, once and in order.
    await stream.until(
      () => sessions.every((id, i) => agentTexts(stream.events.get(id)!).at(1) === `agent ${i} message 2`),
      'the messages of the outage',
      30_000,
    );
    await caughtUp(stream, sessions, 2);
    for (const api of [viaA, viaB]) expect((await api.call('GET', '/readyz')).status).toBe(200);
    await round(viaB, agents, sessions, cids, 3);
    await caughtUp(stream, sessions, 3);
    await expectExactlyOnce(agents, stream, sessions, cids, 3);
    // The Genesys connections kept their place through the outage: no session reconnected.
    for (const id of sessions)
      expect(stream.events.get(id)!.some((e) => e.type === 'connection.changed')).toBe(false);

    for (const instance of [a, b]) {
      instance.cli.child.kill('SIGTERM');
      expect(await instance.cli.exited).toBe(0);
    }
  });
});

describe('genesys-bridge serve with a Redis that is not there', () => {
  it('exits 1 with one line naming the URL', { timeout: 60_000 }, async () => {
    const emulator = await startEmulator();
    const path = clusterConfigFile(emulator, redis, { keyPrefix: 'x:', leaseTtlMs: 1000 });
    // A port nothing listens on (1 is reserved and closed on loopback).
    writeFileSync(path, readBack(path).replace(redis.url, 'redis://127.0.0.1:1'));
    const cli = spawnCli(BRIDGE_BIN, ['serve', '--config', path, '--port', '0']);
    expect(await cli.exited).toBe(1);
    expect(cli.stdout()).toBe('');
    const lines = cli.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^genesys-bridge: the session store \(redis:\/\/127\.0\.0\.1:1\) is unreachable: .*ECONNREFUSED/,
    );
  });
});

function readBack(path: string): string {
  return readFileSync(path, 'utf8');
}
