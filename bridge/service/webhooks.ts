import type { Clock, TimerHandle } from '../clock.ts';
import { BridgeFailure } from '../errors.ts';
import type { FetchLike } from '../http/http-client.ts';
import type { WebhookOutbox } from '../index.ts';
import type { BridgeEvent } from '../types.ts';
import type { WebhookSettings } from './settings.ts';
import { signWebhookBody } from './webhook-signing.ts';

/**
 * Push delivery (bridge.md §4.8 "Webhook push"): every event is POSTed as JSON to one URL, in seq order
 * per session (seq n+1 leaves only after seq n was acknowledged with a 2xx), sessions independently of
 * each other. Each attempt is signed at the time it leaves (`X-Bridge-Signature: t=<unix s>,v1=<hex>`,
 * see webhook-signing.ts), so a receiver can refuse replays with verifyWebhookSignature's tolerance.
 *
 * - 5xx, 408, 429, network errors and timeouts are retried with exponential backoff and jitter, honouring
 *   Retry-After, up to `maxAttempts`; any other answer is final.
 * - After a final failure the session's delivery pauses (reported through onGiveUp); its next event
 *   resumes it from the first undelivered one, so order holds and nothing is skipped. The events stay
 *   readable from the bridge (`GET .../events?afterSeq=`) either way.
 * - Events are read back from the bridge's log rather than copied here, so a paused session costs a cursor.
 * - With a shared store (several instances), the session's owner delivers: each acknowledged seq is saved
 *   in the store, and a session this instance takes over resumes from there (at least once: an event
 *   acknowledged just before its owner died may be delivered again; receivers dedupe on eventId). A
 *   session this instance no longer owns stops here. While the store is unreachable, delivery waits.
 */
export interface WebhookEventSource {
  /** The session's events after afterSeq, in order; rejects when the session is gone. */
  readEvents(sessionId: string, options: { afterSeq: number }): Promise<BridgeEvent[]>;
}

export interface WebhookFailure {
  sessionId: string;
  eventId: string;
  seq: number;
  attempts: number;
  /** HTTP status of the last attempt, when there was an answer. */
  status?: number;
  reason: string;
}

export interface WebhookDeps {
  source: WebhookEventSource;
  clock: Clock;
  fetch: FetchLike;
  /** Jitter; defaults to Math.random. */
  random?: () => number;
  onGiveUp?: (failure: WebhookFailure) => void;
  /** With a shared store: the stored cursors and who owns each session. */
  outbox?: WebhookOutbox;
}

interface Cursor {
  /** Highest seq acknowledged by the receiver. */
  delivered: number;
  busy: boolean;
  /** A new event arrived while the loop was reading. */
  dirty: boolean;
}

type Attempt =
  | { ok: true }
  | { ok: false; retryable: boolean; reason: string; status?: number; retryAfterMs?: number };

export class WebhookDispatcher {
  readonly #settings: WebhookSettings;
  readonly #deps: WebhookDeps;
  readonly #cursors = new Map<string, Cursor>();
  readonly #waits = new Set<{ timer: TimerHandle; wake: () => void }>();
  readonly #inFlight = new Set<AbortController>();
  readonly #idleWaiters = new Set<() => void>();
  #closed = false;

  constructor(settings: WebhookSettings, deps: WebhookDeps) {
    this.#settings = settings;
    this.#deps = deps;
  }

  /** True when nothing is being delivered or waiting for a retry. */
  get idle(): boolean {
    return [...this.#cursors.values()].every((c) => !c.busy);
  }

  /** Hands a new event over; delivery starts at once unless the session is already delivering. */
  notify(event: BridgeEvent): void {
    if (this.#closed) return;
    let cursor = this.#cursors.get(event.sessionId);
    if (!cursor) {
      // With a shared store the stored cursor says where to start (read in #run): 0 until it is read.
      cursor = { delivered: this.#deps.outbox ? -1 : event.seq - 1, busy: false, dirty: false };
      this.#cursors.set(event.sessionId, cursor);
    }
    cursor.dirty = true;
    if (!cursor.busy) void this.#run(event.sessionId, cursor);
  }

  /** Lets deliveries in progress finish for up to drainMs, then abandons the rest. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (!this.idle && this.#settings.drainMs > 0) {
      await new Promise<void>((resolve) => {
        let timer: TimerHandle | undefined;
        const finish = () => {
          this.#deps.clock.clearTimeout(timer);
          this.#idleWaiters.delete(finish);
          resolve();
        };
        timer = this.#deps.clock.setTimeout(finish, this.#settings.drainMs);
        this.#idleWaiters.add(finish);
      });
    }
    this.#closed = true;
    for (const wait of this.#waits) {
      this.#deps.clock.clearTimeout(wait.timer);
      wait.wake();
    }
    this.#waits.clear();
    for (const controller of this.#inFlight) controller.abort();
  }

  async #run(sessionId: string, cursor: Cursor): Promise<void> {
    cursor.busy = true;
    const { outbox } = this.#deps;
    try {
      while (!this.#closed) {
        cursor.dirty = false;
        if (outbox && !outbox.owns(sessionId)) {
          // Another instance delivers this session's events now.
          this.#cursors.delete(sessionId);
          return;
        }
        let next: BridgeEvent | undefined;
        try {
          if (cursor.delivered < 0 && outbox) cursor.delivered = (await outbox.cursor(sessionId)) ?? 0;
          next = (await this.#deps.source.readEvents(sessionId, { afterSeq: cursor.delivered }))[0];
        } catch (thrown) {
          if (thrown instanceof BridgeFailure && thrown.error.code === 'STORE_UNAVAILABLE') {
            // The store is unreachable: try again shortly, from the same place.
            await this.#wait(this.#backoff(1, thrown.error.retryAfterMs));
            continue;
          }
          // The session was evicted: there is nothing left to deliver, ever.
          this.#cursors.delete(sessionId);
          return;
        }
        if (!next) {
          if (cursor.dirty) continue;
          return;
        }
        const failure = await this.#deliver(next);
        if (this.#closed) return;
        if (failure) {
          if (next.type === 'session.ended') this.#cursors.delete(sessionId);
          this.#deps.onGiveUp?.(failure);
          return;
        }
        cursor.delivered = next.seq;
        outbox?.save(sessionId, next.seq).catch(() => {
          // At least once: if this is lost, a later owner delivers this event again.
        });
        if (next.type === 'session.ended') {
          this.#cursors.delete(sessionId);
          return;
        }
      }
    } finally {
      cursor.busy = false;
      if (this.idle) for (const wake of [...this.#idleWaiters]) wake();
    }
  }

  /** Delivers one event with retries; resolves undefined once acknowledged, else the final failure. */
  async #deliver(event: BridgeEvent): Promise<WebhookFailure | undefined> {
    const body = JSON.stringify(event);
    for (let attempt = 1; ; attempt++) {
      const result = await this.#attempt(event, body, attempt);
      if (result.ok) return undefined;
      if (!result.retryable || attempt >= this.#settings.maxAttempts || this.#closed) {
        return {
          sessionId: event.sessionId,
          eventId: event.eventId,
          seq: event.seq,
          attempts: attempt,
          reason: result.reason,
          ...(result.status !== undefined ? { status: result.status } : {}),
        };
      }
      await this.#wait(this.#backoff(attempt, result.retryAfterMs));
    }
  }

  async #attempt(event: BridgeEvent, body: string, attempt: number): Promise<Attempt> {
    const { clock, fetch } = this.#deps;
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(), this.#settings.timeoutMs);
    this.#inFlight.add(controller);
    const sentAt = clock.now();
    try {
      const response = await fetch(this.#settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-bridge-event-id': event.eventId,
          'x-bridge-event-type': event.type,
          'x-bridge-session-id': event.sessionId,
          'x-bridge-seq': String(event.seq),
          // Informational (ms); the signed time is the signature's `t`.
          'x-bridge-timestamp': String(sentAt),
          'x-bridge-delivery-attempt': String(attempt),
          'x-bridge-signature': signWebhookBody(this.#settings.secret, body, sentAt / 1000),
        },
        body,
        signal: controller.signal,
      });
      // The answer's body is not used; releasing it frees the connection.
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return { ok: true };
      const status = response.status;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return {
        ok: false,
        status,
        retryable: status >= 500 || status === 408 || status === 429,
        reason: `the receiver answered ${status}`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    } catch (thrown) {
      const reason = controller.signal.aborted
        ? `no answer within ${this.#settings.timeoutMs} ms`
        : `network error: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
      return { ok: false, retryable: true, reason };
    } finally {
      clock.clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
  }

  /** Exponential with equal jitter: half the step fixed, half random; never shorter than Retry-After. */
  #backoff(attempt: number, retryAfterMs: number | undefined): number {
    const { initialDelayMs, maxDelayMs } = this.#settings;
    const step = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
    const jittered = step / 2 + (this.#deps.random ?? Math.random)() * (step / 2);
    return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, maxDelayMs)));
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wait = {
        timer: this.#deps.clock.setTimeout(() => {
          this.#waits.delete(wait);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#waits.add(wait);
    });
  }
}

/** Retry-After as seconds or an HTTP date; only the seconds form matters for receivers in practice. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d{1,7}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}
