import { z } from 'zod';

/**
 * The inbound API's bodies (platform-extra.md §1.3): OpenInboundNormalizedMessage, ...Event and
 * ...Receipt. Legacy fields real clients still send (`channel.platform`, `channel.type`, `channel.to`,
 * top-level `type` and `direction`) are accepted and ignored; `idType` is matched case-insensitively
 * (a forum request sent `email`, UNCONFIRMED) and answered in Genesys's casing.
 */

const ID_TYPES = ['Email', 'Phone', 'Opaque'] as const;

const idType = z
  .string({ error: 'channel.from.idType is required (Email, Phone or Opaque)' })
  .transform((v, ctx) => {
    const found = ID_TYPES.find((t) => t.toLowerCase() === v.trim().toLowerCase());
    if (found) return found;
    ctx.addIssue({ code: 'custom', message: `Value [${v}] is not valid; allowed: ${ID_TYPES.join(', ')}` });
    return z.NEVER;
  });

const text = (max: number) => z.string().max(max);

export const FromSchema = z.object({
  id: z.string().trim().min(1).max(256),
  idType,
  nickname: text(256).optional(),
  firstName: text(256).optional(),
  lastName: text(256).optional(),
  image: text(2048).optional(),
  email: text(256).optional(),
});
export type OpenFrom = z.output<typeof FromSchema>;

const time = z.iso.datetime({ offset: true, error: 'an ISO-8601 time such as 2025-06-10T21:03:21.043Z' });

/** `channel.metadata.customAttributes` become the customer's Participant Data (§1.4). */
const ChannelMetadataSchema = z.object({
  customAttributes: z.record(z.string().min(1).max(256), z.string()).optional(),
});

const AttachmentContentSchema = z.object({
  contentType: z.string().optional(),
  attachment: z.looseObject({}).optional(),
});

export const InboundMessageSchema = z
  .object({
    channel: z.object({
      from: FromSchema,
      time,
      messageId: text(256).optional(),
      metadata: ChannelMetadataSchema.optional(),
    }),
    text: z.string().optional(),
    content: z.array(AttachmentContentSchema).optional(),
    // A flat map: a nested object here is refused with 400, as Genesys refuses it (§1.4, [F-PD]).
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .refine((m) => (m.text !== undefined && m.text !== '') || (m.content?.length ?? 0) > 0, {
    message: "should have required property 'text' or 'content'",
    path: ['text'],
  });
export type InboundMessage = z.output<typeof InboundMessageSchema>;

export const InboundMessageQuery = z.object({
  prefetchConversationId: z.enum(['true', 'false']).optional(),
});

export const InboundEventSchema = z.object({
  channel: z.object({ from: FromSchema, time }),
  events: z.array(z.object({ eventType: z.enum(['Typing']) })).min(1),
});
export type InboundEvent = z.output<typeof InboundEventSchema>;

/** The SDK's enum; the endpoint supports only Delivered and Failed [DC-RCPT]. */
const RECEIPT_STATUSES = ['Sent', 'Delivered', 'Failed', 'Published', 'Removed'] as const;

export const InboundReceiptSchema = z.object({
  id: z.string().trim().min(1).max(256),
  channel: z.object({
    to: z.object({ id: z.string().trim().min(1).max(256), idType: idType.optional() }),
    time,
  }),
  status: z.enum(RECEIPT_STATUSES),
  reasons: z
    .array(z.object({ code: z.string().max(64).optional(), message: z.string().max(4096) }))
    .optional(),
  isFinalReceipt: z.boolean().optional(),
  direction: z.enum(['Outbound']).optional(),
});
export type InboundReceipt = z.output<typeof InboundReceiptSchema>;

export const IntegrationPath = z.object({ integrationId: z.string().min(1).max(256) });
