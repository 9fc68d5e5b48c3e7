import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.ts';
import { type BridgeError, BridgeFailure, bridgeError, failure, toBridgeError } from '../errors.ts';
import { type FetchLike, HttpClient } from '../http/http-client.ts';
import {
  type AdapterContext,
  type AdapterOpenResult,
  type AdapterResumeContext,
  type ChannelAdapter,
  type ChannelAdapterFactory,
  type HistoryCatchUp,
  type HistorySince,
  NotDeliveredFailure,
  type OutboundText,
  type ProviderEnd,
  type ProviderMessage,
  type SendResult,
  UnconfirmedFailure,
} from '../session/channel-adapter.ts';
import { withTimeout } from '../session/with-timeout.ts';
import type { JsonValue } from '../types.ts';
import { backoffDelay, Reconnector } from './reconnector.ts';
import { type GuestSocket, type SocketFactory, wsSocketFactory } from './socket.ts';
import {
  type ClientFrame,
  configureSessionFrame,
  echoFrame,
  getJwtFrame,
  parseServerFrame,
  presenceClearFrame,
  type ServerFrame,
  type SessionInfo,
  type StructuredBody,
  textMessageFrame,
  typingFrame,
} from './webmessaging-frames.ts';
import { WebMessagingHistory } from './webmessaging-history.ts';
import { DEFAULT_AGENT_TYPING_MS, toProviderMessage, webMessagingFailure } from './webmessaging-mapping.ts';

/**
 * The Web Messaging guest adapter (guest-protocols.md part 2). One adapter = one guest session token =
 * one Genesys conversation:
 *
 * - open: socket to `{webSocketUrl}?deploymentId=…&application=…` (Origin header when configured), then
 *   `configureSession {token, deploymentId, startNew:false}` → `SessionResponse` (its maxCustomDataBytes
 *   becomes the metadata budget). Initial connection failures are retried within connectMs, except 403.
 * - send: `onMessage` Text (custom attributes in `message.channel.metadata.customAttributes`), confirmed by
 *   the Inbound echo carrying the same tracingId; its id is the provider message id. Typing is an
 *   `onMessage` Event Typing On, confirmed the same way. Error frames answer the request with their
 *   tracingId, or (without one) the oldest request waiting; 4029 and other retryable errors are refusals
 *   (NotDelivered: Genesys answered, so it did not take the message). A socket that drops before the echo
 *   leaves the send unconfirmed; findSent then looks for the guest's message in the history (an Inbound
 *   Text with that text that no confirmed send claimed) so the session neither loses nor repeats it.
 * - receive: Outbound Text/Structured → agent or bot messages; Event Typing → agent typing; Event
 *   Presence Disconnect → the conversation ended; SessionExpiredEvent, SessionClearedEvent,
 *   ConnectionClosedEvent, LogoutEvent → ended.
 * - liveness: app-level `echo` every heartbeatMs; a missed reply drops the socket.
 * - reconnect: on an unexpected close, backoff from reconnectInitialDelayMs to reconnectMaxDelayMs within
 *   reconnectWindowMs, re-sending configureSession with the same token. `readOnly:true` ends the session
 *   (read-only) once the session has read the history (a read-only session may still read it),
 *   `newSession:true` ends it at once (Genesys lost the session). Then the session asks fetchHistory.
 * - history: `getJwt` on the socket, then GET /api/v2/webmessaging/messages (see webmessaging-history.ts),
 *   walking back from the newest page to a message the session already had.
 * - close: `end` sends Presence Clear and waits for SessionClearedEvent (a 403 means Conversation Clear is
 *   disabled: reported, then the socket is just closed); `detach` only closes the socket.
 */
export interface WebMessagingDeps {
  socketFactory?: SocketFactory;
  fetch?: FetchLike;
  newId?: () => string;
  /** Jitter source for reconnect backoff. */
  random?: () => number;
}

export function webMessagingAdapter(deps: WebMessagingDeps = {}): ChannelAdapterFactory {
  return (context) => new WebMessagingAdapter(context, deps);
}

type PendingKind = 'session' | 'message' | 'typing' | 'echo' | 'jwt' | 'clear';

interface Pending {
  kind: PendingKind;
  resolve: (frame: ServerFrame) => void;
  reject: (failure: BridgeFailure) => void;
}

/** Requests an untraced rate-limit refusal may answer: the onMessage family, oldest first. */
const ON_MESSAGE_KINDS: readonly PendingKind[] = ['message', 'typing', 'clear'];
/** Requests an untraced error frame may answer (not the echo health check or getJwt). */
const ERROR_TARGET_KINDS: readonly PendingKind[] = ['session', 'message', 'typing', 'clear'];
const TYPING_CONFIRM_MS = 2000;
/** Presence Clear refused for the rate is sent again this many times, after the pause asked (capped). */
const CLEAR_RETRIES = 3;
const DEFAULT_CLEAR_PAUSE_MS = 1000;
const MAX_CLEAR_PAUSE_MS = 2000;

export class WebMessagingAdapter implements ChannelAdapter {
  readonly channel = 'webMessaging' as const;
  readonly metadataPlacement = 'firstMessage' as const;
  readonly agentPresence = 'inferred' as const;

  readonly #context: AdapterContext;
  readonly #clock: Clock;
  readonly #socketFactory: SocketFactory;
  readonly #newId: () => string;
  readonly #random: () => number;
  readonly #history: WebMessagingHistory;
  #token: string;
  readonly #pending = new Map<string, Pending>();
  /** Ids of the guest's own messages Genesys confirmed (echo) or findSent found: each counts once. */
  readonly #claimedInbound = new Set<string>();
  #socket: GuestSocket | undefined;
  #connection = 0;
  /** The current socket has a configured session. */
  #live = false;
  #opened = false;
  /** close() was called: never reconnect again. */
  #closed = false;
  /** The conversation is over (reported through `ended`): never reconnect again. */
  #terminal = false;
  readonly #reconnector: Reconnector;
  #heartbeatTimer: TimerHandle | undefined;
  #echoOutstanding: string | undefined;
  #failConnect: ((error: BridgeFailure) => void) | undefined;

  constructor(context: AdapterContext, deps: WebMessagingDeps) {
    this.#context = context;
    this.#clock = context.clock;
    this.#socketFactory = deps.socketFactory ?? wsSocketFactory;
    this.#newId = deps.newId ?? randomUUID;
    this.#random = deps.random ?? Math.random;
    this.#token = this.#newId();
    const { settings, hosts } = context.config;
    this.#reconnector = new Reconnector(
      context.clock,
      settings.timeouts,
      this.#random,
      () => this.#connect().then((session) => this.#resumed(session)),
      () =>
        this.#reportEnd({
          reason: 'error',
          by: 'system',
          error: bridgeError(
            'RECONNECT_EXHAUSTED',
            `could not reconnect to Genesys Web Messaging within ${settings.timeouts.reconnectWindowMs} ms`,
          ),
        }),
    );
    this.#history = new WebMessagingHistory({
      http: new HttpClient({ fetch: deps.fetch ?? fetch, clock: context.clock, random: this.#random }),
      clock: context.clock,
      apiBase: hosts.apiBase,
      ...(settings.origin ? { origin: settings.origin } : {}),
      pageSize: settings.webMessaging.historyPageSize,
      maxPages: settings.webMessaging.historyMaxPages,
    });
  }

  /** The guest session token (exposed for diagnostics and tests; it is a secret toward Genesys). */
  get token(): string {
    return this.#token;
  }

  async open(): Promise<AdapterOpenResult> {
    const session = await this.#connectWithin(this.#context.config.settings.timeouts.connectMs);
    if (!session.connected || session.readOnly) {
      this.#dropSocket();
      throw failure(
        session.readOnly ? 'SESSION_READ_ONLY' : 'PROVIDER_UNAVAILABLE',
        session.readOnly
          ? 'Genesys opened the new guest session read-only'
          : 'Genesys did not connect the guest session',
      );
    }
    this.#opened = true;
    this.#live = true;
    this.#startHeartbeat();
    return session.maxCustomDataBytes !== undefined ? { maxCustomDataBytes: session.maxCustomDataBytes } : {};
  }

  /** Connects and configures the session, retrying with backoff for up to `ms` (never after a 403). */
  async #connectWithin(ms: number): Promise<SessionInfo> {
    const deadline = this.#clock.now() + ms;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#connect();
      } catch (thrown) {
        const error = toBridgeError(thrown);
        const delay = this.#backoff(attempt);
        if (this.#closed || error.code === 'FORBIDDEN' || this.#clock.now() + delay >= deadline) throw thrown;
        await this.#sleep(delay);
        if (this.#closed) throw thrown;
      }
    }
  }

  /** The guest token is all another process needs to reconnect to this conversation. */
  resumeState(): JsonValue {
    return { token: this.#token };
  }

  /**
   * In the process that took the session over: configureSession with the token the first process opened it
   * with resumes the same guest session and conversation (guest-protocols.md §2.10), retried within
   * reconnectWindowMs. A new session means Genesys no longer knows the token: fine only when nothing was
   * ever sent (the conversation starts with the first message), else the session expired. A read-only
   * session is reported online and then ended, like a reconnect that finds it read-only, so the session
   * reads what the agent sent before the end.
   */
  async resume(state: JsonValue, context: AdapterResumeContext): Promise<AdapterOpenResult> {
    const token =
      typeof state === 'object' && state !== null && !Array.isArray(state) ? state['token'] : undefined;
    if (typeof token !== 'string' || token === '') {
      throw failure(
        'SESSION_NOT_FOUND',
        'the stored session has no Web Messaging guest token to resume with',
      );
    }
    this.#token = token;
    for (const id of context.sentProviderIds) this.#claimedInbound.add(id);
    const { connectMs, reconnectWindowMs } = this.#context.config.settings.timeouts;
    const session = await this.#connectWithin(Math.max(connectMs, reconnectWindowMs));
    if (session.newSession && context.anythingSent) {
      this.#dropSocket();
      throw failure(
        'SESSION_EXPIRED',
        'Genesys no longer knows the guest session (it answered with a new session)',
      );
    }
    if (!session.connected && !session.readOnly) {
      this.#dropSocket();
      throw failure('PROVIDER_UNAVAILABLE', 'Genesys did not connect the guest session', { retryable: true });
    }
    this.#opened = true;
    this.#live = true;
    if (session.readOnly) {
      this.#context.events.connectivity('online');
      this.#reportEnd({ reason: 'readOnly', by: 'system' });
    } else {
      this.#startHeartbeat();
    }
    return session.maxCustomDataBytes !== undefined ? { maxCustomDataBytes: session.maxCustomDataBytes } : {};
  }

  async sendMessage(message: OutboundText): Promise<SendResult> {
    const tracingId = this.#newId();
    const reply = await this.#request(
      'message',
      tracingId,
      textMessageFrame(this.#token, tracingId, message.text, message.attributes),
    );
    if (reply.kind !== 'structured') return {};
    this.#claimedInbound.add(reply.message.id);
    return { providerMessageId: reply.message.id };
  }

  /**
   * Whether Genesys holds a guest message with this text that no confirmed send accounts for: the history
   * back to the last claimed one (one send is in flight at a time, so anything older is accounted for).
   * Genesys may normalise surrounding whitespace, so texts compare trimmed.
   */
  async findSent(text: string): Promise<SendResult | undefined> {
    const bodies = await this.#history.fetchSince(() => this.#requestJwt(), this.#claimedInbound);
    const wanted = text.trim();
    const match = bodies.find(
      (b) =>
        b.direction === 'Inbound' &&
        b.type === 'Text' &&
        (b.text ?? '').trim() === wanted &&
        !this.#claimedInbound.has(b.id),
    );
    if (!match) return undefined;
    this.#claimedInbound.add(match.id);
    return { providerMessageId: match.id };
  }

  /**
   * Resolves on the Inbound echo of the typing event, or TYPING_CONFIRM_MS after writing it: typing is
   * best effort and must not hold the send queue for a full send timeout if Genesys does not echo it.
   */
  async sendTyping(): Promise<void> {
    const tracingId = this.#newId();
    const request = this.#request('typing', tracingId, typingFrame(this.#token, tracingId));
    let timer: TimerHandle | undefined;
    const assumeDelivered = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(() => {
        this.#pending.delete(tracingId);
        resolve();
      }, TYPING_CONFIRM_MS);
    });
    try {
      await Promise.race([request, assumeDelivered]);
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  async close(mode: 'end' | 'detach', options: { patient?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#stopTimers();
    if (mode === 'end' && this.#live && !this.#terminal) {
      const sendMs = this.#context.config.settings.timeouts.sendMs;
      try {
        const retries = options.patient === true ? CLEAR_RETRIES : 0;
        await withTimeout(this.#clear(retries), this.#clock, sendMs + retries * MAX_CLEAR_PAUSE_MS, () =>
          failure('TIMEOUT', 'Genesys did not confirm Presence Clear'),
        );
      } catch (thrown) {
        const error = toBridgeError(thrown);
        this.#context.events.error(
          error.code === 'FORBIDDEN'
            ? bridgeError(
                'FORBIDDEN',
                'Conversation Clear is not enabled on this Messenger deployment: the bridge detached and the Genesys conversation stays open until the agent ends it',
                {
                  provider: error.provider ?? {},
                  correctiveAction:
                    'Enable Conversation Clear in the Messenger configuration, or set webMessaging.endMode to "detach"',
                },
              )
            : error,
        );
      }
    }
    this.#closed = true;
    this.#dropSocket();
    this.#rejectAll(bridgeError('SESSION_ENDED', 'the session was closed'));
  }

  /**
   * Presence Clear, sent again after the pause Genesys asks for when it is refused for the rate (a leave
   * right after the customer's last messages shares their 2-per-second window): without it the
   * conversation would stay open in Genesys.
   */
  async #clear(retries: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const tracingId = this.#newId();
      try {
        await this.#request('clear', tracingId, presenceClearFrame(this.#token, tracingId));
        return;
      } catch (thrown) {
        const error = toBridgeError(thrown);
        if (error.code !== 'RATE_LIMITED' || attempt >= retries || this.#terminal) throw thrown;
        const pause = Math.min(MAX_CLEAR_PAUSE_MS, error.retryAfterMs ?? DEFAULT_CLEAR_PAUSE_MS);
        await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, pause));
      }
    }
  }

  async fetchHistory(since?: HistorySince): Promise<HistoryCatchUp> {
    const bodies = await this.#history.fetchSince(() => this.#requestJwt(), since?.knownIds ?? new Set());
    const messages: ProviderMessage[] = [];
    let ended: ProviderEnd | undefined;
    for (const body of bodies) {
      if (body.direction !== 'Outbound') continue;
      if (body.type === 'Event') {
        if (body.events.some((e) => e.eventType === 'Presence' && e.presence?.type === 'Disconnect')) {
          ended = {
            reason: 'agentEnded',
            by: 'agent',
            ...(body.time !== undefined ? { occurredAt: body.time } : {}),
          };
        }
        continue;
      }
      const message = toProviderMessage(body);
      if (message) messages.push(message);
    }
    // Not terminal yet: the session may read again (a drop during this read); it closes the adapter when
    // it ends.
    return { messages, ...(ended ? { ended } : {}) };
  }

  // ── connection ─────────────────────────────────────────────────────────────────────────────────────

  #url(): string {
    const { config } = this.#context;
    const query = new URLSearchParams({
      deploymentId: this.#deploymentId(),
      application: config.settings.webMessaging.application,
    });
    return `${config.webSocketUrl}?${query.toString()}`;
  }

  /** The Messenger deployment (config.ts requires it for this channel). */
  #deploymentId(): string {
    return this.#context.config.settings.deploymentId ?? '';
  }

  /** Opens a socket and configures the session on it; resolves with the SessionResponse. */
  #connect(): Promise<SessionInfo> {
    this.#dropSocket();
    const connection = ++this.#connection;
    const origin = this.#context.config.settings.origin;
    const connectMs = this.#context.config.settings.timeouts.connectMs;
    return new Promise<SessionInfo>((resolve, reject) => {
      let settled = false;
      const timer = this.#clock.setTimeout(() => {
        fail(failure('TIMEOUT', `no SessionResponse within ${connectMs} ms`, { retryable: true }));
        if (current()) this.#dropSocket();
      }, connectMs);
      const fail = (error: BridgeFailure) => {
        if (settled) return;
        settled = true;
        this.#clock.clearTimeout(timer);
        if (this.#failConnect === fail) this.#failConnect = undefined;
        reject(error);
      };
      this.#failConnect = fail;
      const current = () => connection === this.#connection;
      const socket = this.#socketFactory(this.#url(), origin ? { Origin: origin } : {}, {
        open: () => {
          if (!current()) return;
          const tracingId = this.#newId();
          this.#pending.set(tracingId, {
            kind: 'session',
            resolve: (frame) => {
              if (frame.kind !== 'session' || settled) return;
              settled = true;
              this.#clock.clearTimeout(timer);
              this.#failConnect = undefined;
              resolve(frame.session);
            },
            reject: fail,
          });
          try {
            socket.send(JSON.stringify(configureSessionFrame(this.#token, this.#deploymentId(), tracingId)));
          } catch (thrown) {
            this.#pending.delete(tracingId);
            fail(
              failure('PROVIDER_UNAVAILABLE', `could not configure the session: ${String(thrown)}`, {
                retryable: true,
              }),
            );
          }
        },
        message: (text) => {
          if (current()) this.#onFrame(text);
        },
        close: (code, reason) => {
          if (!current()) return;
          fail(
            failure(
              'PROVIDER_UNAVAILABLE',
              `Genesys closed the socket (${code}${reason ? ` ${reason}` : ''})`,
              { retryable: true },
            ),
          );
          this.#onSocketGone();
        },
        error: (error) => {
          if (!current()) return;
          if (error.status === 403) {
            fail(
              failure('FORBIDDEN', 'Genesys refused the Web Messaging socket (403)', {
                provider: { code: 403 },
                correctiveAction:
                  'Check deploymentId, that the Messenger deployment is active, and its allowed domains (origin)',
              }),
            );
          } else {
            fail(
              failure('PROVIDER_UNAVAILABLE', `Web Messaging socket error: ${error.message}`, {
                retryable: true,
              }),
            );
          }
        },
      });
      this.#socket = socket;
    });
  }

  /** The current socket is gone: fail what waited on it and, for a live session, reconnect. */
  #onSocketGone(): void {
    const wasLive = this.#live;
    this.#live = false;
    this.#socket = undefined;
    this.#stopHeartbeat();
    // A send whose echo never came may or may not have reached Genesys: unconfirmed, not NotDelivered.
    this.#rejectAll(
      bridgeError('PROVIDER_UNAVAILABLE', 'the Web Messaging connection dropped before Genesys confirmed', {
        retryable: true,
      }),
      true,
    );
    if (wasLive && this.#opened && !this.#closed && !this.#terminal) this.#startReconnecting();
  }

  #startReconnecting(): void {
    if (this.#reconnector.active) return;
    this.#context.events.connectivity('reconnecting');
    this.#reconnector.start();
  }

  #resumed(session: SessionInfo): void {
    if (this.#closed || this.#terminal) return;
    if (session.readOnly) {
      // The conversation ended while the socket was down. A read-only session may still read its history:
      // reported online first, so the session reads what the agent sent before the end, then ends.
      this.#live = true;
      this.#context.events.connectivity('online');
      this.#reportEnd({ reason: 'readOnly', by: 'system' });
      return;
    }
    if (session.newSession || !session.connected) {
      this.#reportEnd({
        reason: 'sessionExpired',
        by: 'system',
        error: bridgeError(
          'SESSION_EXPIRED',
          'Genesys no longer knows the guest session (it answered with a new session)',
        ),
      });
      return;
    }
    this.#live = true;
    this.#startHeartbeat();
    this.#context.events.connectivity('online');
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, this.#context.config.settings.timeouts, this.#random);
  }

  #startHeartbeat(): void {
    const every = this.#context.config.settings.webMessaging.heartbeatMs;
    if (every === 0) return;
    this.#stopHeartbeat();
    this.#heartbeatTimer = this.#clock.setTimeout(() => this.#beat(every), every);
  }

  #beat(every: number): void {
    this.#heartbeatTimer = undefined;
    if (!this.#live) return;
    if (this.#echoOutstanding !== undefined) {
      // The last echo went unanswered for a whole interval: the connection is dead even if TCP says not.
      this.#pending.delete(this.#echoOutstanding);
      this.#echoOutstanding = undefined;
      const socket = this.#socket;
      this.#onSocketGone();
      this.#connection++;
      socket?.terminate();
      return;
    }
    const tracingId = this.#newId();
    this.#echoOutstanding = tracingId;
    this.#request('echo', tracingId, echoFrame(this.#token, tracingId)).then(
      () => {
        if (this.#echoOutstanding === tracingId) this.#echoOutstanding = undefined;
      },
      () => {},
    );
    this.#heartbeatTimer = this.#clock.setTimeout(() => this.#beat(every), every);
  }

  #stopHeartbeat(): void {
    this.#clock.clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    this.#echoOutstanding = undefined;
  }

  #stopTimers(): void {
    this.#stopHeartbeat();
    this.#reconnector.stop();
  }

  #dropSocket(): void {
    // A connect still waiting on this socket must settle, or open()/reconnect would hang.
    this.#failConnect?.(
      failure('PROVIDER_UNAVAILABLE', 'the connection attempt was abandoned', { retryable: true }),
    );
    const socket = this.#socket;
    this.#socket = undefined;
    this.#live = false;
    this.#connection++;
    socket?.close();
  }

  // ── requests and frames ────────────────────────────────────────────────────────────────────────────

  #request(kind: PendingKind, tracingId: string, frame: ClientFrame): Promise<ServerFrame> {
    const socket = this.#socket;
    if (!socket || !this.#live || this.#closed) {
      return Promise.reject(
        new NotDeliveredFailure(
          bridgeError('PROVIDER_UNAVAILABLE', 'the Web Messaging connection is not open', {
            retryable: true,
          }),
        ),
      );
    }
    return new Promise<ServerFrame>((resolve, reject) => {
      this.#pending.set(tracingId, { kind, resolve, reject });
      try {
        socket.send(JSON.stringify(frame));
      } catch (thrown) {
        this.#pending.delete(tracingId);
        reject(
          new NotDeliveredFailure(
            bridgeError('PROVIDER_UNAVAILABLE', `could not write to the socket: ${String(thrown)}`, {
              retryable: true,
            }),
          ),
        );
      }
    });
  }

  #requestJwt(): Promise<{ jwt: string; expSeconds?: number }> {
    const tracingId = this.#newId();
    return this.#request('jwt', tracingId, getJwtFrame(this.#token, tracingId)).then((frame) => {
      if (frame.kind !== 'jwt')
        throw failure('PROVIDER_UNAVAILABLE', 'Genesys answered getJwt without a JWT');
      return { jwt: frame.jwt, ...(frame.expSeconds !== undefined ? { expSeconds: frame.expSeconds } : {}) };
    });
  }

  /**
   * The request a frame answers. Genesys echoes the request's tracingId, so a frame that names one answers
   * that request only: one no longer waited for (e.g. a typing assumed delivered, a request of an earlier
   * owner) answers nothing, rather than the oldest other request. A frame without a tracingId goes to the
   * oldest waiting request of `kinds`.
   */
  #take(tracingId: string | undefined, kinds?: readonly PendingKind[]): Pending | undefined {
    let key = tracingId !== undefined && this.#pending.has(tracingId) ? tracingId : undefined;
    if (key === undefined && tracingId === undefined && kinds) {
      for (const [id, pending] of this.#pending) {
        if (kinds.includes(pending.kind)) {
          key = id;
          break;
        }
      }
    }
    if (key === undefined) return undefined;
    const pending = this.#pending.get(key);
    this.#pending.delete(key);
    return pending;
  }

  /** Fails every waiting request; with `unconfirmed`, message sends as UnconfirmedFailure (they may have arrived). */
  #rejectAll(error: BridgeError, unconfirmed = false): void {
    for (const [id, pending] of [...this.#pending]) {
      this.#pending.delete(id);
      pending.reject(
        unconfirmed && pending.kind === 'message' ? new UnconfirmedFailure(error) : new BridgeFailure(error),
      );
    }
  }

  #onFrame(text: string): void {
    if (this.#closed) return;
    const frame = parseServerFrame(text);
    switch (frame.kind) {
      case 'session':
        this.#take(frame.tracingId, ['session'])?.resolve(frame);
        return;
      case 'jwt':
        this.#take(frame.tracingId, ['jwt'])?.resolve(frame);
        return;
      case 'structured': {
        const waiting = this.#take(frame.tracingId);
        if (waiting) {
          waiting.resolve(frame);
          return;
        }
        this.#onStructured(frame.message);
        return;
      }
      case 'tooManyRequests': {
        const refusal = webMessagingFailure(4029, frame.text, frame.retryAfterMs);
        const waiting = this.#take(frame.tracingId, ON_MESSAGE_KINDS);
        if (waiting) waiting.reject(refusal);
        else this.#context.events.error(refusal.error);
        return;
      }
      case 'error':
        this.#onErrorFrame(frame.code, frame.text, frame.tracingId);
        return;
      case 'sessionExpired':
        this.#reportEnd({
          reason: 'sessionExpired',
          by: 'system',
          error: bridgeError('SESSION_EXPIRED', 'the Genesys guest session expired'),
        });
        return;
      case 'sessionCleared': {
        const clearing = this.#take(undefined, ['clear']);
        if (clearing) clearing.resolve(frame);
        else
          this.#reportEnd({
            reason: 'error',
            by: 'system',
            error: bridgeError('SESSION_ENDED', 'Genesys cleared the conversation'),
          });
        return;
      }
      case 'connectionClosed':
        this.#reportEnd({
          reason: 'error',
          by: 'system',
          error: bridgeError(
            'SESSION_ENDED',
            `Genesys closed this guest connection${frame.reason ? ` (${frame.reason})` : ''}`,
          ),
        });
        return;
      case 'logout':
        this.#reportEnd({
          reason: 'error',
          by: 'system',
          error: bridgeError('SESSION_ENDED', 'Genesys logged the guest out'),
        });
        return;
      default:
        return;
    }
  }

  #onErrorFrame(code: number, text: string, tracingId: string | undefined): void {
    const mapped = webMessagingFailure(code, text);
    const waiting = this.#take(tracingId, ERROR_TARGET_KINDS);
    // Genesys answered the send with an error, so it did not take it: a retryable one may be sent again.
    if (waiting)
      waiting.reject(
        waiting.kind === 'message' && mapped.error.retryable && !(mapped instanceof NotDeliveredFailure)
          ? new NotDeliveredFailure(mapped.error)
          : mapped,
      );
    switch (mapped.error.code) {
      case 'SESSION_EXPIRED':
        this.#reportEnd({ reason: 'sessionExpired', by: 'system', error: mapped.error });
        return;
      case 'SESSION_NOT_FOUND':
        this.#reportEnd({ reason: 'error', by: 'system', error: mapped.error });
        return;
      case 'SESSION_READ_ONLY':
        this.#reportEnd({ reason: 'readOnly', by: 'system' });
        return;
      default:
        if (!waiting) this.#context.events.error(mapped.error);
    }
  }

  #onStructured(message: StructuredBody): void {
    // Inbound = the guest's own messages; ours are matched by tracingId above, others are not ours to relay.
    if (message.direction !== 'Outbound') return;
    if (message.type === 'Event') {
      for (const event of message.events) {
        if (event.eventType === 'Typing' && event.typing?.type !== 'Off') {
          this.#context.events.typing({
            durationMs: event.typing?.duration ?? DEFAULT_AGENT_TYPING_MS,
            ...(message.time !== undefined ? { occurredAt: message.time } : {}),
          });
        } else if (event.eventType === 'Presence' && event.presence?.type === 'Disconnect') {
          this.#reportEnd({
            reason: 'agentEnded',
            by: 'agent',
            ...(message.time !== undefined ? { occurredAt: message.time } : {}),
          });
        }
      }
      return;
    }
    const providerMessage = toProviderMessage(message);
    if (!providerMessage) return;
    this.#context.events.message(providerMessage);
  }

  #reportEnd(end: ProviderEnd): void {
    // Before open() succeeded, failures reject open() instead.
    if (this.#terminal || !this.#opened) return;
    this.#terminal = true;
    this.#stopTimers();
    this.#context.events.ended(end);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#clock.setTimeout(resolve, ms));
  }
}
