import { z } from 'zod';

/**
 * What the bridge sends to the Open Messaging inbound API and reads back from Genesys
 * (platform-extra.md §1.3-§1.5): request bodies built here, and zod schemas for every answer, webhook
 * body and conversation snapshot it reads. Schemas name only the fields the bridge uses and let the rest
 * through, so a Genesys that adds fields keeps working.
 */

export interface OpenCustomer {
  /** `channel.from.id`: the bridge uses the session id, so every transfer is a conversation of its own. */
  id: string;
  idType: 'Opaque' | 'Email' | 'Phone';
  nickname?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
}

function from(customer: OpenCustomer) {
  return {
    id: customer.id,
    idType: customer.idType,
    ...(customer.nickname ? { nickname: customer.nickname } : {}),
    ...(customer.firstName ? { firstName: customer.firstName } : {}),
    ...(customer.lastName ? { lastName: customer.lastName } : {}),
    ...(customer.email ? { email: customer.email } : {}),
  };
}

/** OpenInboundNormalizedMessage; custom attributes (Participant Data) in `channel.metadata.customAttributes`. */
export function inboundMessageBody(
  customer: OpenCustomer,
  messageId: string,
  time: number,
  text: string,
  attributes?: Record<string, string>,
) {
  return {
    channel: {
      messageId,
      from: from(customer),
      time: new Date(time).toISOString(),
      ...(attributes && Object.keys(attributes).length > 0
        ? { metadata: { customAttributes: attributes } }
        : {}),
    },
    text,
  };
}

/** OpenInboundNormalizedEvent: the customer is typing. */
export function inboundTypingBody(customer: OpenCustomer, time: number) {
  return {
    channel: { from: { id: customer.id, idType: customer.idType }, time: new Date(time).toISOString() },
    events: [{ eventType: 'Typing' }],
  };
}

/** OpenInboundNormalizedReceipt: the agent's message reached the customer. */
export function deliveredReceiptBody(customer: OpenCustomer, genesysMessageId: string, time: number) {
  return {
    id: genesysMessageId,
    channel: { to: { id: customer.id, idType: customer.idType }, time: new Date(time).toISOString() },
    status: 'Delivered',
    direction: 'Outbound',
    isFinalReceipt: true,
  };
}

/** The answer to an inbound message: the Genesys message id and (asked for) the conversation id. */
export const InboundMessageAnswerSchema = z.looseObject({
  id: z.string().min(1),
  conversationId: z.string().min(1).optional(),
});

/** An ISO-8601 time as ms since the epoch (undefined when absent or unreadable). */
const TimeSchema = z
  .string()
  .transform((t) => {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  })
  .optional();

/** A body Genesys POSTs to the integration's webhook (agent or bot text, typing, receipts, events). */
export const WebhookBodySchema = z.looseObject({
  id: z.string().min(1),
  channel: z.looseObject({
    id: z.string().min(1),
    to: z.looseObject({ id: z.string().min(1) }),
    time: TimeSchema,
  }),
  conversationId: z.string().min(1).optional(),
  type: z.string(),
  direction: z.string().optional(),
  originatingEntity: z.string().optional(),
  text: z.string().optional(),
  content: z
    .array(
      z.looseObject({
        contentType: z.string().optional(),
        attachment: z
          .looseObject({
            url: z.string().optional(),
            mime: z.string().optional(),
            filename: z.string().optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  events: z
    .array(
      z.looseObject({
        eventType: z.string(),
        typing: z.looseObject({ type: z.string().optional(), duration: z.number().optional() }).optional(),
        presence: z.looseObject({ type: z.string() }).optional(),
      }),
    )
    .optional(),
});
export type WebhookBody = z.output<typeof WebhookBodySchema>;

/**
 * A message conversation's participants as both the queue topic (`v2.routing.queues.{id}.conversations.messages`)
 * and `GET /api/v2/conversations/messages/{id}` carry them: enough to see agents join, leave and hand over.
 */
export const ConversationSnapshotSchema = z.looseObject({
  id: z.string().min(1),
  participants: z.array(
    z.looseObject({
      id: z.string().min(1),
      purpose: z.string(),
      state: z.string().optional(),
      name: z.string().optional(),
      user: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
      userId: z.string().optional(),
      startTime: TimeSchema,
      connectedTime: TimeSchema,
      endTime: TimeSchema,
      disconnectType: z.string().optional(),
      messages: z
        .array(
          z.looseObject({
            messageId: z.string().optional(),
            message: z.looseObject({ id: z.string() }).optional(),
          }),
        )
        .optional(),
    }),
  ),
});
export type ConversationSnapshot = z.output<typeof ConversationSnapshotSchema>;
export type SnapshotParticipant = ConversationSnapshot['participants'][number];

/** The notification envelope. */
export const NotificationFrameSchema = z.looseObject({
  topicName: z.string(),
  eventBody: z.unknown(),
});

/** A page of `GET /api/v2/routing/queues`: the queue ids the bridge subscribes to. */
export const QueueListingSchema = z.looseObject({
  entities: z.array(z.looseObject({ id: z.string().min(1) })).default([]),
  pageCount: z.number().int().optional(),
});

/** `POST /api/v2/notifications/channels`: the channel to subscribe and the socket to open. */
export const NotificationChannelSchema = z.looseObject({
  id: z.string().min(1),
  connectUri: z.string().min(1),
});
