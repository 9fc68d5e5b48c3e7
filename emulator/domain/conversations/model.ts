/**
 * The one conversation model every channel and agent surface is a view of (platform-architect.md §3).
 * Plain data kept in the store; only functions in this folder change it, each change emitting an event.
 */
export type MediaType = 'message' | 'chat';
export type Purpose = 'customer' | 'workflow' | 'acd' | 'agent';
export type ParticipantState = 'alerting' | 'connected' | 'disconnected' | 'terminated';

/** Genesys disconnectType values used here (platform-architect.md §3.2). */
export type DisconnectType =
  | 'endpoint'
  | 'client'
  | 'system'
  | 'transfer'
  | 'transfer.noanswer'
  | 'peer'
  | 'error'
  | 'session.expired';

/** Where the customer came from; decides which guest surface renders the conversation. */
export type Channel = 'webmessaging' | 'webchat' | 'open';

/** An Open Messaging customer's address as the integration gave it (`channel.from`). */
export interface ExternalAddress {
  id: string;
  idType: string;
}

export interface Wrapup {
  code: string;
  name?: string;
  notes?: string;
  durationSeconds?: number;
  endTime: string;
}

export interface Participant {
  id: string;
  purpose: Purpose;
  state: ParticipantState;
  /** The communication (participants[].messages[].id / chats[].id) agents send on. */
  communicationId: string;
  name: string;
  direction: 'inbound' | 'outbound';
  startTime: number;
  connectedTime?: number;
  endTime?: number;
  startAlertingTime?: number;
  alertingTimeoutMs?: number;
  disconnectType?: DisconnectType;
  userId?: string;
  queueId?: string;
  /** Participant Data: string values, case-sensitive names. Only the customer's is written by flows. */
  attributes: Record<string, string>;
  wrapupRequired?: boolean;
  wrapup?: Wrapup;
}

export interface ConversationMessage {
  id: string;
  participantId: string;
  purpose: Purpose;
  text: string;
  /** Guest-side body type for chats (standard, notice, member-join, member-leave). */
  bodyType?: string;
  time: number;
  direction: 'inbound' | 'outbound';
  /**
   * When the guest's side took this outbound message (Genesys status `delivery-success`): a guest socket
   * got it (Web Messaging) or the integration sent a Delivered receipt (Open Messaging).
   */
  deliveredAt?: number;
  /** When it was reported undeliverable (Open Messaging: a Failed receipt, or the webhook gave up). */
  failedAt?: number;
}

export interface Conversation {
  id: string;
  mediaType: MediaType;
  channel: Channel;
  /** The Messenger deployment (Web Messaging), WebChat deployment, or Open Messaging integration id. */
  deploymentId?: string;
  /** Open Messaging: who the customer is on the integration's side (`channel.from.id` and `idType`). */
  externalAddress?: ExternalAddress;
  startTime: number;
  endTime?: number;
  participants: Participant[];
  messages: ConversationMessage[];
  /** The ACD queue it is waiting in or was last routed from. */
  queueId?: string;
  priority: number;
  /** When it entered its current queue; ties waiting order. */
  enqueuedAt?: number;
}

export function customerOf(conversation: Conversation): Participant {
  const customer = conversation.participants.find((p) => p.purpose === 'customer');
  if (!customer) throw new Error(`conversation ${conversation.id} has no customer participant`);
  return customer;
}

export function isActive(p: Participant): boolean {
  return p.state === 'alerting' || p.state === 'connected';
}
