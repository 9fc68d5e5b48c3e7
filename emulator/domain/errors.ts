/**
 * One catalogue of the errors the emulator answers with, named by Genesys's own codes. Domain code
 * throws ApiError; exactly one error handler (surfaces/error-handler.ts) turns it into the Genesys
 * ErrorBody. Tests assert on `code`, never on the message text.
 *
 * Message texts follow the public catalogue in the reference (platform-architect.md §1.2-§1.3).
 */
export interface ErrorDetail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

export interface ApiErrorInit {
  messageParams?: Record<string, string>;
  details?: ErrorDetail[];
  entityId?: string;
  entityName?: string;
  /** Extra response headers, e.g. Retry-After for 429. */
  headers?: Record<string, string>;
  /** ErrorBody.limit: the limit that refused the request. */
  limit?: { key: string; namespace: string; value: number };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly init: ApiErrorInit;
  constructor(status: number, code: string, message: string, init: ApiErrorInit = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.init = init;
  }
}

/** OAuth endpoints answer in the OAuth shape `{error, description, error_description}`, not ErrorBody. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, description: string) {
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
  }
}

export const errors = {
  badRequest: (
    message = 'The request could not be understood by the server due to malformed syntax.',
    init?: ApiErrorInit,
  ) => new ApiError(400, 'bad.request', message, init),
  invalidValue: (field: string, value: string, allowed: string, init?: ApiErrorInit) =>
    new ApiError(
      400,
      'invalid.value',
      `Value [${value}] is not valid for field type [${field}]. Allowable values are: ${allowed}`,
      {
        messageParams: { field, value, allowed },
        ...init,
      },
    ),
  authenticationRequired: () =>
    new ApiError(
      401,
      'authentication.required',
      'No authentication bearer token specified in authorization header.',
    ),
  badCredentials: () => new ApiError(401, 'bad.credentials', 'Invalid login credentials.'),
  credentialsExpired: () =>
    new ApiError(401, 'credentials.expired', 'The supplied credentials are expired and cannot be used.'),
  notAuthorized: (why?: string) =>
    new ApiError(
      403,
      'not.authorized',
      `You are not authorized to perform the requested action.${why ? ` ${why}` : ''}`,
    ),
  notFound: (what?: string, init?: ApiErrorInit) =>
    new ApiError(
      404,
      'not.found',
      what ? `The requested resource was not found: ${what}` : 'The requested resource was not found.',
      init,
    ),
  notEmulated: (method: string, path: string) =>
    new ApiError(
      404,
      'not.found',
      `The requested resource was not found. The Genesys Cloud emulator does not emulate ${method} ${path}.`,
      { messageParams: { method, path } },
    ),
  methodNotAllowed: (method: string, path: string) =>
    new ApiError(405, 'method.not.allowed', `HTTP method ${method} is not supported for ${path}.`),
  conflict: (message: string) => new ApiError(409, 'general.conflict', message),
  payloadTooLarge: (limit: number) =>
    new ApiError(
      413,
      'request.entity.too.large',
      `The request body exceeds the maximum size of ${limit} bytes.`,
    ),
  unsupportedMediaType: (type: string) =>
    new ApiError(415, 'unsupported.media.type', `Content-Type [${type}] is not supported for this request.`),
  tooManyRequests: (limit: number, windowSeconds: number, retryAfterSeconds: number) =>
    new ApiError(
      429,
      'too.many.requests',
      `Rate limit exceeded the maximum [${limit}] requests within [${windowSeconds}] seconds`,
      { headers: { 'Retry-After': String(retryAfterSeconds) } },
    ),
  serviceUnavailable: (retryAfterSeconds?: number) =>
    new ApiError(503, 'service.unavailable', 'Service Unavailable', {
      headers: retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
    }),
  internal: () =>
    new ApiError(500, 'internal.server.error', 'The server encountered an unexpected condition.'),
} as const;
