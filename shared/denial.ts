/** Why a request was refused; stable strings shared by the verifier, logs, metrics and the CLI. */
export type DenialReason =
  | 'missing-key-pair-id'
  | 'unknown-key'
  | 'malformed-signature'
  | 'malformed-policy'
  | 'missing-signature'
  | 'missing-expires'
  | 'bad-hash-algorithm'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'ip-mismatch'
  | 'resource-mismatch';

/** The `<Code>` CloudFront puts in its 403 body. */
export type CloudFrontErrorCode =
  | 'MissingKey'
  | 'InvalidKey'
  | 'MalformedSignature'
  | 'MalformedPolicy'
  | 'AccessDenied';

const CODES: Record<DenialReason, CloudFrontErrorCode> = {
  'missing-key-pair-id': 'MissingKey',
  'unknown-key': 'InvalidKey',
  'malformed-signature': 'MalformedSignature',
  'malformed-policy': 'MalformedPolicy',
  'missing-signature': 'AccessDenied',
  'missing-expires': 'AccessDenied',
  'bad-hash-algorithm': 'AccessDenied',
  'bad-signature': 'AccessDenied',
  expired: 'AccessDenied',
  'not-yet-valid': 'AccessDenied',
  'ip-mismatch': 'AccessDenied',
  'resource-mismatch': 'AccessDenied',
};

const MESSAGES: Record<CloudFrontErrorCode, string> = {
  MissingKey: 'Missing Key-Pair-Id query parameter or cookie value',
  InvalidKey: 'Unknown Key',
  MalformedSignature: 'Could not unencode Signature',
  MalformedPolicy: 'Malformed Policy',
  AccessDenied: 'Access denied',
};

export const DENIAL_REASONS = Object.keys(CODES) as DenialReason[];

export function cloudFrontCode(reason: DenialReason): CloudFrontErrorCode {
  return CODES[reason];
}

/** CloudFront's 403 body for a denial (observed shape: `text/xml`, no whitespace). */
export function cloudFrontErrorXml(code: CloudFrontErrorCode): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${MESSAGES[code]}</Message></Error>`;
}
