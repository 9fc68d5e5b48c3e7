/**
 * Issue 17, the bridge on Redis (`npm run bench cluster`), against the emulator as a child process and a
 * real redis-server (Debian's, as the tests start it):
 * (a) per-message latency the Redis store adds over the memory store, same run, chunks interleaved:
 *     agent POST -> the bot's `agent.message` (bridge.subscribe), and the bot's sendCustomerMessage ->
 *     its `message.status sent`; two bridges in this process, one per store, one agent on both legs.
 * (b) takeover: two `genesys-bridge serve` processes on one Redis, 50 live sessions all started through
 *     (so owned by) the first; it is killed (SIGKILL, the default 15 s lease) or stopped (SIGTERM); the
 *     time from the signal to each session's `connection.changed online` at the survivor, p50/p99.
 * (c) 5,000 concurrent sessions in one instance on Redis: RSS per session of the instance (this process)
 *     and Redis `used_memory` per session.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import WebSocket from 'ws';
import { type Bridge, type BridgeEvent, createBridge } from '../../bridge/index.ts';
import { startRedisServer } from '../support/redis-server.ts';
import {
  type ChildServer,
  closeHttp,
  type FixtureView,
  fixtureOf,
  Inbox,
  inBatches,
  type Leg,
  latencyRow,
  loadAverage,
  now,
  PlatformAgent,
  percentile,
  ratio,
  repoRoot,
  sleep,
  spawnServer,
} from './harness.ts';
import { gc, report } from './stats.ts';

const AGENT_MESSAGES = 400;
const CUSTOMER_MESSAGES = 40;
const CHUNK = 20;
const TAKEOVER_SESSIONS = 50;
const SESSIONS = 5000;
const API_KEY = 'bench-cluster-api-key-0123456789';
const bridgeBin = join(repoRoot, 'cli', 'genesys-bridge.mjs');
const emulatorBin = join(repoRoot, 'cli', 'genesys-emulator.mjs');

/**
 * The emulator on the system clock: the bridges run in real time, and Genesys's customer-message rate
 * limit (2 per session per second) must see time pass.
 */
function startEmulatorProcess(): Promise<ChildServer> {
  return spawnServer(
    [emulatorBin, 'start', '--port', '0', '--control-plane', '--seed', '7', '--log-level', 'error'],
    /ready at http:\/\/127\.0\.0\.1:(\d+)/,
    'the emulator (the command bundle)',
  );
}

function bridgeConfig(emulator: ChildServer, fx: FixtureView, extra: Record<string, unknown> = {}) {
  return {
    loginUrl: emulator.baseUrl,
    deploymentId: fx.deployments.messenger[0]!.id,
    queueName: 'General',
    channel: 'webMessaging',
    timeouts: { reorderWindowMs: 0 },
    ...extra,
  };
}

async function latency(redisUrl: string): Promise<void> {
  const emulator = await startEmulatorProcess();
  const bridges: Bridge[] = [];
  try {
    const fx = await fixtureOf(emulator);
    const user = fx.users.find((u) => u.queues.includes('General') && (u.capacity.message ?? 1) >= 2)!;
    const agent = await PlatformAgent.forUser(emulator, fx, user.id);
    await agent.goOnQueue();
    await agent.listen();
    const memory = createBridge(bridgeConfig(emulator, fx));
    const redis = createBridge(bridgeConfig(emulator, fx), {
      store: { redis: { url: redisUrl, keyPrefix: `bench-${randomUUID()}:` } },
    });
    bridges.push(memory, redis);
    await redis.start();
    const legs: { leg: Leg; sessionId: string; bridge: Bridge }[] = [];
    const inboxes: Inbox<BridgeEvent>[] = [];
    for (const [i, bridge] of bridges.entries()) {
      const inbox = new Inbox<BridgeEvent>();
      const started = await bridge.startTransfer({
        idempotencyKey: randomUUID(),
        botConversationId: `bench-${i}`,
        customer: { id: `bench-customer-${i}` },
      });
      if (started.state === 'failed') throw new Error(`transfer failed: ${JSON.stringify(started.error)}`);
      bridge.subscribe(started.sessionId, (event) => inbox.push(event, now()), { afterSeq: 0 });
      const leg = await agent.nextAlert(
        'messages',
        (l) => !legs.some((x) => x.leg.conversationId === l.conversationId),
      );
      await agent.answer(leg, 'messages');
      legs.push({ leg, sessionId: started.sessionId, bridge });
      inboxes.push(inbox);
    }
    await agent.stopListening();
    await sleep(300);

    const agentSamples: number[][] = [[], []];
    const customerSamples: number[][] = [[], []];
    let n = 0;
    const agentOnce = async (side: number, record: boolean) => {
      const text = `agent says ${n++}`;
      const t0 = now();
      const post = agent.sendMessage(legs[side]!.leg, text);
      const { at } = await inboxes[side]!.next(
        (e) => e.type === 'agent.message' && e.message.text === text,
        'agent.message from the bridge',
      );
      await post;
      if (record) agentSamples[side]!.push(at - t0);
    };
    const customerOnce = async (side: number, record: boolean) => {
      const id = `m-${n++}`;
      const { bridge, sessionId } = legs[side]!;
      const t0 = now();
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: id, text: `customer says ${id}` });
      const { at } = await inboxes[side]!.next(
        (e) => e.type === 'message.status' && e.clientMessageId === id,
        'message.status from the bridge',
      );
      if (record) customerSamples[side]!.push(at - t0);
      // Genesys allows 2 customer messages per session per second: stay under it, so no sample waits on pacing.
      await sleep(550);
    };
    for (let i = 0; i < 20; i++) for (const side of [0, 1]) await agentOnce(side, false);
    for (let chunk = 0; chunk < AGENT_MESSAGES / CHUNK; chunk++) {
      for (const side of [0, 1]) for (let i = 0; i < CHUNK; i++) await agentOnce(side, true);
    }
    for (const side of [0, 1]) await customerOnce(side, false);
    for (let chunk = 0; chunk < CUSTOMER_MESSAGES / 10; chunk++) {
      for (const side of [0, 1]) for (let i = 0; i < 10; i++) await customerOnce(side, true);
    }
    const p = percentile;
    const [am, ar] = agentSamples as [number[], number[]];
    const [cm, cr] = customerSamples as [number[], number[]];
    report(
      'Bridge on Redis: per-message latency beside the memory store (same emulator, same agent, same run)',
      {
        'agent POST -> agent.message, memory store': latencyRow(am),
        'agent POST -> agent.message, Redis store': latencyRow(ar),
        'agent -> bot ratio p50 / p99': `${ratio(p(ar, 50), p(am, 50))} / ${ratio(p(ar, 99), p(am, 99))}`,
        'Redis added at p50 (agent -> bot)': `${((p(ar, 50) - p(am, 50)) * 1000).toFixed(0)} us`,
        'sendCustomerMessage -> message.status sent, memory store': latencyRow(cm),
        'sendCustomerMessage -> message.status sent, Redis store': latencyRow(cr),
        'bot -> Genesys ratio p50 / p99': `${ratio(p(cr, 50), p(cm, 50))} / ${ratio(p(cr, 99), p(cm, 99))}`,
        'Redis added at p50 (bot -> Genesys)': `${((p(cr, 50) - p(cm, 50)) * 1000).toFixed(0)} us`,
        'emulator started as': 'the command bundle, system clock',
      },
    );
  } finally {
    for (const bridge of bridges) await bridge.close().catch(() => {});
    closeHttp();
    await emulator.stop();
  }
}

function serviceConfig(
  emulator: ChildServer,
  fx: FixtureView,
  redisUrl: string,
  keyPrefix: string,
  leaseTtlMs: number,
) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  const path = join(dir, 'bridge.yaml');
  writeFileSync(
    path,
    JSON.stringify({
      bridge: bridgeConfig(emulator, fx),
      service: { apiKeys: [API_KEY] },
      store: { redis: { url: redisUrl, keyPrefix, leaseTtlMs } },
    }),
  );
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function startService(configPath: string): Promise<ChildServer> {
  return spawnServer(
    [bridgeBin, 'serve', '--config', configPath, '--port', '0'],
    /ready at http:\/\/127\.0\.0\.1:(\d+)/,
    'the bridge service',
  );
}

async function takeover(redisUrl: string, signal: 'SIGKILL' | 'SIGTERM', leaseTtlMs: number) {
  const emulator = await startEmulatorProcess();
  const config = serviceConfig(
    emulator,
    await fixtureOf(emulator),
    redisUrl,
    `bench-${randomUUID()}:`,
    leaseTtlMs,
  );
  const a = await startService(config.path);
  const b = await startService(config.path);
  try {
    const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const sessions = await inBatches(
      Array.from({ length: TAKEOVER_SESSIONS }, (_, i) => i),
      10,
      async (i) => {
        const res = await fetch(`${a.baseUrl}/v1/transfers`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            botConversationId: `b-${i}`,
            customer: { id: `c-${i}` },
            initialMessage: `hello ${i}`,
          }),
        });
        return ((await res.json()) as { sessionId: string }).sessionId;
      },
    );
    // The bot follows the sessions through B.
    const online = new Map<string, number>();
    const socket = new WebSocket(`${b.baseUrl.replace('http', 'ws')}/v1/stream`, { headers });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; event?: BridgeEvent };
      const e = frame.event;
      if (e?.type === 'connection.changed' && e.connectivity === 'online')
        online.set(e.sessionId, Date.parse(e.observedAt));
    });
    for (const sessionId of sessions)
      socket.send(JSON.stringify({ type: 'subscribe', sessionId, afterSeq: 0 }));
    await sleep(500);
    const goneAt = Date.now();
    process.kill(a.pid, signal);
    const deadline = Date.now() + leaseTtlMs * 3 + 30_000;
    while (online.size < sessions.length && Date.now() < deadline) await sleep(20);
    socket.terminate();
    const times = [...online.values()].map((t) => t - goneAt);
    return { taken: online.size, of: sessions.length, times };
  } finally {
    await a.stop().catch(() => {});
    await b.stop();
    config.remove();
    await emulator.stop();
  }
}

async function takeovers(redisUrl: string): Promise<void> {
  const row = (r: Awaited<ReturnType<typeof takeover>>) =>
    `p50 ${percentile(r.times, 50)} ms, p99 ${percentile(r.times, 99)} ms, max ${Math.max(...r.times)} ms (${r.taken} of ${r.of} sessions)`;
  const kill = await takeover(redisUrl, 'SIGKILL', 15_000);
  const killShort = await takeover(redisUrl, 'SIGKILL', 2_000);
  const term = await takeover(redisUrl, 'SIGTERM', 15_000);
  report(`Bridge on Redis: takeover of ${TAKEOVER_SESSIONS} live sessions owned by the instance that goes`, {
    'SIGKILL, leaseTtlMs 15000 (default): signal -> online at the survivor': row(kill),
    'SIGKILL, leaseTtlMs 2000: signal -> online at the survivor': row(killShort),
    'SIGTERM (handover), leaseTtlMs 15000: signal -> online at the survivor': row(term),
    'what it includes': 'lease expiry (SIGKILL only) + the next look for orphans + reconnect + history read',
  });
}

async function sessionsPerInstance(redisUrl: string): Promise<void> {
  const emulator = await startEmulatorProcess();
  const keyPrefix = `bench-${randomUUID()}:`;
  const info = createClient({ url: redisUrl });
  await info.connect();
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await info.info('memory'))?.[1]);
  let bridge: Bridge | undefined;
  try {
    const fx = await fixtureOf(emulator);
    bridge = createBridge(bridgeConfig(emulator, fx, { webMessaging: { endMode: 'detach' } }), {
      store: { redis: { url: redisUrl, keyPrefix } },
    });
    await bridge.start();
    const warm = await bridge.startTransfer({
      idempotencyKey: 'warm',
      botConversationId: 'warm',
      customer: { id: 'warm' },
    });
    if (warm.state === 'failed') throw new Error(`transfer failed: ${JSON.stringify(warm.error)}`);
    await sleep(500);
    gc();
    const before = process.memoryUsage();
    const redisBefore = await usedMemory();
    const started = now();
    const states = new Map<string, number>();
    await inBatches(
      Array.from({ length: SESSIONS }, (_, i) => i),
      50,
      async (i) => {
        const r = await bridge!.startTransfer({
          idempotencyKey: `key-${i}`,
          botConversationId: `bot-${i}`,
          customer: { id: `customer-${i}`, displayName: `Customer ${i}` },
          metadata: { orderId: `order-${i}`, tier: 'gold' },
          summary: 'Wants to change the delivery address of an order.',
        });
        states.set(r.state, (states.get(r.state) ?? 0) + 1);
      },
    );
    const seconds = (now() - started) / 1000;
    await sleep(1500);
    gc();
    const after = process.memoryUsage();
    const redisAfter = await usedMemory();
    const perSession = (k: 'rss' | 'heapUsed') =>
      `${((after[k] - before[k]) / 1024 / SESSIONS).toFixed(1)} KB`;
    report(`Bridge on Redis: ${SESSIONS} concurrent Web Messaging sessions in one instance`, {
      'session states': [...states].map(([s, c]) => `${s} ${c}`).join(', '),
      'live sessions this instance owns': bridge.health().sessions,
      'transfers started per second': Math.round(SESSIONS / seconds),
      'instance RSS per session': perSession('rss'),
      'instance heap used per session': perSession('heapUsed'),
      'Redis used_memory per session': `${((redisAfter - redisBefore) / 1024 / SESSIONS).toFixed(1)} KB`,
      'Redis used_memory after': `${(redisAfter / 1048576).toFixed(1)} MB`,
      'emulator (child) RSS after': `${(emulator.rssKb() / 1024).toFixed(1)} MB`,
      'emulator started as': 'the command bundle, system clock',
    });
  } finally {
    await bridge?.close().catch(() => {});
    await info.close();
    closeHttp();
    await emulator.stop();
  }
}

/** `npm run bench cluster [latency|takeover|sessions]`: all three parts, or the one named. */
export async function clusterBench(): Promise<void> {
  process.stdout.write(`\n(load average at start: ${loadAverage()})\n`);
  const only = process.argv[3];
  const redis = await startRedisServer();
  try {
    if (!only || only === 'latency') await latency(redis.url);
    if (!only || only === 'takeover') await takeovers(redis.url);
    if (!only || only === 'sessions') await sessionsPerInstance(redis.url);
  } finally {
    await redis.close();
  }
}
