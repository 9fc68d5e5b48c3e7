import type { Clock } from '../clock.ts';
import type { BridgeEvent } from '../types.ts';
import {
  type Commit,
  type CreateOutcome,
  isFinishedState,
  type Lease,
  LeaseLostError,
  type MessageEntry,
  type SessionCommand,
  type SessionRecord,
  type SessionSignal,
  type SessionStore,
  type StoredCommand,
  type SubmitOutcome,
} from './session-store.ts';

/**
 * The SessionStore in this process's memory: what several bridges in one process share (tests of
 * takeovers, a bench's baseline), with the same contract as the Redis store. Time is the injected clock:
 * leases and retention expire lazily when read, so a ManualClock drives them without timers. Signals and
 * release notices are delivered on a later microtask, like a pub/sub message.
 *
 * (`createBridge` without a store keeps its own in-process engine; this class is for the engine that
 * works on a shared store.)
 */
interface Bucket {
  record: SessionRecord;
  events: BridgeEvent[];
  seen: Set<string>;
  messages: Map<string, MessageEntry>;
  commands: StoredCommand[];
  outbox?: number;
  epoch: number;
  lease?: { token: string; expiresAt: number };
  live: boolean;
  /** Set by finish(): everything of the session is gone after this time. */
  expiresAt?: number;
  watchers: Set<Watcher>;
  listeners: Set<(signal: SessionSignal) => void>;
}

interface Watcher {
  upTo: number;
  listener: (event: BridgeEvent) => void;
}

export class MemoryStore implements SessionStore {
  readonly kind = 'memory' as const;
  readonly label = 'memory';
  readonly available = true;
  readonly #clock: Clock;
  readonly #sessions = new Map<string, Bucket>();
  readonly #keys = new Map<string, { sessionId: string; expiresAt?: number }>();
  readonly #bots = new Map<string, { sessionId: string; expiresAt?: number }>();
  readonly #released = new Set<(sessionId: string) => void>();
  #commandIds = 0;

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  onAvailability(): () => void {
    return () => {};
  }

  async create(record: SessionRecord, owner: string, leaseTtlMs: number): Promise<CreateOutcome> {
    this.#sweep();
    const key = this.#live(this.#keys, record.idempotencyKey);
    const existing = key && this.#bucket(key.sessionId);
    if (existing) return { created: false, existing: clone(existing.record) };
    const bucket: Bucket = {
      record: clone(record),
      events: [],
      seen: new Set(),
      messages: new Map(),
      commands: [],
      epoch: 1,
      live: true,
      watchers: new Set(),
      listeners: new Set(),
    };
    const lease = { sessionId: record.sessionId, owner, epoch: 1 };
    bucket.lease = { token: token(lease), expiresAt: this.#clock.now() + leaseTtlMs };
    this.#sessions.set(record.sessionId, bucket);
    this.#keys.set(record.idempotencyKey, { sessionId: record.sessionId });
    this.#bots.set(record.botConversationId, { sessionId: record.sessionId });
    return { created: true, lease };
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const bucket = this.#bucket(sessionId);
    return bucket && clone(bucket.record);
  }

  async find(botConversationId: string): Promise<SessionRecord | undefined> {
    const pointer = this.#live(this.#bots, botConversationId);
    return pointer && this.get(pointer.sessionId);
  }

  async commit(lease: Lease, commit: Commit): Promise<void> {
    const bucket = this.#owned(lease);
    const events = commit.events ?? [];
    let expected = bucket.events.length + 1;
    for (const event of events) {
      if (event.seq !== expected++) throw new Error(`event seq ${event.seq} does not continue the log`);
    }
    bucket.events.push(...events.map(clone));
    if (commit.record) bucket.record = clone(commit.record);
    for (const id of commit.providerIds ?? []) bucket.seen.add(id);
    for (const change of commit.messages ?? []) {
      const entry = bucket.messages.get(change.clientMessageId);
      bucket.messages.set(change.clientMessageId, { parts: entry?.parts ?? 1, ...stripUndefined(change) });
    }
    if (events.length > 0) this.#deliver(bucket);
  }

  async finish(lease: Lease, retentionMs: number): Promise<void> {
    const bucket = this.#owned(lease);
    bucket.live = false;
    bucket.lease = undefined;
    const expiresAt = this.#clock.now() + retentionMs;
    bucket.expiresAt = expiresAt;
    const key = this.#keys.get(bucket.record.idempotencyKey);
    if (key?.sessionId === lease.sessionId) key.expiresAt = expiresAt;
    const bot = this.#bots.get(bucket.record.botConversationId);
    if (bot?.sessionId === lease.sessionId) bot.expiresAt = expiresAt;
    if (retentionMs === 0) this.#sweep();
  }

  async readEvents(sessionId: string, afterSeq: number, limit = Number.POSITIVE_INFINITY) {
    const bucket = this.#bucket(sessionId);
    if (!bucket) return [];
    const from = Math.max(0, Math.floor(afterSeq));
    return bucket.events.slice(from, from + limit).map(clone);
  }

  watch(sessionId: string, afterSeq: number, listener: (event: BridgeEvent) => void): () => void {
    const bucket = this.#bucket(sessionId);
    if (!bucket) return () => {};
    const watcher: Watcher = { upTo: Math.max(0, Math.floor(afterSeq)), listener };
    bucket.watchers.add(watcher);
    this.#deliver(bucket);
    return () => {
      bucket.watchers.delete(watcher);
    };
  }

  async providerIds(sessionId: string): Promise<string[]> {
    return [...(this.#bucket(sessionId)?.seen ?? [])];
  }

  async submit(sessionId: string, command: SessionCommand, parts = 1): Promise<SubmitOutcome> {
    const bucket = this.#bucket(sessionId);
    if (!bucket) return { kind: 'noSession' };
    if (command.type === 'message') {
      const existing = bucket.messages.get(command.message.clientMessageId);
      if (existing && !(existing.status === 'failed' && existing.retryable)) {
        return { kind: 'duplicate', entry: { ...existing } };
      }
    }
    const state = bucket.record.snapshot.state;
    if (isFinishedState(state)) return { kind: 'ended', state };
    const id = `${this.#clock.now()}-${++this.#commandIds}`;
    const previousId = bucket.commands.at(-1)?.id;
    bucket.commands.push({ id, command: clone(command) });
    if (command.type === 'message') {
      bucket.messages.set(command.message.clientMessageId, {
        clientMessageId: command.message.clientMessageId,
        status: 'pending',
        parts,
      });
    }
    this.#notify(bucket, { type: 'wake' });
    return { kind: 'accepted', commandId: id, ...(previousId !== undefined ? { previousId } : {}) };
  }

  async commands(sessionId: string, afterId?: string): Promise<StoredCommand[]> {
    const commands = this.#bucket(sessionId)?.commands ?? [];
    const from = afterId === undefined ? 0 : commands.findIndex((c) => c.id === afterId) + 1;
    return commands.slice(from).map(clone);
  }

  async messages(sessionId: string): Promise<MessageEntry[]> {
    return [...(this.#bucket(sessionId)?.messages.values() ?? [])].map((e) => ({ ...e }));
  }

  async signal(sessionId: string, signal: SessionSignal): Promise<void> {
    const bucket = this.#bucket(sessionId);
    if (bucket) this.#notify(bucket, signal);
  }

  async listen(sessionId: string, listener: (signal: SessionSignal) => void): Promise<() => void> {
    const bucket = this.#bucket(sessionId);
    if (!bucket) return () => {};
    bucket.listeners.add(listener);
    return () => {
      bucket.listeners.delete(listener);
    };
  }

  async acquire(sessionId: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const bucket = this.#bucket(sessionId);
    if (!bucket?.live || this.#leaseHeld(bucket)) return undefined;
    bucket.epoch += 1;
    const lease = { sessionId, owner, epoch: bucket.epoch };
    bucket.lease = { token: token(lease), expiresAt: this.#clock.now() + ttlMs };
    return lease;
  }

  async renew(leases: readonly Lease[], ttlMs: number): Promise<Lease[]> {
    const lost: Lease[] = [];
    const expiresAt = this.#clock.now() + ttlMs;
    for (const lease of leases) {
      const bucket = this.#bucket(lease.sessionId);
      const held = bucket && this.#leaseHeld(bucket);
      if (bucket && held && bucket.lease?.token === token(lease)) {
        bucket.lease.expiresAt = expiresAt;
      } else if (bucket?.live && !held && bucket.epoch === lease.epoch) {
        // Expired while nobody else took it (the store was unreachable): the same owner goes on.
        bucket.lease = { token: token(lease), expiresAt };
      } else {
        lost.push(lease);
      }
    }
    return lost;
  }

  async release(lease: Lease): Promise<void> {
    const bucket = this.#bucket(lease.sessionId);
    if (!bucket || bucket.lease?.token !== token(lease)) return;
    bucket.lease = undefined;
    for (const listener of [...this.#released]) queueMicrotask(() => listener(lease.sessionId));
  }

  async orphans(limit: number): Promise<string[]> {
    this.#sweep();
    const found: string[] = [];
    for (const [id, bucket] of this.#sessions) {
      if (found.length >= limit) break;
      if (bucket.live && !this.#leaseHeld(bucket)) found.push(id);
    }
    return found;
  }

  onReleased(listener: (sessionId: string) => void): () => void {
    this.#released.add(listener);
    return () => {
      this.#released.delete(listener);
    };
  }

  async outboxCursor(sessionId: string): Promise<number | undefined> {
    return this.#bucket(sessionId)?.outbox;
  }

  async saveOutboxCursor(sessionId: string, seq: number): Promise<void> {
    const bucket = this.#bucket(sessionId);
    if (bucket && (bucket.outbox ?? 0) < seq) bucket.outbox = seq;
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────────

  #leaseHeld(bucket: Bucket): boolean {
    return bucket.lease !== undefined && bucket.lease.expiresAt > this.#clock.now();
  }

  #owned(lease: Lease): Bucket {
    const bucket = this.#bucket(lease.sessionId);
    if (!bucket || !this.#leaseHeld(bucket) || bucket.lease?.token !== token(lease)) {
      throw new LeaseLostError(lease.sessionId);
    }
    return bucket;
  }

  #bucket(sessionId: string): Bucket | undefined {
    const bucket = this.#sessions.get(sessionId);
    if (bucket?.expiresAt !== undefined && bucket.expiresAt <= this.#clock.now()) {
      this.#sweep();
      return undefined;
    }
    return bucket;
  }

  #live<T extends { expiresAt?: number }>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.#clock.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Forgets everything whose retention ran out. */
  #sweep(): void {
    const now = this.#clock.now();
    for (const [id, bucket] of this.#sessions) {
      if (bucket.expiresAt !== undefined && bucket.expiresAt <= now) {
        this.#sessions.delete(id);
        bucket.watchers.clear();
        bucket.listeners.clear();
      }
    }
    for (const map of [this.#keys, this.#bots]) {
      for (const [key, entry] of map)
        if (entry.expiresAt !== undefined && entry.expiresAt <= now) map.delete(key);
    }
  }

  /** Hands each watcher the events it has not had, in order (a watcher added while delivering included). */
  #deliver(bucket: Bucket): void {
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const watcher of [...bucket.watchers]) {
        const event = bucket.events[watcher.upTo];
        if (!event || !bucket.watchers.has(watcher)) continue;
        watcher.upTo = event.seq;
        progressed = true;
        watcher.listener(clone(event));
      }
    }
  }

  #notify(bucket: Bucket, signal: SessionSignal): void {
    for (const listener of [...bucket.listeners]) queueMicrotask(() => listener({ ...signal }));
  }
}

function token(lease: Lease): string {
  return `${lease.owner}#${lease.epoch}`;
}

/** Stored values are copies, as they would be in Redis: no caller can change them afterwards. */
function clone<T>(value: T): T {
  return structuredClone(value);
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
