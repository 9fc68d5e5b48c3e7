import { type BridgeError, type BridgeErrorCode, BridgeFailure, toBridgeError } from '../errors.ts';

/**
 * The service's error vocabulary: every BridgeErrorCode plus the few that only exist at the HTTP edge
 * (no or bad API key, no such route, body problems fastify finds before a handler runs). Every error
 * leaves the service as `{ error: { code, message, retryable, requestId, ... } }` with the status below.
 */
export type ServiceErrorCode =
  | BridgeErrorCode
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UPGRADE_REQUIRED'
  | 'SERVICE_CLOSING'
  | 'REQUEST_TIMEOUT'
  | 'HEADERS_TOO_LARGE';

export interface ServiceErrorBody extends Omit<BridgeError, 'code'> {
  code: ServiceErrorCode;
  /** The request's X-Request-Id, to find it in the service's logs. */
  requestId?: string;
  /** The zod issues of a refused body, query or path, one per bad field. */
  issues?: { path: string; message: string }[];
  /** The session a failed transfer created (it stays readable with its events). */
  sessionId?: string;
}

/**
 * HTTP status per code. Refusals caused by the request are 4xx; Genesys being unreachable or refusing the
 * bridge's own credentials is the gateway's problem (502/503/504), never the caller's.
 */
export const HTTP_STATUS: Record<ServiceErrorCode, number> = {
  INVALID_REQUEST: 400,
  METADATA_INVALID: 400,
  METADATA_TOO_LARGE: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  SESSION_NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  SESSION_ENDED: 409,
  SESSION_READ_ONLY: 409,
  SESSION_EXPIRED: 409,
  MESSAGE_TOO_LONG: 413,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ATTACHMENTS_UNSUPPORTED: 422,
  ATTACHMENT_REJECTED: 422,
  CONFIG_INVALID: 422,
  CHANNEL_DEPRECATED: 422,
  UPGRADE_REQUIRED: 426,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  QUEUE_FULL: 429,
  INTERNAL: 500,
  AUTH_FAILED: 502,
  FORBIDDEN: 502,
  RECONNECT_EXHAUSTED: 502,
  PROVIDER_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  SERVICE_CLOSING: 503,
  TIMEOUT: 504,
};

/** An error raised at the HTTP edge (or a BridgeError on its way out), with its status. */
export class ServiceError extends Error {
  readonly body: ServiceErrorBody;

  constructor(code: ServiceErrorCode, message: string, extra: Partial<Omit<ServiceErrorBody, 'code'>> = {}) {
    super(message);
    this.name = 'ServiceError';
    this.body = { code, message, retryable: extra.retryable ?? false, ...extra };
  }

  get status(): number {
    return HTTP_STATUS[this.body.code];
  }

  static from(thrown: unknown): ServiceError {
    if (thrown instanceof ServiceError) return thrown;
    if (thrown instanceof BridgeFailure) return ServiceError.of(thrown.error);
    return ServiceError.of(toBridgeError(thrown));
  }

  static of(error: BridgeError, extra: Partial<ServiceErrorBody> = {}): ServiceError {
    const { code, message, ...rest } = error;
    return new ServiceError(code, message, { ...rest, ...extra });
  }
}

/** `Retry-After` in whole seconds, for 429 and 503 answers that say when to come back. */
export function retryAfterSeconds(error: ServiceError): number | undefined {
  const { retryAfterMs, retryable } = error.body;
  if (retryAfterMs !== undefined) return Math.max(1, Math.ceil(retryAfterMs / 1000));
  // QUEUE_FULL and friends are retryable without a known pause: one second is the bridge's own pacing.
  return retryable && (error.status === 429 || error.status === 503) ? 1 : undefined;
}
