import WebSocket from 'ws';
import type { EmulatorDoors } from './emulators.ts';
import { closeSocket, openSocket } from './frames.ts';

/**
 * A raw Web Messaging guest, written from the protocol reference (guest-protocols.md PART 2) and
 * nothing else: it builds frames as plain JSON and reads replies as plain JSON, so the tests check the
 * wire, not the emulator's own types. It never imports emulator code.
 */

/** Wire JSON as the tests read it: untyped on purpose, so assertions check the wire, not our types. */
// biome-ignore lint/suspicious/noExplicitAny: frames and history entities are untyped wire JSON.
export type Wire = any;

/** Server → client envelope (§2.3). */
export interface GuestFrame {
  type: 'response' | 'message';
  class: string;
  code: number;
  body: Wire;
  tracingId?: string;
}

export interface GuestOptions {
  origin?: string;
  deploymentId?: string;
}

export function socketUrl(emulator: EmulatorDoors, deploymentId: string): string {
  return `ws://127.0.0.1:${emulator.port}/v1?deploymentId=${encodeURIComponent(deploymentId)}&application=raw-test-guest`;
}

export function defaultDeploymentId(emulator: EmulatorDoors): string {
  return emulator.fixture.deployments.messenger[0]!.id;
}

let traceCounter = 0;
/** Unique tracing ids, so a test can wait for the reply to one exact request. */
export function nextTracingId(label = 'tr'): string {
  traceCounter += 1;
  return `${label}-${traceCounter}`;
}

export class Guest {
  readonly frames: GuestFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #taken = new Set<number>();
  #waiters: { match: (f: GuestFrame) => boolean; resolve: (i: number) => void }[] = [];

  private constructor(
    readonly socket: WebSocket,
    readonly deploymentId: string,
    public token: string,
  ) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as GuestFrame;
      const index = this.frames.push(frame) - 1;
      const waiter = this.#waiters.find((w) => w.match(frame));
      if (waiter) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(index);
      }
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens the socket; `token` is the guest's session token (a UUID, as the reference recommends). */
  static async connect(emulator: EmulatorDoors, token: string, options: GuestOptions = {}): Promise<Guest> {
    const deploymentId = options.deploymentId ?? defaultDeploymentId(emulator);
    const headers = options.origin === undefined ? undefined : { Origin: options.origin };
    const socket = await openSocket(socketUrl(emulator, deploymentId), headers);
    return new Guest(socket, deploymentId, token);
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** The first frame, received at any time, that matches and has not been taken by an earlier call. */
  next(match: (f: GuestFrame) => boolean, what = 'a matching frame', timeoutMs = 3000): Promise<GuestFrame> {
    const found = this.frames.findIndex((f, i) => !this.#taken.has(i) && match(f));
    if (found >= 0) {
      this.#taken.add(found);
      return Promise.resolve(this.frames[found]!);
    }
    return new Promise((resolve, reject) => {
      // A guard against a hung test, not a timing assertion: it only fires if the frame never comes.
      const timer = setTimeout(() => {
        reject(
          new Error(`timed out waiting for ${what}; last frames ${JSON.stringify(this.frames.slice(-5))}`),
        );
      }, timeoutMs);
      this.#waiters.push({
        match: (f) => match(f) && !this.#taken.has(this.frames.indexOf(f)),
        resolve: (i) => {
          clearTimeout(timer);
          this.#taken.add(i);
          resolve(this.frames[i]!);
        },
      });
    });
  }

  /** The reply (response or echo) to the request with this tracingId. */
  reply(tracingId: string): Promise<GuestFrame> {
    return this.next((f) => f.tracingId === tracingId, `the reply to ${tracingId}`);
  }

  /** Sends a request with a fresh tracingId and waits for the frame carrying it back. */
  async request(frame: Record<string, unknown>): Promise<GuestFrame> {
    const tracingId = nextTracingId(String(frame.action));
    this.send({ token: this.token, ...frame, tracingId });
    return this.reply(tracingId);
  }

  configure(extra: Record<string, unknown> = {}): Promise<GuestFrame> {
    return this.request({ action: 'configureSession', deploymentId: this.deploymentId, ...extra });
  }

  /** A Text onMessage; custom attributes go where current clients put them, inside the message. */
  say(text: string, customAttributes?: Record<string, string>): Promise<GuestFrame> {
    const message: Record<string, unknown> = { type: 'Text', text };
    if (customAttributes) message.channel = { metadata: { customAttributes } };
    return this.request({ action: 'onMessage', message });
  }

  typing(): Promise<GuestFrame> {
    return this.request({
      action: 'onMessage',
      message: { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] },
    });
  }

  presence(type: 'Join' | 'Clear'): void {
    this.send({
      action: 'onMessage',
      token: this.token,
      message: { type: 'Event', events: [{ eventType: 'Presence', presence: { type } }] },
    });
  }

  async jwt(): Promise<{ jwt: string; exp: number }> {
    const reply = await this.request({ action: 'getJwt' });
    if (reply.class !== 'JwtResponse') throw new Error(`getJwt failed: ${JSON.stringify(reply)}`);
    return reply.body;
  }

  /** The next outbound StructuredMessage of text (agent or bot). */
  outboundText(text?: string): Promise<GuestFrame> {
    return this.next(
      (f) =>
        f.class === 'StructuredMessage' &&
        f.body?.direction === 'Outbound' &&
        f.body?.type === 'Text' &&
        (text === undefined || f.body.text === text),
      `outbound text ${text ?? ''}`,
    );
  }

  outboundEvent(eventType: 'Typing' | 'Presence'): Promise<GuestFrame> {
    return this.next(
      (f) =>
        f.class === 'StructuredMessage' &&
        f.body?.direction === 'Outbound' &&
        f.body?.type === 'Event' &&
        f.body.events?.some((e: { eventType: string }) => e.eventType === eventType),
      `an outbound ${eventType} event`,
    );
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

/** `GET /api/v2/webmessaging/messages` with the guest JWT (§2.8). */
export async function history(
  emulator: EmulatorDoors,
  jwt: string | undefined,
  query: Record<string, string | number> = {},
): Promise<{ status: number; body: Wire }> {
  const qs = new URLSearchParams(
    Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const res = await fetch(`${emulator.url}/api/v2/webmessaging/messages${qs ? `?${qs}` : ''}`, {
    headers: jwt === undefined ? {} : { Authorization: `bearer ${jwt}` },
  });
  return { status: res.status, body: (await res.json()) as Wire };
}

/** Every page of the history, in the order the server gives them (newest first). */
export async function fullHistory(emulator: EmulatorDoors, jwt: string, pageSize = 2): Promise<Wire[]> {
  const all: Wire[] = [];
  for (let page = 1; ; page++) {
    const { status, body } = await history(emulator, jwt, { pageNumber: page, pageSize });
    if (status !== 200) throw new Error(`history page ${page}: ${status} ${JSON.stringify(body)}`);
    all.push(...body.entities);
    if (page >= body.pageCount) return all;
  }
}
