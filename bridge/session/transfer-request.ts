import { z } from 'zod';
import { BridgeFailure, bridgeError } from '../errors.ts';
import type { CustomerMessage, StartTransferRequest } from '../types.ts';

/**
 * Validation of the library's command inputs. They come from bot platforms over the wire later (the
 * service), so they are checked like any untrusted input and refused with INVALID_REQUEST naming the field.
 */
const text = (field: string) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be text`),
    })
    .trim()
    .min(1, { error: `${field} must not be empty` });
const optionalText = (field: string) => z.string({ error: `${field} must be text` }).optional();

const TranscriptEntrySchema = z.strictObject({
  role: z.enum(['customer', 'bot', 'system'], {
    error: 'transcript[].role must be "customer", "bot" or "system"',
  }),
  text: z.string({ error: 'transcript[].text must be text' }),
  at: optionalText('transcript[].at'),
  id: optionalText('transcript[].id'),
});

export const StartTransferRequestSchema = z.strictObject({
  idempotencyKey: text('idempotencyKey'),
  botConversationId: text('botConversationId'),
  botChannel: text('botChannel').optional(),
  customer: z.strictObject(
    {
      id: text('customer.id'),
      displayName: optionalText('customer.displayName'),
      firstName: optionalText('customer.firstName'),
      lastName: optionalText('customer.lastName'),
      email: optionalText('customer.email'),
      phone: optionalText('customer.phone'),
    },
    // Only for a customer that is not an object: an unknown key or a bad field keeps its own message.
    {
      error: (issue) => (issue.code === 'invalid_type' ? 'customer must be an object with an id' : undefined),
    },
  ),
  queueName: text('queueName').optional(),
  metadata: z.record(z.string(), z.json(), { error: 'metadata must map keys to JSON values' }).optional(),
  transcript: z.array(TranscriptEntrySchema, { error: 'transcript must be a list of entries' }).optional(),
  summary: optionalText('summary'),
  initialMessage: optionalText('initialMessage'),
});

export const CustomerMessageSchema = z.strictObject({
  clientMessageId: text('clientMessageId'),
  text: optionalText('text'),
  attachments: z
    .array(
      z.strictObject({
        url: z.string(),
        mimeType: z.string(),
        fileName: z.string().optional(),
        sizeBytes: z.number().optional(),
      }),
    )
    .optional(),
});

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
  throw new BridgeFailure(bridgeError('INVALID_REQUEST', `invalid ${what}: ${problems.join('; ')}`));
}

export function parseStartTransferRequest(input: unknown): StartTransferRequest {
  return parseOrThrow(StartTransferRequestSchema, input, 'startTransfer request') as StartTransferRequest;
}

export function parseCustomerMessage(input: unknown): CustomerMessage {
  return parseOrThrow(CustomerMessageSchema, input, 'customer message') as CustomerMessage;
}

/** Canonical JSON (sorted keys) of a request, to tell a replay from a conflicting reuse of its key. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
