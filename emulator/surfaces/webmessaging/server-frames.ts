import type { GuestError } from './guest-errors.ts';

/**
 * Server → client envelopes (guest-protocols.md §2.3): `{type, class, code, body, tracingId?}`.
 * `response` answers a request; `message` is unsolicited (agent messages, echoes, events). Each builder
 * returns the JSON text, so a broadcast serialises once for every socket of a session.
 */
export type FrameType = 'response' | 'message';

export function serverFrame(
  type: FrameType,
  className: string,
  body: unknown,
  tracingId?: string,
  code = 200,
): string {
  // One literal, not `...(tracingId === undefined ? {} : { tracingId })`: the spread's copy took about
  // half of building an echo frame; JSON leaves an undefined tracingId out.
  return JSON.stringify({ type, class: className, code, body, tracingId });
}

/** `class:"string"` errors, or a TooManyRequestsErrorMessage (frame code 429, errorCode 4029). */
export function errorFrame(error: GuestError, tracingId?: string): string {
  if (error.retryAfter !== undefined) {
    return serverFrame(
      'response',
      'TooManyRequestsErrorMessage',
      { retryAfter: error.retryAfter, errorCode: error.code, errorMessage: error.message },
      tracingId,
      429,
    );
  }
  return serverFrame('response', 'string', error.message, tracingId, error.code);
}

export interface SessionResponseBody {
  connected: boolean;
  newSession?: boolean;
  readOnly?: boolean;
  clearedExistingSession?: boolean;
  maxCustomDataBytes?: number;
  allowedMedia?: unknown;
  blockedExtensions?: string[];
  durationSeconds?: number;
  expirationDate?: number;
  autoStarted?: boolean;
}

export const sessionResponse = (body: SessionResponseBody, tracingId?: string) =>
  serverFrame('response', 'SessionResponse', body, tracingId);

/** SessionExpiredEvent is sent as a `response` in the captured fixture [M1]; terminal for the session. */
export const sessionExpiredEvent = () => serverFrame('response', 'SessionExpiredEvent', {});

/** No `reason`: the mobile SDK reads that as "session limit reached / closed by another connection" [M1]. */
export const connectionClosedEvent = () => serverFrame('message', 'ConnectionClosedEvent', {});

export const sessionClearedEvent = () => serverFrame('message', 'SessionClearedEvent', {});
