import { isoTime } from '../../domain/clock.ts';
import type { IdGenerator } from '../../domain/ids.ts';
import type { RoomMessage } from './timeline.ts';

/**
 * Event-stream frames as Genesys sends them (guest-protocols.md §1.5): the envelope
 * {topicName, version: "2", eventBody, metadata: {CorrelationId, type}} — capital-C CorrelationId as in
 * captured frames — on `v2.conversations.chats.{id}.members` (member-change) and `.messages`
 * (message, typing-indicator); keep-alives and the closing warning use the notification channel's
 * `channel.metadata` and `v2.system.socket_closing` topics, which carry no `type`.
 */
export class FrameWriter {
  readonly #correlationIds: IdGenerator;

  constructor(correlationIds: IdGenerator) {
    this.#correlationIds = correlationIds;
  }

  /** `member-change`: only the member's id and state, no role or name (clients look the member up). */
  memberChange(conversationId: string, memberId: string, state: string, time: number): string {
    return this.#frame(`v2.conversations.chats.${conversationId}.members`, 'member-change', {
      conversation: { id: conversationId },
      member: { id: memberId, state },
      timestamp: isoTime(time),
    });
  }

  message(conversationId: string, m: RoomMessage): string {
    return this.#frame(`v2.conversations.chats.${conversationId}.messages`, 'message', {
      id: m.id,
      conversation: { id: conversationId },
      sender: { id: m.memberId },
      body: m.body,
      bodyType: m.bodyType,
      timestamp: isoTime(m.time),
    });
  }

  typing(conversationId: string, id: string, memberId: string, time: number): string {
    return this.#frame(`v2.conversations.chats.${conversationId}.messages`, 'typing-indicator', {
      id,
      conversation: { id: conversationId },
      sender: { id: memberId },
      timestamp: isoTime(time),
    });
  }

  heartbeat(): string {
    return this.#frame('channel.metadata', undefined, { message: 'WebSocket Heartbeat' });
  }

  pong(): string {
    return this.#frame('channel.metadata', undefined, { message: 'pong' });
  }

  socketClosing(): string {
    return this.#frame('v2.system.socket_closing', undefined, { message: 'Socket is closing' });
  }

  #frame(topicName: string, type: string | undefined, eventBody: unknown): string {
    // An undefined type is left out by JSON (a conditional spread here cost a slower object per frame).
    return JSON.stringify({
      topicName,
      version: '2',
      eventBody,
      metadata: { CorrelationId: this.#correlationIds.uuid(), type },
    });
  }
}
