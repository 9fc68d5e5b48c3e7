import type { Clock } from '../clock.ts';
import type { ResolvedBridgeConfig } from '../config.ts';
import { type BridgeError, BridgeFailure } from '../errors.ts';
import type {
  AgentInfo,
  AgentMessageBody,
  Connectivity,
  CustomerInfo,
  EndedBy,
  EndReason,
  GenesysChannel,
  JsonValue,
} from '../types.ts';

/**
 * The contract between the transport-independent session engine and one Genesys channel (Web
 * Messaging, WebChat or Open Messaging). An adapter speaks the wire protocol of one Genesys conversation; the session
 * owns ordering, dedupe, rate limiting, state and events. Adapters report what Genesys tells them
 * through ChannelEvents and never emit bridge events themselves.
 */

export interface AdapterOpenRequest {
  customer: CustomerInfo;
  /** The queue the transfer routes to (WebChat routing target). */
  queueName?: string;
  /** Participant data for channels whose metadataPlacement is `open` (WebChat customFields). */
  attributes: Record<string, string>;
}

export interface AdapterOpenResult {
  /** Genesys conversation id when the channel reveals it (WebChat). */
  conversationId?: string;
  /** Server-announced custom attribute budget (Web Messaging `SessionResponse.maxCustomDataBytes`). */
  maxCustomDataBytes?: number;
}

export interface OutboundText {
  text: string;
  /** Participant data to attach (Web Messaging: only on the first message). */
  attributes?: Record<string, string>;
}

export interface SendResult {
  providerMessageId?: string;
}

/** An agent- or flow-authored message as Genesys delivered it. */
export interface ProviderMessage extends AgentMessageBody {
  /** Provider timestamp, ms since the epoch. */
  occurredAt?: number;
  sender: { kind: 'human' | 'bot'; agent?: AgentInfo };
}

export interface HistoryCatchUp {
  /** Oldest first. */
  messages: ProviderMessage[];
  ended?: ProviderEnd;
}

export interface ProviderEnd {
  reason: EndReason;
  by: EndedBy;
  error?: BridgeError;
  occurredAt?: number;
}

/** What the session already holds, so a history read can stop where the gap began. */
export interface HistorySince {
  /**
   * Ids of agent/bot messages the session received before the connection dropped. A read walks back from
   * the newest message until it reaches one of these (or the start, or its page limit).
   */
  knownIds: ReadonlySet<string>;
}

/** What an adapter reports. Calls after close() are ignored by the session. */
export interface ChannelEvents {
  message(message: ProviderMessage): void;
  typing(typing: { occurredAt?: number; durationMs?: number }): void;
  /** Only adapters with agentPresence `observed` call the three presence callbacks. */
  agentJoined(agent: AgentInfo, occurredAt?: number): void;
  agentLeft(agent: AgentInfo, conversationContinues: boolean, occurredAt?: number): void;
  transferred(change: {
    kind: 'agent' | 'queue' | 'unknown';
    from?: AgentInfo;
    inferred: boolean;
    occurredAt?: number;
  }): void;
  /** The Genesys conversation is over for this guest (agent left, expiry, read-only, fatal error). */
  ended(end: ProviderEnd): void;
  connectivity(state: Connectivity): void;
  /** The Genesys conversation id, once a channel learns it after open() (Open Messaging's first answer). */
  conversation?(conversationId: string): void;
  /** A non-fatal problem worth telling the bot about. */
  error(error: BridgeError): void;
}

export interface ChannelAdapter {
  readonly channel: GenesysChannel;
  /** Where participant data travels: at open (WebChat customFields) or on the first message (Web Messaging). */
  readonly metadataPlacement: 'open' | 'firstMessage';
  /** `observed`: the adapter reports agent join/leave; `inferred`: the session infers them from messages. */
  readonly agentPresence: 'observed' | 'inferred';
  open(request: AdapterOpenRequest): Promise<AdapterOpenResult>;
  /** Resolves once Genesys confirmed the message; rejects with a BridgeFailure. */
  sendMessage(message: OutboundText): Promise<SendResult>;
  sendTyping(): Promise<void>;
  /**
   * `end` leaves the Genesys conversation; `detach` only drops the connection. Never rejects. `patient`:
   * a leave Genesys refuses for the rate is sent again after the pause it asks for (on the session's
   * clock); a shutdown is not patient.
   */
  close(mode: 'end' | 'detach', options?: { patient?: boolean }): Promise<void>;
  /**
   * What Genesys holds for this guest, used to catch up after a reconnect: agent messages newer than
   * `since.knownIds` (all it can reach without it), oldest first (deduplicated by the session), and, when
   * the history shows the conversation ended meanwhile, that end.
   */
  fetchHistory?(since?: HistorySince): Promise<HistoryCatchUp>;
  /**
   * After a send that failed with UnconfirmedFailure: whether Genesys has that customer message after all
   * (its result when it has; each message Genesys holds is claimed once), or undefined when it has not,
   * so it is safe to send again. Rejects when Genesys cannot be asked yet; the session asks again later.
   * Without it an unconfirmed send is reported failed.
   */
  findSent?(text: string): Promise<SendResult | undefined>;
  /**
   * What another process needs to reconnect to the same Genesys conversation (Web Messaging: the guest
   * token), as plain JSON the session keeps in its shared store. Undefined before open() decided it.
   * Channels without it cannot be taken over: another instance ends their sessions instead.
   */
  resumeState?(): JsonValue | undefined;
  /**
   * Instead of open(), in the process that took the session over: reconnects to the conversation that
   * `state` (a resumeState() of another process) names, retrying within `timeouts.reconnectWindowMs`.
   * Resolves once connected; what Genesys sent meanwhile is then read with fetchHistory. Rejects when the
   * conversation cannot be reached again (the session ends with that error).
   */
  resume?(state: JsonValue, context: AdapterResumeContext): Promise<AdapterOpenResult>;
}

export interface AdapterResumeContext {
  /** Genesys ids of the latest customer messages it confirmed (findSent does not claim them again). */
  sentProviderIds: readonly string[];
  /** Whether anything was ever sent (before that, Genesys may not know the guest session yet). */
  anythingSent: boolean;
}

export interface AdapterContext {
  sessionId: string;
  config: ResolvedBridgeConfig;
  clock: Clock;
  events: ChannelEvents;
}

export type ChannelAdapterFactory = (context: AdapterContext) => ChannelAdapter;

/**
 * A send Genesys certainly did not accept (refused with 429/4029, or never written because the connection
 * was down), so the session may queue it again without risking a duplicate.
 */
export class NotDeliveredFailure extends BridgeFailure {
  constructor(error: BridgeError) {
    super(error);
    this.name = 'NotDeliveredFailure';
  }
}

/**
 * A send that may or may not have reached Genesys: the connection dropped, or no confirmation came in time,
 * after the message was written. The session asks the adapter (findSent) before sending it again, so the
 * message is neither lost nor duplicated.
 */
export class UnconfirmedFailure extends BridgeFailure {
  constructor(error: BridgeError) {
    super(error);
    this.name = 'UnconfirmedFailure';
  }
}
