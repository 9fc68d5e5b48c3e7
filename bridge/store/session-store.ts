import { BridgeFailure, bridgeError } from '../errors.ts';
import type { SessionProgress } from '../session/session-resume.ts';
import type {
  BridgeEvent,
  CustomerMessage,
  JsonValue,
  MetadataReport,
  SessionSnapshot,
  SessionState,
  StartTransferRequest,
} from '../types.ts';

export type { SessionProgress } from '../session/session-resume.ts';

/**
 * The durable state of the bridge's sessions, shared by every instance that uses the same store
 * (bridge.md §4.9). It knows nothing of Genesys channels: a channel's way back into its conversation
 * (the Web Messaging guest token, the WebChat member and JWT, ...) is an opaque `resume` value.
 *
 * - Records: one per session, created together with its idempotency key and its bot conversation's
 *   pointer, answered by getSession/findSession on any instance.
 * - Event log: per session, gap-free from seq 1, appended only by the session's owner (commit), read and
 *   followed (watch) by any instance from any afterSeq.
 * - Dedupe: the Genesys message ids the log delivered, and a ledger of customer messages by
 *   clientMessageId (pending, sent, failed).
 * - Commands: an ordered inbox per session (customer messages, end) any instance submits to and the owner
 *   takes from, plus best-effort signals (a wake-up, typing) to whoever owns the session now.
 * - Ownership: a lease per live session with a TTL its owner renews; every owner write is fenced by it,
 *   so an instance that lost a lease can no longer change the session. Sessions whose lease expired or
 *   was released are orphans another instance takes over.
 * - Webhook outbox: the highest seq the bot's webhook acknowledged, per session.
 * - Retention: finish() keeps everything of an ended session for `retentionMs`, then it is gone.
 */

export interface SessionRecord {
  sessionId: string;
  idempotencyKey: string;
  /** Canonical JSON of the start request: a replay with another payload is IDEMPOTENCY_CONFLICT. */
  fingerprint: string;
  botConversationId: string;
  /** The validated start request (its plan is rebuilt from it on takeover). */
  request: StartTransferRequest;
  /** What getSession answers; `lastSeq` is the last event in the store. */
  snapshot: SessionSnapshot;
  metadata: MetadataReport;
  /** The channel adapter's way back into the same Genesys conversation. */
  resume?: JsonValue;
  progress: SessionProgress;
  /** When the owner last wrote (ms), where a takeover's gap begins. */
  writtenAt: number;
  /** The owner released it with nothing in flight (a handover): nothing needs looking up in Genesys. */
  handedOver?: boolean;
}

/** Ownership of one live session; every owner write carries it. */
export interface Lease {
  sessionId: string;
  owner: string;
  /** Increases with each new owner (the fencing token). */
  epoch: number;
}

export type SessionCommand =
  | { type: 'message'; message: CustomerMessage; acceptedAt: number }
  | { type: 'end'; reason: 'botEnded' | 'customerEnded' };

export interface StoredCommand {
  /** Position in the session's inbox (increasing). */
  id: string;
  command: SessionCommand;
}

/** A customer message as the ledger knows it. */
export interface MessageEntry {
  clientMessageId: string;
  status: 'pending' | 'sent' | 'failed';
  parts: number;
  providerMessageId?: string;
  /** It failed in a way that allows trying again with the same clientMessageId (QUEUE_FULL, ...). */
  retryable?: boolean;
}

export type SubmitOutcome =
  /** `previousId`: the command before it in the inbox (none when it is the first). */
  | { kind: 'accepted'; commandId: string; previousId?: string }
  | { kind: 'duplicate'; entry: MessageEntry }
  | { kind: 'noSession' }
  | { kind: 'ended'; state: SessionState };

/** What the owner writes at once, all or nothing, fenced by its lease. */
export interface Commit {
  /** Next events of the log, in seq order, continuing it without a gap. */
  events?: BridgeEvent[];
  record?: SessionRecord;
  /** Genesys message ids these events delivered. */
  providerIds?: string[];
  /** Ledger changes (merged into the entries; parts are kept). */
  messages?: Omit<MessageEntry, 'parts'>[];
}

export type SessionSignal = { type: 'wake' } | { type: 'typing' };

export type CreateOutcome = { created: true; lease: Lease } | { created: false; existing: SessionRecord };

export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  /** For messages: `memory` or the Redis URL without credentials. */
  readonly label: string;
  /** False while the store cannot be reached (then every call rejects with STORE_UNAVAILABLE). */
  readonly available: boolean;
  /** Rejects with STORE_UNAVAILABLE naming the store when it cannot be reached. */
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Called with each change of `available`; returns the remover. */
  onAvailability(listener: (available: boolean) => void): () => void;

  /** Creates the session with its idempotency key and takes its lease; or answers the key's session. */
  create(record: SessionRecord, owner: string, leaseTtlMs: number): Promise<CreateOutcome>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** The latest session of a bot conversation. */
  find(botConversationId: string): Promise<SessionRecord | undefined>;
  /** Rejects with LeaseLostError when `lease` is no longer the session's. */
  commit(lease: Lease, commit: Commit): Promise<void>;
  /** The session ended: it stops being live, its lease is gone, everything expires after retentionMs. */
  finish(lease: Lease, retentionMs: number): Promise<void>;

  /** Events with seq > afterSeq, in order (at most `limit`). */
  readEvents(sessionId: string, afterSeq: number, limit?: number): Promise<BridgeEvent[]>;
  /**
   * Calls listener with each event after afterSeq, in seq order and once each: what the log holds, then
   * new ones as they are committed. Returns the stop function.
   */
  watch(sessionId: string, afterSeq: number, listener: (event: BridgeEvent) => void): () => void;
  providerIds(sessionId: string): Promise<string[]>;

  /** Adds a command to the session's inbox (a message only once per clientMessageId) and wakes its owner. */
  submit(sessionId: string, command: SessionCommand, parts?: number): Promise<SubmitOutcome>;
  /** Inbox commands after `afterId` (all without it), oldest first. */
  commands(sessionId: string, afterId?: string): Promise<StoredCommand[]>;
  messages(sessionId: string): Promise<MessageEntry[]>;
  /** Best effort: tells the session's owner, if one listens now. */
  signal(sessionId: string, signal: SessionSignal): Promise<void>;
  /**
   * The owner listens for its session's signals; resolves with the stop function once listening (a
   * command submitted from then on is sure to wake it).
   */
  listen(sessionId: string, listener: (signal: SessionSignal) => void): Promise<() => void>;

  /** Takes an orphaned session's lease (undefined when it is owned or no longer live). */
  acquire(sessionId: string, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends the leases; resolves with the ones that were lost. */
  renew(leases: readonly Lease[], ttlMs: number): Promise<Lease[]>;
  /** Gives the session up now (a handover): it is an orphan at once and onReleased listeners hear of it. */
  release(lease: Lease): Promise<void>;
  /** Live sessions nobody owns (lease expired or released), at most `limit`. */
  orphans(limit: number): Promise<string[]>;
  onReleased(listener: (sessionId: string) => void): () => void;

  /** The highest seq the webhook receiver acknowledged (undefined before the first). */
  outboxCursor(sessionId: string): Promise<number | undefined>;
  /** Moves the cursor forward (never back). */
  saveOutboxCursor(sessionId: string, seq: number): Promise<void>;
}

/** The store could not be reached: retryable, the caller should come back shortly. */
export function storeUnavailable(label: string, cause?: unknown): BridgeFailure {
  const reason = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  return new BridgeFailure(
    bridgeError(
      'STORE_UNAVAILABLE',
      `the session store (${label}) is unreachable${reason ? `: ${reason}` : ''}`,
      {
        retryable: true,
        retryAfterMs: 1000,
      },
    ),
  );
}

export function isStoreUnavailable(thrown: unknown): boolean {
  return thrown instanceof BridgeFailure && thrown.error.code === 'STORE_UNAVAILABLE';
}

/** The session's lease belongs to someone else now: this instance must let the session go. */
export class LeaseLostError extends Error {
  constructor(readonly sessionId: string) {
    super(`the lease of session ${sessionId} was lost`);
    this.name = 'LeaseLostError';
  }
}

export function leaseToken(lease: Lease): string {
  return `${lease.owner}#${lease.epoch}`;
}

/** A record's stored state, for the checks a non-owner makes. */
export function isFinishedState(state: SessionState): boolean {
  return state === 'ended' || state === 'failed';
}
