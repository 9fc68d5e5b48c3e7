import type { TimerHandle } from '../../domain/clock.ts';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { DomainEvent } from '../../domain/events.ts';
import { agentState } from '../../domain/routing/agent-state.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { genericConversation, mediaConversation } from '../platform/conversations/presenters.ts';
import { presentRoutingStatus } from '../platform/presenters.ts';
import {
  chatMessagesTopic,
  conversationTopics,
  isMediaTopic,
  messageTypingTopic,
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
    this.#send(channel, 'channel.metadata', { message: 'pong' });
  }

  remove(id: string): void {
    const channel = this.#channels.get(id);
    if (!channel) return;
    this.#closeSocket(channel);
    this.#runtime.clock.clearTimeout(channel.expiry);
    this.#channels.delete(id);
  }

  /** Server shutdown or reset: every socket is told `v2.system.socket_closing` first. */
  closeAll(): void {
    for (const id of [...this.#channels.keys()]) this.remove(id);
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
    if (event.type === 'agent.routingStatus.changed') {
      const { userId } = event.data;
      this.#publish(routingStatusTopic(userId), () => ({
        id: userId,
        routingStatus: (({ status, startTime }) => ({ status, startTime }))(
          presentRoutingStatus(agentState(this.#runtime, userId)),
        ),
      }));
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

  /** Per-conversation feeds: a chat's messages and typing, a message conversation's typing. */
  #publishConversationFeed(event: DomainEvent<'message.sent'> | DomainEvent<'typing.sent'>): void {
    const conversationId = event.conversationId!;
    const conversation = findConversation(this.#runtime, conversationId);
    if (!conversation) return;
    const base = { conversation: { id: conversationId }, timestamp: event.time };
    if (conversation.mediaType === 'chat') {
      this.#publish(chatMessagesTopic(conversationId), () =>
        event.type === 'message.sent'
          ? {
              id: event.data.message.id,
              ...base,
              sender: { id: event.data.message.participantId },
              body: event.data.message.text,
              bodyType: event.data.message.bodyType ?? 'standard',
            }
          : {
              id: `typing-${event.seq}`,
              ...base,
              sender: { id: event.data.participantId },
              bodyType: 'typing-indicator',
            },
      );
      return;
    }
    if (event.type !== 'typing.sent') return;
    this.#publish(messageTypingTopic(conversationId), () => ({
      ...base,
      sender: { id: event.data.participantId },
      purpose: event.data.purpose,
      typing: { type: 'On', duration: 5000 },
    }));
  }

  #flush(): void {
    this.#flushQueued = false;
    const ids = [...this.#pending];
    this.#pending.clear();
    for (const id of ids) {
      const conversation = findConversation(this.#runtime, id);
      if (!conversation) continue;
      const users = new Set<string>();
      const queues = new Set<string>();
      for (const p of conversation.participants) {
        if (p.userId) users.add(p.userId);
        if (p.queueId) queues.add(p.queueId);
      }
      // Each view is built once per flush and only if some channel listens to a topic that needs it.
      const views = new Map<'generic' | 'media', unknown>();
      const view = (kind: 'generic' | 'media') => {
        if (!views.has(kind)) {
          views.set(
            kind,
            kind === 'media'
              ? mediaConversation(conversation)
              : genericConversation(this.#runtime.org(), conversation),
          );
        }
        return views.get(kind);
      };
      for (const topic of conversationTopics(users, queues, conversation.mediaType)) {
        this.#publish(topic, () => view(isMediaTopic(topic) ? 'media' : 'generic'));
      }
    }
  }

  #publish(topic: string, body: () => unknown): void {
    let text: string | undefined;
    for (const channel of this.#channels.values()) {
      if (!channel.socket || !channel.topics.has(topic)) continue;
      text ??= this.#frame(topic, body());
      channel.socket.send(text);
    }
  }

  #send(channel: Channel, topic: string, eventBody: unknown): void {
    if (channel.socket) this.#sendTo(channel.socket, topic, eventBody);
  }

  #sendTo(socket: ChannelSocket, topic: string, eventBody: unknown): void {
    socket.send(this.#frame(topic, eventBody));
  }

  /** The envelope the Java SDK deserialises: topicName, version, eventBody, metadata.CorrelationId. */
  #frame(topicName: string, eventBody: unknown): string {
    return JSON.stringify({
      topicName,
      version: '2',
      eventBody,
      metadata: { CorrelationId: this.#runtime.correlationIds.uuid() },
    });
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
]);
