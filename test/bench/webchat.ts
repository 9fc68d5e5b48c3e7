/**
 * Issue 4, WebChat v2 through the emulator (a child process, as `npm start` runs it):
 * (a) guest → agent latency, one message in flight: the guest POSTs a message over keep-alive HTTP and
 *     the clock stops when the agent's notification socket (v2.users.{id}.conversations) delivers the
 *     conversation update for it. The guest's own event-stream echo and the POST reply are timed too.
 *     Controls in the same run, each in its own process, same payload, chunks interleaved: a bare `ws`
 *     echo, a bare node:http POST, and the issue 19 target's floor, a bare HTTP POST whose body the
 *     server pushes to a connected ws client (bare-post-relay.ts, `POST /to-agent`), timed to that frame.
 * (b) 5,000 concurrent chats, each with its event stream attached, and the emulator's RSS per chat.
 */
import { fileURLToPath } from 'node:url';
import type WebSocket from 'ws';
import {
  type ChildServer,
  closeHttp,
  emulatorMode,
  fixtureOf,
  httpOk,
  inBatches,
  latencyRow,
  loadAverage,
  now,
  openInbox,
  openWs,
  PlatformAgent,
  percentile,
  ratio,
  sleep,
  spawnServer,
  startBareWsProcess,
  startEmulatorProcess,
} from './harness.ts';
import { report } from './stats.ts';

const bareRelay = fileURLToPath(new URL('./bare-post-relay.ts', import.meta.url));

const GUEST_BASE = '/api/v2/webchat/guest/conversations';
const MESSAGES = 2000;
const WARMUP = 200;
const CHUNK = 250;
const CHATS = 5000;

interface StreamFrame {
  topicName: string;
  eventBody: { body?: string; member?: { id: string; state: string } };
  metadata: { type?: string };
}

interface Chat {
  id: string;
  jwt: string;
  eventStreamUri: string;
  member: { id: string };
}

function createBody(fx: Awaited<ReturnType<typeof fixtureOf>>, name: string) {
  return {
    organizationId: fx.org.id,
    deploymentId: fx.deployments.webchat[0]!.id,
    routingTarget: { targetType: 'QUEUE', targetAddress: 'General' },
    memberInfo: { displayName: name },
  };
}

async function createChat(emulator: ChildServer, fx: Awaited<ReturnType<typeof fixtureOf>>, name: string) {
  return (await httpOk('POST', `${emulator.baseUrl}${GUEST_BASE}`, createBody(fx, name))).json() as Chat;
}

/** The message text padded to a fixed length, so every POST body has the same size. */
const textOf = (i: number) => `bench message ${String(i).padStart(6, '0')} `.padEnd(64, '.');

export async function latency(): Promise<void> {
  const emulator = await startEmulatorProcess();
  const echo = await startBareWsProcess('echo');
  // Only its POST /to-agent is used; the webhook address it needs for its other hop is never called.
  const relay = await spawnServer(
    ['--import', 'tsx', bareRelay, 'http://127.0.0.1:9/'],
    /bare-post-relay ready (\d+)/,
    'the bare node:http POST -> ws relay',
  );
  try {
    const fx = await fixtureOf(emulator);
    const user = fx.users.find((u) => u.queues.includes('General'))!;
    const agent = await PlatformAgent.forUser(emulator, fx, user.id);
    await agent.goOnQueue();
    await agent.listen();

    const chat = await createChat(emulator, fx, 'Bench Guest');
    const { socket: stream, inbox: guestInbox } = await openInbox<StreamFrame>(chat.eventStreamUri);
    const leg = await agent.nextAlert('chats', (l) => l.conversationId === chat.id);
    await agent.answer(leg, 'chats');
    const topic = `v2.users.${user.id}.conversations`;
    await sleep(200);
    agent.inbox.clear();
    guestInbox.clear();

    const messageUrl = `${emulator.baseUrl}${GUEST_BASE}/${chat.id}/members/${chat.member.id}/messages`;
    const auth = { authorization: `Bearer ${chat.jwt}` };
    const toAgent: number[] = [];
    const toGuestEcho: number[] = [];
    const postReply: number[] = [];
    let n = 0;
    const emulatorOnce = async (record: boolean) => {
      const text = textOf(n++);
      const t0 = now();
      const post = httpOk('POST', messageUrl, { body: text, bodyType: 'standard' }, auth).then(() => now());
      const seen = await agent.inbox.next(
        (f) => f.topicName === topic && f.eventBody.id === chat.id,
        'the agent notification',
      );
      const echoed = await guestInbox.next((f) => f.eventBody.body === text, 'the guest echo');
      const replied = await post;
      if (!record) return;
      toAgent.push(seen.at - t0);
      toGuestEcho.push(echoed.at - t0);
      postReply.push(replied - t0);
    };

    const payload = JSON.stringify({ body: textOf(0), bodyType: 'standard' });
    const { socket: control, inbox: controlInbox } = await openInbox<{ body: string }>(
      `ws://127.0.0.1:${echo.port}/`,
    );
    const { socket: relayAgent, inbox: relayInbox } = await openInbox<{ body: string }>(
      `ws://127.0.0.1:${relay.port}/`,
    );
    const bare: number[] = [];
    const bareHttp: number[] = [];
    const barePush: number[] = [];
    const bareOnce = async (record: boolean) => {
      const t0 = now();
      control.send(payload);
      const { at } = await controlInbox.next(() => true, 'the echo');
      // Second control: the same body POSTed to a bare node:http server (the HTTP part of the floor).
      const t1 = now();
      await httpOk('POST', `${echo.baseUrl}/`, payload);
      const t2 = now();
      // Third: the same body POSTed to a bare server that pushes it to a ws client, timed to the frame
      // (as the emulator's is timed to the agent's frame, the POST's reply awaited after it).
      const pushed = httpOk('POST', `${relay.baseUrl}/to-agent`, payload);
      const { at: pushedAt } = await relayInbox.next(() => true, 'the pushed body');
      await pushed;
      if (!record) return;
      bare.push(at - t0);
      bareHttp.push(t2 - t1);
      barePush.push(pushedAt - t2);
    };

    for (let i = 0; i < WARMUP; i++) {
      await emulatorOnce(false);
      await bareOnce(false);
    }
    // Interleaved chunks, so a burst of load from other work on the machine hits both sides alike.
    for (let chunk = 0; chunk < MESSAGES / CHUNK; chunk++) {
      for (let i = 0; i < CHUNK; i++) await emulatorOnce(true);
      for (let i = 0; i < CHUNK; i++) await bareOnce(true);
    }
    const p = (s: number[], q: number) => percentile(s, q);
    report('WebChat guest -> agent latency (one message in flight, emulator in a child process)', {
      'guest POST -> agent notification frame': latencyRow(toAgent),
      'guest POST -> guest event-stream echo': latencyRow(toGuestEcho),
      'guest POST -> HTTP reply': latencyRow(postReply),
      'bare ws echo, same payload (same run)': latencyRow(bare),
      'bare node:http POST echo, same body (same run)': latencyRow(bareHttp),
      'bare node:http POST -> ws push, same body (same run)': latencyRow(barePush),
      'ratio to bare ws, p50 (agent frame)': ratio(p(toAgent, 50), p(bare, 50)),
      'ratio to bare ws, p99 (agent frame)': ratio(p(toAgent, 99), p(bare, 99)),
      'ratio to bare http POST, p50 / p99': `${ratio(p(toAgent, 50), p(bareHttp, 50))} / ${ratio(p(toAgent, 99), p(bareHttp, 99))}`,
      'ratio to bare http POST + ws push, p50 / p99': `${ratio(p(toAgent, 50), p(barePush, 50))} / ${ratio(p(toAgent, 99), p(barePush, 99))}`,
      'payload / agent frame bytes': `${Buffer.byteLength(payload)} B POST body / ${agent.lastFrameBytes} B notification`,
      'measured at': 'agent notification socket (v2.users.{id}.conversations), keep-alive HTTP POST',
      'emulator started as': emulatorMode(),
      target: 'ratio to bare http POST + ws push <= 2x at p50',
    });
    await Promise.all([agent.stopListening(), stream.close(), control.close(), relayAgent.close()]);
  } finally {
    closeHttp();
    await Promise.all([emulator.stop(), echo.stop(), relay.stop()]);
  }
}

async function capacity(): Promise<void> {
  const emulator = await startEmulatorProcess();
  const sockets: WebSocket[] = [];
  try {
    const fx = await fixtureOf(emulator);
    // One warm chat first, so the lazily-built parts (JWT keys, routes) are not charged to the 5,000.
    const warm = await createChat(emulator, fx, 'Warm');
    sockets.push(await openWs(warm.eventStreamUri));
    await sleep(1000);
    const before = emulator.rssKb();
    const started = now();
    let connected = 0;
    await inBatches(
      Array.from({ length: CHATS }, (_, i) => i),
      50,
      async (i) => {
        const chat = await createChat(emulator, fx, `Guest ${i}`);
        const { socket, inbox } = await openInbox<StreamFrame>(chat.eventStreamUri);
        sockets.push(socket);
        // The guest's own CONNECTED: the emulator has attached the stream and routed the chat.
        await inbox.next(
          (f) => f.metadata.type === 'member-change' && f.eventBody.member?.id === chat.member.id,
          'CONNECTED',
        );
        socket.removeAllListeners('message');
        connected++;
      },
    );
    const seconds = (now() - started) / 1000;
    await sleep(1500);
    const after = emulator.rssKb();
    report(`WebChat concurrent chats (${CHATS}, each with its event stream attached)`, {
      'chats with stream attached': connected,
      'created + attached per second': Math.round(CHATS / seconds),
      'emulator RSS before / after': `${(before / 1024).toFixed(1)} MB / ${(after / 1024).toFixed(1)} MB`,
      'emulator RSS per chat': `${((after - before) / CHATS).toFixed(1)} KB`,
      'emulator started as': emulatorMode(),
      target: '5,000 chats under 30 KB each',
    });
  } finally {
    await emulator.stop();
    for (const s of sockets) s.terminate();
    closeHttp();
  }
}

export async function webchatBench(): Promise<void> {
  process.stdout.write(`\n(load average at start: ${loadAverage()})\n`);
  await latency();
  await capacity();
}
