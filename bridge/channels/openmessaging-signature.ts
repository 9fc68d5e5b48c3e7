import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks the `X-Hub-Signature-256` Genesys puts on an Open Messaging webhook delivery
 * (platform-extra.md §1.5): `sha256=` and the base64 HMAC-SHA256 of the raw body, keyed with the
 * integration's signature secret. Compared in constant time; anything else (missing, hex, another key, a
 * body changed by one byte) is false.
 */
export function verifyHubSignature(
  secret: string,
  rawBody: Uint8Array | string,
  header: string | undefined,
): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length).trim(), 'utf8');
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('base64'), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The header value for a body (what Genesys sends; for tests and tools that play Genesys). */
export function hubSignature(secret: string, rawBody: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('base64')}`;
}
