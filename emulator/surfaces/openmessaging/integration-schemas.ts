import { z } from 'zod';
import { webhookHeadersSchema } from '../../domain/openmessaging/webhook-headers.ts';
import { PagingQuerySchema } from '../platform/paging.ts';

/**
 * Bodies and queries of the integration and recipient routes (platform-extra.md §1.1-§1.2), as the SDK's
 * OpenIntegrationRequest, OpenIntegrationUpdateRequest and RecipientRequest have them. Unknown fields
 * (the SDK's `id` and `selfUri`, response-only `status`) are ignored, as Genesys ignores them.
 */

const name = z.string().trim().min(1).max(256);
const webhookUrl = z.url({
  protocol: /^https?$/,
  error: 'outboundNotificationWebhookUrl must be an http(s) URL',
});
/** Genesys: "must be longer than 15 characters". */
const secret = z
  .string()
  .min(16, 'outboundNotificationWebhookSignatureSecretToken must be longer than 15 characters')
  .max(256);
const headers = webhookHeadersSchema;
const ref = z.object({ id: z.string().trim().min(1).max(256) });

export const OpenIntegrationRequestSchema = z.object({
  name,
  outboundNotificationWebhookUrl: webhookUrl,
  outboundNotificationWebhookSignatureSecretToken: secret,
  webhookHeaders: headers.optional(),
  supportedContent: ref.optional(),
  messagingSetting: ref.optional(),
});

export const OpenIntegrationUpdateSchema = z.object({
  name: name.optional(),
  outboundNotificationWebhookUrl: webhookUrl.optional(),
  outboundNotificationWebhookSignatureSecretToken: secret.optional(),
  webhookHeaders: headers.optional(),
  supportedContent: ref.optional(),
  messagingSetting: ref.optional(),
});

export const IntegrationParams = z.object({ integrationId: z.string().min(1).max(256) });

const EXPANDS = ['supportedContent', 'messagingSetting', 'identityresolution'] as const;

export const IntegrationListQuery = PagingQuerySchema.extend({
  expand: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).filter((x) => x !== ''))
    .pipe(z.array(z.enum(EXPANDS)))
    .optional(),
  'supportedContent.id': z.string().min(1).optional(),
  'messagingSetting.id': z.string().min(1).optional(),
});

export const IntegrationGetQuery = z.object({
  expand: IntegrationListQuery.shape.expand,
});

/** Recipient.messengerType values (platform-extra.md §1.2). */
export const MESSENGER_TYPES = [
  'sms',
  'facebook',
  'twitter',
  'whatsapp',
  'webmessaging',
  'instagram',
  'open',
  'apple',
] as const;

export const RecipientListQuery = PagingQuerySchema.extend({
  messengerType: z.string().optional(),
  name: z.string().max(256).optional(),
});

export const RecipientParams = z.object({ recipientId: z.string().min(1).max(256) });

export const RecipientRequestSchema = z.object({ flow: ref });
