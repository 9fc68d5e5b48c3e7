import { randomUUID } from 'node:crypto';
import type { SocketFactory } from './channels/socket.ts';
import { webChatAdapter } from './channels/webchat.ts';
import { webMessagingAdapter } from './channels/webmessaging.ts';
import { type Clock, SystemClock } from './clock.ts';
import {
  BridgeConfigError,
  type BridgeWarning,
  type ConfigIssue,
  configSetWarnings,
  type ResolvedConfigSet,
  resolveBridgeConfigSet,
} from './config.ts';
import { failure } from './errors.ts';
import type { FetchLike } from './http/http-client.ts';
import type { ChannelAdapterFactory } from './session/channel-adapter.ts';
import { SessionRegistry } from './session/session-registry.ts';
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
export type { FetchLike } from './http/http-client.ts';
export { encodeMetadataValue, metadataSize } from './metadata.ts';
export type { GenesysHosts, GenesysRegion } from './regions.ts';
export { GENESYS_REGIONS, parseLoginUrl } from './regions.ts';
export type { ChannelAdapter, ChannelAdapterFactory, ChannelEvents } from './session/channel-adapter.ts';
export type * from './types.ts';

export interface BridgeDeps {
  /** Time source for every timer; defaults to the system clock. */
  clock?: Clock;
  /** HTTP for WebChat calls and Web Messaging history; defaults to global fetch. */
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
  /** New events of every session; returns an unsubscribe. */
  onEvent(listener: (event: BridgeEvent) => void): () => void;
  /** Ends every live session (leaving Genesys) and releases the bridge. */
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
  const adapters: Partial<Record<GenesysChannel, ChannelAdapterFactory>> = {
    webMessaging: webMessagingAdapter({ ...transport, ...(deps.newId ? { newId: deps.newId } : {}) }),
    webChat: webChatAdapter(transport),
    ...(deps.adapters ?? {}),
  };
  const registry = new SessionRegistry({
    configs,
    adapters,
    clock,
    newId: deps.newId ?? randomUUID,
    onListenerError:
      deps.onListenerError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        })),
  });
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
    close: async () => {
      if (closed) return;
      closed = true;
      await registry.closeAll();
    },
  };
}
