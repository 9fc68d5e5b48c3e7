import { z } from 'zod';

/**
 * What the control operations accept, checked the same way whether they come over HTTP (the control
 * plane) or from code (the handle): a bad value is a Genesys 400 naming the field.
 */

export const AdvanceInput = z.strictObject({
  ms: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600 * 1000),
});

export const ReproPackInput = z.strictObject({
  conversationId: z.string().min(1).optional(),
});

export const EventsInput = z.strictObject({
  conversationId: z.string().min(1).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  type: z.union([z.string(), z.array(z.string())]).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const HttpFaultInput = z
  .strictObject({
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
      .optional(),
    path: z.string().min(1).max(1024).startsWith('/'),
    status: z.union([z.literal(429), z.literal(503)]).optional(),
    delayMs: z.number().int().min(1).max(3_600_000).optional(),
    count: z.number().int().min(1).max(10_000).default(1),
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
  })
  .refine((f) => (f.status === undefined) !== (f.delayMs === undefined), {
    message: 'give exactly one of status (429 or 503) or delayMs',
  });

export const StartCustomerInput = z
  .strictObject({
    mediaType: z.enum(['message', 'chat']).default('message'),
    channel: z.enum(['webmessaging', 'webchat']).default('webmessaging'),
    customerName: z.string().min(1).max(256).default('Test Customer'),
    attributes: z.record(z.string().min(1), z.string()).default({}),
    /** The first customer message (sent before routing, as a Web Messaging first message is). */
    text: z.string().min(1).max(4096).optional(),
    /** Route through this flow, or the messenger deployment's flow, or straight to a queue. */
    flow: z.string().min(1).optional(),
    deploymentId: z.string().min(1).optional(),
    queueName: z.string().min(1).optional(),
    priority: z.number().int().default(0),
  })
  .refine((b) => [b.flow, b.deploymentId, b.queueName].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of flow, deploymentId or queueName',
  });

export const CustomerTextInput = z.strictObject({ text: z.string().min(1).max(4096) });

export type EventsFilter = z.input<typeof EventsInput>;
export type HttpFaultSpec = z.input<typeof HttpFaultInput>;
export type StartCustomerSpec = z.input<typeof StartCustomerInput>;
