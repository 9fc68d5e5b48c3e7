import type { Clock, TimerHandle } from '../clock.ts';
import type { ResolvedBridgeConfig } from '../config.ts';
import { type BridgeError, bridgeError, failure, toBridgeError } from '../errors.ts';
import { fitMetadata } from '../metadata.ts';
import type {
  AgentInfo,
  BridgeEventBody,
  Connectivity,
  CustomerMessage,
  EndedBy,
  EndReason,
  MetadataReport,
  SendAck,
  SessionSnapshot,
  SessionState,
  StartTransferRequest,
} from '../types.ts';
import {
  type ChannelAdapter,
  type ChannelAdapterFactory,
  type ChannelEvents,
  type ProviderEnd,
  type ProviderMessage,
  type SendResult,
  UnconfirmedFailure,
} from './channel-adapter.ts';
import { type AppendMeta, EventLog } from './event-log.ts';
import { type HoldMode, type OrderedItem, ReconnectGap } from './reconnect-gap.ts';
import { ReorderBuffer } from './reorder-buffer.ts';
import { SendQueue, type SendUnit } from './send-queue.ts';
import { SENT_IDS_KEPT, type SessionProgress, type SessionResume } from './session-resume.ts';
import { canTransition } from './session-state.ts';
import { splitText } from './split-text.ts';
import type { TransferPlan } from './transfer-plan.ts';
import { settleWithin, withTimeout } from './with-timeout.ts';

/**
 * One bot→Genesys transfer, independent of the channel. It owns the state machine, the event log, the
 * send queue, the reorder buffer for provider events, dedupe of agent messages (by Genesys message id)
 * and of customer messages (by clientMessageId), and the timers (connect, idle, agent wait). Whatever
 * happens, it ends with exactly one `session.ended`.
 *
 * Nothing accepted is lost across connection drops:
 * - Customer → Genesys: a message whose send the drop left unconfirmed is looked up in Genesys (the
 *   adapter's findSent) before it or anything after it is sent again (see SendQueue).
 * - Genesys → bot: when the connection drops, a gap opens; the adapter's history fills it while newer live
 *   events wait behind it, within a bound (see ReconnectGap), so the bot sees Genesys's order.
 */
export interface TransferSessionInit {
  sessionId: string;
  request: StartTransferRequest;
  config: ResolvedBridgeConfig;
  plan: TransferPlan;
  adapterFactory: ChannelAdapterFactory;
  clock: Clock;
  onListenerError: (error: unknown) => void;
  /** Called once, right after `session.ended`. */
  onEnded: (session: TransferSession) => void;
  /**
   * Set when this process takes the session over from another one (bridge/cluster): it reconnects to the
   * same Genesys conversation instead of opening one, and goes on from where the store says it was.
   */
  resume?: SessionResume;
  /** Told when state that is not an event changed (an opening text confirmed, the conversation id learnt). */
  onProgress?: () => void;
}

export interface StartOutcome {
  state: SessionState;
  error?: BridgeError;
}

interface SendRecord {
  ack: SendAck;
  partsLeft: number;
  failed: boolean;
}

const ENDED_BY: Record<EndReason, EndedBy> = {
  customerEnded: 'customer',
  agentEnded: 'agent',
  botEnded: 'bot',
  idleTimeout: 'system',
  sessionExpired: 'system',
  readOnly: 'system',
  transferFailed: 'system',
  error: 'system',
};

/** Reasons after which the Genesys conversation is already over, so closing only drops the connection. */
const PROVIDER_FINISHED = new Set<EndReason>(['agentEnded', 'sessionExpired', 'readOnly', 'customerEnded']);

export class TransferSession {
  readonly id: string;
  readonly botConversationId: string;
  readonly log: EventLog;
  readonly #init: TransferSessionInit;
  readonly #clock: Clock;
  readonly #adapter: ChannelAdapter;
  readonly #queue: SendQueue;
  readonly #orderer: ReorderBuffer<() => void>;
  readonly #seenProviderIds = new Set<string>();
  readonly #gaps: ReconnectGap;
  readonly #sends = new Map<string, SendRecord>();
  #createdAt: number;
  #updatedAt: number;
  #state: SessionState = 'connecting';
  #connectivity: Connectivity = 'offline';
  #agent: AgentInfo | undefined;
  #conversationId: string | undefined;
  #readOnly = false;
  #endReason: EndReason | undefined;
  #metadataReport: MetadataReport;
  #firstAttributes: Record<string, string> | undefined;
  #opened = false;
  #accepted = false;
  /** endSession started or the session is finishing: no new sends. */
  #closing = false;
  #finished = false;
  #adapterClosed = false;
  #anythingSent = false;
  #startError: BridgeError | undefined;
  #lastTypingAt = Number.NEGATIVE_INFINITY;
  /** Opening texts Genesys confirmed. */
  #startSent = 0;
  /** Provider ids of the latest customer messages Genesys confirmed, for a later owner's lookups. */
  #sentProviderIds: string[] = [];
  #queueTimeoutReported = false;
  /** Handed to another instance (or lost to one): this process no longer speaks for the session. */
  #released = false;
  /** The takeover's reconnect, once start() began it. */
  #resuming: Promise<void> | undefined;
  #typingErrorReported = false;
  /** The last message send handed to the adapter (one is in flight at a time), for a late answer. */
  #lastAttempt: { unit: object; attempt: Promise<SendResult> } | undefined;
  #connectTimer: TimerHandle | undefined;
  #idleTimer: TimerHandle | undefined;
  #agentWaitTimer: TimerHandle | undefined;
  #startWaiters: (() => void)[] = [];
  #endWaiters: (() => void)[] = [];

  constructor(init: TransferSessionInit) {
    this.#init = init;
    this.id = init.sessionId;
    this.botConversationId = init.request.botConversationId;
    this.#clock = init.clock;
    this.#createdAt = init.clock.now();
    this.#updatedAt = this.#createdAt;
    this.#metadataReport = init.plan.fitted.report;
    const resume = init.resume;
    this.log = new EventLog(init.sessionId, init.config.channel, init.clock, init.onListenerError, {
      afterSeq: resume?.snapshot.lastSeq ?? 0,
    });
    if (resume) this.#restore(resume);
    const limits = init.config.settings.limits;
    this.#queue = new SendQueue(init.clock, {
      perSecond: limits.outboundMessagesPerSecond,
      max: limits.outboundQueueMax,
    });
    this.#orderer = new ReorderBuffer(init.clock, init.config.settings.timeouts.reorderWindowMs, (deliver) =>
      deliver(),
    );
    this.#adapter = init.adapterFactory({
      sessionId: init.sessionId,
      config: init.config,
      clock: init.clock,
      events: this.#channelEvents(),
    });
    const { timeouts } = init.config.settings;
    const fetchHistory = this.#adapter.fetchHistory?.bind(this.#adapter);
    this.#gaps = new ReconnectGap({
      clock: init.clock,
      gapHoldMs: timeouts.gapHoldMs,
      gapHoldMax: limits.gapHoldMax,
      reconnectInitialDelayMs: timeouts.reconnectInitialDelayMs,
      reconnectMaxDelayMs: timeouts.reconnectMaxDelayMs,
      reconnectWindowMs: timeouts.reconnectWindowMs,
      fetchHistory,
      online: () => this.#connectivity === 'online',
      finished: () => this.#finished,
      release: (item) => this.#orderer.push(item.deliver, item.at),
      fromHistory: (message) => {
        if (this.#seenProviderIds.has(message.id)) return undefined;
        this.#seenProviderIds.add(message.id);
        return this.#item(message.occurredAt, () => this.#deliverMessage(message), message.id);
      },
      historyEnded: (end) => this.#onProviderEnd(end),
      report: (gap) => {
        if (!this.log.closed) this.#append({ type: 'history.gap', ...gap });
      },
    });
    if (resume) this.#gaps.know(resume.seenProviderIds);
  }

  /** Where a session taken over was, as the store had it. */
  #restore(resume: SessionResume): void {
    const { snapshot, progress } = resume;
    this.#createdAt = Date.parse(snapshot.createdAt);
    this.#updatedAt = Date.parse(snapshot.updatedAt);
    this.#state = snapshot.state;
    this.#connectivity = snapshot.connectivity;
    this.#agent = snapshot.agent ? { ...snapshot.agent } : undefined;
    this.#conversationId = snapshot.provider.conversationId;
    this.#readOnly = snapshot.provider.readOnly === true;
    this.#metadataReport = resume.metadata;
    this.#accepted = progress.accepted;
    this.#anythingSent = progress.anythingSent;
    this.#startSent = progress.startTextsSent;
    this.#firstAttributes = progress.firstAttributes;
    this.#queueTimeoutReported = progress.queueTimeoutReported === true;
    this.#sentProviderIds = [...(progress.sentProviderIds ?? [])];
    for (const id of resume.seenProviderIds) this.#seenProviderIds.add(id);
  }

  /** What the store keeps besides the events, for whoever owns the session next. */
  progress(): SessionProgress {
    return {
      accepted: this.#accepted,
      startTextsSent: this.#startSent,
      anythingSent: this.#anythingSent,
      ...(this.#firstAttributes ? { firstAttributes: this.#firstAttributes } : {}),
      ...(this.#queueTimeoutReported ? { queueTimeoutReported: true } : {}),
      ...(this.#sentProviderIds.length > 0 ? { sentProviderIds: [...this.#sentProviderIds] } : {}),
    };
  }

  /** The adapter's way back into this Genesys conversation (ChannelAdapter.resumeState). */
  adapterState() {
    return this.#adapter.resumeState?.();
  }

  get channel() {
    return this.#init.config.channel;
  }

  get config(): ResolvedBridgeConfig {
    return this.#init.config;
  }

  get state(): SessionState {
    return this.#state;
  }

  get metadataReport(): MetadataReport {
    return this.#metadataReport;
  }

  get ended(): boolean {
    return this.#finished && !this.#released;
  }

  /** Handed to or lost to another instance (see handover, abandon). */
  get released(): boolean {
    return this.#released;
  }

  /** Opens the Genesys conversation; resolves once Genesys accepted the transfer or the session ended. */
  start(): Promise<StartOutcome> {
    const outcome = (): StartOutcome => ({
      state: this.#state,
      ...(this.#startError ? { error: this.#startError } : {}),
    });
    // A session taken over reconnects once, whether or not Genesys had accepted it already.
    const resume = this.#init.resume;
    if (resume && !this.#resuming) this.#resuming = this.#resume(resume);
    if (this.#accepted || this.#finished) return Promise.resolve(outcome());
    const waiting = new Promise<StartOutcome>((resolve) => this.#startWaiters.push(() => resolve(outcome())));
    if (this.#startWaiters.length === 1 && !resume) void this.#open();
    return waiting;
  }

  /** A session taken over: resolves once its reconnect succeeded or failed (at once for others). */
  resumed(): Promise<void> {
    return this.#resuming ?? Promise.resolve();
  }

  /** Resolves when the session has ended (immediately if it has). */
  whenEnded(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    return new Promise((resolve) => this.#endWaiters.push(resolve));
  }

  snapshot(): SessionSnapshot {
    return {
      sessionId: this.id,
      botConversationId: this.botConversationId,
      channel: this.channel,
      state: this.#state,
      connectivity: this.#connectivity,
      ...(this.#agent ? { agent: { ...this.#agent } } : {}),
      lastSeq: this.log.lastSeq,
      createdAt: new Date(this.#createdAt).toISOString(),
      updatedAt: new Date(this.#updatedAt).toISOString(),
      ...(this.#endReason ? { endReason: this.#endReason } : {}),
      provider: {
        ...(this.#conversationId ? { conversationId: this.#conversationId } : {}),
        ...(this.#readOnly ? { readOnly: true } : {}),
      },
    };
  }

  // ── opening ────────────────────────────────────────────────────────────────────────────────────────

  #startConnectTimer(): void {
    const connectMs = this.#init.config.settings.timeouts.connectMs;
    this.#connectTimer = this.#clock.setTimeout(() => {
      this.#connectTimer = undefined;
      this.#finish('transferFailed', {
        error: bridgeError('TIMEOUT', `Genesys did not accept the transfer within ${connectMs} ms`, {
          retryable: true,
        }),
      });
    }, connectMs);
  }

  async #open(): Promise<void> {
    this.#startConnectTimer();
    // Queued before anything else so that customer messages sent while connecting come after them.
    this.#enqueueStartTexts();

    const placement = this.#adapter.metadataPlacement;
    const { plan, request } = this.#init;
    let opened: Awaited<ReturnType<ChannelAdapter['open']>>;
    try {
      opened = await this.#adapter.open({
        customer: request.customer,
        ...(plan.transfer.queueName !== undefined ? { queueName: plan.transfer.queueName } : {}),
        attributes: placement === 'open' ? plan.fitted.attributes : {},
      });
    } catch (thrown) {
      // When endSession is already closing the adapter, it owns the ending (and its reason).
      if (!this.#closing) this.#finish('transferFailed', { error: toBridgeError(thrown) });
      return;
    }
    if (this.#closing) return;
    this.#opened = true;
    this.#conversationId = opened.conversationId;

    if (placement === 'firstMessage') {
      this.#firstAttributes = plan.fitted.attributes;
      if (!this.#refitMetadata(opened.maxCustomDataBytes)) return;
    }
    this.#connectivity = 'online';
    this.#queue.setConnected(true);
    if (placement === 'open' || plan.startTexts.length === 0) this.#accept();
  }

  /** Genesys's own budget replaces the configured one (still nothing but the handshake has been sent). */
  #refitMetadata(budgetBytes: number | undefined): boolean {
    if (budgetBytes === undefined) return true;
    const { settings } = this.#init.config;
    try {
      const refit = fitMetadata(this.#init.plan.transfer, {
        budgetBytes,
        rule: settings.metadata.sizeRule,
        onOversize: settings.metadata.onOversize,
      });
      this.#firstAttributes = refit.attributes;
      this.#metadataReport = refit.report;
      return true;
    } catch (thrown) {
      this.#finish('transferFailed', { error: toBridgeError(thrown) });
      return false;
    }
  }

  /** The opening texts from `from` on; a session taken over after a crash looks each up before sending. */
  #enqueueStartTexts(from = 0, unconfirmed = false): void {
    const texts = this.#init.plan.startTexts;
    texts.forEach((text, index) => {
      if (index < from) return;
      const first = index === 0;
      const self = {};
      const unit: SendUnit = {
        kind: 'message',
        transmit: async () => {
          const attributes =
            first && this.#adapter.metadataPlacement === 'firstMessage' ? this.#firstAttributes : undefined;
          this.#noteSent((await this.#transmit(text, attributes, self)).providerMessageId);
        },
        ...this.#confirmer(text, (found) => this.#noteSent(found.providerMessageId), self),
        sent: () => {
          this.#startSent = Math.max(this.#startSent, index + 1);
          this.#init.onProgress?.();
          if (first && this.#adapter.metadataPlacement === 'firstMessage') this.#accept();
        },
        failed: (error) => {
          if (!this.#accepted) this.#finish('transferFailed', { error });
          else if (!this.log.closed) this.#append({ type: 'error', error });
        },
      };
      if (!this.#queue.enqueueMessages([unit], { unconfirmed, force: from > 0 || unconfirmed })) {
        this.#finish('transferFailed', {
          error: bridgeError('QUEUE_FULL', 'the opening messages do not fit in limits.outboundQueueMax'),
        });
      }
    });
  }

  #accept(): void {
    if (this.#accepted || this.#finished) return;
    this.#accepted = true;
    this.#clock.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#setState('queued');
    this.#append(
      { type: 'transfer.accepted' },
      {
        source: 'guestApi',
        ...(this.#conversationId ? { providerRef: { conversationId: this.#conversationId } } : {}),
      },
    );
    this.#touch();
    const wait = this.#init.config.settings.timeouts.agentWaitMs;
    if (wait !== undefined && !this.#agent) {
      this.#startAgentWait(wait, wait);
    }
    this.#releaseStartWaiters();
  }

  #startAgentWait(wait: number, remaining: number): void {
    this.#agentWaitTimer = this.#clock.setTimeout(
      () => {
        this.#agentWaitTimer = undefined;
        if (this.#agent || this.log.closed) return;
        this.#queueTimeoutReported = true;
        this.#append({ type: 'queue.timeout', waitedMs: wait });
      },
      Math.max(0, remaining),
    );
  }

  // ── taking over ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Goes on with a session another process owned: what Genesys had not confirmed is queued again (looked
   * up first when that process may have sent it), the adapter reconnects to the same conversation, and
   * the reconnect is a gap that Genesys's history fills, so the bot gets what it missed, once, in order.
   */
  async #resume(resume: SessionResume): Promise<void> {
    const { settings, channel } = this.#init.config;
    const placement = this.#adapter.metadataPlacement;
    if (!this.#accepted) this.#startConnectTimer();
    this.#enqueueStartTexts(this.#startSent, resume.unconfirmed);
    for (const message of resume.pending) this.#enqueuePending(message, resume.unconfirmed);
    if (!this.#adapter.resume || resume.adapterState === undefined) {
      this.#finish(this.#accepted ? 'error' : 'transferFailed', {
        error: bridgeError(
          'SESSION_ENDED',
          `this ${channel} session cannot be taken over by another instance: its Genesys connection was lost with its owner`,
        ),
      });
      return;
    }
    // The connection the previous owner held is gone: said like any drop, and its gap opens here.
    this.#opened = true;
    this.#connectivity = 'online';
    this.#onConnectivity('reconnecting', resume.since);
    let opened: Awaited<ReturnType<ChannelAdapter['open']>>;
    try {
      opened = await this.#adapter.resume(resume.adapterState, {
        sentProviderIds: this.#sentProviderIds,
        anythingSent: this.#anythingSent,
      });
    } catch (thrown) {
      if (!this.#closing)
        this.#finish(this.#accepted ? 'error' : 'transferFailed', { error: toBridgeError(thrown) });
      return;
    }
    if (this.#closing) return;
    if (!this.#anythingSent && placement === 'firstMessage') {
      this.#firstAttributes ??= this.#init.plan.fitted.attributes;
      if (!this.#refitMetadata(opened.maxCustomDataBytes)) return;
    }
    this.#conversationId ??= opened.conversationId;
    this.#onConnectivity('online');
    if (this.#accepted) {
      this.#touch();
      const wait = settings.timeouts.agentWaitMs;
      if (wait !== undefined && !this.#agent && !this.#queueTimeoutReported) {
        this.#startAgentWait(wait, wait - (this.#clock.now() - this.#createdAt));
      }
    } else if (placement === 'open' || this.#init.plan.startTexts.length === 0) {
      this.#accept();
    }
  }

  /** A customer message accepted before the takeover, queued again in its place. */
  #enqueuePending(message: CustomerMessage, unconfirmed: boolean): void {
    const id = message.clientMessageId;
    if (this.#sends.has(id)) return;
    const parts = splitText(message.text ?? '', this.#init.config.settings.limits.maxTextLength);
    const record: SendRecord = {
      ack: { clientMessageId: id, status: 'queued', parts: parts.length },
      partsLeft: parts.length,
      failed: false,
    };
    this.#sends.set(id, record);
    this.#queue.enqueueMessages(
      parts.map((part) => this.#customerUnit(record, part)),
      { unconfirmed, force: true },
    );
  }

  /**
   * Lets the session go to another instance (a rolling restart): no new sends, the one in flight settles
   * (within sendMs), what arrived is delivered, and the connection is dropped without leaving the Genesys
   * conversation. No `session.ended`: the next owner goes on. Resolves with whether everything it sent was
   * confirmed (then the next owner need not look anything up).
   */
  async handover(): Promise<{ clean: boolean }> {
    if (this.#finished) return { clean: true };
    this.#closing = true;
    const sendMs = this.#init.config.settings.timeouts.sendMs;
    const settled = await settleWithin(this.#queue.hold(), this.#clock, sendMs);
    if (this.#finished) return { clean: true };
    this.#orderer.flush();
    this.#release();
    await settleWithin(this.#adapter.close('detach'), this.#clock, sendMs);
    return { clean: settled !== undefined && !this.#queue.unconfirmed };
  }

  /** Another instance owns the session now: stop at once, keeping the Genesys conversation. */
  abandon(): void {
    if (this.#finished) return;
    this.#closing = true;
    this.#release();
    void this.#adapter.close('detach');
  }

  #release(): void {
    this.#released = true;
    this.#finished = true;
    for (const timer of [this.#connectTimer, this.#idleTimer, this.#agentWaitTimer])
      this.#clock.clearTimeout(timer);
    this.#connectTimer = this.#idleTimer = this.#agentWaitTimer = undefined;
    this.#gaps.dispose();
    this.#orderer.dispose();
    this.#adapterClosed = true;
    this.#releaseStartWaiters();
    for (const wake of this.#endWaiters.splice(0)) wake();
  }

  #noteSent(providerMessageId: string | undefined): void {
    if (providerMessageId === undefined) return;
    this.#sentProviderIds.push(providerMessageId);
    if (this.#sentProviderIds.length > SENT_IDS_KEPT) this.#sentProviderIds.shift();
  }

  // ── customer → Genesys ─────────────────────────────────────────────────────────────────────────────

  sendCustomerMessage(message: CustomerMessage): SendAck {
    const existing = this.#sends.get(message.clientMessageId);
    if (existing) return { ...existing.ack, status: 'duplicate' };
    const id = message.clientMessageId;
    if (this.#closing)
      throw failure('SESSION_ENDED', `session ${this.id} has ended`, { clientMessageId: id });
    if (this.#readOnly) {
      this.#refuse(
        id,
        bridgeError('SESSION_READ_ONLY', 'the Genesys conversation is read-only', { clientMessageId: id }),
      );
    }
    if (message.attachments && message.attachments.length > 0) {
      this.#refuse(
        id,
        bridgeError('ATTACHMENTS_UNSUPPORTED', 'this bridge sends text only; attachments are not supported', {
          clientMessageId: id,
          correctiveAction: 'Send a link to the file as text',
        }),
      );
    }
    const text = message.text ?? '';
    if (text.trim() === '') {
      this.#refuse(
        id,
        bridgeError('INVALID_REQUEST', 'a customer message needs text', { clientMessageId: id }),
      );
    }
    const { maxTextLength, longText } = this.#init.config.settings.limits;
    if (text.length > maxTextLength && longText === 'reject') {
      this.#refuse(
        id,
        bridgeError(
          'MESSAGE_TOO_LONG',
          `the message is ${text.length} characters; the limit is ${maxTextLength}`,
          {
            clientMessageId: id,
            correctiveAction: 'Shorten the message or set limits.longText to "split"',
          },
        ),
      );
    }
    const parts = splitText(text, maxTextLength);
    const record: SendRecord = {
      ack: { clientMessageId: id, status: 'queued', parts: parts.length },
      partsLeft: parts.length,
      failed: false,
    };
    const units = parts.map((part): SendUnit => this.#customerUnit(record, part));
    if (!this.#queue.enqueueMessages(units)) {
      this.#refuse(
        id,
        bridgeError('QUEUE_FULL', 'too many messages are waiting for Genesys; try again shortly', {
          clientMessageId: id,
          retryable: true,
        }),
      );
    }
    this.#sends.set(id, record);
    this.#touch();
    return { ...record.ack };
  }

  #customerUnit(record: SendRecord, text: string): SendUnit {
    const id = record.ack.clientMessageId;
    let providerMessageId: string | undefined;
    const self = {};
    return {
      kind: 'message',
      transmit: async () => {
        if (record.failed) return;
        const result = await this.#transmit(text, undefined, self);
        providerMessageId = result.providerMessageId;
        this.#noteSent(providerMessageId);
      },
      ...this.#confirmer(
        text,
        (found) => {
          providerMessageId = found.providerMessageId;
          this.#noteSent(providerMessageId);
        },
        self,
      ),
      sent: () => {
        if (record.failed) return;
        record.partsLeft -= 1;
        if (record.partsLeft > 0) return;
        record.ack = { ...record.ack, status: 'sent', ...(providerMessageId ? { providerMessageId } : {}) };
        this.#append(
          {
            type: 'message.status',
            clientMessageId: id,
            status: 'sent',
            ...(providerMessageId ? { providerMessageId } : {}),
          },
          {
            source: 'guestApi',
            ...(providerMessageId ? { providerRef: { messageId: providerMessageId } } : {}),
          },
        );
      },
      failed: (error) => {
        if (record.failed) return;
        record.failed = true;
        if (error.code === 'SESSION_READ_ONLY') this.#readOnly = true;
        if (!this.log.closed) {
          this.#append({
            type: 'message.status',
            clientMessageId: id,
            status: 'failed',
            error: { ...error, clientMessageId: id },
          });
        }
      },
    };
  }

  /** Reports a refused customer message on the stream and to the caller. */
  #refuse(clientMessageId: string, error: BridgeError): never {
    if (!this.log.closed) this.#append({ type: 'message.status', clientMessageId, status: 'failed', error });
    throw failure(error.code, error.message, error);
  }

  /** `unit` names the send unit, so that only its own late answer can confirm it (see #confirmer). */
  #transmit(text: string, attributes: Record<string, string> | undefined, unit: object) {
    this.#anythingSent = true;
    const sendMs = this.#init.config.settings.timeouts.sendMs;
    const attempt = this.#adapter.sendMessage({ text, ...(attributes ? { attributes } : {}) });
    // A late failure of a timed-out attempt is looked at by the lookup, not left unhandled.
    attempt.catch(() => {});
    this.#lastAttempt = { unit, attempt };
    return withTimeout(attempt, this.#clock, sendMs, () =>
      this.#adapter.findSent
        ? new UnconfirmedFailure(
            bridgeError(
              'TIMEOUT',
              `Genesys did not confirm the message within ${sendMs} ms; the bridge looks it up before sending it again`,
              { retryable: true },
            ),
          )
        : failure(
            'TIMEOUT',
            `Genesys did not confirm the message within ${sendMs} ms; it was not resent to avoid a duplicate`,
            { retryable: true },
          ),
    );
  }

  /**
   * The lookup a send unit runs after an unconfirmed attempt (when the adapter can look messages up):
   * true when Genesys has the text (`found` gets its result), false when it is safe to send it again.
   */
  #confirmer(text: string, found: (result: SendResult) => void, unit: object): Pick<SendUnit, 'confirm'> {
    const findSent = this.#adapter.findSent?.bind(this.#adapter);
    if (!findSent) return {};
    const sendMs = this.#init.config.settings.timeouts.sendMs;
    return {
      confirm: async () => {
        // A send that timed out may still be answered: give it one more sendMs before searching Genesys,
        // so that a slow Genesys is not mistaken for a lost message (and the message sent twice).
        // Only this unit's own attempt: a message a session took over was never sent from this process, and
        // the last attempt then belongs to another message.
        const late = this.#lastAttempt?.unit === unit ? this.#lastAttempt.attempt : undefined;
        if (late) this.#lastAttempt = undefined;
        const outcome = late ? await settleWithin(late, this.#clock, sendMs) : undefined;
        if (outcome?.ok) {
          found(outcome.value);
          return true;
        }
        const result = await withTimeout(findSent(text), this.#clock, sendMs, () =>
          failure('TIMEOUT', `Genesys's history did not answer within ${sendMs} ms`, { retryable: true }),
        );
        if (result) found(result);
        return result !== undefined;
      },
    };
  }

  /** Best effort: coalesced, throttled to typingMinIntervalMs, dropped first under pressure. */
  sendTyping(isTyping: boolean): void {
    // Genesys guest typing has only "On"; an "off" simply lets the indicator expire.
    if (!isTyping || this.#closing || !this.#accepted || this.#readOnly) return;
    const now = this.#clock.now();
    if (now - this.#lastTypingAt < this.#init.config.settings.limits.typingMinIntervalMs) return;
    const sendMs = this.#init.config.settings.timeouts.sendMs;
    const queued = this.#queue.enqueueTyping({
      kind: 'typing',
      transmit: () =>
        withTimeout(this.#adapter.sendTyping(), this.#clock, sendMs, () =>
          failure('TIMEOUT', 'typing was not confirmed'),
        ),
      sent: () => {},
      failed: (error) => {
        // Typing is best effort; say once per session why it does not work (e.g. typing disabled: 403).
        if (
          this.#typingErrorReported ||
          this.log.closed ||
          error.code === 'RATE_LIMITED' ||
          error.code === 'TIMEOUT'
        )
          return;
        this.#typingErrorReported = true;
        this.#append({ type: 'error', error });
      },
    });
    if (queued) this.#lastTypingAt = now;
  }

  // ── ending ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Leaves the Genesys conversation and ends the session; resolves after `session.ended`. `promptly`
   * (the bridge shutting down): nothing waits on the session's clock, neither the customer's last
   * messages nor a leave Genesys refused for the rate.
   */
  async end(
    reason: EndReason = 'botEnded',
    { promptly = false }: { promptly?: boolean } = {},
  ): Promise<void> {
    if (this.#closing) return this.whenEnded();
    this.#closing = true;
    const { settings, channel } = this.#init.config;
    const mode = channel === 'webMessaging' && settings.webMessaging.endMode === 'detach' ? 'detach' : 'end';
    const connectMs = settings.timeouts.connectMs;
    // When the customer leaves, what they wrote just before goes first, at the pace Genesys allows (a
    // message takes its turn in the 2-per-second window, the leave comes after it); a queue that cannot
    // move (Genesys unreachable) gets sendMs per waiting message, and what is still waiting then fails
    // as the session ends. When the bot ends the session, what waits fails at once (the bot chose to
    // stop; each message reports SESSION_ENDED before session.ended).
    if (reason === 'customerEnded' && !promptly && !this.#finished && !this.#queue.idle) {
      const pace = 1000 / Math.max(1, settings.limits.outboundMessagesPerSecond);
      const budget = (settings.timeouts.sendMs + pace) * (this.#queue.size + 1);
      await settleWithin(this.#queue.drained(), this.#clock, budget);
    }
    try {
      await withTimeout(this.#adapter.close(mode, { patient: !promptly }), this.#clock, connectMs, () =>
        failure('TIMEOUT', 'close timed out'),
      );
    } catch {
      // Leaving is best effort: the session ends either way, and Genesys expires abandoned guests.
    }
    this.#adapterClosed = true;
    this.#finish(reason);
  }

  #finish(reason: EndReason, opts: { error?: BridgeError; by?: EndedBy } = {}): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#closing = true;
    for (const timer of [this.#connectTimer, this.#idleTimer, this.#agentWaitTimer])
      this.#clock.clearTimeout(timer);
    this.#connectTimer = this.#idleTimer = this.#agentWaitTimer = undefined;
    // Events waiting behind an unfilled gap are delivered (saying the gap stays unfilled), then those still
    // in the reorder window: all before the end, never after it.
    this.#gaps.close();
    this.#orderer.flush();
    if (reason === 'agentEnded' && this.#adapter.agentPresence === 'inferred' && this.#agent) {
      this.#append(
        { type: 'agent.left', agent: this.#agent, conversationContinues: false },
        { inferred: true },
      );
    }
    if (opts.error) {
      if (!this.#accepted) this.#startError = opts.error;
      this.#append({ type: 'error', error: opts.error });
    }
    this.#queue.close(
      bridgeError('SESSION_ENDED', `session ended (${reason}) before Genesys confirmed the message`),
    );
    this.#setState(reason === 'transferFailed' ? 'failed' : 'ended');
    this.#endReason = reason;
    // The connection is closed from here on, whatever it was doing when the session ended.
    this.#connectivity = 'offline';
    this.#append({ type: 'session.ended', reason, by: opts.by ?? ENDED_BY[reason] });
    this.#orderer.dispose();
    if (!this.#adapterClosed) {
      this.#adapterClosed = true;
      // A Web Messaging conversation exists only once a message went out; before that there is nothing to leave.
      const nothingStarted = this.#adapter.metadataPlacement === 'firstMessage' && !this.#anythingSent;
      void this.#adapter.close(PROVIDER_FINISHED.has(reason) || nothingStarted ? 'detach' : 'end');
    }
    this.#releaseStartWaiters();
    for (const wake of this.#endWaiters.splice(0)) wake();
    this.#init.onEnded(this);
  }

  #releaseStartWaiters(): void {
    for (const wake of this.#startWaiters.splice(0)) wake();
  }

  // ── Genesys → bot ──────────────────────────────────────────────────────────────────────────────────

  #channelEvents(): ChannelEvents {
    return {
      message: (message) => this.#onMessage(message),
      typing: (typing) => {
        if (this.#finished) return;
        this.#touch();
        this.#ordered(typing.occurredAt, () => {
          const at = typing.occurredAt ?? this.#clock.now();
          this.#append(
            {
              type: 'agent.typing',
              isTyping: true,
              ...(typing.durationMs !== undefined
                ? { expiresAt: new Date(at + typing.durationMs).toISOString() }
                : {}),
            },
            {
              source: 'guestApi',
              ...(typing.occurredAt !== undefined ? { occurredAt: typing.occurredAt } : {}),
            },
          );
        });
      },
      agentJoined: (agent, occurredAt) =>
        this.#ordered(occurredAt, () => this.#agentJoined(agent, { source: 'guestApi', ...at(occurredAt) })),
      agentLeft: (agent, conversationContinues, occurredAt) =>
        this.#ordered(
          occurredAt,
          () => {
            this.#append(
              { type: 'agent.left', agent, conversationContinues },
              { source: 'guestApi', ...at(occurredAt) },
            );
            if (conversationContinues) {
              this.#agent = undefined;
              this.#setState('transferring');
            }
          },
          // The agent leaving for good comes with the end: after what the gap holds.
          conversationContinues ? {} : { hold: 'always' },
        ),
      transferred: (change) =>
        this.#ordered(change.occurredAt, () => {
          this.#append(
            { type: 'transfer.changed', kind: change.kind, ...(change.from ? { from: change.from } : {}) },
            { source: 'guestApi', inferred: change.inferred, ...at(change.occurredAt) },
          );
          this.#setState('transferring');
        }),
      ended: (end) => this.#onProviderEnd(end),
      connectivity: (state) => this.#onConnectivity(state),
      conversation: (conversationId) => {
        this.#conversationId ??= conversationId;
        this.#init.onProgress?.();
      },
      error: (error) => {
        if (!this.#finished) this.#append({ type: 'error', error });
      },
    };
  }

  /** Provider events go through the reorder buffer, or wait behind an open gap (see HoldMode). */
  #ordered(
    occurredAt: number | undefined,
    deliver: () => void,
    options: { messageId?: string; hold?: HoldMode } = {},
  ): void {
    if (this.#finished) return;
    this.#gaps.route(this.#item(occurredAt, deliver, options.messageId), options.hold);
  }

  #item(occurredAt: number | undefined, deliver: () => void, messageId?: string): OrderedItem {
    return {
      at: occurredAt,
      deliver: () => {
        if (!this.log.closed) deliver();
      },
      ...(messageId !== undefined ? { messageId } : {}),
    };
  }

  #onMessage(message: ProviderMessage): void {
    if (this.#finished || this.#seenProviderIds.has(message.id)) return;
    this.#seenProviderIds.add(message.id);
    this.#touch();
    this.#ordered(message.occurredAt, () => this.#deliverMessage(message), { messageId: message.id });
  }

  #deliverMessage(message: ProviderMessage): void {
    const meta: AppendMeta = {
      source: 'guestApi',
      providerRef: { messageId: message.id },
      ...at(message.occurredAt),
    };
    const body = {
      id: message.id,
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.attachments ? { attachments: message.attachments } : {}),
      ...(message.quickReplies ? { quickReplies: message.quickReplies } : {}),
    };
    if (message.sender.kind === 'bot') {
      this.#append({ type: 'agent.message', origin: 'bot', message: body }, meta);
      return;
    }
    let agent = message.sender.agent;
    if (this.#adapter.agentPresence === 'inferred') {
      // Web Messaging never says "agent joined" or "transferred": the first human message, or one from a
      // different agent, is the only evidence.
      const known = this.#agent;
      if (!known) {
        this.#agentJoined(agent ?? {}, { ...meta, inferred: true });
      } else if (agent && differentAgent(known, agent)) {
        this.#append(
          { type: 'transfer.changed', kind: 'unknown', from: known, to: agent },
          { ...meta, inferred: true },
        );
        this.#agentJoined(agent, { ...meta, inferred: true });
      }
    }
    agent = agent ?? this.#agent;
    this.#append(
      { type: 'agent.message', origin: 'human', ...(agent ? { agent } : {}), message: body },
      meta,
    );
  }

  #agentJoined(agent: AgentInfo, meta: AppendMeta): void {
    this.#agent = agent;
    this.#clock.clearTimeout(this.#agentWaitTimer);
    this.#agentWaitTimer = undefined;
    this.#setState('agentActive');
    const { providerRef: _ignored, ...rest } = meta;
    this.#append({ type: 'agent.joined', agent }, rest);
  }

  #onProviderEnd(end: ProviderEnd): void {
    // A bot-initiated end owns the reason; Genesys's confirmation of it is not a second ending.
    if (this.#closing) return;
    // An end that is part of the conversation takes its place behind an open gap: the agent ended it, or
    // Genesys made the session read-only (a read-only session can still read its history). One that makes
    // the history unreadable (expiry, a lost session, reconnecting given up) comes now.
    const waits = end.reason === 'agentEnded' || end.reason === 'readOnly';
    this.#ordered(
      end.occurredAt,
      () => {
        if (end.reason === 'readOnly') this.#readOnly = true;
        this.#finish(end.reason, { by: end.by, ...(end.error ? { error: end.error } : {}) });
      },
      { hold: waits ? 'always' : 'never' },
    );
    if (waits) this.#gaps.endWaits();
  }

  #onConnectivity(state: Connectivity, droppedAt?: number): void {
    if (this.#finished || !this.#opened || state === this.#connectivity) return;
    const recovered = state === 'online';
    this.#connectivity = state;
    this.#append({ type: 'connection.changed', connectivity: state });
    if (!recovered) this.#gaps.dropped(droppedAt);
    this.#queue.setConnected(recovered);
    if (recovered) this.#gaps.reconnected();
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────────────

  #append(body: BridgeEventBody, meta: AppendMeta = {}): void {
    this.#updatedAt = this.#clock.now();
    this.log.append(body, meta);
  }

  #setState(next: SessionState): void {
    if (next !== this.#state && canTransition(this.#state, next)) this.#state = next;
  }

  /** Any traffic either way postpones the idle timeout. */
  #touch(): void {
    if (this.#finished || !this.#accepted) return;
    this.#clock.clearTimeout(this.#idleTimer);
    const idleMs = this.#init.config.settings.timeouts.idleMs;
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = undefined;
      void this.end('idleTimeout');
    }, idleMs);
  }
}

function at(occurredAt: number | undefined): { occurredAt?: number } {
  return occurredAt !== undefined ? { occurredAt } : {};
}

function differentAgent(a: AgentInfo, b: AgentInfo): boolean {
  if (a.id !== undefined && b.id !== undefined) return a.id !== b.id;
  if (a.displayName !== undefined && b.displayName !== undefined) return a.displayName !== b.displayName;
  return false;
}
