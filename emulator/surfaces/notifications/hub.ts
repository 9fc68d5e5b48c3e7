import type { TimerHandle } from '../../domain/clock.ts';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import { isActive } from '../../domain/conversations/model.ts';
import type { DomainEvent } from '../../domain/events.ts';
import { agentState } from '../../domain/routing/agent-state.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { presentRoutingStatus } from '../platform/presenters.ts';
import {
  chatFeedMessage,
  chatFeedTyping,
  conversationEventJson,
  inboundTypingBody,
  mediaConversationEventJson,
} from './conversation-bodies.ts';
import { presenceFrame } from './presence-feed.ts';
import {
  chatMessagesTopic,
  conversationTopics,
  inboundTypingTopic,
  isMediaTopic,
  routingStatusTopic,
} from './topics.ts';

/** A connected notification socket, as the hub sees it. */
export interface ChannelSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface Channel {
  id: string;
  clientId: string;
  createdAt: number;
  expiresAt: number;
  lastUsed: number;
  topics: Set<string>;
  socket?: ChannelSocket;
  heartbeat?: TimerHandle;
  expiry?: TimerHandle;
}

/** What the store keeps of a channel, so its connectUri still works after a restart (data dir). */
interface StoredChannel {
  id: string;
  clientId: string;
  createdAt: number;
  expiresAt: number;
  lastUsed: number;
  topics: string[];
}

const CHANNELS_TABLE = 'notifications.channels';

/** Channel lifetime about 24 h; heartbeats about every 30 s; 20 channels per client (platform-architect.md §3.4). */
export const CHANNEL_LIFETIME_MS = 24 * 3600 * 1000;
export const HEARTBEAT_MS = 30_000;
export const MAX_CHANNELS_PER_CLIENT = 20;
export const MAX_TOPICS_PER_CHANNEL = 1000;

/**
 * Notification channels: turns domain events into `{topicName, version, eventBody, metadata}` frames for
 * the channels subscribed to their topics. Conversation changes made by one operation (an answer
 * connects the agent and ends the acd leg) are published once, after the operation, with the whole
 * conversation as Genesys does.
 *
 * Channels and their subscriptions are kept in the store (`saved()` after each change), so with a data
 * dir they outlive a restart: a client reconnects to the same connectUri, as to Genesys after a dropped
 * socket, and its subscriptions are still there. Sockets and timers are process state.
 */
export class NotificationHub {
  readonly #runtime: EmulatorRuntime;
  readonly #channels = new Map<string, Channel>();
  #pending = new Set<string>();
  #flushQueued = false;

  constructor(runtime: EmulatorRuntime) {
    this.#runtime = runtime;
    runtime.events.subscribe((event) => this.#onEvent(event));
    runtime.onReset(() => this.closeAll());
    runtime.onRestore(() => this.#restored());
  }

  /** Writes a channel's lasting part (id, owner, times, topics) to the store; call after changing it. */
  saved(channel: Channel): void {
    const stored: StoredChannel = {
      id: channel.id,
      clientId: channel.clientId,
      createdAt: channel.createdAt,
      expiresAt: channel.expiresAt,
      lastUsed: channel.lastUsed,
      topics: [...channel.topics],
    };
    this.#table().set(channel.id, stored);
  }

  #table() {
    return this.#runtime.store.table<StoredChannel>(CHANNELS_TABLE);
  }

  /** After a restore: the kept channels come back, each expiring when it would have. */
  #restored(): void {
    const now = this.#runtime.clock.now();
    for (const stored of [...this.#table().values()]) {
      if (stored.expiresAt <= now) {
        this.#table().delete(stored.id);
        continue;
      }
      const channel: Channel = { ...stored, topics: new Set(stored.topics) };
      channel.expiry = this.#runtime.clock.setTimeout(() => this.remove(channel.id), stored.expiresAt - now);
      this.#channels.set(channel.id, channel);
    }
  }

  create(clientId: string): Channel {
    const now = this.#runtime.clock.now();
    const owned = [...this.#channels.values()].filter((c) => c.clientId === clientId);
    if (owned.length >= MAX_CHANNELS_PER_CLIENT) {
      // Creating a 21st evicts the one used longest ago.
      const oldest = owned.sort((a, b) => a.lastUsed - b.lastUsed)[0]!;
      this.remove(oldest.id);
    }
    const channel: Channel = {
      id: `streaming-0-${this.#runtime.ids.hex(16)}`,
      clientId,
      createdAt: now,
      expiresAt: now + CHANNEL_LIFETIME_MS,
      lastUsed: now,
      topics: new Set(),
    };
    channel.expiry = this.#runtime.clock.setTimeout(() => this.remove(channel.id), CHANNEL_LIFETIME_MS);
    this.#channels.set(channel.id, channel);
    this.saved(channel);
    return channel;
  }

  get(id: string): Channel | undefined {
    return this.#channels.get(id);
  }

  list(clientId: string): Channel[] {
    return [...this.#channels.values()].filter((c) => c.clientId === clientId);
  }

  /** Attaches a socket; one connection per channel, so a new one replaces the old. */
  attach(channel: Channel, socket: ChannelSocket): void {
    if (channel.socket) this.#closeSocket(channel);
    channel.socket = socket;
    channel.lastUsed = this.#runtime.clock.now();
    this.saved(channel);
    this.#scheduleHeartbeat(channel);
  }

  detach(channel: Channel, socket: ChannelSocket): void {
    if (channel.socket !== socket) return;
    channel.socket = undefined;
    this.#runtime.clock.clearTimeout(channel.heartbeat);
  }

  /** A client's text ping gets a pong on channel.metadata. */
  ping(channel: Channel): void {
    channel.lastUsed = this.#runtime.clock.now();
    // Kept too: after a restart the 21st channel still evicts by last use, a ping included.
    this.saved(channel);
    this.#send(channel, 'channel.metadata', { message: 'pong' });
  }

  remove(id: string): void {
    const channel = this.#channels.get(id);
    if (!channel) return;
    this.#closeSocket(channel);
    this.#runtime.clock.clearTimeout(channel.expiry);
    this.#channels.delete(id);
    this.#table().delete(id);
  }

  /** Reset: every channel goes; each socket is told `v2.system.socket_closing` first. */
  closeAll(): void {
    for (const id of [...this.#channels.keys()]) this.remove(id);
  }

  /**
   * Server shutdown: every socket is told `v2.system.socket_closing` and closed; the channels stay in
   * the store (a data dir's next start serves them again).
   */
  shutdown(): void {
    for (const channel of this.#channels.values()) {
      this.#closeSocket(channel);
      this.#runtime.clock.clearTimeout(channel.expiry);
    }
    this.#channels.clear();
  }

  #closeSocket(channel: Channel): void {
    this.#runtime.clock.clearTimeout(channel.heartbeat);
    const socket = channel.socket;
    if (!socket) return;
    channel.socket = undefined;
    this.#sendTo(socket, 'v2.system.socket_closing', { message: 'Channel is closing' });
    socket.close(1000, 'channel closed');
  }

  #scheduleHeartbeat(channel: Channel): void {
    this.#runtime.clock.clearTimeout(channel.heartbeat);
    channel.heartbeat = this.#runtime.clock.setTimeout(() => {
      if (!channel.socket) return;
      this.#send(channel, 'channel.metadata', { message: 'WebSocket Heartbeat' });
      this.#scheduleHeartbeat(channel);
    }, HEARTBEAT_MS);
  }

  #onEvent(event: DomainEvent): void {
    // Presence (v2.users.{id}.presence) is built in presence-feed.ts.
    const presence = presenceFrame(this.#runtime, event);
    if (presence) {
      this.#publish(presence.topic, () => JSON.stringify(presence.body()));
      return;
    }
    if (event.type === 'agent.routingStatus.changed') {
      const { userId } = event.data;
      this.#publish(routingStatusTopic(userId), () =>
        JSON.stringify({
          id: userId,
          routingStatus: (({ status, startTime }) => ({ status, startTime }))(
            presentRoutingStatus(agentState(this.#runtime, userId)),
          ),
        }),
      );
      return;
    }
    if (event.conversationId && (event.type === 'message.sent' || event.type === 'typing.sent')) {
      this.#publishConversationFeed(event);
    }
    if (!event.conversationId || !CONVERSATION_CHANGES.has(event.type)) return;
    this.#pending.add(event.conversationId);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  /**
   * Per-conversation feeds: a chat's messages and typing on its own topic (typed in metadata, as the
   * WebChat stream does), and a message conversation's customer typing on each active agent's
   * `v2.users.{id}.conversations.inbound.typing.event`.
   */
  #publishConversationFeed(event: DomainEvent<'message.sent'> | DomainEvent<'typing.sent'>): void {
    const conversationId = event.conversationId!;
    const conversation = findConversation(this.#runtime, conversationId);
    if (!conversation) return;
    const now = this.#runtime.clock.now();
    if (conversation.mediaType === 'chat') {
      const senderOf = (participantId: string) =>
        conversation.participants.find((p) => p.id === participantId)?.communicationId ?? participantId;
      if (event.type === 'message.sent') {
        const m = event.data.message;
        this.#publish(
          chatMessagesTopic(conversationId),
          () => JSON.stringify(chatFeedMessage(conversation, m, senderOf(m.participantId))),
          'message',
        );
      } else {
        this.#publish(
          chatMessagesTopic(conversationId),
          () =>
            JSON.stringify(
              chatFeedTyping(conversation, `typing-${event.seq}`, senderOf(event.data.participantId), now),
            ),
          'typing-indicator',
        );
      }
      return;
    }
    if (event.type !== 'typing.sent' || event.data.purpose !== 'customer') return;
    const customer = conversation.participants.find((p) => p.id === event.data.participantId);
    if (!customer) return;
    let body: string | undefined;
    const bodyOnce = () => {
      body ??= JSON.stringify(inboundTypingBody(conversation, customer, now));
      return body;
    };
    for (const agent of conversation.participants) {
      if (agent.purpose !== 'agent' || !agent.userId || !isActive(agent)) continue;
      this.#publish(inboundTypingTopic(agent.userId), bodyOnce);
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    const ids = [...this.#pending];
    this.#pending.clear();
    const org = this.#runtime.org();
    for (const id of ids) {
      const conversation = findConversation(this.#runtime, id);
      if (!conversation) continue;
      const users = new Set<string>();
      const queues = new Set<string>();
      for (const p of conversation.participants) {
        if (p.userId) users.add(p.userId);
        if (p.queueId) queues.add(p.queueId);
      }
      // Each body is built (as JSON text) once per flush and only if some channel listens to a topic
      // that needs it; the user and queue topics share it.
      const bodies: { generic?: string; media?: string } = {};
      const bodyFor = (topic: string) => {
        if (isMediaTopic(topic)) {
          bodies.media ??= mediaConversationEventJson(org, conversation);
          return bodies.media;
        }
        bodies.generic ??= conversationEventJson(org, conversation);
        return bodies.generic;
      };
      for (const topic of conversationTopics(users, queues, conversation.mediaType)) {
        this.#publish(topic, () => bodyFor(topic));
      }
    }
  }

  /** Sends `topic`'s frame to every channel subscribed to it; `bodyJson` gives the body as JSON text. */
  #publish(topic: string, bodyJson: () => string, type?: string): void {
    let text: string | undefined;
    for (const channel of this.#channels.values()) {
      if (!channel.socket || !channel.topics.has(topic)) continue;
      text ??= this.#frame(topic, bodyJson(), type);
      channel.socket.send(text);
    }
  }

  #send(channel: Channel, topic: string, eventBody: unknown): void {
    if (channel.socket) this.#sendTo(channel.socket, topic, eventBody);
  }

  #sendTo(socket: ChannelSocket, topic: string, eventBody: unknown): void {
    socket.send(this.#frame(topic, JSON.stringify(eventBody)));
  }

  /**
   * The envelope the Java SDK deserialises: topicName, version, eventBody, metadata.CorrelationId (and,
   * on a chat's feed, metadata.type as on the WebChat stream), in that order; the body is already JSON.
   */
  #frame(topicName: string, eventBodyJson: string, type?: string): string {
    const metadata = JSON.stringify({ CorrelationId: this.#runtime.correlationIds.uuid(), type });
    return `{"topicName":${JSON.stringify(topicName)},"version":"2","eventBody":${eventBodyJson},"metadata":${metadata}}`;
  }
}

/** Events that change what GET /conversations/{id} shows. */
const CONVERSATION_CHANGES = new Set<string>([
  'conversation.created',
  'conversation.ended',
  'participant.added',
  'participant.state.changed',
  'participant.attributes.updated',
  'participant.wrapup',
  'message.sent',
  'message.delivered',
  'message.failed',
]);
