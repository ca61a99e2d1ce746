/**
 * Every failure edgepass reports to a caller carries one of these codes. Callers switch on `code`,
 * never on the message text; `httpStatus` maps a code to the answer an HTTP handler gives.
 */
export type EdgepassErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_URL'
  | 'INVALID_TIME'
  | 'INVALID_IP'
  | 'INVALID_RESOURCE'
  | 'INVALID_KEY'
  | 'KEY_PASSPHRASE_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOKEN_MISSING'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'FORBIDDEN_RESOURCE'
  | 'CLAIM_UNUSABLE'
  | 'ORIGIN_NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'SIGNING_KEY_UNAVAILABLE'
  | 'IDP_UNAVAILABLE'
  | 'INVALID_CONFIG'
  | 'INTERNAL';

const STATUS: Record<EdgepassErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_URL: 400,
  INVALID_TIME: 400,
  INVALID_IP: 400,
  INVALID_RESOURCE: 400,
  INVALID_KEY: 400,
  KEY_PASSPHRASE_REQUIRED: 400,
  PAYLOAD_TOO_LARGE: 413,
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  FORBIDDEN_RESOURCE: 403,
  CLAIM_UNUSABLE: 403,
  ORIGIN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  SIGNING_KEY_UNAVAILABLE: 503,
  IDP_UNAVAILABLE: 503,
  INVALID_CONFIG: 500,
  INTERNAL: 500,
};

export class EdgepassError extends Error {
  readonly code: EdgepassErrorCode;

  constructor(code: EdgepassErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EdgepassError';
    this.code = code;
  }

  /** The HTTP status a handler answers with for this error. */
  get httpStatus(): number {
    return STATUS[this.code];
  }
}

/** HTTP status for an error code; unknown errors are a 500. */
export function httpStatus(code: EdgepassErrorCode): number {
  return STATUS[code];
}

export function isEdgepassError(value: unknown): value is EdgepassError {
  return value instanceof EdgepassError;
}
