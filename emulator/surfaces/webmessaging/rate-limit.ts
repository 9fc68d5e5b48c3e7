/**
 * The 2-per-second onMessage limit (limits.ts MESSAGES_PER_SECOND) as a sliding window over the last
 * two accepted messages: a message is allowed when the older of the two is at least a second old. Two
 * numbers per session, no timer, and time comes from the emulator clock so tests move it instead of
 * sleeping.
 */
export type RecentMessages = [older: number, newer: number];

const WINDOW_MS = 1000;

/** Nothing accepted yet. */
export function noRecentMessages(): RecentMessages {
  // Finite (JSON-safe for a persisted store) and far enough back for a clock that starts at 0.
  return [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
}

/** Seconds until another message is allowed (0 = allowed now); `retryAfter` is whole seconds, at least 1. */
export function retryAfterSeconds(recent: RecentMessages, now: number): number {
  const waitMs = recent[0] + WINDOW_MS - now;
  return waitMs <= 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
}

/** Records an accepted message. Called only once the message is accepted, so a refused one costs nothing. */
export function recordMessage(recent: RecentMessages, now: number): void {
  recent[0] = recent[1];
  recent[1] = now;
}
