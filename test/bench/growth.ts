/**
 * Issue 19, part 4: how cost grows with work, each point beside a bare baseline measured in the same run
 * (the emulator a child process, as `npm start` runs it; BENCH_EMULATOR=source for the sources).
 * (a) 1k / 5k / 10k / 20k idle Web Messaging sessions: RSS per session and configure rate, beside a bare
 *     `ws` echo server holding as many sockets.
 * (b) 1 / 10 / 100 conversations relaying at once (guest -> agent notification -> agent POST -> guest),
 *     p50/p99, beside a bare relay with the same hops at the same concurrency.
 * (c) 100 / 1k / 5k agents routing (in-process, as routing.ts): decisions per second, each point beside
 *     the 100-agent point.
 * (d) one conversation at 10 / 100 / 1,000 messages: agent POST -> guest frame and the agent's
 *     notification bytes per message, beside a bare POST -> guest frame relay.
 * Prints figures and ratios only; nothing here asserts on a timing.
 */
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { EmulatorRuntime } from '../../emulator/runtime.ts';
import {
  agentMessages,
  answeredSocket,
  cpuMs,
  guestSays,
  type LiveConversation,
  openConversations,
  openFds,
  openFileLimit,
  sourceAddresses,
  startBareMultiRelay,
} from './growth-support.ts';
import {
  advanceClock,
  type ChildServer,
  closeHttp,
  emulatorMode,
  fixtureOf,
  fmtMs,
  type GuestFrame,
  guestSocketUrl,
  httpOk,
  type Inbox,
  inBatches,
  latencyRow,
  loadAverage,
  median,
  now,
  openInbox,
  openWs,
  percentile,
  ratio,
  sleep,
  startBareWsProcess,
  startEmulatorProcess,
} from './harness.ts';
import { bigOrg } from './routing.ts';
import { gc, report } from './stats.ts';

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const kb = (n: number) => `${n.toFixed(1)} KB`;

// ---------------------------------------------------------------- (a) idle sessions

const SESSION_POINTS = [1000, 5000, 10_000, 20_000];
/** Files each process keeps besides the sockets counted (pipes, listeners, keep-alive HTTP, slack). */
const FD_SPARE = 100;

interface LadderPoint {
  n: number;
  rate: number;
  rssKb: number;
}

/**
 * Opens sockets up to each point (100 handshakes in flight) and reads the server's RSS a second after
 * each, so one process shows every point. The rate is that of the step that reached the point.
 */
async function ladder(
  points: number[],
  server: ChildServer,
  open: (i: number) => Promise<WebSocket>,
  sockets: WebSocket[],
): Promise<{ before: number; steps: LadderPoint[] }> {
  sockets.push(await open(0)); // warm: lazily built parts are not charged to the first point
  await sleep(1000);
  const before = server.rssKb();
  const steps: LadderPoint[] = [];
  let held = 0;
  for (const n of points) {
    const started = now();
    await inBatches(
      Array.from({ length: n - held }, (_, i) => i),
      100,
      async () => {
        sockets.push(await open(sockets.length));
      },
    );
    const rate = (n - held) / ((now() - started) / 1000);
    held = n;
    await sleep(1000);
    steps.push({ n, rate, rssKb: server.rssKb() });
  }
  return { before, steps };
}

/** The highest socket count both this process and the server can hold under their open-files limits. */
function socketRoom(serverPid: number): number {
  const room = Math.min(
    openFileLimit('self').soft - openFds('self'),
    openFileLimit(serverPid).soft - openFds(serverPid),
  );
  return Math.floor((room - FD_SPARE) / 100) * 100;
}

export async function idleSessionCurve(): Promise<void> {
  const limits = openFileLimit('self');
  const emulator = await startEmulatorProcess();
  const sockets: WebSocket[] = [];
  let top = 0;
  let emu: Awaited<ReturnType<typeof ladder>>;
  try {
    top = socketRoom(emulator.pid);
    const fx = await fixtureOf(emulator);
    const deploymentId = fx.deployments.messenger[0]!.id;
    const url = guestSocketUrl(emulator, deploymentId);
    const points = [...new Set(SESSION_POINTS.map((p) => Math.min(p, top)))].filter((p) => p > 0);
    if (!points.length) {
      report('Growth (a): idle Web Messaging sessions', {
        skipped: `the open-files limit (${limits.soft}) leaves no room for 100 sockets; raise \`ulimit -n\``,
      });
      return;
    }
    const from = sourceAddresses();
    emu = await ladder(
      points,
      emulator,
      (i) => {
        const token = randomUUID();
        const frame = JSON.stringify({ action: 'configureSession', token, deploymentId, tracingId: 'cfg' });
        return answeredSocket(url, from(i), frame, (answer) => {
          const r = JSON.parse(answer) as GuestFrame;
          return r.class === 'SessionResponse' && r.code === 200;
        });
      },
      sockets,
    );
  } finally {
    for (const s of sockets) s.terminate();
    await emulator.stop();
  }
  sockets.length = 0;
  const echo = await startBareWsProcess('echo');
  let bare: Awaited<ReturnType<typeof ladder>>;
  try {
    // The same request/response as a configureSession, echoed: the socket-only part of the work.
    const frame = JSON.stringify({
      action: 'configureSession',
      token: randomUUID(),
      deploymentId: randomUUID(),
      tracingId: 'cfg',
    });
    const from = sourceAddresses();
    bare = await ladder(
      emu.steps.map((s) => s.n),
      echo,
      (i) => answeredSocket(`ws://127.0.0.1:${echo.port}/`, from(i), frame, () => true),
      sockets,
    );
  } finally {
    for (const s of sockets) s.terminate();
    await echo.stop();
  }
  const rows: Record<string, string> = {};
  emu.steps.forEach((e, i) => {
    const b = bare.steps[i]!;
    const perSession = (e.rssKb - emu.before) / e.n;
    const perSocket = (b.rssKb - bare.before) / b.n;
    rows[`${count(e.n)}: RSS per session / per bare socket`] =
      `${kb(perSession)} / ${kb(perSocket)} (${ratio(perSession, perSocket)})`;
    rows[`${count(e.n)}: configured / bare connected per s`] =
      `${Math.round(e.rate)} / ${Math.round(b.rate)} (${ratio(e.rate, b.rate)})`;
    rows[`${count(e.n)}: emulator RSS / bare RSS`] =
      `${(e.rssKb / 1024).toFixed(1)} MB / ${(b.rssKb / 1024).toFixed(1)} MB`;
    if (i === 0) return;
    // The slope between two points: what one more session costs there, without the start-up heap noise.
    const pe = emu.steps[i - 1]!;
    const pb = bare.steps[i - 1]!;
    const slopeE = (e.rssKb - pe.rssKb) / (e.n - pe.n);
    const slopeB = (b.rssKb - pb.rssKb) / (b.n - pb.n);
    rows[`${count(pe.n)} -> ${count(e.n)}: RSS per added session / socket`] =
      `${kb(slopeE)} / ${kb(slopeB)} (${ratio(slopeE, slopeB)})`;
  });
  const first = emu.steps[0]!;
  const last = emu.steps.at(-1)!;
  const perSession = (p: LadderPoint) => (p.rssKb - emu.before) / p.n;
  report('Growth (a): idle Web Messaging sessions (one socket each, configureSession done)', {
    ...rows,
    [`RSS per session, ${count(last.n)} / ${count(first.n)}`]: ratio(perSession(last), perSession(first)),
    [`configure rate, ${count(last.n)} / ${count(first.n)}`]: ratio(last.rate, first.rate),
    'emulator RSS before the first point': `${(emu.before / 1024).toFixed(1)} MB`,
    'open-files limit (soft / hard)': `${limits.soft} / ${limits.hard}`,
    '20,000 reached':
      last.n >= 20_000
        ? 'yes'
        : `no: the open-files limit leaves room for ${count(top)} sockets in the bench and the emulator ` +
          `process each, so the top point is ${count(last.n)} (\`ulimit -n ${limits.soft + 20_000 - top}\` ` +
          'or more, soft and hard, before `npm run bench growth` reaches it)',
    baseline: 'bare ws echo process: connect + one frame the size of configureSession echoed',
    clients: 'this process, 100 handshakes in flight, 2,000 sockets per 127/8 source address',
    'emulator started as': emulatorMode(),
  });
}

// ---------------------------------------------------------------- (b) concurrent conversations

/** 4 agents at the Genesys maximum of 25 messages each hold the pool of 100 conversations. */
const POOL = 100;
const POOL_AGENTS = 4;
const CONCURRENCY = [1, 10, 100];
/** Round trips recorded at each concurrency, on each side (every conversation of the pool does 10). */
const TRIPS = 1000;

interface BareGuest {
  socket: WebSocket;
  inbox: Inbox<{ reply: string }>;
}

const pad6 = (i: number) => String(i).padStart(6, '0');

export async function concurrentRelay(): Promise<void> {
  const emulator = await startEmulatorProcess();
  const relay = await startBareMultiRelay();
  try {
    const { conversations, agents } = await openConversations(emulator, POOL, POOL_AGENTS);
    await sleep(200);
    let toGuestBytes = 450; // the emulator's reply frame to the guest, measured as the run goes
    let n = 0;

    const emulatorTrip = async (c: LiveConversation): Promise<number> => {
      const i = n++;
      const reply = `answer ${pad6(i)}`;
      c.guest.inbox.clear();
      c.customerMessages.clear();
      const frame = JSON.stringify({
        action: 'onMessage',
        token: c.guest.token,
        tracingId: `q-${i}`,
        message: { type: 'Text', text: `question ${pad6(i)}` },
      });
      const t0 = now();
      c.guest.socket.send(frame);
      await c.customerMessages.next(() => true, 'the agent notification');
      const post = c.agent.sendMessage(c.leg, reply);
      const back = await c.guest.inbox.next(
        (f) => f.class === 'StructuredMessage' && f.body?.direction === 'Outbound' && f.body?.text === reply,
        'the agent reply on the guest socket',
      );
      await post;
      toGuestBytes = JSON.stringify(back.frame).length;
      return back.at - t0;
    };

    // The control: as many guests and agents on the bare relay; each agent answers by HTTP POST.
    const bareGuests: BareGuest[] = [];
    for (let k = 0; k < POOL; k++)
      bareGuests.push(await openInbox<{ reply: string }>(`ws://127.0.0.1:${relay.port}/?role=guest&id=${k}`));
    const posts = new Map<string, Promise<unknown>>();
    const bareAgents: WebSocket[] = [];
    for (let a = 0; a < POOL_AGENTS; a++) {
      const socket = await openWs(`ws://127.0.0.1:${relay.port}/?role=agent`, undefined, (data) => {
        const { tracingId } = JSON.parse(data.toString()) as { tracingId: string };
        const k = tracingId.split('-')[1]!;
        const answer = JSON.stringify({
          reply: tracingId,
          pad: ''.padEnd(Math.max(0, toGuestBytes - 40), 'x'),
        });
        posts.set(k, httpOk('POST', `${relay.baseUrl}/guest/${k}`, answer));
      });
      bareAgents.push(socket);
    }
    const bareTrip = async (k: number): Promise<number> => {
      const i = n++;
      const id = `b-${k}-${i}`;
      const g = bareGuests[k]!;
      const frame = JSON.stringify({
        action: 'onMessage',
        token: conversations[k]!.guest.token,
        tracingId: id,
        message: { type: 'Text', text: `question ${pad6(i)}` },
      });
      const t0 = now();
      g.socket.send(frame);
      const back = await g.inbox.next((f) => f.reply === id, 'the relayed reply');
      await posts.get(String(k));
      return back.at - t0;
    };

    // Round r of concurrency N: N distinct conversations of the pool send at once; the round ends when
    // all N replies are back. A conversation sends at most once per second of emulator time, as the
    // clock moves 1 s before each emulator round (outside the timed window).
    const members = (r: number, width: number) =>
      Array.from({ length: width }, (_, j) => (r * width + j) % POOL);
    const emulatorRound = async (r: number, width: number) => {
      await advanceClock(emulator, 1000);
      const cpu0 = cpuMs(emulator.pid);
      const t0 = now();
      const rt = await Promise.all(members(r, width).map((k) => emulatorTrip(conversations[k]!)));
      return { rt, ms: now() - t0, cpu: cpuMs(emulator.pid) - cpu0 };
    };
    const bareRound = async (r: number, width: number) => {
      const cpu0 = cpuMs(relay.pid);
      const t0 = now();
      const rt = await Promise.all(members(r, width).map((k) => bareTrip(k)));
      return { rt, ms: now() - t0, cpu: cpuMs(relay.pid) - cpu0 };
    };

    // Warm-up, not recorded: every conversation once, then a round at full width, on both sides.
    for (let r = 0; r < POOL; r++) {
      await emulatorRound(r, 1);
      await bareRound(r, 1);
    }
    await emulatorRound(0, POOL);
    await bareRound(0, POOL);

    const rows: Record<string, string> = {};
    const p50s: { emulator: number[]; bare: number[] } = { emulator: [], bare: [] };
    for (const width of CONCURRENCY) {
      const emu = { rt: [] as number[], ms: 0, cpu: 0 };
      const bare = { rt: [] as number[], ms: 0, cpu: 0 };
      // Rounds interleaved, so a burst of load from elsewhere on the machine hits both sides alike.
      for (let r = 0; r < TRIPS / width; r++) {
        const e = await emulatorRound(r, width);
        const b = await bareRound(r, width);
        emu.rt.push(...e.rt);
        emu.ms += e.ms;
        emu.cpu += e.cpu;
        bare.rt.push(...b.rt);
        bare.ms += b.ms;
        bare.cpu += b.cpu;
      }
      const p = percentile;
      p50s.emulator.push(p(emu.rt, 50));
      p50s.bare.push(p(bare.rt, 50));
      rows[`${width} in flight: emulator`] = latencyRow(emu.rt);
      rows[`${width} in flight: bare relay`] = latencyRow(bare.rt);
      rows[`${width} in flight: ratio p50 / p99`] =
        `${ratio(p(emu.rt, 50), p(bare.rt, 50))} / ${ratio(p(emu.rt, 99), p(bare.rt, 99))}`;
      rows[`${width} in flight: round trips/s, emulator / bare`] =
        `${Math.round(emu.rt.length / (emu.ms / 1000))} / ${Math.round(bare.rt.length / (bare.ms / 1000))}`;
      rows[`${width} in flight: server CPU per round trip`] =
        `${fmtMs(emu.cpu / emu.rt.length)} / ${fmtMs(bare.cpu / bare.rt.length)} (${ratio(emu.cpu, bare.cpu)})`;
    }
    const last = CONCURRENCY.length - 1;
    report('Growth (b): Web Messaging conversations relaying at once (guest -> agent -> POST -> guest)', {
      ...rows,
      [`p50 at ${CONCURRENCY[last]} / at 1, emulator`]: ratio(p50s.emulator[last]!, p50s.emulator[0]!),
      [`p50 at ${CONCURRENCY[last]} / at 1, bare relay`]: ratio(p50s.bare[last]!, p50s.bare[0]!),
      setup: `${POOL} conversations, ${POOL_AGENTS} agents x 25; ${TRIPS} round trips per point; clock +1 s per emulator round`,
      baseline:
        'bare-multi-relay.ts process: guest ws -> agent ws, agent HTTP POST -> guest ws, reply padded',
      'emulator started as': emulatorMode(),
    });
    await Promise.all(agents.map((a) => a.stopListening()));
    for (const c of conversations) c.guest.socket.terminate();
    for (const g of bareGuests) g.socket.terminate();
    for (const s of bareAgents) s.terminate();
  } finally {
    closeHttp();
    await Promise.all([emulator.stop(), relay.stop()]);
  }
}

// ---------------------------------------------------------------- (c) routing

const AGENT_POINTS = [100, 1000, 5000];
const QUEUES = 100;
/** Conversations per run: 100 agents x 25 messages hold them all, so every point routes each at once. */
const ROUTED = 2000;
const ROUTING_RUNS = 7;

/** One fresh runtime with `agents` agents on queue; routes ROUTED messages and times it. */
function routeRun(
  agents: number,
  seed: number,
): { perSecond: number; perCpuSecond: number; alerted: number } {
  const runtime = new EmulatorRuntime({
    fixture: bigOrg(QUEUES, agents, 25),
    clock: 'manual',
    seed,
    logLevel: 'silent',
  });
  for (const u of runtime.fixture.users) runtime.router.setRoutingStatus(u.id, 'IDLE');
  let decisions = 0;
  let alerted = 0;
  runtime.events.subscribe((e) => {
    if (e.type === 'routing.decision') decisions++;
    if (e.type === 'agent.alerted') alerted++;
  });
  const core = runtime.conversations;
  const queueNames = runtime.fixture.queues.map((q) => q.name);
  gc();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUTED; i++) {
    const c = core.start({ mediaType: 'message', channel: 'webmessaging', customerName: 'c' });
    core.route(c, { queueName: queueNames[i % QUEUES]! });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { perSecond: decisions / seconds, perCpuSecond: decisions / cpuSeconds, alerted };
}

export function routingCurve(): void {
  routeRun(1000, 99); // warm-up (JIT), not reported
  const wall = new Map<number, number[]>(AGENT_POINTS.map((a) => [a, []]));
  const cpu = new Map<number, number[]>(AGENT_POINTS.map((a) => [a, []]));
  const alerted = new Map<number, number>();
  for (let run = 0; run < ROUTING_RUNS; run++) {
    // The order turns each run, so no point always runs right after a fresh fixture build.
    const order = run % 2 ? [...AGENT_POINTS].reverse() : AGENT_POINTS;
    for (const agents of order) {
      const r = routeRun(agents, run + 1);
      wall.get(agents)!.push(r.perSecond);
      cpu.get(agents)!.push(r.perCpuSecond);
      alerted.set(agents, r.alerted);
    }
  }
  const first = AGENT_POINTS[0]!;
  const rows: Record<string, string> = {};
  for (const agents of AGENT_POINTS) {
    const rate = median(wall.get(agents)!);
    const perCpu = median(cpu.get(agents)!);
    const at = `${count(agents)} agents (${agents / QUEUES} per queue)`;
    rows[at] =
      `${count(rate)} decisions/s, ${fmtMs(1000 / rate)} each, ${ratio(rate, median(wall.get(first)!))} of the ${count(first)}-agent point (${alerted.get(agents)} of ${ROUTED} alerted)`;
    rows[`${at} per CPU second`] =
      `${count(perCpu)} decisions, ${ratio(perCpu, median(cpu.get(first)!))} of the ${count(first)}-agent point`;
  }
  report(`Growth (c): ACD routing by number of agents (${QUEUES} queues, in-process, as routing.ts)`, {
    ...rows,
    method: `median of ${ROUTING_RUNS} runs of ${count(ROUTED)} messages per point, a fresh runtime each run`,
    baseline: `the ${count(first)}-agent point; each decision looks at every member of its queue`,
    'per CPU second': "this process's CPU time, steadier than the wall clock when the machine is shared",
  });
}

// ---------------------------------------------------------------- (d) one long conversation

const LENGTHS = [10, 100, 1000];
/** Agent messages recorded at each length (the conversation is that long when the window starts). */
const WINDOW = 50;

interface MessageCost {
  latency: number[];
  toAgent: number[];
  bare: number[];
  firstFrame: number[];
  perMessage: number[];
  frames: number[];
  cpu: number;
  bareCpu: number;
}

export async function longConversation(): Promise<void> {
  const emulator = await startEmulatorProcess();
  const relay = await startBareMultiRelay();
  try {
    const {
      conversations: [c],
      agents,
    } = await openConversations(emulator, 1, 1);
    const live = c!;
    await sleep(200);
    const { socket: bareSocket, inbox: bareInbox } = await openInbox<{ reply: string }>(
      `ws://127.0.0.1:${relay.port}/?role=guest&id=0`,
    );
    let messages = 1; // the guest's first
    let agentSent = 0;
    let toGuestBytes = 450;

    // One agent message: POST -> the guest's frame, and every agent notification of the conversation
    // until the one that shows this message delivered (so each message's frames are its own).
    const agentSays = async (i: number) => {
      const text = `agent message ${pad6(i)}`;
      const expected = ++agentSent;
      const sizes: number[] = [];
      let firstAt = 0;
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => {
        settle = resolve;
      });
      live.watch = (frame, at, bytes) => {
        sizes.push(bytes);
        firstAt ||= at;
        const mine = agentMessages(frame, live.agent.userId);
        if (mine.count >= expected && mine.lastStatus === 'delivery-success') settle();
      };
      const cpu0 = cpuMs(emulator.pid);
      const t0 = now();
      const post = live.agent.sendMessage(live.leg, text);
      const back = await live.guest.inbox.next(
        (f) => f.class === 'StructuredMessage' && f.body?.text === text,
        'the agent message on the guest socket',
      );
      await post;
      const timeout = setTimeout(() => settle(), 15_000);
      await settled;
      clearTimeout(timeout);
      const cpu = cpuMs(emulator.pid) - cpu0;
      live.watch = undefined;
      messages++;
      toGuestBytes = JSON.stringify(back.frame).length;
      return { latency: back.at - t0, toAgent: firstAt - t0, sizes, cpu };
    };
    const bareSays = async (i: number) => {
      const id = `m-${i}`;
      const body = JSON.stringify({ reply: id, pad: ''.padEnd(Math.max(0, toGuestBytes - 40), 'x') });
      const cpu0 = cpuMs(relay.pid);
      const t0 = now();
      const post = httpOk('POST', `${relay.baseUrl}/guest/0`, body);
      const { at } = await bareInbox.next((f) => f.reply === id, 'the bare frame');
      await post;
      return { latency: at - t0, cpu: cpuMs(relay.pid) - cpu0 };
    };
    // The conversation grows mostly by agent messages; every 10th is the guest's (clock +1 s first).
    let i = 0;
    const growTo = async (length: number) => {
      while (messages < length) {
        if (messages % 10 === 9) {
          await advanceClock(emulator, 1000);
          live.customerMessages.clear();
          await guestSays(live.guest, `guest message ${pad6(i)}`, `g-${i++}`);
          await live.customerMessages.next(() => true, 'the agent notification of the guest message');
          live.guest.inbox.clear();
          messages++;
        } else {
          await agentSays(i++);
          live.guest.inbox.clear();
        }
      }
    };

    for (let w = 0; w < 20; w++) await bareSays(i++); // warm-up of the bare side
    const costs: MessageCost[] = [];
    for (const length of LENGTHS) {
      await growTo(length);
      const cost: MessageCost = {
        latency: [],
        toAgent: [],
        bare: [],
        firstFrame: [],
        perMessage: [],
        frames: [],
        cpu: 0,
        bareCpu: 0,
      };
      for (let w = 0; w < WINDOW; w++) {
        const m = await agentSays(i++);
        cost.latency.push(m.latency);
        cost.toAgent.push(m.toAgent);
        cost.firstFrame.push(m.sizes[0] ?? 0);
        cost.perMessage.push(m.sizes.reduce((a, b) => a + b, 0));
        cost.frames.push(m.sizes.length);
        cost.cpu += m.cpu;
        const b = await bareSays(i++);
        cost.bare.push(b.latency);
        cost.bareCpu += b.cpu;
      }
      live.guest.inbox.clear();
      costs.push(cost);
    }

    const rows: Record<string, string> = {};
    costs.forEach((cost, k) => {
      const at = `${count(LENGTHS[k]!)} messages`;
      rows[`${at}: agent POST -> guest frame`] = latencyRow(cost.latency);
      rows[`${at}: bare POST -> guest frame`] = latencyRow(cost.bare);
      rows[`${at}: ratio p50`] = ratio(median(cost.latency), median(cost.bare));
      rows[`${at}: agent POST -> agent's own notification`] = latencyRow(cost.toAgent);
      rows[`${at}: server CPU per message, emulator / bare`] =
        `${fmtMs(cost.cpu / WINDOW)} / ${fmtMs(cost.bareCpu / WINDOW)} (${ratio(cost.cpu, cost.bareCpu)})`;
      rows[`${at}: agent notification, first frame`] = `${count(median(cost.firstFrame))} B`;
      rows[`${at}: agent notification bytes per message`] =
        `${count(median(cost.perMessage))} B in ${median(cost.frames)} frames`;
    });
    const first = costs[0]!;
    const last = costs.at(-1)!;
    const span = `${count(LENGTHS.at(-1)!)} / ${count(LENGTHS[0]!)}`;
    report('Growth (d): one Web Messaging conversation by length (per-message cost)', {
      ...rows,
      [`${span}: agent POST -> guest frame p50`]: ratio(median(last.latency), median(first.latency)),
      [`${span}: bare POST -> guest frame p50`]: ratio(median(last.bare), median(first.bare)),
      [`${span}: agent POST -> own notification p50`]: ratio(median(last.toAgent), median(first.toAgent)),
      [`${span}: emulator CPU per message`]: ratio(last.cpu, first.cpu),
      [`${span}: notification bytes per message`]: ratio(median(last.perMessage), median(first.perMessage)),
      setup: `${WINDOW} agent messages recorded once the conversation holds each length; 1 in 10 messages is the guest's`,
      baseline: 'bare-multi-relay.ts process: POST -> guest ws, body the size of the emulator frame',
      'emulator started as': emulatorMode(),
      target: 'flat: ratios 1,000 / 10 near 1x',
    });
    await Promise.all(agents.map((a) => a.stopListening()));
    live.guest.socket.terminate();
    bareSocket.terminate();
  } finally {
    closeHttp();
    await Promise.all([emulator.stop(), relay.stop()]);
  }
}

export async function growthBench(): Promise<void> {
  process.stdout.write(`\n(load average at start: ${loadAverage()})\n`);
  await idleSessionCurve();
  await concurrentRelay();
  routingCurve();
  await longConversation();
}
