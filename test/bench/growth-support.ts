/**
 * Plumbing of the growth bench (growth.ts): open-file limits and CPU time from /proc, the bare
 * many-conversation relay process, sockets from many source addresses, an org with as many message
 * agents as a run needs, and live Web Messaging conversations (guest socket, answering agent) whose agent
 * notifications are sorted per conversation.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  type ChildServer,
  fixtureOf,
  httpOk,
  Inbox,
  type Leg,
  type NotificationFrame,
  now,
  PlatformAgent,
  rawGuest,
  spawnServer,
} from './harness.ts';
import { customerMessageCount } from './webmessaging.ts';

const bareMultiRelay = fileURLToPath(new URL('./bare-multi-relay.ts', import.meta.url));

// ---------------------------------------------------------------- file descriptors

/** A process's open-files limit (`ulimit -n`), soft and hard, from /proc. */
export function openFileLimit(pid: number | 'self'): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line?.slice('Max open files'.length).trim().split(/\s+/) ?? []).map((v) =>
    v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v),
  );
  return { soft: soft ?? Number.NaN, hard: hard ?? Number.NaN };
}

/** How many files a process holds open now. */
export function openFds(pid: number | 'self'): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * CPU time a process has used, in ms, summed over its threads (JS, GC helpers, libuv), from each
 * thread's /proc schedstat (nanoseconds, where /proc/PID/stat counts 10 ms ticks).
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read (Node's threads live as long as the process)
    }
  }
  return ns / 1e6;
}

// ---------------------------------------------------------------- the bare relay

/** bare-multi-relay.ts in its own process, as the emulator runs in its own. */
export function startBareMultiRelay(): Promise<ChildServer> {
  return spawnServer(['--import', 'tsx', bareMultiRelay], /bare-multi-relay ready (\d+)/, 'bare multi relay');
}

/**
 * Source addresses for many sockets to one server: 2,000 sockets per address of 127/8, from a random
 * /16 each call. One source address runs Linux's ephemeral-port search slow past ~14,000 sockets to one
 * server (hundreds of connects a second), which would time the kernel instead of the server; a fresh
 * /16 also keeps clear of the TIME_WAIT four-tuples of earlier runs.
 */
export function sourceAddresses(): (i: number) => string {
  const a = 1 + Math.floor(Math.random() * 250);
  const b = Math.floor(Math.random() * 250);
  return (i) => `127.${a}.${b}.${1 + Math.floor(i / 2000)}`;
}

/**
 * A socket from `localAddress` that has sent `frame` and had its first answer accepted by `accepted`
 * (a configureSession and its SessionResponse, or a frame and its echo); nothing else is kept.
 */
export function answeredSocket(
  url: string,
  localAddress: string,
  frame: string,
  accepted: (answer: string) => boolean,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, localAddress });
    socket.once('message', (data: Buffer) => {
      if (accepted(data.toString())) resolve(socket);
      else reject(new Error(`refused: ${data.toString()}`));
    });
    socket.once('open', () => {
      socket.off('error', reject);
      socket.send(frame);
    });
    socket.once('error', reject);
  });
}

// ---------------------------------------------------------------- the emulator's org and conversations

/** The default org plus `count` agents in General who can each hold 25 messages (and their logins). */
export async function loadOrgWithAgents(emulator: ChildServer, count: number) {
  const fx = await fixtureOf(emulator);
  const extra = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    name: `Growth Agent ${i}`,
    email: `growth.agent${i}@example.com`,
    queues: ['General'],
    capacity: { message: 25, chat: 4 },
    skills: [],
  }));
  const org = {
    ...fx,
    users: [...fx.users, ...extra],
    clients: [
      ...fx.clients,
      ...extra.map((u) => ({ id: randomUUID(), secret: randomUUID(), name: `Login ${u.name}`, user: u.id })),
    ],
  };
  await httpOk('POST', `${emulator.baseUrl}/__emulator/fixture`, org);
  return { fx: org, users: extra };
}

export type Guest = Awaited<ReturnType<typeof rawGuest>>;

export interface LiveConversation {
  guest: Guest;
  agent: PlatformAgent;
  leg: Leg;
  /** Arrival times of the agent notifications that show one more customer message. */
  customerMessages: Inbox<number>;
  /** Sees every agent notification of this conversation with its size (for per-message figures). */
  watch?: (frame: NotificationFrame, at: number, bytes: number) => void;
}

/**
 * `count` guests, each with a conversation routed by the default flow to General and answered by one of
 * `agentCount` agents, as an agent desktop sees it: its notifications are sorted per conversation.
 */
export async function openConversations(
  emulator: ChildServer,
  count: number,
  agentCount: number,
): Promise<{ conversations: LiveConversation[]; agents: PlatformAgent[] }> {
  const { fx, users } = await loadOrgWithAgents(emulator, agentCount);
  const deploymentId = fx.deployments.messenger[0]!.id;
  const alerts = new Inbox<{ agent: PlatformAgent; leg: Leg }>();
  const alerted = new Set<string>();
  const byId = new Map<string, LiveConversation>();
  const customerCounts = new Map<string, number>();
  const agents = await Promise.all(users.map((u) => PlatformAgent.forUser(emulator, fx, u.id)));
  for (const agent of agents) {
    agent.onFrame = (frame, at) => {
      const leg = agent.alertingLeg(frame, 'messages');
      if (leg && !alerted.has(leg.conversationId)) {
        alerted.add(leg.conversationId);
        alerts.push({ agent, leg }, at);
      }
      const live = byId.get(frame.eventBody.id);
      if (!live) return true;
      live.watch?.(frame, at, agent.lastFrameBytes);
      const count = customerMessageCount(frame);
      if (count !== undefined && count > (customerCounts.get(frame.eventBody.id) ?? 0)) {
        customerCounts.set(frame.eventBody.id, count);
        live.customerMessages.push(count, at);
      }
      return true;
    };
    await agent.goOnQueue();
    await agent.listen();
  }
  const conversations: LiveConversation[] = [];
  for (let i = 0; i < count; i++) {
    const guest = await rawGuest(emulator, deploymentId, randomUUID());
    guest.socket.send(
      JSON.stringify({
        action: 'onMessage',
        token: guest.token,
        tracingId: 'first',
        message: {
          type: 'Text',
          text: 'Hello, I need help',
          channel: { metadata: { customAttributes: { QueueName: 'General' } } },
        },
      }),
    );
    const { frame } = await alerts.next(() => true, `an alert for conversation ${i}`);
    await frame.agent.answer(frame.leg, 'messages');
    const live: LiveConversation = {
      guest,
      agent: frame.agent,
      leg: frame.leg,
      customerMessages: new Inbox<number>(),
    };
    byId.set(frame.leg.conversationId, live);
    customerCounts.set(frame.leg.conversationId, 1);
    conversations.push(live);
  }
  return { conversations, agents };
}

/** The agent's own messages in a notification: how many, and the last one's status. */
export function agentMessages(frame: NotificationFrame, userId: string) {
  const leg = frame.eventBody.participants?.filter((p) => p.userId === userId).at(-1);
  const list = (leg?.messages?.[0]?.messages ?? []) as { messageStatus?: string }[];
  return { count: list.length, lastStatus: list.at(-1)?.messageStatus };
}

/** Times a guest's onMessage frame to its own echo on the guest socket (outside any timed window). */
export async function guestSays(guest: Guest, text: string, tracingId: string): Promise<number> {
  const t0 = now();
  guest.socket.send(
    JSON.stringify({ action: 'onMessage', token: guest.token, tracingId, message: { type: 'Text', text } }),
  );
  const { frame, at } = await guest.inbox.next((f) => f.tracingId === tracingId, `the echo of ${tracingId}`);
  if (frame.code !== 200) throw new Error(`onMessage refused: ${JSON.stringify(frame)}`);
  return at - t0;
}
