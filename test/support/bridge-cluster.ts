import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { BridgeEvent } from '../../bridge/index.ts';
import { type DomainEvent, defaultFixture, type Fixture, parseFixtureSource } from '../../emulator/index.ts';
import type { TestEmulator } from './emulators.ts';
import type { RedisServer } from './redis-server.ts';
import { BRIDGE_BIN, type SpawnedCli, spawnCli } from './spawn-cli.ts';

/**
 * Shared by the tests that run the bridge service as separate processes on one Redis, in front of an
 * emulator (test/integration/bridge-cluster.test.ts, bridge-restart.test.ts): the org with enough agent
 * capacity for many sessions, agents that answer every alert, bridge instances started as a user starts
 * them (`genesys-bridge serve --config FILE`), and a bot that talks to an instance over HTTP and follows
 * sessions over its WebSocket stream. Every wait is for an event, a frame or a line of output; the guard
 * timers only turn a hang into a failure that says what was awaited.
 */
export const API_KEY = 'cluster-api-key-0123456789';
const READY = /Genesys bridge service ready at (http:\/\/127\.0\.0\.1:\d+)\n/;

/** The default org where two agents of the General queue take 25 message conversations each. */
export function clusterFixture(): Fixture {
  const base = structuredClone(defaultFixture());
  const general = base.users.filter((u) => u.queues.includes('General'));
  const [first, second] = general;
  return parseFixtureSource({
    ...base,
    users: base.users.map((u) =>
      u === first || u === second ? { ...u, capacity: { ...u.capacity, message: 25 } } : u,
    ),
  });
}

/** The two General agents' names. */
export function clusterAgentNames(fixture: Fixture): string[] {
  return fixture.users
    .filter((u) => u.queues.includes('General') && (u.capacity.message ?? 0) >= 25)
    .map((u) => u.name);
}

interface Leg {
  conversationId: string;
  agent: string;
  participantId: string;
  communicationId: string;
}

interface WireParticipant {
  id: string;
  purpose: string;
  userId?: string;
  messages?: { id: string; state: string; messages?: { messageId: string }[] }[];
}

/**
 * Agents who go on queue and answer every alert (through the public platform API), then say what a test
 * tells them to in a given conversation, and read the customer's messages as an agent desktop does.
 */
export async function answeringAgents(emulator: TestEmulator, names: readonly string[]) {
  const agents = new Map(names.map((name) => [name, emulator.agent(name)]));
  const byUser = new Map([...agents.values()].map((a) => [a.userId, a]));
  const legs = new Map<string, Leg>();
  const answering = new Set<Promise<unknown>>();
  const failures: unknown[] = [];
  const watchers = new Set<() => void>();
  const answer = async (event: DomainEvent) => {
    if (event.type !== 'agent.alerted' || !event.conversationId) return;
    const data = event.data as { participantId: string; userId: string };
    const agent = byUser.get(data.userId);
    if (!agent) return;
    const cid = event.conversationId;
    const base = `/api/v2/conversations/messages/${cid}/participants/${data.participantId}`;
    await agent.call('PATCH', base, { state: 'connected' });
    const conversation = (await agent.call('GET', `/api/v2/conversations/${cid}`)) as {
      participants: WireParticipant[];
    };
    const leg = conversation.participants.find((p) => p.id === data.participantId);
    legs.set(cid, {
      conversationId: cid,
      agent: agent.name,
      participantId: data.participantId,
      communicationId: leg?.messages?.[0]?.id ?? '',
    });
    for (const check of [...watchers]) check();
  };
  const stop = emulator.events.subscribe((event) => {
    const task = answer(event).catch((thrown: unknown) => failures.push(thrown));
    answering.add(task);
    void task.finally(() => answering.delete(task));
  });
  onTestFinished(stop);
  for (const agent of agents.values()) await agent.goOnQueue();

  const agentOf = (cid: string) => {
    const leg = legs.get(cid);
    if (!leg) throw new Error(`no agent answered conversation ${cid}`);
    return { leg, agent: agents.get(leg.agent)! };
  };
  return {
    legs,
    failures,
    /** Conversations an agent answered. */
    answered: () => legs.size,
    /** Resolves once agents have answered `count` conversations. */
    untilAnswered(count: number, withinMs = 60_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const guard = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(
              `agents answered ${legs.size} of ${count} conversations (failures: ${failures.join('; ')})`,
            ),
          );
        }, withinMs);
        const check = () => {
          if (legs.size < count) return;
          clearTimeout(guard);
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
      });
    },
    async say(cid: string, text: string) {
      const { leg, agent } = agentOf(cid);
      await agent.call(
        'POST',
        `/api/v2/conversations/messages/${cid}/communications/${leg.communicationId}/messages`,
        {
          textBody: text,
        },
      );
    },
    /** The customer's messages in the conversation, oldest first, as the agent's desktop reads them. */
    async customerTexts(cid: string): Promise<string[]> {
      const { agent } = agentOf(cid);
      const conversation = (await agent.call('GET', `/api/v2/conversations/${cid}`)) as {
        participants: WireParticipant[];
      };
      const customer = conversation.participants.find((p) => p.purpose === 'customer');
      const ids = (customer?.messages ?? []).flatMap((c) => (c.messages ?? []).map((m) => m.messageId));
      const texts: string[] = [];
      for (const id of ids) {
        const message = (await agent.call('GET', `/api/v2/conversations/messages/${cid}/messages/${id}`)) as {
          textBody?: string;
        };
        texts.push(message.textBody ?? '');
      }
      return texts;
    },
  };
}

export interface ClusterConfig {
  keyPrefix: string;
  leaseTtlMs: number;
  /** Omit the store section: the memory store. */
  memory?: boolean;
}

/** A config file for `genesys-bridge serve` in front of the emulator, on the test's Redis. */
export function clusterConfigFile(
  emulator: TestEmulator,
  redis: RedisServer,
  options: ClusterConfig,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-cluster-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'bridge.yaml');
  writeFileSync(
    path,
    `bridge:
  loginUrl: ${emulator.url}
  deploymentId: ${emulator.fixture.deployments.messenger[0]!.id}
  channel: webMessaging
  queueName: General
  timeouts:
    reorderWindowMs: 0
service:
  apiKeys:
    - ${API_KEY}
${
  options.memory
    ? ''
    : `store:
  redis:
    url: ${redis.url}
    keyPrefix: "${options.keyPrefix}"
    leaseTtlMs: ${options.leaseTtlMs}
`
}`,
  );
  return path;
}

export interface Instance {
  name: string;
  url: string;
  cli: SpawnedCli;
}

/** `genesys-bridge serve --config FILE --port 0` as a separate process, once it printed its ready line. */
export async function startInstance(name: string, configPath: string): Promise<Instance> {
  const cli = spawnCli(BRIDGE_BIN, ['serve', '--config', configPath, '--port', '0']);
  const url = (await cli.waitFor(READY, 30_000))[1]!;
  return { name, url, cli };
}

/** The bot platform's side: HTTP commands to an instance. */
export function botApi(url: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return {
    call,
    async startTransfer(i: number, initialMessage: string) {
      const answer = await call(
        'POST',
        '/v1/transfers',
        {
          botConversationId: `bot-${i}`,
          customer: { id: `customer-${i}`, displayName: `Customer ${i}` },
          initialMessage,
        },
        { 'idempotency-key': `transfer-${i}` },
      );
      if (answer.status !== 201)
        throw new Error(`transfer ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body['sessionId'] as string;
    },
    async send(sessionId: string, clientMessageId: string, text: string) {
      const answer = await call('POST', `/v1/transfers/${sessionId}/messages`, { clientMessageId, text });
      if (answer.status !== 202)
        throw new Error(`message ${clientMessageId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    events: async (sessionId: string) =>
      ((await call('GET', `/v1/transfers/${sessionId}/events?afterSeq=0`)).body['events'] ??
        []) as BridgeEvent[],
  };
}

/**
 * The bot following sessions over an instance's WebSocket stream (`/v1/stream`), every event kept per
 * session. It checks as it goes that each session's seqs arrive gap-free, once each.
 */
export async function botStream(url: string, sessionIds: readonly string[]) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/stream`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  const events = new Map<string, BridgeEvent[]>(sessionIds.map((id) => [id, []]));
  const problems: string[] = [];
  const watchers = new Set<() => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; event?: BridgeEvent };
    if (frame.type !== 'event' || !frame.event) return;
    const list = events.get(frame.event.sessionId);
    if (!list) return;
    const expected = (list.at(-1)?.seq ?? 0) + 1;
    if (frame.event.seq !== expected)
      problems.push(`${frame.event.sessionId}: seq ${frame.event.seq} after ${expected - 1}`);
    list.push(frame.event);
    for (const check of [...watchers]) check();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  onTestFinished(() => socket.terminate());
  for (const sessionId of sessionIds)
    socket.send(JSON.stringify({ type: 'subscribe', sessionId, afterSeq: 0 }));
  return {
    events,
    problems,
    socket,
    /** Resolves once `check` holds for the events so far (re-checked on each new event). */
    until(check: () => boolean, what: string, withinMs = 60_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const guard = setTimeout(() => {
          watchers.delete(test);
          reject(new Error(`the bot stream never showed ${what}`));
        }, withinMs);
        const test = () => {
          if (!check()) return;
          clearTimeout(guard);
          watchers.delete(test);
          resolve();
        };
        watchers.add(test);
        test();
      });
    },
  };
}

/**
 * Reads a session's SSE stream from an instance, resuming after `lastEventId`, until it has the event with
 * seq `untilSeq`; returns the `id:` of each event received, in order.
 */
export async function sseIds(url: string, sessionId: string, lastEventId: number, untilSeq: number) {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/transfers/${sessionId}/events/stream`, {
    headers: { authorization: `Bearer ${API_KEY}`, 'last-event-id': String(lastEventId) },
    signal: controller.signal,
  });
  if (response.status !== 200 || !response.body) throw new Error(`SSE answered ${response.status}`);
  const ids: number[] = [];
  const decoder = new TextDecoder();
  let text = '';
  const reader = response.body.getReader();
  try {
    while (!ids.includes(untilSeq)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const frames = text.split('\n\n');
      text = frames.pop() ?? '';
      for (const frame of frames) {
        const id = /^id: (\d+)$/m.exec(frame)?.[1];
        if (id) ids.push(Number(id));
      }
    }
  } finally {
    controller.abort();
  }
  return ids;
}

/** Agent texts the bot got in a session, in order. */
export function agentTexts(events: readonly BridgeEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === 'agent.message' && e.message.text !== undefined ? [e.message.text] : [],
  );
}

/** `clientMessageId:status` of each message.status, in order. */
export function statuses(events: readonly BridgeEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'message.status' ? [`${e.clientMessageId}:${e.status}`] : []));
}

/** Resolves once `check` holds, re-checked on each emulator event (the guard only names the hang). */
export function untilEmulator(emulator: TestEmulator, check: () => boolean, what: string, withinMs = 60_000) {
  return new Promise<void>((resolve, reject) => {
    if (check()) return resolve();
    const guard = setTimeout(() => {
      stop();
      reject(new Error(`the emulator never showed ${what}`));
    }, withinMs);
    const stop = emulator.events.subscribe(() => {
      if (!check()) return;
      clearTimeout(guard);
      stop();
      resolve();
    });
  });
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
