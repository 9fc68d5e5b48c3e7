import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, the scheme Genesys uses for Open Messaging webhooks: `X-Bridge-Signature:
 * sha256=<hex HMAC-SHA256 of the raw body>` under the shared secret. The body carries the event's
 * `eventId` and `observedAt`, so a receiver that verifies the signature can also refuse stale or replayed
 * deliveries (dedupe on eventId).
 */
export const SIGNATURE_HEADER = 'x-bridge-signature';

export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** For receivers: true when `header` is the signature of exactly this raw body (constant-time compare). */
export function verifyWebhookSignature(secret: string, body: string, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(signWebhookBody(secret, body), 'utf8');
  const presented = Buffer.from(header.trim(), 'utf8');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
