/**
 * The numbers Genesys enforces on the Web Messaging guest API (guest-protocols.md §2.11). Where the
 * reference marks a value UNCONFIRMED the plausible choice is made here, once, with the reason.
 */

/** Guest tokens are client-generated, any format, at most 2,048 characters [M6]. */
export const MAX_TOKEN_LENGTH = 2048;

/** Byte budget for custom attributes (sum of UTF-8 key and value bytes), announced in SessionResponse [M1]. */
export const MAX_CUSTOM_DATA_BYTES = 2048;

/**
 * Longest guest text. UNCONFIRMED (only the error, 4011, is known): the agent side allows 4,000
 * characters for web messaging [M7], and the same figure is used for the guest.
 */
export const MAX_TEXT_LENGTH = 4000;

/**
 * Largest frame accepted; a bigger one closes the socket with 1009 (RFC 6455 "message too big").
 * UNCONFIRMED: 128 KiB is the payload limit of the API-gateway style WebSocket front the service is
 * believed to sit behind; no legitimate frame (4,000 characters of text, 2 KB of attributes) comes close.
 */
export const MAX_FRAME_BYTES = 128 * 1024;

/** Simultaneous connections per session; the mobile SDK team cites 3 as enforced by the backend [M1]. */
export const MAX_CONNECTIONS_PER_SESSION = 3;

/** `messages.per.session.rate.per.second`: 2 onMessage per session per second since Dec 2023 [M4]. */
export const MESSAGES_PER_SECOND = 2;

/** Guest session TTL when the deployment sets none. UNCONFIRMED default; 72 h is the illustrative figure. */
export const DEFAULT_SESSION_DURATION_SECONDS = 259_200;

/** Lifetime of the guest JWT from getJwt. UNCONFIRMED; authenticated-session JWTs live at most 15 min. */
export const GUEST_JWT_LIFETIME_SECONDS = 900;

/** Agent typing indicator length sent to the guest; the SDK assumes 5000 ms when absent [M1]. */
export const AGENT_TYPING_DURATION_MS = 5000;

/** Total UTF-8 bytes of keys and values, the measure the mobile SDK checks against maxCustomDataBytes. */
export function customDataBytes(attributes: Record<string, string>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(attributes))
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  return bytes;
}
