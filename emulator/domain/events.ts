/**
 * Everything that changes state is an event. Domain code emits; subscribers turn events into guest
 * frames, agent notifications and the inspection timeline (GET /__emulator/events).
 *
 * Each event type's payload is declared in EmulatorEventData; other modules add their own types with
 * declaration merging (`declare module '.../events.ts' { interface EmulatorEventData { ... } }`), so one
 * union covers the whole emulator and `emit` is checked at compile time.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging in each domain module.
export interface EmulatorEventData {}

export interface CoreEventData {
  'fixture.loaded': { orgId: string; queues: number; users: number; flows: number };
  'emulator.reset': Record<string, never>;
  'clock.advanced': { ms: number; now: string };
  'token.issued': { clientId: string; userId?: string; expiresAt: string };
  'token.rejected': { clientId?: string; reason: string };
}

export type EventDataMap = CoreEventData & EmulatorEventData;
export type EventType = keyof EventDataMap;

export type DomainEvent<K extends EventType = EventType> = {
  [T in K]: {
    /** Gap-free, increasing across the whole emulator. */
    seq: number;
    /** Emulator-clock time, ISO 8601. */
    time: string;
    type: T;
    conversationId?: string;
    data: EventDataMap[T];
  };
}[K];

export type EventListener = (event: DomainEvent) => void;

export interface EventQuery {
  conversationId?: string;
  afterSeq?: number;
  types?: readonly string[];
  limit?: number;
}

export class EventBus {
  #log: DomainEvent[] = [];
  #listeners = new Set<EventListener>();
  #seq = 0;
  readonly #now: () => number;
  /** Oldest events are dropped past this count so a long-running emulator keeps bounded memory. */
  readonly #maxEvents: number;

  constructor(now: () => number, maxEvents = 100_000) {
    this.#now = now;
    this.#maxEvents = maxEvents;
  }

  emit<K extends EventType>(type: K, data: EventDataMap[K], conversationId?: string): DomainEvent<K> {
    const event = {
      seq: ++this.#seq,
      time: new Date(this.#now()).toISOString(),
      type,
      data,
      ...(conversationId === undefined ? {} : { conversationId }),
    } as DomainEvent<K>;
    this.#log.push(event as DomainEvent);
    // Trim in chunks (a tenth of the cap at a time) so the cost stays constant per event.
    if (this.#log.length > this.#maxEvents * 1.1) this.#log.splice(0, this.#log.length - this.#maxEvents);
    for (const listener of this.#listeners) listener(event as DomainEvent);
    return event;
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(query: EventQuery = {}): DomainEvent[] {
    const out: DomainEvent[] = [];
    for (const e of this.#log) {
      if (query.afterSeq !== undefined && e.seq <= query.afterSeq) continue;
      if (query.conversationId !== undefined && e.conversationId !== query.conversationId) continue;
      if (query.types && !query.types.includes(e.type)) continue;
      out.push(e);
      if (query.limit !== undefined && out.length >= query.limit) break;
    }
    return out;
  }

  /** The events of one type, typed by it. */
  ofType<K extends EventType>(type: K, query: Omit<EventQuery, 'types'> = {}): DomainEvent<K>[] {
    return this.list({ ...query, types: [type] }) as DomainEvent<K>[];
  }

  /**
   * A restored timeline (data dir, repro pack): the log is replaced and numbering goes on after
   * `lastSeq`. Listeners are not told: these events happened before, and their effects are in the state.
   */
  restore(events: readonly DomainEvent[], lastSeq: number): void {
    this.#log = events.slice(-this.#maxEvents);
    this.#seq = Math.max(lastSeq, this.#log.at(-1)?.seq ?? 0);
  }

  /** Drops the log (reset); sequence numbers keep increasing so stale readers notice. */
  clear(): void {
    this.#log = [];
  }

  get lastSeq(): number {
    return this.#seq;
  }
}
