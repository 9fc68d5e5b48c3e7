import type { GuestSocket, SocketFactory, SocketHandlers } from '../../bridge/channels/socket.ts';

type Json = Record<string, unknown>;

/** Frames a scripted peer answers a sent frame with (none: it stays silent). */
export type Responder = (sent: Json) => Json[];

/**
 * The bridge's sockets in the consumer tests: Pact stands in for Genesys, so a socket here only carries
 * frames. It opens on the next microtask, hands each frame the adapter sends to a responder (the pact's
 * reply for the exchange under test) and lets a test push frames or drop the connection.
 */
export class ScriptedSocket implements GuestSocket {
  readonly sent: Json[] = [];
  closed = false;
  terminated = false;
  readonly #handlers: SocketHandlers;
  readonly #respond: Responder;
  #waiters: { match: (frame: Json) => boolean; resolve: (frame: Json) => void }[] = [];

  constructor(
    readonly url: string,
    handlers: SocketHandlers,
    respond: Responder,
  ) {
    this.#handlers = handlers;
    this.#respond = respond;
    queueMicrotask(() => handlers.open());
  }

  send(text: string): void {
    const frame = JSON.parse(text) as Json;
    this.sent.push(frame);
    const waiter = this.#waiters.find((w) => w.match(frame));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(frame);
    }
    for (const reply of this.#respond(frame)) queueMicrotask(() => this.deliver(reply));
  }

  close(): void {
    this.closed = true;
  }

  terminate(): void {
    this.terminated = true;
  }

  /** A frame from Genesys, as text, the way the adapter receives every frame. */
  deliver(frame: Json | string): void {
    this.#handlers.message(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Genesys (or the network) closes the connection. */
  drop(code = 1006): void {
    this.#handlers.close(code, '');
  }

  /** The next frame the adapter sends that matches, including one sent already. */
  nextSent(match: (frame: Json) => boolean): Promise<Json> {
    const found = this.sent.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
}

/** A SocketFactory that makes ScriptedSockets and remembers them, newest last. */
export class ScriptedSockets {
  readonly opened: ScriptedSocket[] = [];
  #waiters: ((socket: ScriptedSocket) => void)[] = [];

  constructor(readonly respond: Responder = () => []) {}

  readonly factory: SocketFactory = (url, _headers, handlers) => {
    const socket = new ScriptedSocket(url, handlers, (sent) => this.respond(sent));
    this.opened.push(socket);
    for (const waiter of this.#waiters.splice(0)) waiter(socket);
    return socket;
  };

  get current(): ScriptedSocket {
    const socket = this.opened.at(-1);
    if (!socket) throw new Error('the adapter has not opened a socket');
    return socket;
  }

  /** Resolves with the next socket the adapter opens. */
  nextOpened(): Promise<ScriptedSocket> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
