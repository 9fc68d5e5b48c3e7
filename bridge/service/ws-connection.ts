import type WebSocket from 'ws';
import type { Bridge } from '../index.ts';
import type { SessionCommands } from './commands.ts';
import { ServiceError } from './errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import { parse } from './schemas.ts';
import { followSession, resumePoint } from './session-feed.ts';
import { ClientFrame } from './ws-frames.ts';

/**
 * One `/v1/stream` socket: any number of session subscriptions, each resumable from a seq, plus commands
 * and ping. Opened with `?sessionId=` it is a single-session stream that closes (1000) once that
 * session's `session.ended` has been sent; otherwise it stays open and says `{type:'ended'}` per session.
 */

/** A consumer this far behind is not reading; dropping it bounds the memory it can hold. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface StreamContext {
  bridge: Bridge;
  commands: SessionCommands;
  lifecycle: Lifecycle;
  heartbeatMs: number;
}

export class StreamConnection {
  readonly #socket: WebSocket;
  readonly #context: StreamContext;
  readonly #subscriptions = new Map<string, () => void>();
  readonly #single: string | undefined;
  readonly #stopHeartbeat: () => void;
  readonly #untrack: () => void;
  #closed = false;

  constructor(socket: WebSocket, context: StreamContext, single?: { sessionId: string; afterSeq: number }) {
    this.#socket = socket;
    this.#context = context;
    this.#single = single?.sessionId;
    this.#stopHeartbeat = context.lifecycle.every(context.heartbeatMs, () =>
      this.#send({ type: 'heartbeat', at: new Date(context.lifecycle.clock.now()).toISOString() }),
    );
    this.#untrack = context.lifecycle.track(() => this.close(1001, 'service closing'));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.#error(new ServiceError('INVALID_REQUEST', 'frames must be JSON text'));
      void this.#onText(data.toString());
    });
    socket.on('close', () => this.#release());
    if (single) void this.#subscribe(single.sessionId, single.afterSeq);
  }

  close(code: number, reason: string): void {
    this.#release();
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.close(code, reason);
  }

  #release(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    this.#untrack();
    for (const stop of this.#subscriptions.values()) stop();
    this.#subscriptions.clear();
  }

  async #onText(text: string): Promise<void> {
    let frame: ClientFrame;
    try {
      frame = parse(ClientFrame, parseJson(text), 'frame');
    } catch (thrown) {
      return this.#error(ServiceError.from(thrown));
    }
    switch (frame.type) {
      case 'ping':
        return this.#send({ type: 'pong' });
      case 'subscribe':
        return this.#subscribe(frame.sessionId, frame.afterSeq ?? 0);
      case 'unsubscribe':
        this.#subscriptions.get(frame.sessionId)?.();
        this.#subscriptions.delete(frame.sessionId);
        return;
      case 'command':
        try {
          const data = await this.#context.commands[frame.op](frame.sessionId, frame.payload);
          return this.#send({ type: 'result', requestId: frame.requestId, ok: true, data });
        } catch (thrown) {
          const error = ServiceError.from(thrown);
          return this.#send({ type: 'result', requestId: frame.requestId, ok: false, error: error.body });
        }
    }
  }

  async #subscribe(sessionId: string, afterSeq: number): Promise<void> {
    const { bridge } = this.#context;
    let snapshot: Awaited<ReturnType<typeof resumePoint>>;
    try {
      snapshot = await resumePoint(bridge, sessionId, afterSeq);
    } catch (thrown) {
      this.#error(ServiceError.from(thrown), sessionId);
      if (this.#single) this.close(1008, 'cannot follow that session');
      return;
    }
    if (this.#closed) return;
    this.#subscriptions.get(sessionId)?.();
    this.#send({ type: 'subscribed', sessionId, afterSeq, lastSeq: snapshot.lastSeq });
    let ended = false;
    const stop = followSession(bridge, snapshot, afterSeq, {
      event: (event) => this.#send({ type: 'event', event }),
      ended: () => {
        ended = true;
        this.#subscriptions.delete(sessionId);
        this.#send({ type: 'ended', sessionId });
        if (this.#single === sessionId) this.close(1000, 'session ended');
      },
    });
    if (!ended && !this.#closed) this.#subscriptions.set(sessionId, stop);
  }

  #error(error: ServiceError, sessionId?: string): void {
    this.#send({ type: 'error', ...(sessionId ? { sessionId } : {}), error: error.body });
  }

  #send(frame: object): void {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) return;
    if (this.#socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(1008, 'the client is not reading its events');
      return;
    }
    this.#socket.send(JSON.stringify(frame));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('INVALID_REQUEST', 'frames must be JSON objects');
  }
}
