import { z } from 'zod';
import { CustomerMessageSchema, StartTransferRequestSchema } from '../session/transfer-request.ts';
import { ServiceError } from './errors.ts';

/**
 * What the service accepts, as zod schemas: bodies reuse the library's own request schemas (one source of
 * truth for what a transfer or a message is), paths and queries are checked here. Bodies are strict
 * (an unknown field is a typo worth hearing about); queries ignore unknown parameters, as caches and
 * proxies add their own.
 */

const SEQ = /^\d{1,15}$/;
const seq = (name: string) =>
  z
    .string({ error: `${name} must be a whole number` })
    .regex(SEQ, { error: `${name} must be a whole number (0 or more)` })
    .transform(Number);

export const SessionParams = z.object({
  sessionId: z
    .string()
    .min(1, { error: 'the session id must not be empty' })
    .max(200, { error: 'the session id is too long' }),
});

/** `afterSeq` (bridge.md §4.6 also names it `after`): events with a greater seq. */
export const AfterSeqQuery = z.object({
  afterSeq: seq('afterSeq').optional(),
  after: seq('after').optional(),
});

export const EventsQuery = AfterSeqQuery.extend({
  /** Long-poll: wait up to this many seconds for the first new event (bridge.md: `wait=25`). */
  wait: seq('wait')
    .refine((n) => n <= 25, { error: 'wait must be at most 25 seconds' })
    .optional(),
  limit: seq('limit')
    .refine((n) => n >= 1 && n <= 1000, { error: 'limit must be between 1 and 1000' })
    .optional(),
});

export const StreamQuery = AfterSeqQuery.extend({
  /** WebSocket only: subscribe to this session at once and close after its `session.ended`. */
  sessionId: SessionParams.shape.sessionId.optional(),
});

export const FindQuery = z.object({
  botConversationId: z
    .string({ error: 'botConversationId is required (the service does not list every session)' })
    .min(1, { error: 'botConversationId must not be empty' }),
});

/** POST /v1/transfers: the key may come from the Idempotency-Key header instead of the body. */
export const TransferBody = StartTransferRequestSchema.extend({
  idempotencyKey: StartTransferRequestSchema.shape.idempotencyKey.optional(),
});

export const MessageBody = CustomerMessageSchema;

export const TypingBody = z.strictObject({
  isTyping: z.boolean({ error: 'isTyping must be true or false' }),
});

export const EndBody = z
  .strictObject({
    reason: z
      .enum(['botEnded', 'customerEnded'], { error: 'reason must be "botEnded" or "customerEnded"' })
      .optional(),
  })
  .optional()
  .transform((body) => body ?? {});

export const IdempotencyHeader = z
  .string()
  .min(1, { error: 'Idempotency-Key must not be empty' })
  .max(256, { error: 'Idempotency-Key must be at most 256 characters' })
  .optional();

/** Parses input or throws INVALID_REQUEST naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s): ${issue.keys.join(', ')}`
        : issue.path.length === 0 && issue.code === 'invalid_type'
          ? `the ${where} must be a JSON ${issue.expected}`
          : issue.message,
  }));
  throw new ServiceError(
    'INVALID_REQUEST',
    `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { issues },
  );
}

/** The resume point of a request: `afterSeq` or its alias `after` (0 when neither is given). */
export function afterSeqOf(query: { afterSeq?: number | undefined; after?: number | undefined }): number {
  if (query.afterSeq !== undefined && query.after !== undefined && query.afterSeq !== query.after) {
    throw new ServiceError('INVALID_REQUEST', 'afterSeq and after disagree; send one of them');
  }
  return query.afterSeq ?? query.after ?? 0;
}
