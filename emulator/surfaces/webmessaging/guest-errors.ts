import { MAX_CUSTOM_DATA_BYTES, MAX_TEXT_LENGTH } from './limits.ts';

/**
 * The Web Messaging error catalogue (guest-protocols.md §2.6). Errors are frames, not HTTP bodies:
 * `{type:"response", class:"string", code, body:"<text>"}`, except rate limiting, which has its own
 * class. Handlers throw a GuestError before changing anything; the dispatcher writes the frame with the
 * request's tracingId. Tests assert on codes; texts follow the captured fixtures where there are some.
 */
export class GuestError extends Error {
  readonly code: number;
  /** Set for 429: the frame is a TooManyRequestsErrorMessage with this retryAfter. */
  readonly retryAfter?: number;
  constructor(code: number, text: string, retryAfter?: number) {
    super(text);
    this.name = 'GuestError';
    this.code = code;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

export const guestErrors = {
  badRequest: (why: string) => new GuestError(400, `Request failed. ${why}`),
  /** A frame whose socket has not configured this token (or whose session is gone). */
  sessionNotFound: () =>
    new GuestError(
      4007,
      'Session not found. Send configureSession with this token on this connection first.',
    ),
  sessionExpired: () =>
    new GuestError(4006, 'Session has expired. Configure with startNew:true (or a new token) to continue.'),
  messageTooLong: () =>
    new GuestError(4011, `Message too long: the text is longer than ${MAX_TEXT_LENGTH} characters.`),
  customAttributesTooLarge: () =>
    new GuestError(
      4013,
      `Custom Attributes in channel metadata is larger than ${MAX_CUSTOM_DATA_BYTES} bytes`,
    ),
  /** Text captured from the real service (ovotech/genesys-web-messaging-tester#165). */
  readOnly: () => new GuestError(409, 'Session is read-only, no new messages allowed'),
  /** UNCONFIRMED code: a token or configure request naming another deployment than the connection's. */
  otherDeployment: () =>
    new GuestError(403, 'Forbidden: this session belongs to another deployment than the connection.'),
  deploymentMismatch: () =>
    new GuestError(403, "Forbidden: deploymentId does not match the connection's deploymentId."),
  notEmulated: (what: string) =>
    new GuestError(4000, `Feature unavailable: ${what} is not emulated by the Genesys Cloud emulator.`),
  tooManyRequests: (retryAfter: number) =>
    new GuestError(4029, 'Message rate too high for this session', retryAfter),
  unexpected: () => new GuestError(5000, 'Request failed.'),
  /** UNCONFIRMED code: the conversation holds fidelity.maxMessagesPerConversation messages already. */
  messageLimit: (max: number) =>
    new GuestError(400, `Request failed. The conversation already holds the maximum of ${max} messages.`),
} as const;
