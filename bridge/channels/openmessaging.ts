import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { ResolvedBridgeConfig } from '../config.ts';
import { type BridgeError, BridgeFailure, failure, toBridgeError } from '../errors.ts';
import { type HttpResponse, retryAfterMs } from '../http/http-client.ts';
import { platformCallError } from '../platform/platform-client.ts';
import type {
  AdapterContext,
  AdapterOpenRequest,
  AdapterOpenResult,
  ChannelAdapter,
  ChannelAdapterFactory,
  OutboundText,
  SendResult,
} from '../session/channel-adapter.ts';
import { UnconfirmedFailure } from '../session/channel-adapter.ts';
import { openMessagingFailure } from './openmessaging-errors.ts';
import type { HubSession, OpenMessagingHub } from './openmessaging-hub.ts';
import { ConversationPresence, type PresenceChange } from './openmessaging-presence.ts';
import {
  type ConversationSnapshot,
  ConversationSnapshotSchema,
  deliveredReceiptBody,
  InboundMessageAnswerSchema,
  inboundMessageBody,
  inboundTypingBody,
  type OpenCustomer,
  type WebhookBody,
} from './openmessaging-wire.ts';

/**
 * The Open Messaging adapter (platform-extra.md §1). One adapter = one customer on the integration = one
 * Genesys conversation; the customer's id (`channel.from.id`) is the session id, so every transfer starts
 * a conversation of its own.
 *
 * - send: `POST /api/v2/conversations/messages/{integrationId}/inbound/open/message?prefetchConversationId=true`
 *   with the Platform API client's token; the first message carries the metadata as
 *   `channel.metadata.customAttributes` (Participant Data the inbound message flow reads). 429 and 503
 *   are retried after Retry-After and then handed back as refusals (sent again); another 5xx or no answer
 *   may have been applied: findSent looks the text up in the conversation before it is sent again.
 * - typing: `.../inbound/open/event` with a Typing event.
 * - receive: the integration's webhook (verified and de-duplicated by the hub): Outbound Text from a
 *   Human or the Bot, Typing events; each agent message is acknowledged with a Delivered receipt.
 * - presence: the webhook says nothing of agents joining, handing over or leaving, nor of the end; the
 *   hub's queue notifications (and a read after their channel reconnects) show the participants, and
 *   openmessaging-presence.ts turns them into joined, left, transferred and ended.
 * - close: `end` disconnects the customer's participant through the Platform API (the inbound API has no
 *   "customer left"); `detach` only stops listening.
 */
export interface OpenMessagingDeps {
  /** The shared state of the configuration's integration (one per configuration). */
  hubFor: (config: ResolvedBridgeConfig) => OpenMessagingHub;
  newId?: () => string;
}

export function openMessagingAdapter(deps: OpenMessagingDeps): ChannelAdapterFactory {
  return (context) =>
    new OpenMessagingAdapter(context, deps.hubFor(context.config), deps.newId ?? randomUUID);
}

/** How long agent typing shows when the webhook gives no duration (Genesys's own default is 5 s). */
const DEFAULT_TYPING_MS = 5000;

export class OpenMessagingAdapter implements ChannelAdapter, HubSession {
  readonly channel = 'openMessaging' as const;
  readonly metadataPlacement = 'firstMessage' as const;
  readonly agentPresence = 'observed' as const;

  readonly #context: AdapterContext;
  readonly #clock: Clock;
  readonly #hub: OpenMessagingHub;
  readonly #newId: () => string;
  readonly #customer: OpenCustomer;
  readonly #presence = new ConversationPresence();
  /** Genesys ids of this customer's own messages that a confirmed send or findSent accounts for. */
  readonly #claimed = new Set<string>();
  #detach: (() => void) | undefined;
  #conversationId: string | undefined;
  #customerParticipantId: string | undefined;
  #opened = false;
  #closed = false;
  #terminal = false;

  constructor(context: AdapterContext, hub: OpenMessagingHub, newId: () => string) {
    this.#context = context;
    this.#clock = context.clock;
    this.#hub = hub;
    this.#newId = newId;
    const options = context.config.settings.openMessaging;
    this.#customer = { id: context.sessionId, idType: options?.idType ?? 'Opaque' };
  }

  async open(request: AdapterOpenRequest): Promise<AdapterOpenResult> {
    const { customer } = request;
    const full = [customer.firstName, customer.lastName].filter(Boolean).join(' ');
    Object.assign(this.#customer, {
      nickname: customer.displayName ?? (full || customer.id),
      ...(customer.firstName ? { firstName: customer.firstName } : {}),
      ...(customer.lastName ? { lastName: customer.lastName } : {}),
      ...(customer.email ? { email: customer.email } : {}),
    });
    await this.#hub.ready();
    if (this.#closed) throw failure('SESSION_ENDED', 'the session was closed while it was opening');
    this.#detach = this.#hub.attachCustomer(this.#customer.id, this);
    this.#opened = true;
    return {};
  }

  async sendMessage(message: OutboundText): Promise<SendResult> {
    const body = inboundMessageBody(
      this.#customer,
      this.#newId(),
      this.#clock.now(),
      message.text,
      message.attributes,
    );
    const response = await this.#inbound('message?prefetchConversationId=true', body, true);
    const answer = InboundMessageAnswerSchema.safeParse(response.body);
    if (!answer.success) return {};
    this.#claimed.add(normalize(answer.data.id));
    if (answer.data.conversationId) this.#learnConversation(answer.data.conversationId);
    return { providerMessageId: answer.data.id };
  }

  async sendTyping(): Promise<void> {
    await this.#inbound('event', inboundTypingBody(this.#customer, this.#clock.now()), false);
  }

  /**
   * Whether Genesys holds a customer message with this text that no confirmed send accounts for: the
   * conversation's customer messages read through the Platform API. Without a conversation yet (the
   * first message went unanswered) there is nothing to read, so it counts as not sent.
   */
  async findSent(text: string): Promise<SendResult | undefined> {
    const conversationId = this.#conversationId;
    if (!conversationId) return undefined;
    const path = `/api/v2/conversations/messages/${encodeURIComponent(conversationId)}`;
    const read = await this.#hub.platform.request({ method: 'GET', path, retry: 'idempotent' });
    if (read.status !== 200) throw new BridgeFailure(platformCallError('reading the conversation', read));
    const snapshot = ConversationSnapshotSchema.safeParse(read.body);
    if (!snapshot.success)
      throw failure('PROVIDER_UNAVAILABLE', 'Genesys answered the conversation without participants');
    const customer = snapshot.data.participants.find((p) => p.purpose === 'customer');
    const wanted = text.trim();
    for (const entry of customer?.messages ?? []) {
      const id = entry.messageId ?? entry.message?.id;
      if (!id || this.#claimed.has(normalize(id))) continue;
      const one = await this.#hub.platform.request({
        method: 'GET',
        path: `${path}/messages/${encodeURIComponent(id)}`,
        retry: 'idempotent',
      });
      // A message Genesys no longer has is not this one; any other refusal leaves the question open, and
      // answering "not sent" then would make the session send it again: a duplicate for the agent.
      if (one.status === 404) continue;
      if (one.status !== 200) throw new BridgeFailure(platformCallError('reading a customer message', one));
      const found = one.body as { textBody?: unknown; normalizedMessage?: { text?: unknown } } | undefined;
      const said = typeof found?.textBody === 'string' ? found.textBody : found?.normalizedMessage?.text;
      if (typeof said === 'string' && said.trim() === wanted) {
        this.#claimed.add(normalize(id));
        return { providerMessageId: normalize(id) };
      }
    }
    return undefined;
  }

  async close(mode: 'end' | 'detach'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach?.();
    this.#detach = undefined;
    if (mode !== 'end' || this.#terminal || this.#conversationId === undefined) return;
    try {
      const participantId = this.#customerParticipantId ?? (await this.#readCustomerParticipant());
      if (!participantId) return;
      const response = await this.#hub.platform.request({
        method: 'PATCH',
        path: `/api/v2/conversations/messages/${encodeURIComponent(this.#conversationId)}/participants/${encodeURIComponent(participantId)}`,
        body: { state: 'disconnected' },
        retry: 'idempotent',
      });
      // Already over in Genesys is the goal reached.
      if (response.status >= 300 && response.status !== 400 && response.status !== 404)
        this.#context.events.error(platformCallError('ending the conversation', response));
    } catch (thrown) {
      this.#context.events.error(toBridgeError(thrown));
    }
  }

  // ── from the hub ──────────────────────────────────────────────────────────────────────────────────

  webhook(body: WebhookBody): void {
    if (this.#closed || this.#terminal) return;
    if (body.conversationId) this.#learnConversation(body.conversationId);
    if (body.direction !== undefined && body.direction !== 'Outbound') return;
    const occurredAt = body.channel.time;
    const at = occurredAt !== undefined ? { occurredAt } : {};
    if (body.type === 'Event') {
      for (const event of body.events ?? []) {
        if (event.eventType === 'Typing' && event.typing?.type !== 'Off') {
          this.#context.events.typing({ durationMs: event.typing?.duration ?? DEFAULT_TYPING_MS, ...at });
        } else if (event.eventType === 'Presence' && event.presence?.type === 'Disconnect') {
          // Only with an emulator fidelity switch, or if Genesys ever sends it: the conversation is over.
          this.#ended({
            kind: 'ended',
            hadAgent: this.#presence.agent !== undefined,
            ...(occurredAt ? { at: occurredAt } : {}),
          });
        }
      }
      return;
    }
    if (body.type !== 'Text' && body.type !== 'Structured') return;
    const attachments = (body.content ?? []).flatMap((c) =>
      c.attachment?.url
        ? [
            {
              url: c.attachment.url,
              ...(c.attachment.mime ? { mimeType: c.attachment.mime } : {}),
              ...(c.attachment.filename ? { fileName: c.attachment.filename } : {}),
            },
          ]
        : [],
    );
    if ((body.text ?? '') === '' && attachments.length === 0) return;
    const bot = body.originatingEntity === 'Bot';
    const agent = this.#presence.agent;
    this.#context.events.message({
      id: body.id,
      ...(body.text ? { text: body.text } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
      ...at,
      sender: bot ? { kind: 'bot' } : { kind: 'human', ...(agent ? { agent } : {}) },
    });
    if (this.#context.config.settings.openMessaging?.receipts !== false) void this.#receipt(body.id);
  }

  conversation(snapshot: ConversationSnapshot): void {
    if (this.#closed || this.#terminal) return;
    const customer = snapshot.participants.find((p) => p.purpose === 'customer');
    if (customer) this.#customerParticipantId = customer.id;
    for (const change of this.#presence.update(snapshot)) this.#report(change);
  }

  error(error: BridgeError): void {
    if (!this.#closed && !this.#terminal) this.#context.events.error(error);
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────────────

  #report(change: PresenceChange): void {
    const events = this.#context.events;
    switch (change.kind) {
      case 'joined':
        events.agentJoined(change.agent, change.at);
        return;
      case 'left':
        events.agentLeft(change.agent, change.continues, change.at);
        return;
      case 'transferred':
        events.transferred({
          kind: change.to === 'unknown' ? 'unknown' : change.to,
          from: change.from,
          inferred: false,
          ...(change.at !== undefined ? { occurredAt: change.at } : {}),
        });
        return;
      case 'ended':
        this.#ended(change);
        return;
    }
  }

  #ended(change: Extract<PresenceChange, { kind: 'ended' }>): void {
    if (this.#terminal || !this.#opened) return;
    this.#terminal = true;
    this.#context.events.ended({
      reason: 'agentEnded',
      by: change.hadAgent ? 'agent' : 'system',
      ...(change.at !== undefined ? { occurredAt: change.at } : {}),
    });
  }

  #learnConversation(conversationId: string): void {
    if (this.#conversationId !== undefined) return;
    this.#conversationId = conversationId;
    this.#hub.claimConversation(conversationId, this);
    this.#context.events.conversation?.(conversationId);
  }

  /**
   * The customer's participant id, to disconnect it; undefined when the conversation is gone (404: the
   * end is reached) or has no customer. A refused or unreadable answer throws, so the end is reported
   * as failed rather than skipped in silence (the customer would stay connected in Genesys).
   */
  async #readCustomerParticipant(): Promise<string | undefined> {
    const read = await this.#hub.platform.request({
      method: 'GET',
      path: `/api/v2/conversations/messages/${encodeURIComponent(this.#conversationId ?? '')}`,
      retry: 'idempotent',
    });
    if (read.status === 404) return undefined;
    if (read.status !== 200)
      throw new BridgeFailure(platformCallError('reading the conversation to end it', read));
    const snapshot = ConversationSnapshotSchema.safeParse(read.body);
    if (!snapshot.success)
      throw failure('PROVIDER_UNAVAILABLE', 'Genesys answered the conversation without participants');
    return snapshot.data.participants.find((p) => p.purpose === 'customer')?.id;
  }

  async #receipt(genesysMessageId: string): Promise<void> {
    try {
      await this.#inbound(
        'receipt',
        deliveredReceiptBody(this.#customer, genesysMessageId, this.#clock.now()),
        false,
      );
    } catch {
      // Best effort: without a receipt the agent sees the message as sent rather than delivered.
    }
  }

  /** One inbound API call; a message send that got no answer at all is unconfirmed (it may have arrived). */
  async #inbound(kind: string, body: unknown, isMessage: boolean): Promise<HttpResponse> {
    const path = `/api/v2/conversations/messages/${encodeURIComponent(this.#hub.integrationId)}/inbound/open/${kind}`;
    let response: HttpResponse;
    try {
      response = await this.#hub.platform.request({ method: 'POST', path, body, retry: 'refusalsOnly' });
    } catch (thrown) {
      const error = toBridgeError(thrown);
      if (isMessage && error.code === 'PROVIDER_UNAVAILABLE') throw new UnconfirmedFailure(error);
      throw thrown;
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw openMessagingFailure(
      response.status,
      response.body,
      retryAfterMs(response.headers.get('retry-after'), this.#clock.now()),
    );
  }
}

function normalize(id: string): string {
  return id.replaceAll('-', '').toLowerCase();
}
