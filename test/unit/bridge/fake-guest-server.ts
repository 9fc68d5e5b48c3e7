import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A tiny WebSocket server for adapter tests, scripted by the test itself from the guest protocol
 * reference (not from emulator code): each accepted connection queues the JSON frames the bridge sends,
 * and the test answers with whatever Genesys frames the scenario needs.
 */
export type Frame = Record<string, unknown>;

class FrameQueue {
  #frames: Frame[] = [];
  #waiters: ((frame: Frame) => void)[] = [];

  push(frame: Frame): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(frame);
    else this.#frames.push(frame);
  }

  next(): Promise<Frame> {
    const frame = this.#frames.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  get buffered(): number {
    return this.#frames.length;
  }
}

export class FakeConnection {
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly closed: Promise<number>;
  readonly #socket: WebSocket;
  readonly #frames = new FrameQueue();

  constructor(socket: WebSocket, url: string, headers: IncomingHttpHeaders) {
    this.#socket = socket;
    this.url = new URL(url, 'ws://127.0.0.1');
    this.headers = headers;
    socket.on('message', (data) => this.#frames.push(JSON.parse(data.toString()) as Frame));
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  }

  /** The next frame the bridge sent on this connection. */
  next(): Promise<Frame> {
    return this.#frames.next();
  }

  /** Frames received but not yet taken with next(). */
  get unread(): number {
    return this.#frames.buffered;
  }

  send(frame: Frame): void {
    this.#socket.send(JSON.stringify(frame));
  }

  terminate(): void {
    this.#socket.terminate();
  }
}

export class FakeGuestServer {
  readonly #server: WebSocketServer;
  readonly #arrivals = new FrameQueue();
  readonly #connections = new Map<number, FakeConnection>();
  #count = 0;

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on('connection', (socket, request) => {
      const connection = new FakeConnection(socket, request.url ?? '/', request.headers);
      const id = this.#count++;
      this.#connections.set(id, connection);
      this.#arrivals.push({ id });
    });
  }

  /** While set, every upgrade is answered with this HTTP status instead (settable mid-test). */
  refuseWith: number | undefined;

  /** Listens on 127.0.0.1; `refuseWith` answers every upgrade with that HTTP status instead. */
  static start(options: { refuseWith?: number } = {}): Promise<FakeGuestServer> {
    return new Promise((resolve) => {
      const holder: { guest?: FakeGuestServer } = {};
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: 0,
        verifyClient: (_info, done) => {
          const status = holder.guest?.refuseWith;
          if (status) done(false, status);
          else done(true);
        },
      });
      server.on('listening', () => {
        holder.guest = new FakeGuestServer(server);
        holder.guest.refuseWith = options.refuseWith;
        resolve(holder.guest);
      });
    });
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get loginUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async nextConnection(): Promise<FakeConnection> {
    const { id } = await this.#arrivals.next();
    const connection = this.#connections.get(id as number);
    if (!connection) throw new Error('connection vanished');
    return connection;
  }

  close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
