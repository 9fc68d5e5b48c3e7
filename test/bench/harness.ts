/**
 * Shared plumbing of the socket benchmarks: child processes (the emulator as `npm start` runs it, and the
 * bare `ws` control servers), loopback HTTP with keep-alive, WebSocket helpers, a frame inbox that
 * records arrival times, platform agents, and RSS from /proc. Everything talks to 127.0.0.1 only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { median, percentile } from './stats.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const emulatorBin = fileURLToPath(new URL('../../cli/genesys-emulator.mjs', import.meta.url));
const emulatorMain = fileURLToPath(new URL('../../cli/genesys-emulator.ts', import.meta.url));
const bareServer = fileURLToPath(new URL('./bare-ws-server.ts', import.meta.url));

// ---------------------------------------------------------------- numbers

export const now = () => performance.now();

/** Microseconds or milliseconds, whichever reads better. */
export function fmtMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} us` : `${ms.toFixed(2)} ms`;
}

export function latencyRow(samples: number[]): string {
  return `p50 ${fmtMs(percentile(samples, 50))}, p99 ${fmtMs(percentile(samples, 99))}, max ${fmtMs(
    Math.max(...samples),
  )} (n=${samples.length})`;
}

export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

export { median, percentile };

/** VmRSS of a process, in KB. */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- child processes

export interface ChildServer {
  pid: number;
  port: number;
  baseUrl: string;
  rssKb(): number;
  stop(): Promise<void>;
}

export function spawnServer(args: string[], ready: RegExp, what: string): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let started = false;
    // Generous: the emulator rebuilds its bundle first when a source changed (about 0.5 s, more when busy).
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start within 60 s; stdout: ${out.slice(-2000)}`));
    }, 60_000);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.stdout!.on('data', (d: Buffer) => {
      if (started) return; // drained and dropped: the pipe must never fill up under load
      out += d.toString();
      const m = ready.exec(out);
      if (!m) return;
      started = true;
      clearTimeout(timer);
      const port = Number(m[1]);
      resolve({
        pid: child.pid!,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        rssKb: () => rssKb(child.pid!),
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
    child.once('exit', (code) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready; stdout: ${out.slice(-2000)}`));
    });
    child.once('error', reject);
  });
}

/**
 * `node cli/genesys-emulator.mjs start --port 0 --control-plane --manual-clock` as a child process
 * (the command bundle, as `npm start` runs it). With BENCH_EMULATOR=source it runs
 * `node --import tsx cli/genesys-emulator.ts start ...` instead: for when the bundle cannot be built.
 * Figures from source mode carry the tsx loader in RSS; the reports say so.
 * BENCH_EMULATOR_NODE_ARGS adds node flags to the child (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
export function startEmulatorProcess(extra: string[] = []): Promise<ChildServer> {
  const nodeArgs = (process.env.BENCH_EMULATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const entry = [...nodeArgs, ...(fromSource() ? ['--import', 'tsx', emulatorMain] : [emulatorBin])];
  return spawnServer(
    [
      ...entry,
      'start',
      '--port',
      '0',
      '--control-plane',
      '--manual-clock',
      '--seed',
      '7',
      '--log-level',
      'error',
      ...extra,
    ],
    /ready at http:\/\/127\.0\.0\.1:(\d+)/,
    fromSource()
      ? 'the emulator (from source)'
      : 'the emulator (the command bundle; BENCH_EMULATOR=source runs the sources)',
  );
}

export const fromSource = () => process.env.BENCH_EMULATOR === 'source';

/** The line each report ends with: how the emulator child was started. */
export function emulatorMode(): string {
  return fromSource()
    ? 'node --import tsx cli/genesys-emulator.ts (BENCH_EMULATOR=source)'
    : 'node cli/genesys-emulator.mjs (bundle)';
}

/** The control: a bare `ws` server (echo or two-party relay) in its own process, like the emulator. */
export function startBareWsProcess(mode: 'echo' | 'relay'): Promise<ChildServer> {
  return spawnServer(['--import', 'tsx', bareServer, mode], /bare-ws ready (\d+)/, `bare ws ${mode} server`);
}

// ---------------------------------------------------------------- HTTP (keep-alive, as SDKs use it)

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 128 });

export interface HttpReply {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: wire JSON, read by the benches as they need it.
  json(): any;
}

export function httpRequest(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: keepAlive,
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text, json: () => (text ? JSON.parse(text) : undefined) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Throws with the body unless the status is 2xx. */
export async function httpOk(
  method: string,
  url: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<HttpReply> {
  const res = await httpRequest(method, url, body, headers);
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${res.text}`);
  return res;
}

export function closeHttp(): void {
  keepAlive.destroy();
}

// ---------------------------------------------------------------- WebSockets

export function openWs(
  url: string,
  headers?: Record<string, string>,
  onMessage?: (data: Buffer) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...(headers ? { headers } : {}) });
    // Listening from the start: a first frame can come in the same packet as the handshake, and ws
    // emits it right after 'open', before a promise continuation could attach a listener.
    if (onMessage) socket.on('message', onMessage);
    socket.once('open', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A socket whose text frames are parsed into an Inbox from the first one on. */
export async function openInbox<T>(
  url: string,
  headers?: Record<string, string>,
): Promise<{ socket: WebSocket; inbox: Inbox<T> }> {
  const inbox = new Inbox<T>();
  const socket = await openWs(url, headers, (data) => {
    const at = now();
    inbox.push(JSON.parse(data.toString()) as T, at);
  });
  return { socket, inbox };
}

/** Closes and waits for the close handshake (or gives up after 2 s and terminates). */
export function closeWs(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, 2000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(1000);
  });
}

/** Runs `task` over `items`, `width` at a time (batches that keep a bounded number of requests in flight). */
export async function inBatches<T, R>(items: T[], width: number, task: (item: T, i: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

export interface Arrival<T> {
  frame: T;
  /** performance.now() when the socket handed the frame over (before any promise hop). */
  at: number;
}

/**
 * Frames in arrival order with their arrival time; `next(match)` takes the first matching one, now or
 * when it comes. One waiter at a time (the benches keep one message in flight). Unmatched frames are
 * kept (bounded) so a frame that arrives before its waiter is never lost.
 */
export class Inbox<T> {
  #backlog: Arrival<T>[] = [];
  #waiter: { match: (f: T) => boolean; resolve: (a: Arrival<T>) => void; timer: NodeJS.Timeout } | undefined;

  push(frame: T, at = now()): void {
    const w = this.#waiter;
    if (w?.match(frame)) {
      this.#waiter = undefined;
      clearTimeout(w.timer);
      w.resolve({ frame, at });
      return;
    }
    this.#backlog.push({ frame, at });
    if (this.#backlog.length > 5000) this.#backlog.splice(0, 1000);
  }

  next(match: (f: T) => boolean, what: string, timeoutMs = 15_000): Promise<Arrival<T>> {
    const i = this.#backlog.findIndex((a) => match(a.frame));
    if (i >= 0) return Promise.resolve(this.#backlog.splice(i, 1)[0]!);
    if (this.#waiter) throw new Error('Inbox: one waiter at a time');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiter = { match, resolve, timer };
    });
  }

  clear(): void {
    this.#backlog = [];
  }
}

// ---------------------------------------------------------------- the emulator's org and agents

export interface FixtureView {
  org: { id: string };
  clients: { id: string; secret: string; user?: string }[];
  users: { id: string; name: string; queues: string[]; capacity: { message?: number; chat?: number } }[];
  queues: { id: string; name: string }[];
  deployments: { webchat: { id: string }[]; messenger: { id: string }[] };
}

export async function fixtureOf(emulator: ChildServer): Promise<FixtureView> {
  return (await httpOk('GET', `${emulator.baseUrl}/__emulator/fixture`)).json();
}

export interface Participant {
  id: string;
  purpose: string;
  userId?: string;
  messages?: { id: string; state: string; messages?: { messageId: string }[] }[];
  chats?: { id: string; state: string }[];
}

export interface NotificationFrame {
  topicName: string;
  eventBody: { id: string; participants?: Participant[]; message?: string };
}

export interface Leg {
  conversationId: string;
  participantId: string;
  communicationId: string;
}

/** An agent acting only through the public platform API: OAuth, routing status, notifications, answer, send. */
export class PlatformAgent {
  socket: WebSocket | undefined;
  readonly inbox = new Inbox<NotificationFrame>();
  /** Called for every notification frame before the inbox sees it (the benches' own matching). */
  onFrame: ((frame: NotificationFrame, at: number) => boolean) | undefined;
  /** Size of the last notification frame, for the reports. */
  lastFrameBytes = 0;
  #token = '';

  constructor(
    readonly baseUrl: string,
    readonly userId: string,
    readonly client: { id: string; secret: string },
  ) {}

  static async forUser(emulator: ChildServer, fx: FixtureView, userId: string): Promise<PlatformAgent> {
    const client = fx.clients.find((c) => c.user === userId);
    if (!client) throw new Error(`no client logs in as ${userId}`);
    const agent = new PlatformAgent(emulator.baseUrl, userId, client);
    await agent.login();
    return agent;
  }

  async login(): Promise<void> {
    const basic = Buffer.from(`${this.client.id}:${this.client.secret}`).toString('base64');
    const res = await httpOk('POST', `${this.baseUrl}/oauth/token`, 'grant_type=client_credentials', {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    this.#token = res.json().access_token;
  }

  call(method: string, path: string, body?: unknown): Promise<HttpReply> {
    return httpOk(method, `${this.baseUrl}${path}`, body, { authorization: `Bearer ${this.#token}` });
  }

  goOnQueue() {
    return this.call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'IDLE' });
  }

  goOffQueue() {
    return this.call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'OFF_QUEUE' });
  }

  /** A notification channel subscribed to v2.users.{id}.conversations, its socket open. */
  async listen(): Promise<void> {
    const channel = (await this.call('POST', '/api/v2/notifications/channels')).json();
    await this.call('PUT', `/api/v2/notifications/channels/${channel.id}/subscriptions`, [
      { id: `v2.users.${this.userId}.conversations` },
    ]);
    this.socket = await openWs(channel.connectUri, undefined, (data) => {
      const at = now();
      this.lastFrameBytes = data.length;
      const frame = JSON.parse(data.toString()) as NotificationFrame;
      if (this.onFrame?.(frame, at)) return;
      this.inbox.push(frame, at);
    });
  }

  async stopListening(): Promise<void> {
    if (this.socket) await closeWs(this.socket);
    this.socket = undefined;
  }

  /** This agent's leg in a notification frame, if it is alerting. */
  alertingLeg(frame: NotificationFrame, media: 'messages' | 'chats'): Leg | undefined {
    if (frame.topicName !== `v2.users.${this.userId}.conversations`) return undefined;
    const leg = (frame.eventBody.participants ?? []).filter((p) => p.userId === this.userId).at(-1);
    const comm = leg?.[media]?.[0];
    if (!leg || comm?.state !== 'alerting') return undefined;
    return { conversationId: frame.eventBody.id, participantId: leg.id, communicationId: comm.id };
  }

  async nextAlert(media: 'messages' | 'chats', accept: (leg: Leg) => boolean = () => true): Promise<Leg> {
    const { frame } = await this.inbox.next((f) => {
      const leg = this.alertingLeg(f, media);
      return leg !== undefined && accept(leg);
    }, `an alert for ${this.userId}`);
    return this.alertingLeg(frame, media)!;
  }

  answer(leg: Leg, media: 'messages' | 'chats') {
    return this.call(
      'PATCH',
      `/api/v2/conversations/${media}/${leg.conversationId}/participants/${leg.participantId}`,
      {
        state: 'connected',
      },
    );
  }

  /** The agent writes on a Web Messaging conversation. */
  sendMessage(leg: Leg, text: string) {
    return this.call(
      'POST',
      `/api/v2/conversations/messages/${leg.conversationId}/communications/${leg.communicationId}/messages`,
      { textBody: text },
    );
  }
}

/** POST /__emulator/clock/advance. */
export function advanceClock(emulator: ChildServer, ms: number) {
  return httpOk('POST', `${emulator.baseUrl}/__emulator/clock/advance`, { ms });
}

/** Web Messaging guest frames as the benches read them (guest-protocols.md §2.3). */
export interface GuestFrame {
  type: string;
  class: string;
  code: number;
  tracingId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: wire JSON.
  body: any;
}

export function guestSocketUrl(emulator: ChildServer, deploymentId: string): string {
  return `ws://127.0.0.1:${emulator.port}/v1?deploymentId=${deploymentId}&application=bench`;
}

/** A raw Web Messaging guest: socket, configureSession done, frames in an inbox. */
export async function rawGuest(emulator: ChildServer, deploymentId: string, token: string) {
  const { socket, inbox } = await openInbox<GuestFrame>(guestSocketUrl(emulator, deploymentId));
  socket.send(JSON.stringify({ action: 'configureSession', token, deploymentId, tracingId: `cfg-${token}` }));
  const { frame } = await inbox.next((f) => f.tracingId === `cfg-${token}`, 'SessionResponse');
  if (frame.class !== 'SessionResponse' || frame.code !== 200)
    throw new Error(`configureSession refused: ${JSON.stringify(frame)}`);
  return { socket, inbox, token };
}
