import { createHmac } from 'node:crypto';

/**
 * The signature Genesys puts on every Open Messaging webhook delivery (platform-extra.md §1.5, [DC-VAL]):
 * `X-Hub-Signature-256: sha256=<base64 HMAC-SHA256 of the raw body, keyed with the integration's
 * outboundNotificationWebhookSignatureSecretToken>`. Base64, not hex (some community code gets that
 * wrong). It signs the exact bytes that are sent.
 */
export const SIGNATURE_HEADER = 'X-Hub-Signature-256';

export function hubSignature(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
}
