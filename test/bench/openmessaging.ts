/**
 * Issue 15, Open Messaging through the emulator (a child process, as `npm start` runs it):
 * (a) latency, one message in flight: a customer message POSTed to the inbound API until the agent's
 *     notification shows it, and an agent message POSTed to the platform API until the integration's
 *     webhook (a node:http server in this process) receives the signed delivery. Control in the same run,
 *     chunks interleaved: a bare node:http relay in its own process (POST -> WebSocket agent; POST ->
 *     answered, then POSTed on to the same webhook).
 * (b) webhook deliveries per second, sustained: every conversation's agent writes a burst at once, the
 *     emulator delivers (in order per conversation, in parallel across them) until the webhook has all.
 * (c) memory per open conversation: customers started through the inbound API, waiting in a queue with
 *     nobody on it, and the emulator's RSS per conversation.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  type ChildServer,
  closeHttp,
  emulatorMode,
  fixtureOf,
  fmtMs,
  httpOk,
  Inbox,
  inBatches,
  type Leg,
  latencyRow,
  loadAverage,
  type NotificationFrame,
  now,
  openInbox,
  PlatformAgent,
  percentile,
  ratio,
  sleep,
  spawnServer,
  startEmulatorProcess,
} from './harness.ts';
import { report } from './stats.ts';

const AGENTS = 4;
const CONVERSATIONS = 100;
const ROUNDS = 10;
const BURST = 20;
const WAITING = 2_000;
const bareRelay = fileURLToPath(new URL('./bare-post-relay.ts', import.meta.url));

/** The webhook: counts deliveries and records when each body id arrived. */
async function startWebhook() {
  const arrivals = new Inbox<{ id: string; text?: string }>();
  let delivered = 0;
  let onDelivery: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      res.writeHead(200).end();
      delivered++;
      onDelivery?.();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; text?: string };
      arrivals.push(body, at);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    arrivals,
    get delivered() {
      return delivered;
    },
    set onDelivery(fn: (() => void) | undefined) {
      onDelivery = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The default org plus AGENTS agents in General who hold 25 messages each; the integration's webhook pointed here. */
async function benchOrg(emulator: ChildServer, webhookUrl: string) {
  const fx = await fixtureOf(emulator);
  const extra = Array.from({ length: AGENTS }, (_, i) => ({
    id: randomUUID(),
    name: `Bench Agent ${i}`,
    email: `bench.agent${i}@example.com`,
    queues: ['General'],
    capacity: { message: 25, chat: 4 },
    skills: [],
  }));
  const full = (await httpOk('GET', `${emulator.baseUrl}/__emulator/fixture`)).json();
  const integration = { ...full.openMessaging[0], webhookUrl };
  const bench = {
    ...full,
    users: [...full.users, ...extra],
    clients: [
      ...full.clients,
      ...extra.map((u) => ({ id: randomUUID(), secret: randomUUID(), name: `Login ${u.name}`, user: u.id })),
    ],
    openMessaging: [integration],
  };
  await httpOk('POST', `${emulator.baseUrl}/__emulator/fixture`, bench);
  const org = fx.clients.find((c) => c.user === undefined)!;
  const integrator = new PlatformAgent(emulator.baseUrl, '', org);
  await integrator.login();
  return { fx: bench, agents: extra, integrator, integrationId: integration.id as string };
}

function inbound(integrationId: string, customer: string, text: string, attributes?: Record<string, string>) {
  return [
    `/api/v2/conversations/messages/${integrationId}/inbound/open/message?prefetchConversationId=true`,
    {
      channel: {
        from: { id: customer, idType: 'Opaque', nickname: customer },
        time: new Date().toISOString(),
        ...(attributes ? { metadata: { customAttributes: attributes } } : {}),
      },
      text,
    },
  ] as const;
}

function customerMessageCount(frame: NotificationFrame): number | undefined {
  const customer = frame.eventBody.participants?.find((p) => p.purpose === 'customer');
  return customer?.messages?.[0]?.messages?.length;
}

async function latencyAndThroughput(): Promise<void> {
  const webhook = await startWebhook();
  const emulator = await startEmulatorProcess();
  const relay = await spawnServer(
    ['--import', 'tsx', bareRelay, webhook.url],
    /bare-post-relay ready (\d+)/,
    'the bare node:http relay',
  );
  try {
    const { fx, agents: benchUsers, integrator, integrationId } = await benchOrg(emulator, webhook.url);
    const alerts = new Inbox<{ agent: PlatformAgent; leg: Leg }>();
    const customerMessages = new Inbox<string>();
    const known = new Map<string, number>();
    const alerted = new Set<string>();
    const agents = await Promise.all(benchUsers.map((u) => PlatformAgent.forUser(emulator, fx, u.id)));
    for (const agent of agents) {
      agent.onFrame = (frame, at) => {
        const leg = agent.alertingLeg(frame, 'messages');
        if (leg && !alerted.has(leg.conversationId)) {
          alerted.add(leg.conversationId);
          alerts.push({ agent, leg }, at);
        }
        const count = customerMessageCount(frame);
        const cid = frame.eventBody.id;
        if (count !== undefined && count > (known.get(cid) ?? 0)) {
          known.set(cid, count);
          customerMessages.push(cid, at);
        }
        return true;
      };
      await agent.goOnQueue();
      await agent.listen();
    }
    const customers: { id: string; agent: PlatformAgent; leg: Leg }[] = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const id = `bench-customer-${i}`;
      const [path, body] = inbound(integrationId, id, 'Hello, I need help', { QueueName: 'General' });
      await integrator.call('POST', path, body);
      const { frame } = await alerts.next(() => true, `an alert for customer ${i}`);
      await frame.agent.answer(frame.leg, 'messages');
      customers.push({ id, agent: frame.agent, leg: frame.leg });
    }
    await sleep(200);
    customerMessages.clear();

    const toAgent: number[] = [];
    const toWebhook: number[] = [];
    let n = 0;
    const emulatorRound = async (record: boolean) => {
      for (const { id, agent, leg } of customers) {
        const i = n++;
        const [path, body] = inbound(integrationId, id, `question ${i}`);
        const t0 = now();
        await integrator.call('POST', path, body);
        const seen = await customerMessages.next(
          (cid) => cid === leg.conversationId,
          'the agent notification',
        );
        const reply = `answer ${String(i).padStart(6, '0')}`;
        const t1 = now();
        await agent.sendMessage(leg, reply);
        const delivered = await webhook.arrivals.next((b) => b.text === reply, 'the webhook delivery');
        if (!record) continue;
        toAgent.push(seen.at - t0);
        toWebhook.push(delivered.at - t1);
      }
    };

    // The control: the same bodies through the bare relay (POST -> ws agent; POST -> answered, POSTed on).
    const { inbox: relayAgent } = await openInbox<{ text: string }>(`ws://127.0.0.1:${relay.port}/`);
    const relayToAgent: number[] = [];
    const relayToWebhook: number[] = [];
    const relayRound = async (record: boolean) => {
      for (const { id } of customers) {
        const i = n++;
        const [, body] = inbound(integrationId, id, `question ${i}`);
        const t0 = now();
        await httpOk('POST', `${relay.baseUrl}/to-agent`, body);
        const seen = await relayAgent.next((b) => b.text === `question ${i}`, 'the relayed message');
        const reply = `answer ${String(i).padStart(6, '0')}`;
        const t1 = now();
        await httpOk('POST', `${relay.baseUrl}/to-webhook`, { id: `r-${i}`, text: reply });
        const delivered = await webhook.arrivals.next((b) => b.text === reply, 'the relayed delivery');
        if (!record) continue;
        relayToAgent.push(seen.at - t0);
        relayToWebhook.push(delivered.at - t1);
      }
    };

    await emulatorRound(false);
    await relayRound(false);
    for (let r = 0; r < ROUNDS; r++) {
      await emulatorRound(true);
      await relayRound(true);
    }
    const p = percentile;
    report('Open Messaging latency, one message in flight (emulator in a child process)', {
      'customer POST -> agent notification': latencyRow(toAgent),
      'bare relay: POST -> ws agent': latencyRow(relayToAgent),
      '  ratio p50 / p99': `${ratio(p(toAgent, 50), p(relayToAgent, 50))} / ${ratio(p(toAgent, 99), p(relayToAgent, 99))}`,
      'agent POST -> signed webhook delivery': latencyRow(toWebhook),
      'bare relay: POST -> answered, POSTed on': latencyRow(relayToWebhook),
      '  ratio p50 / p99 ': `${ratio(p(toWebhook, 50), p(relayToWebhook, 50))} / ${ratio(p(toWebhook, 99), p(relayToWebhook, 99))}`,
      setup: `${CONVERSATIONS} conversations, ${AGENTS} agents x 25, ${ROUNDS} rounds; chunks interleaved`,
      'emulator started as': emulatorMode(),
      target: 'ratio <= 2x at p50',
    });

    // (b) Sustained deliveries: every agent writes a burst on each of its conversations at once.
    const before = webhook.delivered;
    const total = CONVERSATIONS * BURST;
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    webhook.onDelivery = () => {
      if (webhook.delivered - before >= total) done();
    };
    const t0 = now();
    await inBatches(
      customers.flatMap((c) => Array.from({ length: BURST }, (_, k) => ({ ...c, k }))),
      64,
      ({ agent, leg, k }) => agent.sendMessage(leg, `burst ${k}`),
    );
    const posted = now() - t0;
    await all;
    const elapsed = now() - t0;
    report('Open Messaging webhook deliveries, sustained', {
      deliveries: `${total} (${BURST} per conversation, ${CONVERSATIONS} conversations)`,
      'agent POSTs took': fmtMs(posted),
      'all delivered after': fmtMs(elapsed),
      'deliveries per second': Math.round(total / (elapsed / 1000)),
      'load average': loadAverage(),
    });
    webhook.onDelivery = undefined;
    await Promise.all(agents.map((a) => a.stopListening()));
  } finally {
    closeHttp();
    await Promise.all([emulator.stop(), relay.stop(), webhook.close()]);
  }
}

async function memoryPerConversation(): Promise<void> {
  const webhook = await startWebhook();
  const emulator = await startEmulatorProcess();
  try {
    const { integrator, integrationId } = await benchOrg(emulator, webhook.url);
    // Warm up the code paths, then measure from a settled baseline.
    await inBatches(
      Array.from({ length: 50 }, (_, i) => i),
      16,
      (i) => {
        const [path, body] = inbound(integrationId, `warm-${i}`, 'hello');
        return integrator.call('POST', path, body);
      },
    );
    await sleep(500);
    const baseline = emulator.rssKb();
    await inBatches(
      Array.from({ length: WAITING }, (_, i) => i),
      32,
      (i) => {
        const [path, body] = inbound(integrationId, `waiting-${i}`, 'Hello, I need help with my order', {
          QueueName: 'General',
          orderId: `A-${i}`,
        });
        return integrator.call('POST', path, body);
      },
    );
    await sleep(1000);
    const after = emulator.rssKb();
    report('Open Messaging memory per open conversation', {
      conversations: `${WAITING} open, each with its first message and 2 attributes, waiting in General`,
      'emulator RSS growth': `${((after - baseline) / 1024).toFixed(1)} MB`,
      'per conversation': `${(((after - baseline) * 1024) / WAITING / 1024).toFixed(1)} KB`,
      'emulator started as': emulatorMode(),
    });
  } finally {
    closeHttp();
    await Promise.all([emulator.stop(), webhook.close()]);
  }
}

export async function openMessagingBench(): Promise<void> {
  await latencyAndThroughput();
  await memoryPerConversation();
}
