import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openMessagingAdapter } from './channels/openmessaging.ts';
import { OpenMessagingHub } from './channels/openmessaging-hub.ts';
import { OpenMessagingWebhook, type WebhookAnswer } from './channels/openmessaging-webhook.ts';
import type { SocketFactory } from './channels/socket.ts';
import { webChatAdapter } from './channels/webchat.ts';
import { webMessagingAdapter } from './channels/webmessaging.ts';
import { type Clock, SystemClock } from './clock.ts';
import { createClusterBridge } from './cluster/cluster-bridge.ts';
import {
  BridgeConfigError,
  type BridgeWarning,
  type ConfigIssue,
  configSetWarnings,
  type ResolvedBridgeConfig,
  type ResolvedConfigSet,
  resolveBridgeConfigSet,
} from './config.ts';
import { failure } from './errors.ts';
import type { FetchLike } from './http/http-client.ts';
import type { ChannelAdapterFactory } from './session/channel-adapter.ts';
import { SessionRegistry } from './session/session-registry.ts';
import { RedisStore } from './store/redis-store.ts';
import type { SessionStore } from './store/session-store.ts';
import { type BridgeStoreOption, resolveStoreSettings } from './store/settings.ts';
import type {
  BridgeEvent,
  CustomerMessage,
  EndReason,
  GenesysChannel,
  SendAck,
  SessionSnapshot,
  StartTransferRequest,
  StartTransferResult,
} from './types.ts';

/**
 * The bridge library: hand a bot conversation to a Genesys Cloud agent over Web Messaging (default) or
 * the retired WebChat v2, and follow it through one ordered, resumable event stream per session.
 *
 *   const bridge = createBridge({ loginUrl, deploymentId, queueName });
 *   const { sessionId } = await bridge.startTransfer({ idempotencyKey, botConversationId, customer });
 *   for await (const event of bridge.events(sessionId)) { ... }   // ends after session.ended
 *
 * The bridge talks to Genesys only through its public guest protocols, so it runs unchanged against a
 * real org or a local emulator (`loginUrl: 'http://127.0.0.1:PORT'`).
 */

export { hubSignature, verifyHubSignature } from './channels/openmessaging-signature.ts';
export type { WebhookAnswer } from './channels/openmessaging-webhook.ts';
export type { SocketFactory } from './channels/socket.ts';
export type { Clock, TimerHandle } from './clock.ts';
export { ManualClock, SystemClock } from './clock.ts';
export type {
  BridgeConfigSetInput,
  BridgeWarning,
  ConfigIssue,
  GenesysBridgeConfigInput,
  ResolvedBridgeConfig,
  ResolvedConfigSet,
} from './config.ts';
export {
  BridgeConfigError,
  checkBridgeConfig,
  chooseChannel,
  resolveBridgeConfig,
  resolveBridgeConfigSet,
} from './config.ts';
export { BridgeFailure } from './errors.ts';
export type { FetchLike, FetchResponse } from './http/http-client.ts';
export { nodeHttpFetch } from './http/node-http-fetch.ts';
export { encodeMetadataValue, metadataSize } from './metadata.ts';
export type { GenesysHosts, GenesysRegion } from './regions.ts';
export { GENESYS_REGIONS, parseLoginUrl } from './regions.ts';
export type { ChannelAdapter, ChannelAdapterFactory, ChannelEvents } from './session/channel-adapter.ts';
export { MemoryStore } from './store/memory-store.ts';
export { RedisStore, type RedisStoreOptions } from './store/redis-store.ts';
export type * from './store/session-store.ts';
export type { BridgeStoreOption, RedisStoreSettingsInput } from './store/settings.ts';
export { checkStoreSettings, resolveStoreSettings } from './store/settings.ts';
export type * from './types.ts';

export interface BridgeDeps {
  /** Time source for every timer; defaults to the system clock. */
  clock?: Clock;
  /**
   * HTTP for WebChat calls and Web Messaging history; defaults to global fetch. `nodeHttpFetch` (exported)
   * costs about a third of its CPU per call.
   */
  fetch?: FetchLike;
  /** WebSocket transport; defaults to the `ws` package. */
  socketFactory?: SocketFactory;
  /** Session ids and Web Messaging tokens/tracing ids; defaults to random UUIDs. */
  newId?: () => string;
  /** Jitter for backoff; defaults to Math.random. */
  random?: () => number;
  /** Where exceptions thrown by event listeners go; defaults to rethrowing them asynchronously. */
  onListenerError?: (error: unknown) => void;
  /** Replaces channel adapters (custom transports, tests). */
  adapters?: Partial<Record<GenesysChannel, ChannelAdapterFactory>>;
  /**
   * Where sessions live. `memory` (the default): in this process, as they always were; closing (or a
   * restart) ends them. `{ redis: { url } }`: in Redis, shared by every instance that uses it: sessions
   * survive a restart and move to another instance when theirs dies or closes (see bridge/cluster).
   * `{ shared: store }`: a SessionStore object, such as a MemoryStore several bridges in one process share.
   */
  store?: BridgeStoreOption;
}

/** What a load balancer asks: is this instance ready for work, and can it reach its store. */
export interface BridgeHealth {
  ready: boolean;
  store: { kind: 'memory' | 'redis'; label: string; available: boolean };
  /** Live sessions this instance holds the Genesys connection of. */
  sessions: number;
}

/** With a shared store: where webhook deliveries resume after a takeover, and who delivers them now. */
export interface WebhookOutbox {
  /** The highest seq the receiver acknowledged, as the store has it. */
  cursor(sessionId: string): Promise<number | undefined>;
  save(sessionId: string, seq: number): Promise<void>;
  /** Whether this instance delivers the session's events now (it owns the session). */
  owns(sessionId: string): boolean;
}

export interface ValidationResult {
  ok: boolean;
  /** The default configuration's channel (absent when invalid). */
  channel?: GenesysChannel;
  errors: ConfigIssue[];
  warnings: BridgeWarning[];
}

export interface Bridge {
  /** The validated configuration(s) this bridge runs on. */
  readonly configs: ResolvedConfigSet;
  validate(): Promise<ValidationResult>;
  /**
   * Connects the store and, with a shared one, starts taking over sessions nobody owns (a restart finds
   * its sessions this way). Every other call does it first; call it to fail early: it rejects with
   * STORE_UNAVAILABLE naming the store when it cannot be reached.
   */
  start(): Promise<void>;
  /** Ready for work (false while closing or while the store is unreachable), the store, live sessions. */
  health(): BridgeHealth;
  /** Set with a shared store (see WebhookOutbox); the service's webhooks use it. */
  readonly outbox?: WebhookOutbox;
  startTransfer(request: StartTransferRequest): Promise<StartTransferResult>;
  sendCustomerMessage(sessionId: string, message: CustomerMessage): Promise<SendAck>;
  /** Best effort: coalesced, throttled, and dropped first under pressure. */
  sendTyping(sessionId: string, typing: { isTyping: boolean }): Promise<void>;
  /** Leaves the Genesys conversation; resolves after `session.ended` was emitted. */
  endSession(sessionId: string, options?: { reason?: 'botEnded' | 'customerEnded' }): Promise<void>;
  getSession(sessionId: string): Promise<SessionSnapshot | undefined>;
  findSession(botConversationId: string): Promise<SessionSnapshot | undefined>;
  /** Events with seq > afterSeq; finishes after `session.ended`. */
  events(sessionId: string, options?: { afterSeq?: number }): AsyncIterable<BridgeEvent>;
  /** The events logged so far after afterSeq (a snapshot, for polling). */
  readEvents(sessionId: string, options?: { afterSeq?: number }): Promise<BridgeEvent[]>;
  /** Replays events after afterSeq, then calls the listener for each new one; returns an unsubscribe. */
  subscribe(
    sessionId: string,
    listener: (event: BridgeEvent) => void,
    options?: { afterSeq?: number },
  ): () => void;
  /**
   * New events of every session; returns an unsubscribe. With a shared store: of every session this
   * instance owns (as the store took them), so that each event is pushed by one instance only.
   */
  onEvent(listener: (event: BridgeEvent) => void): () => void;
  /**
   * The Open Messaging webhook (configurations with `channel: openMessaging`): `accept(rawBody,
   * signatureHeader)` checks a delivery's X-Hub-Signature-256 and answers it (200, or 401 / 400), and
   * `listener` is a Node `(request, response)` handler to mount at the integration's webhook URL in your
   * own HTTP server. The bridge service mounts it at `POST /v1/openmessaging/webhook`.
   */
  readonly openMessagingWebhook: {
    accept(rawBody: Uint8Array | string, signature: string | string[] | undefined): WebhookAnswer;
    listener(request: IncomingMessage, response: ServerResponse): void;
  };
  /**
   * Memory store: ends every live session (leaving Genesys) and releases the bridge. Shared store: hands
   * every session it owns to the other instances (they stay live in Genesys), then disconnects.
   */
  close(): Promise<void>;
}

/** Validates without throwing (for a "check my settings" screen). */
export function validateConfig(config: unknown): ValidationResult {
  try {
    const configs = resolveBridgeConfigSet(config);
    return { ok: true, channel: configs.default.channel, errors: [], warnings: configSetWarnings(configs) };
  } catch (thrown) {
    if (thrown instanceof BridgeConfigError) return { ok: false, errors: [...thrown.issues], warnings: [] };
    throw thrown;
  }
}

/**
 * Creates a bridge from one configuration or `{ default, byBotChannel }`. Throws BridgeConfigError,
 * naming every invalid setting, when the configuration cannot work.
 */
export function createBridge(config: unknown, deps: BridgeDeps = {}): Bridge {
  const configs = resolveBridgeConfigSet(config);
  const clock = deps.clock ?? new SystemClock();
  const transport = {
    ...(deps.socketFactory ? { socketFactory: deps.socketFactory } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  };
  // One hub per Open Messaging configuration (its integration, Platform API client and notifications),
  // made up front so the webhook knows every integration's secret before the first session opens.
  const hubs = new Map<ResolvedBridgeConfig, OpenMessagingHub>();
  for (const config of [configs.default, ...configs.byBotChannel.values()]) {
    if (config.channel === 'openMessaging') hubs.set(config, new OpenMessagingHub(config, clock, transport));
  }
  const adapters: Partial<Record<GenesysChannel, ChannelAdapterFactory>> = {
    webMessaging: webMessagingAdapter({ ...transport, ...(deps.newId ? { newId: deps.newId } : {}) }),
    webChat: webChatAdapter(transport),
    openMessaging: openMessagingAdapter({
      hubFor: (config) => {
        const hub = hubs.get(config);
        if (!hub) throw failure('CONFIG_INVALID', 'this configuration has no Open Messaging settings');
        return hub;
      },
      ...(deps.newId ? { newId: deps.newId } : {}),
    }),
    ...(deps.adapters ?? {}),
  };
  // A listener that throws must not break the session that called it: its error is rethrown on its own.
  const onListenerError =
    deps.onListenerError ??
    ((error: unknown) =>
      queueMicrotask(() => {
        throw error;
      }));
  const engine = { configs, adapters, clock, newId: deps.newId ?? randomUUID, onListenerError };
  const webhook = new OpenMessagingWebhook(() => [...hubs.values()], onListenerError);
  const openMessagingWebhook: Bridge['openMessagingWebhook'] = {
    accept: (raw, signature) => webhook.accept(raw, signature),
    listener: webhook.listener,
  };
  const shared = sharedStore(deps.store);
  if (shared) {
    // Sessions in a shared store: the engine of bridge/cluster (leases, takeovers, commands via the store).
    return createClusterBridge({
      ...engine,
      ...shared,
      openMessagingWebhook,
      onClose: () => {
        for (const hub of hubs.values()) hub.close();
      },
    });
  }
  const registry = new SessionRegistry(engine);
  let closed = false;
  const open = () => {
    if (closed) throw failure('INTERNAL', 'the bridge is closed');
  };

  return {
    configs,
    validate: async () => ({
      ok: true,
      channel: configs.default.channel,
      errors: [],
      warnings: configSetWarnings(configs),
    }),
    start: async () => {},
    health: () => ({
      ready: !closed,
      store: { kind: 'memory', label: 'memory', available: true },
      sessions: registry.liveCount,
    }),
    startTransfer: async (request) => {
      open();
      return registry.startTransfer(request);
    },
    sendCustomerMessage: async (sessionId, message) => registry.sendCustomerMessage(sessionId, message),
    sendTyping: async (sessionId, typing) => {
      registry.require(sessionId).sendTyping(typing.isTyping === true);
    },
    endSession: async (sessionId, options = {}) => {
      const reason: EndReason = options.reason ?? 'botEnded';
      if (reason !== 'botEnded' && reason !== 'customerEnded') {
        throw failure('INVALID_REQUEST', 'endSession reason must be "botEnded" or "customerEnded"');
      }
      await registry.require(sessionId).end(reason);
    },
    getSession: async (sessionId) => registry.get(sessionId)?.snapshot(),
    findSession: async (botConversationId) => registry.findByBotConversation(botConversationId)?.snapshot(),
    events: (sessionId, options = {}) => registry.require(sessionId).log.iterate(options.afterSeq ?? 0),
    readEvents: async (sessionId, options = {}) =>
      registry.require(sessionId).log.read(options.afterSeq ?? 0),
    subscribe: (sessionId, listener, options = {}) =>
      registry.require(sessionId).log.subscribe(listener, options.afterSeq ?? 0),
    onEvent: (listener) => registry.onEvent(listener),
    openMessagingWebhook,
    close: async () => {
      if (closed) return;
      closed = true;
      await registry.closeAll();
      for (const hub of hubs.values()) hub.close();
    },
  };
}

/** The shared store a `store` option names (undefined for the default, this process's memory). */
function sharedStore(
  option: BridgeStoreOption | undefined,
): { store: SessionStore; leaseTtlMs: number; instanceId?: string } | undefined {
  if (option === undefined || option === 'memory' || 'memory' in option) return undefined;
  if ('shared' in option) {
    return {
      store: option.shared,
      leaseTtlMs: option.leaseTtlMs ?? 15_000,
      ...(option.instanceId !== undefined ? { instanceId: option.instanceId } : {}),
    };
  }
  const settings = resolveStoreSettings(option);
  if (settings === 'memory' || 'memory' in settings) return undefined;
  const redis = settings.redis;
  return {
    store: new RedisStore({
      url: redis.url,
      ...(redis.keyPrefix !== undefined ? { keyPrefix: redis.keyPrefix } : {}),
      connectTimeoutMs: redis.connectTimeoutMs,
      commandTimeoutMs: redis.commandTimeoutMs,
    }),
    leaseTtlMs: redis.leaseTtlMs,
    ...(redis.instanceId !== undefined ? { instanceId: redis.instanceId } : {}),
  };
}
