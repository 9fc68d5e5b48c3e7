import { z } from 'zod';
import { SessionParams } from './schemas.ts';

/**
 * The frames of the `/v1/stream` WebSocket (bridge.md §4.8), client to server. Server frames are
 * `{type:'event', event}`, `{type:'subscribed', sessionId, afterSeq, lastSeq}`, `{type:'ended', sessionId}`,
 * `{type:'result', requestId, ok, data | error}`, `{type:'error', error, sessionId?}`, `{type:'pong'}` and
 * `{type:'heartbeat', at}`.
 */
const sessionId = SessionParams.shape.sessionId;
const afterSeq = z
  .number({ error: 'afterSeq must be a number' })
  .int({ error: 'afterSeq must be a whole number' })
  .min(0, { error: 'afterSeq must be 0 or more' })
  .max(Number.MAX_SAFE_INTEGER);

export const ClientFrame = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('subscribe'), sessionId, afterSeq: afterSeq.optional() }),
    z.strictObject({ type: z.literal('unsubscribe'), sessionId }),
    z.strictObject({
      type: z.literal('command'),
      requestId: z.string().min(1).max(200),
      op: z.enum(['sendMessage', 'typing', 'end'], { error: 'op must be "sendMessage", "typing" or "end"' }),
      sessionId,
      payload: z.unknown().optional(),
    }),
    z.strictObject({ type: z.literal('ping') }),
  ],
  { error: 'type must be "subscribe", "unsubscribe", "command" or "ping"' },
);

export type ClientFrame = z.output<typeof ClientFrame>;
