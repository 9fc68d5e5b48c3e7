import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentTexts,
  answeringAgents,
  botApi,
  botStream,
  clusterAgentNames,
  clusterConfigFile,
  clusterFixture,
  percentile,
  startInstance,
  statuses,
} from '../support/bridge-cluster.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { ROOT } from '../support/spawn-cli.ts';

/**
 * Two bridge service instances (separate processes, `genesys-bridge serve`) on one Redis, in front of the
 * emulator: 50 live Web Messaging sessions, half started through each instance (so each owns 25), agents
 * answering every one, the bot and the agents both sending numbered messages. Then one instance dies
 * (SIGKILL) or is stopped for a rolling restart (SIGTERM) while both sides keep writing, the bot only
 * through the survivor. Every session the gone instance owned is taken over by the survivor, which
 * reconnects to the same Genesys guest session and reads back what it missed; the bot (following the
 * sessions over the survivor's WebSocket stream) and the agents see every message exactly once, in order,
 * and the bot's commands for those sessions keep working. With SIGTERM the handover must not wait for the
 * lease: its TTL is longer than the test's waits. Real time (separate processes): the waits are for
 * events, the lease for SIGKILL is short. Takeover times go to test/artifacts/bridge-cluster/figures.json.
 */
const SESSIONS = 50;
const ROUNDS_BEFORE = 2;
const ROUNDS_DURING = 2;
const FIGURES = join(ROOT, 'test', 'artifacts', 'bridge-cluster', 'figures.json');

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.close();
});

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  run: (item: T, index: number) => Promise<R>,
) {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => run(item, i + j)))));
  }
  return results;
}

/** Session i's conversation in the emulator, found by the customer's first message (`hello i`). */
function conversationsBySession(emulator: TestEmulator, count: number): string[] {
  const found = new Map<string, string>();
  for (const event of emulator.events.ofType('message.sent')) {
    const message = event.data.message;
    const match = /^hello (\d+)$/.exec(message.text);
    if (message.purpose === 'customer' && match && event.conversationId)
      found.set(match[1]!, event.conversationId);
  }
  return Array.from({ length: count }, (_, i) => {
    const cid = found.get(String(i));
    if (!cid) throw new Error(`no conversation for session ${i}`);
    return cid;
  });
}

const customerText = (i: number, n: number) => `customer ${i} message ${n}`;
const agentText = (i: number, n: number) => `agent ${i} message ${n}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

async function takeoverStory(signal: 'SIGKILL' | 'SIGTERM', leaseTtlMs: number) {
  const fixture = clusterFixture();
  const emulator = await startEmulator({ clock: 'system', fixture });
  const agents = await answeringAgents(emulator, clusterAgentNames(fixture));
  const config = clusterConfigFile(emulator, redis, { keyPrefix: `cluster-${randomUUID()}:`, leaseTtlMs });
  const [a, b] = await Promise.all([startInstance('A', config), startInstance('B', config)]);
  const viaA = botApi(a.url);
  const viaB = botApi(b.url);

  // Even sessions are started through A (A owns them), odd ones through B.
  const sessions = await inBatches(range(0, SESSIONS - 1), 10, (i) =>
    (i % 2 === 0 ? viaA : viaB).startTransfer(i, `hello ${i}`),
  );
  const owned = { A: sessions.filter((_, i) => i % 2 === 0), B: sessions.filter((_, i) => i % 2 === 1) };
  // The bot follows every session through B only.
  const stream = await botStream(b.url, sessions);
  await agents.untilAnswered(SESSIONS);
  const cids = conversationsBySession(emulator, SESSIONS);

  const round = (n: number) =>
    inBatches(sessions, 25, async (sessionId, i) => {
      await viaB.send(sessionId, `c-${i}-${n}`, customerText(i, n));
      await agents.say(cids[i]!, agentText(i, n));
    });
  const caughtUp = (upTo: number) =>
    stream.until(
      () =>
        sessions.every((sessionId, i) => {
          const events = stream.events.get(sessionId)!;
          return (
            agentTexts(events).length >= upTo &&
            statuses(events).filter((s) => s.endsWith(':sent')).length >= upTo &&
            agentTexts(events).at(upTo - 1) === agentText(i, upTo)
          );
        }),
      `messages 1..${upTo} both ways in every session`,
      30_000,
    );

  for (const n of range(1, ROUNDS_BEFORE)) await round(n);
  await caughtUp(ROUNDS_BEFORE);

  // A goes away; both sides go on writing, the bot through B, for A's sessions too.
  const goneAt = Date.now();
  a.cli.child.kill(signal);
  for (const n of range(ROUNDS_BEFORE + 1, ROUNDS_BEFORE + ROUNDS_DURING)) await round(n);
  if (signal === 'SIGTERM') expect(await a.cli.exited).toBe(0);
  await caughtUp(ROUNDS_BEFORE + ROUNDS_DURING);
  // And on, after the takeover.
  const last = ROUNDS_BEFORE + ROUNDS_DURING + 1;
  await round(last);
  await caughtUp(last);

  // The bot saw every agent message once, in order, and every message of its own confirmed once.
  expect(stream.problems).toEqual([]);
  sessions.forEach((sessionId, i) => {
    const events = stream.events.get(sessionId)!;
    expect(agentTexts(events), `session ${i}`).toEqual(range(1, last).map((n) => agentText(i, n)));
    expect(statuses(events), `session ${i}`).toEqual(range(1, last).map((n) => `c-${i}-${n}:sent`));
  });
  // The agents saw every customer message once, in order (their desktop's view of each conversation).
  const seenByAgents = await inBatches(cids, 10, (cid) => agents.customerTexts(cid));
  seenByAgents.forEach((texts, i) => {
    expect(texts, `conversation of session ${i}`).toEqual([
      `hello ${i}`,
      ...range(1, last).map((n) => customerText(i, n)),
    ]);
  });
  expect(agents.failures).toEqual([]);

  // Exactly A's sessions moved: each reconnected once, at B, after A went.
  const takeoverMs = owned.A.map((sessionId) => {
    const online = stream.events
      .get(sessionId)!
      .filter((e) => e.type === 'connection.changed' && e.connectivity === 'online');
    expect(online, `A's session ${sessionId} reconnected once`).toHaveLength(1);
    return Date.parse(online[0]!.observedAt) - goneAt;
  });
  for (const sessionId of owned.B) {
    expect(stream.events.get(sessionId)!.some((e) => e.type === 'connection.changed')).toBe(false);
  }
  expect(takeoverMs.every((ms) => ms >= 0)).toBe(true);
  if (signal === 'SIGTERM') expect(Math.max(...takeoverMs)).toBeLessThan(leaseTtlMs);

  // Commands for A's old sessions through B end them too.
  await inBatches(sessions, 25, async (sessionId) => {
    expect((await viaB.call('POST', `/v1/transfers/${sessionId}/end`, {})).status).toBe(202);
  });
  await stream.until(
    () => sessions.every((id) => stream.events.get(id)!.at(-1)?.type === 'session.ended'),
    'every session ended',
    30_000,
  );
  for (const sessionId of sessions) {
    expect(stream.events.get(sessionId)!.at(-1)).toMatchObject({ type: 'session.ended', reason: 'botEnded' });
  }
  b.cli.child.kill('SIGTERM');
  expect(await b.cli.exited).toBe(0);
  return { takeoverMs, leaseTtlMs };
}

function recordFigures(name: string, figures: { takeoverMs: number[]; leaseTtlMs: number }) {
  const all = (() => {
    try {
      return JSON.parse(readFileSync(FIGURES, 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  all[name] = {
    sessionsTakenOver: figures.takeoverMs.length,
    leaseTtlMs: figures.leaseTtlMs,
    takeoverP50Ms: percentile(figures.takeoverMs, 50),
    takeoverP99Ms: percentile(figures.takeoverMs, 99),
    takeoverMaxMs: Math.max(...figures.takeoverMs),
    measuredAt: new Date().toISOString(),
  };
  mkdirSync(join(FIGURES, '..'), { recursive: true });
  writeFileSync(FIGURES, `${JSON.stringify(all, null, 2)}\n`);
}

describe('two bridge instances on one Redis', () => {
  it('after SIGKILL, the survivor takes over every session of the dead one: nothing missed or repeated', {
    timeout: 180_000,
  }, async () => {
    recordFigures('sigkill', await takeoverStory('SIGKILL', 3000));
  });

  it('after SIGTERM (a rolling restart), the sessions are handed over at once, not a lease TTL later', {
    timeout: 180_000,
  }, async () => {
    recordFigures('sigterm', await takeoverStory('SIGTERM', 60_000));
  });
});
