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

const MESSAGES: Record<CloudFrontErrorCode, string> = {
  MissingKey: 'Missing Key-Pair-Id query parameter or cookie value',
  InvalidKey: 'Unknown Key',
  MalformedSignature: 'Could not unencode Signature',
  MalformedPolicy: 'Malformed Policy',
  AccessDenied: 'Access denied',
};

export const DENIAL_REASONS: readonly DenialReason[] = [
  'missing-key-pair-id',
  'unknown-key',
  'malformed-signature',
  'malformed-policy',
  'missing-signature',
  'missing-expires',
  'bad-hash-algorithm',
  'bad-signature',
  'expired',
  'not-yet-valid',
  'ip-mismatch',
  'resource-mismatch',
];

/** The reasons CloudFront answers with a code of their own; every other one is AccessDenied. */
const OWN_CODES: Partial<Record<DenialReason, CloudFrontErrorCode>> = {
  'missing-key-pair-id': 'MissingKey',
  'unknown-key': 'InvalidKey',
  'malformed-signature': 'MalformedSignature',
  'malformed-policy': 'MalformedPolicy',
};

/** CloudFront's error code for a denial reason; everything not named here is AccessDenied. */
export function cloudFrontCode(reason: DenialReason): CloudFrontErrorCode {
  return OWN_CODES[reason] ?? 'AccessDenied';
}

/** An error body in CloudFront's XML shape (observed: `text/xml`, no whitespace). */
export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/** CloudFront's 403 body for a denial. */
export function cloudFrontErrorXml(code: CloudFrontErrorCode): string {
  return errorXml(code, MESSAGES[code]);
}
