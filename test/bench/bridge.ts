/**
 * Issue 6, the bridge library against the emulator (a child process, as `npm start` runs it):
 * (a) latency the bridge adds to an agent -> customer message: the agent POSTs a message and the clock
 *     stops when (1) a raw guest socket receives the StructuredMessage, or (2) the bridge emits
 *     `agent.message` for it. Same emulator, same agent, chunks interleaved. The bridge runs with
 *     `timeouts.reorderWindowMs: 0` (the config allows 0: events are delivered at once, in arrival
 *     order) so its reorder buffer does not hold messages back.
 * (b) 5,000 concurrent bridge sessions (Web Messaging transfers into the emulator) in this process and
 *     this process's RSS growth per session.
 */
import { randomUUID } from 'node:crypto';
import { type Bridge, createBridge } from '../../bridge/index.ts';
import {
  type ChildServer,
  closeHttp,
  emulatorMode,
  type FixtureView,
  fixtureOf,
  Inbox,
  inBatches,
  latencyRow,
  loadAverage,
  now,
  PlatformAgent,
  percentile,
  ratio,
  rawGuest,
  sleep,
  startEmulatorProcess,
} from './harness.ts';
import { gc, report } from './stats.ts';

const MESSAGES = 1000;
const WARMUP = 100;
const CHUNK = 100;
const SESSIONS = 5000;

function bridgeFor(emulator: ChildServer, fx: FixtureView, extra: Record<string, unknown> = {}): Bridge {
  return createBridge({
    loginUrl: emulator.baseUrl,
    deploymentId: fx.deployments.messenger[0]!.id,
    queueName: 'General',
    channel: 'webMessaging',
    ...extra,
  });
}

async function relayLatency(): Promise<void> {
  const emulator = await startEmulatorProcess();
  let bridge: Bridge | undefined;
  try {
    const fx = await fixtureOf(emulator);
    const deploymentId = fx.deployments.messenger[0]!.id;
    const user = fx.users.find((u) => u.queues.includes('General') && (u.capacity.message ?? 1) >= 2)!;
    const agent = await PlatformAgent.forUser(emulator, fx, user.id);
    await agent.goOnQueue();
    await agent.listen();

    // The raw guest: configureSession, then a first message that the default flow routes to General.
    const guest = await rawGuest(emulator, deploymentId, randomUUID());
    guest.socket.send(
      JSON.stringify({
        action: 'onMessage',
        token: guest.token,
        message: {
          type: 'Text',
          text: 'Customer transferred from the virtual assistant.',
          channel: { metadata: { customAttributes: { QueueName: 'General' } } },
        },
      }),
    );
    const rawLeg = await agent.nextAlert('messages');
    await agent.answer(rawLeg, 'messages');

    // The bridge: one transfer, through the same flow and queue to the same agent.
    bridge = bridgeFor(emulator, fx, { timeouts: { reorderWindowMs: 0 } });
    const bridgeInbox = new Inbox<string>();
    bridge.onEvent((event) => {
      if (event.type === 'agent.message' && event.message.text) bridgeInbox.push(event.message.text, now());
    });
    const started = await bridge.startTransfer({
      idempotencyKey: randomUUID(),
      botConversationId: 'bench-bot-conversation',
      customer: { id: 'bench-customer', displayName: 'Bench Customer' },
    });
    if (started.state === 'failed') throw new Error(`transfer failed: ${JSON.stringify(started.error)}`);
    const bridgeLeg = await agent.nextAlert('messages', (l) => l.conversationId !== rawLeg.conversationId);
    await agent.answer(bridgeLeg, 'messages');
    // Nobody needs the agent's notifications any more; closing them keeps their cost out of both sides.
    await agent.stopListening();
    await sleep(200);

    const raw: number[] = [];
    const viaBridge: number[] = [];
    let n = 0;
    const rawOnce = async (record: boolean) => {
      const text = `agent says ${n++}`;
      const t0 = now();
      const post = agent.sendMessage(rawLeg, text);
      const { at } = await guest.inbox.next(
        (f) => f.class === 'StructuredMessage' && f.body?.direction === 'Outbound' && f.body?.text === text,
        'the agent message on the raw guest socket',
      );
      await post;
      if (record) raw.push(at - t0);
    };
    const bridgeOnce = async (record: boolean) => {
      const text = `agent says ${n++}`;
      const t0 = now();
      const post = agent.sendMessage(bridgeLeg, text);
      const { at } = await bridgeInbox.next((t) => t === text, 'agent.message from the bridge');
      await post;
      if (record) viaBridge.push(at - t0);
    };
    for (let i = 0; i < WARMUP; i++) {
      await rawOnce(false);
      await bridgeOnce(false);
    }
    for (let chunk = 0; chunk < MESSAGES / CHUNK; chunk++) {
      for (let i = 0; i < CHUNK; i++) await rawOnce(true);
      for (let i = 0; i < CHUNK; i++) await bridgeOnce(true);
    }
    const p = percentile;
    report('Bridge: agent -> customer message, raw guest vs through the bridge (same emulator, same run)', {
      'agent POST -> raw guest socket frame': latencyRow(raw),
      'agent POST -> bridge agent.message event': latencyRow(viaBridge),
      'ratio p50': ratio(p(viaBridge, 50), p(raw, 50)),
      'ratio p99': ratio(p(viaBridge, 99), p(raw, 99)),
      'bridge added at p50': `${((p(viaBridge, 50) - p(raw, 50)) * 1000).toFixed(0)} us`,
      'bridge config': 'timeouts.reorderWindowMs: 0 (default 1000 ms would hold each message 1 s)',
      'emulator started as': emulatorMode(),
      target: 'ratio <= 1.5x',
    });
    guest.socket.terminate();
  } finally {
    await bridge?.close().catch(() => {});
    closeHttp();
    await emulator.stop();
  }
}

async function sessionsPerProcess(): Promise<void> {
  const emulator = await startEmulatorProcess();
  let bridge: Bridge | undefined;
  try {
    const fx = await fixtureOf(emulator);
    // `detach` so that closing 5,000 sessions at the end only closes sockets.
    bridge = bridgeFor(emulator, fx, { webMessaging: { endMode: 'detach' } });
    const warm = await bridge.startTransfer({
      idempotencyKey: 'warm',
      botConversationId: 'warm',
      customer: { id: 'warm' },
    });
    if (warm.state === 'failed') throw new Error(`transfer failed: ${JSON.stringify(warm.error)}`);
    await sleep(500);
    gc();
    const before = process.memoryUsage();
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
    await sleep(1000);
    gc();
    const after = process.memoryUsage();
    const perSession = (k: 'rss' | 'heapUsed' | 'external') =>
      `${((after[k] - before[k]) / 1024 / SESSIONS).toFixed(1)} KB`;
    report(`Bridge: concurrent sessions in one process (${SESSIONS} Web Messaging transfers)`, {
      'session states': [...states].map(([s, c]) => `${s} ${c}`).join(', '),
      'transfers started per second': Math.round(SESSIONS / seconds),
      'bench process RSS before / after': `${(before.rss / 1048576).toFixed(1)} MB / ${(after.rss / 1048576).toFixed(1)} MB`,
      'RSS per session': perSession('rss'),
      'heap used per session': perSession('heapUsed'),
      'emulator (child) RSS after': `${(emulator.rssKb() / 1024).toFixed(1)} MB`,
      'emulator started as': emulatorMode(),
      target: '< 50 KB RSS per session',
    });
  } finally {
    await bridge?.close().catch(() => {});
    closeHttp();
    await emulator.stop();
  }
}

export async function bridgeBench(): Promise<void> {
  process.stdout.write(`\n(load average at start: ${loadAverage()})\n`);
  await relayLatency();
  await sessionsPerProcess();
}
