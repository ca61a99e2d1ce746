/**
 * CloudFront's signing params and cookies, and the split of a query into them and the user's own params.
 * Also ships in the CloudFront Function (ES5.1 plus a few ES6 features): no spreads, for-of loops or
 * `Map` here (the cookie reader's lookup map lives in cookie-header.ts, which only the Lambda@Edge gate uses).
 */

/** Query parameters that make a request a signed-URL request (cookies are then ignored). */
export const SIGNED_URL_PARAMS = ['Expires', 'Policy', 'Signature', 'Key-Pair-Id'] as const;

/** Every query parameter a signer appends, including the optional hash selector. */
export const SIGNING_PARAMS = (SIGNED_URL_PARAMS as readonly string[]).concat('Hash-Algorithm') as unknown as readonly [
  ...typeof SIGNED_URL_PARAMS,
  'Hash-Algorithm',
];
export type SigningParam = (typeof SIGNING_PARAMS)[number];

/** The cookie CloudFront reads for a signing param: `CloudFront-` and the param's name. */
export type SigningCookie = `CloudFront-${SigningParam}`;

/** The cookie CloudFront reads for each signing param (`Expires` → `CloudFront-Expires`, …). */
export const COOKIE_FOR_PARAM: { readonly [P in SigningParam]: `CloudFront-${P}` } = {
  Expires: 'CloudFront-Expires',
  Policy: 'CloudFront-Policy',
  Signature: 'CloudFront-Signature',
  'Key-Pair-Id': 'CloudFront-Key-Pair-Id',
  'Hash-Algorithm': 'CloudFront-Hash-Algorithm',
};

/** Cookie names CloudFront reads, in the order a signer sets them. */
export const SIGNING_COOKIES: readonly SigningCookie[] = SIGNING_PARAMS.map((param) => `CloudFront-${param}` as const);

/** The signing values found in a query string, and the query without them. */
export interface SplitQuery {
  /** Values as they appear in the query (possibly percent-encoded), first occurrence wins. */
  readonly values: Partial<Record<SigningParam, string>>;
  /** True when any of Expires, Policy, Signature or Key-Pair-Id is present. */
  readonly signed: boolean;
  /** The remaining query, byte for byte and in order, without a leading `?`. */
  readonly userQuery: string;
  /**
   * A signed query with an empty part (`&&`, a leading or trailing `&`) or more than
   * `MAX_QUERY_PARTS` parts: edgepass never signs one, so the verifier denies it (the signer and the
   * verifier follow one rule).
   */
  readonly emptyPart?: boolean;
}

/** Query parts read from a query that holds a signing param; a query with more is refused whole. */
export const MAX_QUERY_PARTS = 256;
const TOO_MANY_PARTS: SplitQuery = { values: {}, signed: true, userQuery: '', emptyPart: true };
/** Any signing param name at the start of a query piece (built once from the names above). */
const ANY_SIGNING_PARAM = /* @__PURE__ */ new RegExp(`(?:^|&)(?:${SIGNING_PARAMS.join('|')})(?:=|&|$)`);

function paramName(piece: string): string {
  const eq = piece.indexOf('=');
  return eq === -1 ? piece : piece.slice(0, eq);
}

/**
 * Separates signing params from the user's own params without decoding or re-encoding anything:
 * CloudFront compares the remaining bytes with the signed resource.
 */
export function splitSigningParams(query: string): SplitQuery {
  // Fast path: most media requests carry no signing params at all.
  if (!ANY_SIGNING_PARAM.test(query)) {
    return { values: {}, signed: false, userQuery: query };
  }
  const pieces = query.split('&', MAX_QUERY_PARTS + 1);
  // More parts than any signed URL needs: read as signed and broken, so nothing is verified, the
  // verifier denies it and the gate forwards no query at all (8,000 `&` cost 50× a decision).
  if (pieces.length > MAX_QUERY_PARTS) return TOO_MANY_PARTS;
  const values: Partial<Record<SigningParam, string>> = {};
  const kept: string[] = [];
  let signed = false;
  let emptyPart = false;
  // forEach, not for-of: this file also ships in the CloudFront Function (ES5.1 statements).
  pieces.forEach((piece) => {
    if (piece === '') emptyPart = true;
    const name = paramName(piece);
    if ((SIGNING_PARAMS as readonly string[]).includes(name)) {
      const param = name as SigningParam;
      if (param !== 'Hash-Algorithm') signed = true;
      if (values[param] === undefined) values[param] = piece.slice(name.length + 1);
    } else {
      kept.push(piece);
    }
  });
  if (!signed) return { values: {}, signed: false, userQuery: query };
  return { values, signed, userQuery: kept.join('&'), emptyPart };
}

/** Percent-decodes a signing value (some signers send `~` as `%7E`); `undefined` if undecodable. */
export function decodeSigningValue(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
