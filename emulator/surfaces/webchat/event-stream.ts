import type { Clock } from '../../domain/clock.ts';
import { type DelayTicket, FixedDelayQueue } from './fixed-delay-queue.ts';
import type { FrameWriter } from './frames.ts';

/** The socket as the stream registry sees it (a `ws` WebSocket in production, anything in tests). */
export interface StreamSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  /** Drops the connection with no closing handshake, as a network failure does. */
  terminate(): void;
}

export interface GuestStream {
  readonly conversationId: string;
  readonly socket: StreamSocket;
  heartbeat?: DelayTicket<GuestStream>;
}

/** Heartbeat period on the guest stream: UNCONFIRMED; the notification service's 30 s (S12) is used. */
export const HEARTBEAT_MS = 30_000;
/** A guest unresponsive this long leaves the chat with member-leave (guest-protocols.md §1.5, S6). */
export const GUEST_IDLE_MS = 15 * 60_000;

/**
 * The attached guest streams, one per chat (a new attach replaces the old socket, as a guest
 * re-opening `eventStreamUri` after a page navigation would). Heartbeats and the idle clock of
 * detached guests run on two shared FixedDelayQueues, so per chat there is a map entry and a ticket,
 * never a timer of its own.
 */
export class GuestStreams {
  readonly #frames: FrameWriter;
  readonly #streams = new Map<string, GuestStream>();
  readonly #idleTickets = new Map<string, DelayTicket<string>>();
  readonly #heartbeats: FixedDelayQueue<GuestStream>;
  readonly #idle: FixedDelayQueue<string>;

  constructor(clock: Clock, frames: FrameWriter, onIdle: (conversationId: string) => void) {
    this.#frames = frames;
    this.#heartbeats = new FixedDelayQueue(clock, HEARTBEAT_MS, (stream) => this.#beat(stream));
    this.#idle = new FixedDelayQueue(clock, GUEST_IDLE_MS, (conversationId) => {
      this.#idleTickets.delete(conversationId);
      if (!this.#streams.has(conversationId)) onIdle(conversationId);
    });
  }

  attach(conversationId: string, socket: StreamSocket): GuestStream {
    const previous = this.#streams.get(conversationId);
    if (previous) this.#drop(previous, 1000, 'replaced by a new connection');
    this.#idle.cancel(this.#idleTickets.get(conversationId));
    this.#idleTickets.delete(conversationId);
    const stream: GuestStream = { conversationId, socket };
    stream.heartbeat = this.#heartbeats.add(stream);
    this.#streams.set(conversationId, stream);
    return stream;
  }

  /** The client closed the socket. True when it was the chat's current stream (not one replaced or ended). */
  detached(stream: GuestStream): boolean {
    if (this.#streams.get(stream.conversationId) !== stream) return false;
    this.#streams.delete(stream.conversationId);
    this.#heartbeats.cancel(stream.heartbeat);
    return true;
  }

  isAttached(conversationId: string): boolean {
    return this.#streams.has(conversationId);
  }

  /** Starts the idle clock of a chat with no stream (created and not attached, or dropped). */
  watchIdle(conversationId: string): void {
    if (this.#streams.has(conversationId) || this.#idleTickets.has(conversationId)) return;
    this.#idleTickets.set(conversationId, this.#idle.add(conversationId));
  }

  send(conversationId: string, text: string): void {
    const stream = this.#streams.get(conversationId);
    if (stream) safeSend(stream.socket, text);
  }

  /** The conversation is over (or cannot go on): its stream closes and its idle clock stops. */
  end(conversationId: string, code = 1000, reason = 'conversation ended'): void {
    this.#idle.cancel(this.#idleTickets.get(conversationId));
    this.#idleTickets.delete(conversationId);
    const stream = this.#streams.get(conversationId);
    if (stream) this.#drop(stream, code, reason);
  }

  /**
   * Fault injection: the chat's socket drops as on a network failure. Its close handler then detaches
   * it exactly as for a real drop (idle clock, reconnect to the same URI). Returns how many dropped.
   */
  drop(conversationId: string): number {
    const stream = this.#streams.get(conversationId);
    if (!stream) return 0;
    try {
      stream.socket.terminate();
    } catch {
      /* already gone */
    }
    return 1;
  }

  /** Reset or shutdown: every guest is told `v2.system.socket_closing`, then the socket closes. */
  closeAll(): void {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    this.#idleTickets.clear();
    this.#heartbeats.clear();
    this.#idle.clear();
    for (const stream of streams) {
      safeSend(stream.socket, this.#frames.socketClosing());
      safeClose(stream.socket, 1001, 'emulator closing');
    }
  }

  get attachedCount(): number {
    return this.#streams.size;
  }

  #beat(stream: GuestStream): void {
    if (this.#streams.get(stream.conversationId) !== stream) return;
    safeSend(stream.socket, this.#frames.heartbeat());
    stream.heartbeat = this.#heartbeats.add(stream);
  }

  #drop(stream: GuestStream, code: number, reason: string): void {
    this.#streams.delete(stream.conversationId);
    this.#heartbeats.cancel(stream.heartbeat);
    safeClose(stream.socket, code, reason);
  }
}

// Frames are sent from inside domain operations (event subscribers): a socket that is already going
// away must never turn into an exception in the middle of, say, an agent's answer.
function safeSend(socket: StreamSocket, text: string): void {
  try {
    socket.send(text);
  } catch {
    /* the socket is closing; its close handler detaches it */
  }
}

function safeClose(socket: StreamSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    /* already closed */
  }
}
