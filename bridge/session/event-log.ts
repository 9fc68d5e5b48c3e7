import { type Clock, isoTime } from '../clock.ts';
import { failure } from '../errors.ts';
import type { BridgeEvent, BridgeEventBody, GenesysChannel } from '../types.ts';

/**
 * One session's ordered event log. Each appended event gets the next gap-free `seq` (from 1) and an
 * `eventId` of `<sessionId>:<seq>`, unique across sessions because session ids are. Readers resume with
 * `afterSeq`: read() for a snapshot, subscribe() for replay-then-live callbacks, iterate() for
 * `for await`. The log closes after `session.ended`; iterators finish once they have delivered it.
 */
export interface AppendMeta {
  /** Provider time in ms, when Genesys said when it happened. */
  occurredAt?: number;
  source?: BridgeEvent['source'];
  inferred?: boolean;
  providerRef?: BridgeEvent['providerRef'];
}

export type EventListener = (event: BridgeEvent) => void;

interface Subscriber {
  listener: EventListener;
  /** Highest seq handed to this listener: each event reaches it once, in order. */
  upTo: number;
}

export interface EventLogOptions {
  /**
   * The log continues one that already holds events up to this seq (a session taken over from another
   * instance): the next event is afterSeq + 1, and reads start there.
   */
  afterSeq?: number;
}

export class EventLog {
  readonly #sessionId: string;
  readonly #channel: GenesysChannel;
  readonly #clock: Clock;
  readonly #onListenerError: (error: unknown) => void;
  #events: BridgeEvent[] = [];
  /** Seq of the last event before #events[0] (dropped by trimThrough, or held by an earlier owner). */
  #base: number;
  readonly #listeners = new Set<Subscriber>();
  /** Each live iterate() reader with the seq it last yielded: trimThrough keeps what it has not had. */
  readonly #readers = new Set<{ upTo: number }>();
  readonly #closeWaiters = new Set<() => void>();
  #closed = false;
  #delivering = false;

  constructor(
    sessionId: string,
    channel: GenesysChannel,
    clock: Clock,
    onListenerError: (error: unknown) => void,
    options: EventLogOptions = {},
  ) {
    this.#sessionId = sessionId;
    this.#channel = channel;
    this.#clock = clock;
    this.#onListenerError = onListenerError;
    this.#base = Math.max(0, Math.floor(options.afterSeq ?? 0));
  }

  get lastSeq(): number {
    return this.#base + this.#events.length;
  }

  /**
   * Drops events up to `seq` from memory once every subscriber has had them (a shared store keeps them;
   * see bridge/cluster). Reads and subscriptions then start after them.
   */
  trimThrough(seq: number): void {
    const floor = Math.min(
      seq,
      ...[...this.#listeners].map((s) => s.upTo),
      ...[...this.#readers].map((r) => r.upTo),
    );
    const drop = Math.min(this.#events.length, floor - this.#base);
    if (drop <= 0) return;
    this.#events = this.#events.slice(drop);
    this.#base += drop;
  }

  get closed(): boolean {
    return this.#closed;
  }

  append(body: BridgeEventBody, meta: AppendMeta = {}): BridgeEvent {
    if (this.#closed) throw failure('INTERNAL', `event log of session ${this.#sessionId} is closed`);
    const seq = this.lastSeq + 1;
    const observedAt = isoTime(this.#clock.now());
    const event = {
      eventId: `${this.#sessionId}:${seq}`,
      sessionId: this.#sessionId,
      seq,
      occurredAt: meta.occurredAt !== undefined ? isoTime(meta.occurredAt) : observedAt,
      observedAt,
      channel: this.#channel,
      source: meta.source ?? 'bridge',
      ...(meta.inferred ? { inferred: true } : {}),
      ...(meta.providerRef ? { providerRef: meta.providerRef } : {}),
      ...body,
    } as BridgeEvent;
    this.#events.push(event);
    if (body.type === 'session.ended') this.#closed = true;
    this.#drain();
    return event;
  }

  /**
   * Hands undelivered events to every subscriber in seq order. A listener that appends (e.g. by sending a
   * message that is refused) only queues its event: the outer drain delivers it after the current one, so
   * no listener ever sees seq n+1 before seq n.
   */
  #drain(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let progressed = true; progressed; ) {
        progressed = false;
        for (const subscriber of [...this.#listeners]) {
          const event = this.#events[subscriber.upTo - this.#base];
          if (!event || !this.#listeners.has(subscriber)) continue;
          subscriber.upTo = event.seq;
          progressed = true;
          this.#deliver(subscriber.listener, event);
        }
      }
    } finally {
      this.#delivering = false;
    }
    if (this.#closed) {
      this.#listeners.clear();
      for (const wake of this.#closeWaiters) wake();
      this.#closeWaiters.clear();
    }
  }

  /** Events with seq > afterSeq, in order. */
  read(afterSeq = 0): BridgeEvent[] {
    return this.#events.slice(Math.max(0, Math.floor(afterSeq) - this.#base));
  }

  /** Replays events after afterSeq synchronously, then calls listener for each new one. */
  subscribe(listener: EventListener, afterSeq = 0): () => void {
    const subscriber: Subscriber = {
      listener,
      upTo: Math.min(Math.max(this.#base, Math.floor(afterSeq)), this.lastSeq),
    };
    this.#listeners.add(subscriber);
    this.#drain();
    return () => {
      this.#listeners.delete(subscriber);
    };
  }

  /** Async iteration from afterSeq; completes after `session.ended` has been yielded. */
  iterate(afterSeq = 0): AsyncIterableIterator<BridgeEvent> {
    const reader = { upTo: Math.max(this.#base, Math.floor(afterSeq)) };
    this.#readers.add(reader);
    let wake: (() => void) | undefined;
    let stopped = false;
    const unsubscribe = this.subscribe(() => {
      wake?.();
    }, this.lastSeq);
    const onClose = () => wake?.();
    this.#closeWaiters.add(onClose);
    const stop = () => {
      stopped = true;
      this.#readers.delete(reader);
      unsubscribe();
      this.#closeWaiters.delete(onClose);
      // Release a next() that is still waiting, so return() during a pending read settles it.
      const pending = wake;
      wake = undefined;
      pending?.();
    };
    const iterator: AsyncIterableIterator<BridgeEvent> = {
      next: async () => {
        while (!stopped) {
          reader.upTo = Math.max(reader.upTo, this.#base);
          const event = this.#events[reader.upTo - this.#base];
          if (event) {
            reader.upTo += 1;
            return { value: event, done: false };
          }
          if (this.#closed) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        stop();
        return { value: undefined, done: true };
      },
      return: async () => {
        stop();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  #deliver(listener: EventListener, event: BridgeEvent): void {
    try {
      listener(event);
    } catch (error) {
      // A consumer's bug must not break the session or starve other consumers.
      this.#onListenerError(error);
    }
  }
}
