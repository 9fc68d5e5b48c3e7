/**
 * The bridge's error vocabulary (bridge.md §4.7). Every failing call throws a BridgeFailure carrying a
 * BridgeError, and the same BridgeError is emitted on the session's event stream, so the bot always
 * learns about a failure whichever way it listens.
 */
export type BridgeErrorCode =
  | 'CONFIG_INVALID'
  | 'INVALID_REQUEST'
  | 'CHANNEL_DEPRECATED'
  | 'AUTH_FAILED'
  | 'FORBIDDEN'
  | 'QUEUE_NOT_FOUND'
  | 'METADATA_TOO_LARGE'
  | 'METADATA_INVALID'
  | 'MESSAGE_TOO_LONG'
  | 'ATTACHMENTS_UNSUPPORTED'
  | 'ATTACHMENT_REJECTED'
  | 'RATE_LIMITED'
  | 'QUEUE_FULL'
  | 'SESSION_EXPIRED'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_READ_ONLY'
  | 'SESSION_ENDED'
  | 'PROVIDER_UNAVAILABLE'
  /** The shared session store (Redis) cannot be reached: retryable. */
  | 'STORE_UNAVAILABLE'
  | 'RECONNECT_EXHAUSTED'
  | 'TIMEOUT'
  | 'IDEMPOTENCY_CONFLICT'
  | 'INTERNAL';

export interface BridgeError {
  code: BridgeErrorCode;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** A hint for the human fixing it, like Genesys's CorrectiveAction. */
  correctiveAction?: string;
  provider?: { code?: number | string; body?: string };
  clientMessageId?: string;
}

export class BridgeFailure extends Error {
  readonly error: BridgeError;

  constructor(error: BridgeError) {
    super(`${error.code}: ${error.message}`);
    this.name = 'BridgeFailure';
    this.error = error;
  }
}

export function bridgeError(
  code: BridgeErrorCode,
  message: string,
  extra: Partial<Omit<BridgeError, 'code' | 'message'>> = {},
): BridgeError {
  return { code, message, retryable: extra.retryable ?? false, ...extra };
}

export function failure(
  code: BridgeErrorCode,
  message: string,
  extra: Partial<Omit<BridgeError, 'code' | 'message'>> = {},
): BridgeFailure {
  return new BridgeFailure(bridgeError(code, message, extra));
}

/** Turns anything thrown into a BridgeError, keeping a BridgeFailure's own error. */
export function toBridgeError(thrown: unknown): BridgeError {
  if (thrown instanceof BridgeFailure) return thrown.error;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return bridgeError('INTERNAL', message);
}
