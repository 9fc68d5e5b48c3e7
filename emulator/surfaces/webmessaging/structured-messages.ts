import { isoTime } from '../../domain/clock.ts';
import type { Conversation, ConversationMessage } from '../../domain/conversations/model.ts';
import { nameUuid } from '../../domain/ids.ts';
import type { InboundContent, InboundEvent } from './client-frames.ts';
import { AGENT_TYPING_DURATION_MS } from './limits.ts';

/**
 * Bodies of `StructuredMessage` frames and history entities (guest-protocols.md §2.5, §2.8). One
 * presenter serves the live frame and the history entry, so a message looks the same in both. Outbound
 * ids are the core's message ids without dashes (captured outbound ids are 32 hex characters); inbound
 * ids keep the UUID form, as captured.
 */

/** What the guest sent beyond the text, kept so the echo and the history show it back. */
export interface InboundExtras {
  type?: 'Text' | 'Structured';
  content?: InboundContent[];
  customAttributes?: Record<string, string>;
  metadata?: Record<string, string>;
}

export function outboundId(id: string): string {
  return id.replaceAll('-', '');
}

/** Stable per message, so the live frame and the history entry carry the same correlation id. */
function correlationId(messageId: string): string {
  return nameUuid(`webmessaging:correlation:${messageId}`);
}

/** The sender as Genesys shows it: `channel.from` and `originatingEntity` (Human for agents, Bot for flows). */
function sender(conversation: Conversation, message: ConversationMessage) {
  const participant = conversation.participants.find((p) => p.id === message.participantId);
  const name = participant?.name ?? '';
  if (message.purpose === 'agent') {
    return {
      originatingEntity: 'Human' as const,
      from: { nickname: name, firstName: name.split(' ')[0] ?? name },
    };
  }
  return { originatingEntity: 'Bot' as const, from: { nickname: name } };
}

export function messageBody(
  conversation: Conversation,
  message: ConversationMessage,
  extras?: InboundExtras,
) {
  const time = isoTime(message.time);
  if (message.direction === 'inbound') {
    const attributes = extras?.customAttributes;
    return {
      id: message.id,
      type: extras?.type ?? 'Text',
      text: message.text,
      direction: 'Inbound',
      channel: {
        time,
        messageId: message.id,
        ...(attributes ? { metadata: { customAttributes: attributes } } : {}),
      },
      content: extras?.content ?? [],
      metadata: { correlationId: correlationId(message.id), ...(extras?.metadata ?? {}) },
      events: [],
    };
  }
  const { originatingEntity, from } = sender(conversation, message);
  const id = outboundId(message.id);
  return {
    id,
    type: 'Text',
    text: message.text,
    direction: 'Outbound',
    originatingEntity,
    channel: { time, messageId: id, type: 'Private', from, to: {} },
    content: [],
    metadata: { correlationId: correlationId(message.id) },
    events: [],
  };
}

/** The echo of a guest event (Typing, Presence Join): inbound, no text. */
export function inboundEventBody(id: string, time: number, events: InboundEvent[]) {
  return {
    id,
    type: 'Event',
    direction: 'Inbound',
    channel: { time: isoTime(time), messageId: id },
    events: events.map((e) =>
      e.eventType === 'Typing'
        ? { eventType: 'Typing', typing: { type: 'On' } }
        : { eventType: 'Presence', presence: { type: e.presence.type } },
    ),
  };
}

export function agentTypingBody(id: string, time: number) {
  return {
    id,
    type: 'Event',
    direction: 'Outbound',
    channel: { time: isoTime(time) },
    events: [{ eventType: 'Typing', typing: { type: 'On', duration: AGENT_TYPING_DURATION_MS } }],
  };
}

/**
 * Presence Disconnect when the agent or flow ends the conversation; `metadata.readOnly` is the string
 * "true" in ReadOnly mode (MessagingClientConversationDisconnectTest; ovotech#165 capture).
 */
export function disconnectBody(
  id: string,
  time: number,
  readOnly: boolean,
  by: { originatingEntity: 'Human' | 'Bot'; nickname: string },
) {
  return {
    id,
    type: 'Event',
    direction: 'Outbound',
    originatingEntity: by.originatingEntity,
    channel: { time: isoTime(time), type: 'Private', from: { nickname: by.nickname }, to: {} },
    events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
    ...(readOnly ? { metadata: { readOnly: 'true' } } : {}),
  };
}

/** Reply to `echo`: the text back, with the session's duration and expiry as strings [M1]. */
export function healthCheckBody(
  id: string,
  text: string,
  session: { durationSeconds: number; expiresAt: number },
  tracingId?: string,
) {
  return {
    id,
    type: 'Text',
    text,
    direction: 'Inbound',
    metadata: {
      // Left undefined rather than spread in (slow on every echo); the frame's JSON leaves it out.
      customMessageId: tracingId,
      durationSeconds: String(session.durationSeconds),
      expirationDate: String(Math.floor(session.expiresAt / 1000)),
    },
  };
}
