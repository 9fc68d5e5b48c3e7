import type { Clock } from '../clock.ts';
import type { ResolvedBridgeConfig } from '../config.ts';
import { type BridgeError, BridgeFailure, failure, toBridgeError } from '../errors.ts';
import { type FetchLike, HttpClient } from '../http/http-client.ts';
import { NotificationChannel } from '../platform/notification-channel.ts';
import { PlatformClient, platformCallError } from '../platform/platform-client.ts';
import {
  type ConversationSnapshot,
  ConversationSnapshotSchema,
  NotificationFrameSchema,
  QueueListingSchema,
  type WebhookBody,
} from './openmessaging-wire.ts';
import { type SocketFactory, wsSocketFactory } from './socket.ts';

/**
 * What one Open Messaging integration shares between the sessions on it: the Platform API client (the
 * inbound API's token), the webhook deliveries (routed to a session by `channel.to.id`, the customer id
 * the session sent; a retried delivery is dropped by its id), and one notification channel subscribed to
 * every queue's message conversations (`v2.routing.queues.{id}.conversations.messages`), whose snapshots
 * reach the session that owns the conversation. Genesys's webhook says nothing when an agent joins, hands
 * over or leaves (platform-extra.md §1.5), so the queue topics are where the bridge learns it, as vendors
 * do [C-DISC, COG].
 */
export interface HubSession {
  /** A webhook body for this customer (already checked and de-duplicated). */
  webhook(body: WebhookBody): void;
  /** A snapshot of the session's conversation, from a notification or a read after a reconnect. */
  conversation(snapshot: ConversationSnapshot): void;
  /** A problem the bot should hear about (the notification channel is failing). */
  error(error: BridgeError): void;
}

export interface OpenMessagingHubDeps {
  fetch?: FetchLike;
  socketFactory?: SocketFactory;
  random?: () => number;
}

/** Latest snapshots kept for conversations no session claimed yet (a notification can beat the answer). */
const UNCLAIMED_SNAPSHOTS = 500;

export class OpenMessagingHub {
  readonly integrationId: string;
  readonly secret: string;
  readonly platform: PlatformClient;
  readonly #config: ResolvedBridgeConfig;
  readonly #clock: Clock;
  readonly #deps: OpenMessagingHubDeps;
  readonly #customers = new Map<string, HubSession>();
  readonly #conversations = new Map<string, HubSession>();
  readonly #unclaimed = new Map<string, ConversationSnapshot>();
  /** Ids of the webhook bodies already taken, oldest first (bounded by openMessaging.dedupeWindow). */
  readonly #seen = new Set<string>();
  #channel: NotificationChannel | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(config: ResolvedBridgeConfig, clock: Clock, deps: OpenMessagingHubDeps) {
    const open = config.settings.openMessaging;
    const credentials = config.settings.platformApi;
    if (!open || !credentials)
      throw new Error('an Open Messaging hub needs openMessaging and platformApi settings');
    this.integrationId = open.integrationId;
    this.secret = open.webhookSecret;
    this.#config = config;
    this.#clock = clock;
    this.#deps = deps;
    const http = new HttpClient({
      fetch: deps.fetch ?? fetch,
      clock,
      ...(deps.random ? { random: deps.random } : {}),
    });
    this.platform = new PlatformClient(config.hosts, credentials, http, clock);
  }

  /** Logs in and opens the notification channel (once, shared by every session). */
  ready(): Promise<void> {
    this.#ready ??= this.#start().catch((thrown: unknown) => {
      this.#ready = undefined;
      throw thrown;
    });
    return this.#ready;
  }

  attachCustomer(customerId: string, session: HubSession): () => void {
    this.#customers.set(customerId, session);
    return () => {
      if (this.#customers.get(customerId) === session) this.#customers.delete(customerId);
      for (const [id, s] of this.#conversations) if (s === session) this.#conversations.delete(id);
    };
  }

  /** The session owns this conversation: it gets its snapshots from now on (and the latest one seen). */
  claimConversation(conversationId: string, session: HubSession): void {
    this.#conversations.set(conversationId, session);
    const early = this.#unclaimed.get(conversationId);
    this.#unclaimed.delete(conversationId);
    if (early) session.conversation(early);
  }

  /** A verified webhook body: dropped when seen before, else handed to the customer's session. */
  receive(body: WebhookBody): void {
    if (this.#seen.has(body.id)) return;
    this.#seen.add(body.id);
    const max = this.#config.settings.openMessaging?.dedupeWindow ?? 10_000;
    if (this.#seen.size > max) this.#seen.delete(this.#seen.values().next().value as string);
    this.#customers.get(body.channel.to.id)?.webhook(body);
  }

  close(): void {
    this.#closed = true;
    this.#channel?.close();
    this.#customers.clear();
    this.#conversations.clear();
    this.#unclaimed.clear();
  }

  async #start(): Promise<void> {
    await this.platform.token();
    const { settings } = this.#config;
    const channel = new NotificationChannel({
      platform: this.platform,
      socketFactory: this.#deps.socketFactory ?? wsSocketFactory,
      clock: this.#clock,
      random: this.#deps.random ?? Math.random,
      timings: settings.timeouts,
      ...(settings.origin ? { origin: settings.origin } : {}),
      topics: () => this.#queueTopics(),
      onFrame: (text) => this.#onFrame(text),
      reconnected: () => void this.#resync(),
      onError: (error) => {
        for (const session of new Set(this.#customers.values())) session.error(error);
      },
    });
    this.#channel = channel;
    await channel.start();
    if (this.#closed) channel.close();
  }

  /** Every queue's message conversations topic (queues listed page by page). */
  async #queueTopics(): Promise<string[]> {
    const topics: string[] = [];
    for (let page = 1; page <= 50; page++) {
      const response = await this.platform.request({
        method: 'GET',
        path: `/api/v2/routing/queues?pageSize=100&pageNumber=${page}`,
        retry: 'idempotent',
      });
      if (response.status !== 200) throw new BridgeFailure(platformCallError('listing queues', response));
      const listing = QueueListingSchema.safeParse(response.body);
      if (!listing.success)
        throw failure('PROVIDER_UNAVAILABLE', 'Genesys answered the queue listing without queues');
      for (const queue of listing.data.entities)
        topics.push(`v2.routing.queues.${queue.id}.conversations.messages`);
      if (listing.data.pageCount === undefined || page >= listing.data.pageCount) break;
    }
    return topics;
  }

  #onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const envelope = NotificationFrameSchema.safeParse(frame);
    if (
      !envelope.success ||
      !/^v2\.routing\.queues\.[^.]+\.conversations\.messages$/.test(envelope.data.topicName)
    )
      return;
    const snapshot = ConversationSnapshotSchema.safeParse(envelope.data.eventBody);
    if (!snapshot.success) return;
    this.#deliver(snapshot.data);
  }

  #deliver(snapshot: ConversationSnapshot): void {
    const owner = this.#conversations.get(snapshot.id);
    if (owner) {
      owner.conversation(snapshot);
      return;
    }
    this.#unclaimed.delete(snapshot.id);
    this.#unclaimed.set(snapshot.id, snapshot);
    if (this.#unclaimed.size > UNCLAIMED_SNAPSHOTS)
      this.#unclaimed.delete(this.#unclaimed.keys().next().value as string);
  }

  /** After the channel was replaced: what changed meanwhile, read from each owned conversation. */
  async #resync(): Promise<void> {
    for (const [conversationId, session] of [...this.#conversations]) {
      try {
        const response = await this.platform.request({
          method: 'GET',
          path: `/api/v2/conversations/messages/${encodeURIComponent(conversationId)}`,
          retry: 'idempotent',
        });
        if (response.status !== 200) {
          session.error(platformCallError('reading the conversation after a reconnect', response));
          continue;
        }
        const snapshot = ConversationSnapshotSchema.safeParse(response.body);
        if (snapshot.success && this.#conversations.get(conversationId) === session)
          session.conversation(snapshot.data);
      } catch (thrown) {
        session.error(toBridgeError(thrown));
      }
    }
  }
}
