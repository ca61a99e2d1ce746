import { verify } from 'node:crypto';
import { decodeCloudFrontBase64 } from './cloudfront-base64';
import { signingCookies } from './cookie-header';
import { type CloudFrontErrorCode, cloudFrontCode, type DenialReason } from './denial';
import { ipv4InCidr } from './ipv4-cidr';
import type { KeyGroup } from './key-group';
import { cannedPolicy, MAX_EPOCH_SECONDS, type Policy, parsePolicy } from './policy';
import { matchResource } from './resource-pattern';
import type { HashAlgorithm } from './sign';
import { decodeSigningValue, type SplitQuery, splitSigningParams } from './signing-params';
import { VerifiedSignatureCache } from './verified-signature-cache';

/** A request as the verifier needs it. */
export interface SignedRequest {
  /** The URL exactly as the viewer sent it: `scheme://host/path?query`, not decoded. */
  readonly url: string;
  /** The Cookie header (or several). */
  readonly cookie?: string | readonly string[] | undefined;
  /** The viewer's IP address. */
  readonly clientIp?: string | undefined;
}

export interface VerifyOptions {
  /** Epoch seconds at which the request started. */
  readonly now: number;
  /** Trusted keys; without them the signature is not checked (`signatureChecked: false`). */
  readonly keyGroup?: KeyGroup | undefined;
  /** Signatures already verified against this same key group. */
  readonly cache?: VerifiedSignatureCache | undefined;
}

interface DecisionDetails {
  /** Where the credentials came from; `none` when the request had none. */
  readonly source: 'url' | 'cookie' | 'none';
  /** The URL without signing params: what a policy's resource is matched against. */
  readonly resourceUrl: string;
  /** The query without signing params, byte for byte, without `?` (what the origin should see). */
  readonly userQuery: string;
  readonly keyPairId?: string | undefined;
  readonly policy?: Policy | undefined;
  readonly canned?: boolean | undefined;
  readonly hashAlgorithm?: HashAlgorithm | undefined;
  /** False when no key group was given, or the decision came before the signature was looked at. */
  readonly signatureChecked: boolean;
}

export type Decision =
  | (DecisionDetails & { readonly allowed: true; readonly reason: 'ok'; readonly code: 'OK' })
  | (DecisionDetails & { readonly allowed: false; readonly reason: DenialReason; readonly code: CloudFrontErrorCode });

const NO_PARAMS: SplitQuery = { values: {}, signed: false, userQuery: '' };
const CANNED_EXPIRES = /^[0-9]{1,10}$/;

interface Credentials {
  keyPairId: string | undefined;
  signature: string | undefined;
  policy: string | undefined;
  expires: string | undefined;
  hash: string | undefined;
}

function fromQuery(values: SplitQuery['values']): Credentials {
  const decode = (v: string | undefined) => (v === undefined ? undefined : (decodeSigningValue(v) ?? '\u0000'));
  return {
    keyPairId: decode(values['Key-Pair-Id']),
    signature: decode(values.Signature),
    policy: decode(values.Policy),
    expires: decode(values.Expires),
    hash: decode(values['Hash-Algorithm']),
  };
}

/**
 * Decides a request as CloudFront does: a signed URL first (any of Expires, Policy, Signature,
 * Key-Pair-Id in the query; cookies are then ignored), else the CloudFront-* cookies. Checks the key
 * id against the key group, the signature with the right hash and key type, then expiry, start time,
 * viewer IP and resource. Returns `allowed` or one denial reason with CloudFront's error code. Pure:
 * the clock and keys come in through `options`. Never throws.
 *
 * @example
 * const decision = verifySignedRequest(
 *   { url: 'https://cdn.example.com/a.mp4?Expires=…&Signature=…&Key-Pair-Id=K2JCJMDEHXQW5F', clientIp: '203.0.113.9' },
 *   { now: epochSeconds(), keyGroup },
 * );
 * if (!decision.allowed) console.log(decision.reason); // e.g. 'expired'
 */
export function verifySignedRequest(request: SignedRequest, options: VerifyOptions): Decision {
  const url = request.url;
  const q = url.indexOf('?');
  const split = q === -1 ? NO_PARAMS : splitSigningParams(url.slice(q + 1));
  let source: DecisionDetails['source'];
  let creds: Credentials;
  let resourceUrl = url;
  if (split.signed) {
    source = 'url';
    creds = fromQuery(split.values);
    const base = url.slice(0, q);
    resourceUrl = split.userQuery.length === 0 ? base : `${base}?${split.userQuery}`;
  } else {
    const cookies = signingCookies(request.cookie);
    creds = {
      keyPairId: cookies['CloudFront-Key-Pair-Id'],
      signature: cookies['CloudFront-Signature'],
      policy: cookies['CloudFront-Policy'],
      expires: cookies['CloudFront-Expires'],
      hash: cookies['CloudFront-Hash-Algorithm'],
    };
    source = (creds.keyPairId ?? creds.signature ?? creds.policy ?? creds.expires ?? creds.hash) ? 'cookie' : 'none';
  }
  const userQuery = split.signed ? split.userQuery : q === -1 ? '' : url.slice(q + 1);
  let details: DecisionDetails = { source, resourceUrl, userQuery, signatureChecked: false };
  const deny = (reason: DenialReason): Decision => ({
    ...details,
    allowed: false,
    reason,
    code: cloudFrontCode(reason),
  });

  const { keyPairId, signature } = creds;
  if (keyPairId === undefined || keyPairId.length === 0) return deny('missing-key-pair-id');
  details = { ...details, keyPairId };
  const publicKey = options.keyGroup?.get(keyPairId);
  if (options.keyGroup !== undefined && publicKey === undefined) return deny('unknown-key');
  if (signature === undefined || signature.length === 0) return deny('missing-signature');
  if (creds.policy === undefined && creds.expires === undefined) return deny('missing-expires');
  const hashAlgorithm: HashAlgorithm | undefined =
    creds.hash === undefined || creds.hash === 'SHA1' ? 'sha1' : creds.hash === 'SHA256' ? 'sha256' : undefined;
  if (hashAlgorithm === undefined) return deny('bad-hash-algorithm');
  const canned = creds.policy === undefined;
  details = { ...details, canned, hashAlgorithm };

  const cacheKey =
    options.cache === undefined || publicKey === undefined
      ? undefined
      : `${keyPairId}\n${hashAlgorithm}\n${signature}\n${canned ? `E${creds.expires}\n${resourceUrl}` : `P${creds.policy}`}`;
  let policy = cacheKey === undefined ? undefined : options.cache?.get(cacheKey);

  if (policy === undefined) {
    let signedBytes: Buffer;
    if (canned) {
      const expiresText = creds.expires as string;
      const expires = CANNED_EXPIRES.test(expiresText) ? Number(expiresText) : Number.NaN;
      if (!(expires <= MAX_EPOCH_SECONDS)) return deny('malformed-policy');
      policy = { resource: resourceUrl, dateLessThan: expires };
      signedBytes = Buffer.from(cannedPolicy(resourceUrl, expires), 'utf8');
    } else {
      const decoded = decodeCloudFrontBase64(creds.policy as string);
      const parsed = decoded === undefined ? undefined : parsePolicy(decoded.toString('utf8'));
      if (decoded === undefined || parsed === undefined) return deny('malformed-policy');
      policy = parsed;
      signedBytes = decoded;
    }
    details = { ...details, policy };
    const signatureBytes = decodeCloudFrontBase64(signature);
    if (signatureBytes === undefined) return deny('malformed-signature');
    if (publicKey !== undefined) {
      let valid = false;
      try {
        valid = verify(hashAlgorithm, signedBytes, publicKey.keyObject, signatureBytes);
      } catch {
        valid = false;
      }
      details = { ...details, signatureChecked: true };
      if (!valid) return deny('bad-signature');
      if (cacheKey !== undefined) options.cache?.set(cacheKey, policy);
    }
  } else {
    details = { ...details, policy, signatureChecked: true };
  }

  if (options.now >= policy.dateLessThan) return deny('expired');
  if (policy.dateGreaterThan !== undefined && options.now <= policy.dateGreaterThan) return deny('not-yet-valid');
  if (
    policy.sourceIp !== undefined &&
    (request.clientIp === undefined || !ipv4InCidr(request.clientIp, policy.sourceIp))
  ) {
    return deny('ip-mismatch');
  }
  if (!canned && policy.resource !== undefined && !matchResource(policy.resource, resourceUrl)) {
    return deny('resource-mismatch');
  }
  return { ...details, allowed: true, reason: 'ok', code: 'OK' };
}

/** A verifier bound to one key group, with its own bounded cache of verified signatures. */
export interface Verifier {
  (request: SignedRequest, now: number): Decision;
  readonly cache: VerifiedSignatureCache;
}

/**
 * Binds a key group and a verified-signature cache: what the edge gate and the local stack use, so a
 * cookie reused across hundreds of HLS segments is verified once.
 *
 * @example
 * const verifier = createVerifier(keyGroup);
 * verifier({ url, cookie, clientIp }, epochSeconds());
 */
export function createVerifier(keyGroup: KeyGroup, cacheSize = 1024): Verifier {
  const cache = new VerifiedSignatureCache(cacheSize);
  const verifier = (request: SignedRequest, now: number) => verifySignedRequest(request, { now, keyGroup, cache });
  return Object.assign(verifier, { cache });
}
