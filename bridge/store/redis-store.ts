import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { BridgeFailure } from '../errors.ts';
import type { BridgeEvent } from '../types.ts';
import {
  ACQUIRE,
  COMMIT,
  CREATE,
  FINISH,
  ORPHANS,
  RELEASE,
  RENEW,
  SAVE_CURSOR,
  SUBMIT,
} from './redis-scripts.ts';
import {
  type Commit,
  type CreateOutcome,
  type Lease,
  LeaseLostError,
  leaseToken,
  type MessageEntry,
  type SessionCommand,
  type SessionRecord,
  type SessionSignal,
  type SessionStore,
  type StoredCommand,
  type SubmitOutcome,
  storeUnavailable,
} from './session-store.ts';

/**
 * The SessionStore on Redis (one server, or a primary with replicas; not Redis Cluster), with the official
 * `redis` client. Per session (`{prefix}s:{id}:…`): `rec` a hash (record JSON and state), `ev` a Stream
 * whose entry ids are the seqs (`7-0`), so `afterSeq` is an XRANGE start and a seq can never be written
 * twice, `seen` the delivered Genesys message ids, `msgs` the customer-message ledger, `cmd` the command
 * inbox (a Stream), `lease` and `epoch`, `outbox` the webhook cursor. Across sessions: `idem:{key}`,
 * `bot:{id}` and the `live` sorted set (session -> lease expiry, server time) where orphans are found.
 * Channels: `…:ev` (a new seq), `…:cmd` (a signal to the owner), `{prefix}released`.
 *
 * Two connections: one for commands (no offline queue: while Redis is unreachable every call rejects at
 * once with STORE_UNAVAILABLE instead of waiting), one for pub/sub. Both reconnect with backoff; once
 * they are back, watchers read what they may have missed and availability listeners hear of it.
 */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** Prefix of every key and channel (default `genesys-bridge:`), so several bridges can share a server. */
  keyPrefix?: string;
  /** How long connecting may take at start before it fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long one command may take before it fails as unavailable (default 5000 ms). */
  commandTimeoutMs?: number;
}

/** What the store uses of a `redis` client. */
interface Client {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  sendCommand(args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  on(event: 'error' | 'end' | 'reconnecting' | 'ready', listener: () => void): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

interface SessionKeys {
  rec: string;
  ev: string;
  seen: string;
  msgs: string;
  cmd: string;
  lease: string;
  epoch: string;
  outbox: string;
  evChannel: string;
  cmdChannel: string;
}

interface RedisWatcher {
  sessionId: string;
  upTo: number;
  listener: (event: BridgeEvent) => void;
  reading: boolean;
  again: boolean;
  stopped: boolean;
}

const RECONNECT_MAX_MS = 2000;

export class RedisStore implements SessionStore {
  readonly kind = 'redis' as const;
  readonly label: string;
  readonly #options: RedisStoreOptions;
  readonly #prefix: string;
  /** Created by connect(): the client library is loaded only by bridges that use Redis. */
  #client: Client | undefined;
  #subscriber: Client | undefined;
  /** The client library's class of error replies. */
  #ErrorReply: (abstract new (...args: never[]) => Error) | undefined;
  readonly #shas = new Map<string, string>();
  readonly #availability = new Set<(available: boolean) => void>();
  readonly #released = new Set<(sessionId: string) => void>();
  /** Local listeners per channel (one Redis subscription each, ready once subscribed). */
  readonly #channels = new Map<string, { listeners: Set<(message: string) => void>; ready: Promise<void> }>();
  readonly #watchers = new Set<RedisWatcher>();
  #connected = false;
  #available = false;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    this.#prefix = options.keyPrefix ?? 'genesys-bridge:';
    this.label = redactUrl(options.url);
  }

  get available(): boolean {
    return this.#available;
  }

  async connect(): Promise<void> {
    if (this.#client) return;
    // Loaded here, at run time: the command bundles do not carry the client library (a third of their
    // size), and bridges that never use Redis never load it.
    const { createClient, ErrorReply } = createRequire(import.meta.url)('redis') as typeof import('redis');
    this.#ErrorReply = ErrorReply;
    const options = this.#options;
    const socket = {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // At start a refusal fails connect() (the caller exits naming the URL); later, reconnect forever.
      reconnectStrategy: (retries: number, cause: Error) =>
        this.#connected && !this.#closed ? Math.min(RECONNECT_MAX_MS, 50 * 2 ** Math.min(retries, 6)) : cause,
    };
    const client: Client = createClient({
      url: options.url,
      socket,
      disableOfflineQueue: true,
      commandOptions: { timeout: options.commandTimeoutMs ?? 5000 },
    });
    const subscriber: Client = createClient({ url: options.url, socket });
    this.#client = client;
    this.#subscriber = subscriber;
    for (const c of [client, subscriber]) {
      // Errors surface through the calls that fail; the event must have a listener or Node throws it.
      c.on('error', () => this.#setAvailable());
      c.on('end', () => this.#setAvailable());
      c.on('reconnecting', () => this.#setAvailable());
      c.on('ready', () => this.#setAvailable());
    }
    try {
      await client.connect();
      await subscriber.connect();
    } catch (thrown) {
      await this.#disconnect();
      this.#client = this.#subscriber = undefined;
      throw storeUnavailable(this.label, thrown);
    }
    this.#connected = true;
    await subscriber.subscribe(`${this.#prefix}released`, (sessionId) => {
      for (const listener of [...this.#released]) listener(sessionId);
    });
    this.#setAvailable();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const watcher of this.#watchers) watcher.stopped = true;
    this.#watchers.clear();
    await this.#disconnect();
    this.#setAvailable();
  }

  onAvailability(listener: (available: boolean) => void): () => void {
    this.#availability.add(listener);
    return () => {
      this.#availability.delete(listener);
    };
  }

  // ── records ────────────────────────────────────────────────────────────────────────────────────────

  async create(record: SessionRecord, owner: string, leaseTtlMs: number): Promise<CreateOutcome> {
    const k = this.#keys(record.sessionId);
    const reply = (await this.#script(
      CREATE,
      [
        this.#idem(record.idempotencyKey),
        this.#bot(record.botConversationId),
        k.rec,
        k.lease,
        k.epoch,
        this.#live(),
      ],
      [
        JSON.stringify(withoutRequest(record)),
        record.snapshot.state,
        record.sessionId,
        owner,
        String(leaseTtlMs),
        JSON.stringify(record.request),
      ],
    )) as [number, string | number];
    if (reply[0] === 1)
      return { created: true, lease: { sessionId: record.sessionId, owner, epoch: Number(reply[1]) } };
    const existing = await this.get(String(reply[1]));
    if (!existing) {
      // The key outlived its session by a moment (both expire together): the next attempt creates anew.
      throw storeUnavailable(this.label, 'the idempotency key points to a session that just expired');
    }
    return { created: false, existing };
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const [data, request] = await this.#call<(string | null)[]>([
      'HMGET',
      this.#keys(sessionId).rec,
      'data',
      'request',
    ]);
    if (!data || !request) return undefined;
    return {
      ...(JSON.parse(data) as Omit<SessionRecord, 'request'>),
      request: JSON.parse(request),
    } as SessionRecord;
  }

  async find(botConversationId: string): Promise<SessionRecord | undefined> {
    const sessionId = await this.#call<string | null>(['GET', this.#bot(botConversationId)]);
    return sessionId ? this.get(sessionId) : undefined;
  }

  async commit(lease: Lease, commit: Commit): Promise<void> {
    const k = this.#keys(lease.sessionId);
    const events = commit.events ?? [];
    const ids = commit.providerIds ?? [];
    const changes = commit.messages ?? [];
    const args = [
      leaseToken(lease),
      commit.record ? JSON.stringify(withoutRequest(commit.record)) : '',
      commit.record?.snapshot.state ?? '',
      k.evChannel,
      String(events.length),
      ...events.flatMap((e) => [String(e.seq), JSON.stringify(e)]),
      String(ids.length),
      ...ids,
      String(changes.length),
      ...changes.flatMap((c) => [c.clientMessageId, JSON.stringify(c)]),
    ];
    await this.#fenced(lease, () => this.#script(COMMIT, [k.lease, k.rec, k.ev, k.seen, k.msgs], args));
  }

  async finish(lease: Lease, retentionMs: number): Promise<void> {
    const record = await this.get(lease.sessionId);
    const k = this.#keys(lease.sessionId);
    const keys = [
      k.lease,
      this.#live(),
      k.rec,
      k.ev,
      k.seen,
      k.msgs,
      k.cmd,
      k.epoch,
      k.outbox,
      this.#idem(record?.idempotencyKey ?? ''),
      this.#bot(record?.botConversationId ?? ''),
    ];
    await this.#fenced(lease, () =>
      this.#script(FINISH, keys, [leaseToken(lease), lease.sessionId, String(Math.max(0, retentionMs))]),
    );
  }

  // ── events ─────────────────────────────────────────────────────────────────────────────────────────

  async readEvents(sessionId: string, afterSeq: number, limit?: number): Promise<BridgeEvent[]> {
    const from = `${Math.max(0, Math.floor(afterSeq)) + 1}-0`;
    const command = ['XRANGE', this.#keys(sessionId).ev, from, '+'];
    if (limit !== undefined && Number.isFinite(limit)) command.push('COUNT', String(limit));
    const entries = await this.#call<[string, string[]][]>(command);
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? 'null') as BridgeEvent);
  }

  watch(sessionId: string, afterSeq: number, listener: (event: BridgeEvent) => void): () => void {
    const watcher: RedisWatcher = {
      sessionId,
      upTo: Math.max(0, Math.floor(afterSeq)),
      listener,
      reading: false,
      again: false,
      stopped: false,
    };
    this.#watchers.add(watcher);
    // Read now, and again once subscribed: no event committed in between goes unnoticed.
    const wake = () => void this.#pull(watcher);
    const channel = this.#on(this.#keys(sessionId).evChannel, (message) => this.#published(watcher, message));
    wake();
    void channel.ready.then(wake);
    return () => {
      watcher.stopped = true;
      this.#watchers.delete(watcher);
      channel.stop();
    };
  }

  /**
   * A commit's events as published: handed over at once when they continue what the watcher has (no
   * read), else read from the stream (a notification was missed, or a read is under way).
   */
  #published(watcher: RedisWatcher, message: string): void {
    if (watcher.stopped) return;
    let events: BridgeEvent[];
    try {
      events = JSON.parse(message) as BridgeEvent[];
    } catch {
      void this.#pull(watcher);
      return;
    }
    if (watcher.reading || (events[0]?.seq ?? 0) > watcher.upTo + 1) {
      void this.#pull(watcher);
      return;
    }
    for (const event of events) {
      if (watcher.stopped) return;
      if (event.seq !== watcher.upTo + 1) continue;
      watcher.upTo = event.seq;
      watcher.listener(event);
    }
  }

  /** Reads what the watcher has not had yet, one read at a time; a wake-up during a read reads again. */
  async #pull(watcher: RedisWatcher): Promise<void> {
    if (watcher.stopped) return;
    if (watcher.reading) {
      watcher.again = true;
      return;
    }
    watcher.reading = true;
    try {
      do {
        watcher.again = false;
        const events = await this.readEvents(watcher.sessionId, watcher.upTo, 500);
        for (const event of events) {
          if (watcher.stopped) return;
          if (event.seq !== watcher.upTo + 1) continue;
          watcher.upTo = event.seq;
          watcher.listener(event);
        }
        if (events.length === 500) watcher.again = true;
      } while (watcher.again && !watcher.stopped);
    } catch {
      // Unreachable now: read again once Redis is back (see #setAvailable).
    } finally {
      watcher.reading = false;
    }
  }

  async providerIds(sessionId: string): Promise<string[]> {
    return this.#call<string[]>(['SMEMBERS', this.#keys(sessionId).seen]);
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────────────

  async submit(sessionId: string, command: SessionCommand, parts = 1): Promise<SubmitOutcome> {
    const k = this.#keys(sessionId);
    const clientMessageId = command.type === 'message' ? command.message.clientMessageId : '';
    const entry: MessageEntry = { clientMessageId, status: 'pending', parts };
    const reply = (await this.#script(
      SUBMIT,
      [k.rec, k.msgs, k.cmd],
      [JSON.stringify(command), k.cmdChannel, clientMessageId, JSON.stringify(entry)],
    )) as string[];
    switch (reply[0]) {
      case 'accepted':
        return {
          kind: 'accepted',
          commandId: String(reply[1]),
          ...(reply[2] ? { previousId: String(reply[2]) } : {}),
        };
      case 'duplicate':
        return { kind: 'duplicate', entry: JSON.parse(String(reply[1])) as MessageEntry };
      case 'ended':
        return { kind: 'ended', state: reply[1] === 'failed' ? 'failed' : 'ended' };
      default:
        return { kind: 'noSession' };
    }
  }

  async commands(sessionId: string, afterId?: string): Promise<StoredCommand[]> {
    const entries = await this.#call<[string, string[]][]>([
      'XRANGE',
      this.#keys(sessionId).cmd,
      afterId === undefined ? '-' : `(${afterId}`,
      '+',
    ]);
    return entries.map(([id, fields]) => ({
      id,
      command: JSON.parse(fields[1] ?? 'null') as SessionCommand,
    }));
  }

  async messages(sessionId: string): Promise<MessageEntry[]> {
    const all = await this.#call<Record<string, string>>(['HGETALL', this.#keys(sessionId).msgs]);
    return Object.values(all).map((json) => JSON.parse(json) as MessageEntry);
  }

  async signal(sessionId: string, signal: SessionSignal): Promise<void> {
    await this.#call(['PUBLISH', this.#keys(sessionId).cmdChannel, signal.type]);
  }

  async listen(sessionId: string, listener: (signal: SessionSignal) => void): Promise<() => void> {
    const channel = this.#on(this.#keys(sessionId).cmdChannel, (message) =>
      listener(message === 'typing' ? { type: 'typing' } : { type: 'wake' }),
    );
    await channel.ready;
    return channel.stop;
  }

  // ── leases ─────────────────────────────────────────────────────────────────────────────────────────

  async acquire(sessionId: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const k = this.#keys(sessionId);
    const epoch = await this.#script(
      ACQUIRE,
      [k.lease, k.epoch, this.#live()],
      [owner, String(ttlMs), sessionId],
    );
    return epoch === null || epoch === undefined ? undefined : { sessionId, owner, epoch: Number(epoch) };
  }

  async renew(leases: readonly Lease[], ttlMs: number): Promise<Lease[]> {
    const lost: Lease[] = [];
    // In slices, so that one script never holds the server for long.
    for (let i = 0; i < leases.length; i += 500) {
      const slice = leases.slice(i, i + 500);
      const keys = [
        this.#live(),
        ...slice.flatMap((l) => [this.#keys(l.sessionId).lease, this.#keys(l.sessionId).epoch]),
      ];
      const args = [String(ttlMs), ...slice.flatMap((l) => [l.sessionId, leaseToken(l), String(l.epoch)])];
      const gone = new Set((await this.#script(RENEW, keys, args)) as string[]);
      lost.push(...slice.filter((l) => gone.has(l.sessionId)));
    }
    return lost;
  }

  async release(lease: Lease): Promise<void> {
    const k = this.#keys(lease.sessionId);
    await this.#script(
      RELEASE,
      [k.lease, this.#live()],
      [leaseToken(lease), lease.sessionId, `${this.#prefix}released`],
    );
  }

  async orphans(limit: number): Promise<string[]> {
    return (await this.#script(ORPHANS, [this.#live()], [String(limit)])) as string[];
  }

  onReleased(listener: (sessionId: string) => void): () => void {
    this.#released.add(listener);
    return () => {
      this.#released.delete(listener);
    };
  }

  // ── webhook outbox ─────────────────────────────────────────────────────────────────────────────────

  async outboxCursor(sessionId: string): Promise<number | undefined> {
    const value = await this.#call<string | null>(['GET', this.#keys(sessionId).outbox]);
    return value === null ? undefined : Number(value);
  }

  async saveOutboxCursor(sessionId: string, seq: number): Promise<void> {
    await this.#script(SAVE_CURSOR, [this.#keys(sessionId).outbox], [String(seq)]);
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────────────────

  #keys(sessionId: string): SessionKeys {
    const base = `${this.#prefix}s:{${sessionId}}:`;
    return {
      rec: `${base}rec`,
      ev: `${base}ev`,
      seen: `${base}seen`,
      msgs: `${base}msgs`,
      cmd: `${base}cmd`,
      lease: `${base}lease`,
      epoch: `${base}epoch`,
      outbox: `${base}outbox`,
      evChannel: `${base}ev`,
      cmdChannel: `${base}cmd`,
    };
  }

  #idem(key: string): string {
    return `${this.#prefix}idem:${key}`;
  }

  #bot(botConversationId: string): string {
    return `${this.#prefix}bot:${botConversationId}`;
  }

  #live(): string {
    return `${this.#prefix}live`;
  }

  /** One command; any failure to get an answer is STORE_UNAVAILABLE. */
  async #call<T = unknown>(args: string[]): Promise<T> {
    const client = this.#client;
    if (this.#closed || !client)
      throw storeUnavailable(this.label, this.#closed ? 'the store is closed' : 'not connected');
    try {
      return (await client.sendCommand(args)) as T;
    } catch (thrown) {
      throw this.#translate(thrown);
    }
  }

  /** EVALSHA, loading the script again after NOSCRIPT (a restarted server forgets them). */
  async #script(source: string, keys: string[], args: string[]): Promise<unknown> {
    let sha = this.#shas.get(source);
    if (!sha) {
      sha = createHash('sha1').update(source).digest('hex');
      this.#shas.set(source, sha);
    }
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#call(['EVALSHA', sha, ...tail]);
    } catch (thrown) {
      if (!(thrown instanceof ScriptError) || !thrown.message.includes('NOSCRIPT')) throw thrown;
      return this.#call(['EVAL', source, ...tail]);
    }
  }

  /** A script refusal naming LEASE_LOST becomes LeaseLostError. */
  async #fenced<T>(lease: Lease, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (thrown) {
      if (thrown instanceof ScriptError && thrown.message.includes('LEASE_LOST')) {
        throw new LeaseLostError(lease.sessionId);
      }
      throw thrown;
    }
  }

  #translate(thrown: unknown): Error {
    // A reply that is an error (a script refusal, NOSCRIPT) came from a reachable server.
    if (this.#ErrorReply && thrown instanceof this.#ErrorReply) {
      return new ScriptError(thrown.message);
    }
    if (thrown instanceof BridgeFailure) return thrown;
    return storeUnavailable(this.label, thrown);
  }

  /**
   * Adds a local listener to a channel (subscribing on the first); `ready` resolves once the server
   * confirmed the subscription (while Redis is unreachable, once it is back: the subscriber connection
   * queues the request and the client restores its subscriptions after a reconnect).
   */
  #on(channel: string, listener: (message: string) => void): { stop: () => void; ready: Promise<void> } {
    let entry = this.#channels.get(channel);
    if (!entry) {
      const listeners = new Set<(message: string) => void>();
      const ready = (
        this.#subscriber?.subscribe(channel, (message) => {
          for (const l of [...listeners]) l(message);
        }) ?? Promise.resolve()
      ).catch(() => {});
      entry = { listeners, ready };
      this.#channels.set(channel, entry);
    }
    const { listeners, ready } = entry;
    listeners.add(listener);
    return {
      ready,
      stop: () => {
        listeners.delete(listener);
        if (listeners.size === 0 && this.#channels.get(channel)?.listeners === listeners) {
          this.#channels.delete(channel);
          void this.#subscriber?.unsubscribe(channel).catch(() => {});
        }
      },
    };
  }

  #setAvailable(): void {
    const now =
      this.#connected &&
      !this.#closed &&
      this.#client?.isReady === true &&
      this.#subscriber?.isReady === true;
    if (now === this.#available) return;
    this.#available = now;
    if (now) {
      // Back: whatever a watcher may have missed meanwhile is read now.
      for (const watcher of this.#watchers) void this.#pull(watcher);
    }
    for (const listener of [...this.#availability]) listener(now);
  }

  async #disconnect(): Promise<void> {
    for (const client of [this.#client, this.#subscriber]) {
      if (!client) continue;
      if (client.isOpen) await client.close().catch(() => {});
      try {
        client.destroy();
      } catch {
        // Already closed.
      }
    }
  }
}

/** A reply the server sent as an error. */
class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * The record as its hash's `data` field holds it: the start request (which may carry a long transcript)
 * is written once, at creation, in its own field, not again with every commit.
 */
function withoutRequest(record: SessionRecord): Omit<SessionRecord, 'request'> {
  const { request: _request, ...rest } = record;
  return rest;
}
