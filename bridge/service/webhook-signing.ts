import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, in the style of Stripe's: `X-Bridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
 * of "<t>.<raw body>">` under the shared secret. The timestamp is signed with the body, so a receiver can
 * refuse a delivery that is too old (a replay of a captured request) as well as one that was altered, and
 * dedupe on the body's `eventId` within that window. Each delivery attempt is signed afresh, so a retry
 * carries its own time.
 *
 * The header may carry several `v1=` values (one per secret while a secret is being rotated); a receiver
 * accepts the delivery when any of them matches.
 */
export const SIGNATURE_HEADER = 'x-bridge-signature';
export const SIGNATURE_SCHEME = 'v1';
/** How far from the receiver's clock a signed timestamp may be, by default (Stripe's default too). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifyWebhookOptions {
  /** Largest accepted distance between the signed `t` and now, in seconds (300); Infinity accepts any. */
  toleranceSeconds?: number;
  /** The receiver's time, ms since the epoch (Date.now()). */
  now?: number;
}

function hmac(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}

/** The header value for this raw body sent at `timestampSeconds` (whole unix seconds). */
export function signWebhookBody(secret: string, body: string, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds);
  return `t=${t},${SIGNATURE_SCHEME}=${hmac(secret, t, body)}`;
}

/** The `t` and every `v1` of a header; undefined when it is not of that form. */
export function parseWebhookSignature(
  header: string | undefined,
): { timestampSeconds: number; signatures: string[] } | undefined {
  if (typeof header !== 'string') return undefined;
  let timestampSeconds: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestampSeconds !== undefined) return undefined;
      timestampSeconds = Number(value);
    } else if (key === SIGNATURE_SCHEME) {
      signatures.push(value);
    }
    // Other schemes are ignored, so a later scheme can be added beside v1.
  }
  if (timestampSeconds === undefined || signatures.length === 0) return undefined;
  return { timestampSeconds, signatures };
}

/**
 * For receivers: true when `header` signs exactly this raw body under `secret` (constant-time compare)
 * and its timestamp is within `toleranceSeconds` of `now`. Verify the raw body bytes as received, before
 * parsing the JSON.
 *
 *   if (!verifyWebhookSignature(secret, rawBody, req.headers['x-bridge-signature'])) return 401;
 */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | undefined,
  options: VerifyWebhookOptions = {},
): boolean {
  const parsed = parseWebhookSignature(header);
  if (!parsed) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = (options.now ?? Date.now()) / 1000;
  if (!(Math.abs(nowSeconds - parsed.timestampSeconds) <= tolerance)) return false;
  const expected = Buffer.from(hmac(secret, parsed.timestampSeconds, body), 'utf8');
  let matched = false;
  for (const signature of parsed.signatures) {
    const presented = Buffer.from(signature, 'utf8');
    // Every candidate is compared, so the time taken does not say which one matched.
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) matched = true;
  }
  return matched;
}
