import type { GenesysChannel } from './config-schema.ts';
import type { BridgeError } from './errors.ts';

/**
 * The bridge's public data shapes (bridge.md §4.4-§4.5): plain JSON, no classes, so the later
 * HTTP/WebSocket service can send them as they are.
 */
export type { GenesysChannel } from './config-schema.ts';
export type { BridgeError, BridgeErrorCode } from './errors.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface CustomerInfo {
  id: string;
  displayName?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
}

export interface TranscriptEntry {
  role: 'customer' | 'bot' | 'system';
  text: string;
  /** ISO-8601. */
  at?: string;
  id?: string;
}

export interface StartTransferRequest {
  /** Same key ⇒ same session; a different payload under the same key is IDEMPOTENCY_CONFLICT. */
  idempotencyKey: string;
  /** The bot platform's conversation key. */
  botConversationId: string;
  /** Which bot channel the customer is on; picks the configuration registered for it (else the default). */
  botChannel?: string;
  customer: CustomerInfo;
  /** Per-transfer queue; defaults to the configured queueName. */
  queueName?: string;
  /** Becomes Genesys participant data; values of any JSON type are encoded to strings. */
  metadata?: Record<string, JsonValue>;
  /** The bot conversation so far, oldest first. */
  transcript?: TranscriptEntry[];
  /** Short human-readable summary for the agent, shown above the transcript. */
  summary?: string;
  /** First customer-authored text forwarded to Genesys. */
  initialMessage?: string;
}

export type SessionState = 'connecting' | 'queued' | 'agentActive' | 'transferring' | 'ended' | 'failed';
export type Connectivity = 'online' | 'reconnecting' | 'offline';
export type EndReason =
  | 'customerEnded'
  | 'agentEnded'
  | 'botEnded'
  | 'idleTimeout'
  | 'sessionExpired'
  | 'readOnly'
  | 'transferFailed'
  | 'error';
export type EndedBy = 'customer' | 'agent' | 'bot' | 'system';
export type GapReason = 'holdTimeout' | 'holdLimit' | 'historyUnavailable' | 'sessionEnded';

export interface MetadataReport {
  /** Keys (after prefixing) sent to Genesys. */
  sent: string[];
  dropped: { key: string; reason: 'oversize' }[];
  /** The byte budget the metadata was checked against, when there is one. */
  budgetBytes?: number;
  usedBytes: number;
}

export interface StartTransferResult {
  sessionId: string;
  channel: GenesysChannel;
  state: SessionState;
  /** False when the idempotency key replayed an existing session. */
  created: boolean;
  metadata: MetadataReport;
  warnings: { code: string; message: string }[];
  /** Why the transfer failed, when state is `failed`. */
  error?: BridgeError;
}

export interface CustomerMessage {
  /** The dedupe key: resending the same id never produces a second Genesys message. */
  clientMessageId: string;
  text?: string;
  attachments?: { url: string; mimeType: string; fileName?: string; sizeBytes?: number }[];
}

export interface SendAck {
  clientMessageId: string;
  status: 'queued' | 'sent' | 'duplicate';
  providerMessageId?: string;
  /** How many Genesys messages the text became (long text split). */
  parts: number;
}

export interface AgentInfo {
  id?: string;
  displayName?: string;
  avatarUrl?: string;
}

export interface SessionSnapshot {
  sessionId: string;
  botConversationId: string;
  channel: GenesysChannel;
  state: SessionState;
  connectivity: Connectivity;
  agent?: AgentInfo;
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
  endReason?: EndReason;
  provider: { conversationId?: string; readOnly?: boolean };
}

export interface AgentMessageBody {
  /** Genesys message id (dedupe key). */
  id: string;
  text?: string;
  attachments?: { url: string; mimeType?: string; fileName?: string }[];
  quickReplies?: { text: string; payload?: string }[];
}

interface EventBase {
  /** Unique across sessions (`<sessionId>:<seq>`); consumers dedupe on it. */
  eventId: string;
  sessionId: string;
  /** Per session, gap-free, starting at 1. */
  seq: number;
  /** Provider time when known, else observedAt. */
  occurredAt: string;
  observedAt: string;
  channel: GenesysChannel;
  source: 'guestApi' | 'bridge';
  /** True when the bridge derived the fact rather than Genesys signalling it. */
  inferred?: boolean;
  providerRef?: { messageId?: string; conversationId?: string };
}

export type BridgeEventBody =
  | { type: 'transfer.accepted' }
  | { type: 'queue.timeout'; waitedMs: number }
  | { type: 'agent.joined'; agent: AgentInfo }
  | {
      type: 'agent.message';
      agent?: AgentInfo;
      /** `bot` for flow/bot messages Genesys sends while queued (not from a human agent). */
      origin: 'human' | 'bot';
      message: AgentMessageBody;
    }
  | { type: 'agent.typing'; isTyping: boolean; expiresAt?: string }
  | { type: 'transfer.changed'; kind: 'agent' | 'queue' | 'unknown'; from?: AgentInfo; to?: AgentInfo }
  | { type: 'agent.left'; agent?: AgentInfo; conversationContinues: boolean }
  | { type: 'session.ended'; reason: EndReason; by: EndedBy }
  | { type: 'connection.changed'; connectivity: Connectivity }
  | {
      /**
       * Agent messages sent while the Genesys connection was down are read back from Genesys's history
       * after the reconnect, and newer live ones wait behind them so the bot sees Genesys's order. This
       * says that wait was cut short: the history could not be read within `timeouts.gapHoldMs` of the
       * reconnect (`holdTimeout`), more than `limits.gapHoldMax` messages were waiting (`holdLimit`), the
       * history read was refused for good (`historyUnavailable`), or the session ended first
       * (`sessionEnded`). The waiting messages follow this event; messages from the gap that a later read
       * still finds arrive after them (late, but not lost), the rest may be missing.
       */
      type: 'history.gap';
      reason: GapReason;
      /** When the connection dropped (ISO-8601). */
      since: string;
      /** How many newer messages and events were waiting and are now delivered without the gap filled. */
      released: number;
      /** Why the history could not be read, when a read failed. */
      error?: BridgeError;
    }
  | {
      type: 'message.status';
      clientMessageId: string;
      status: 'sent' | 'failed';
      providerMessageId?: string;
      error?: BridgeError;
    }
  | { type: 'error'; error: BridgeError };

export type BridgeEvent = EventBase & BridgeEventBody;
export type BridgeEventType = BridgeEvent['type'];
