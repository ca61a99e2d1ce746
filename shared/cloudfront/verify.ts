import { verify } from 'node:crypto';
import { decodeCloudFrontBase64 } from './base64';
import { signingCookieValues } from './cookie-header';
import { type CloudFrontErrorCode, cloudFrontCode, type DenialReason } from './denial';
import { ipv4InCidr } from './ipv4-cidr';
import type { KeyGroup } from './key-group';
import { cannedPolicy, MAX_EPOCH_SECONDS, type Policy, parsePolicy } from './policy';
import { compileResource, type ResourceMatcher } from './resource-pattern';
import type { HashAlgorithm } from './sign';
import {
  decodeSigningValue,
  SIGNING_PARAMS,
  type SigningParam,
  type SplitQuery,
  splitSigningParams,
} from './signing-params';
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
  /** The received custom policy document, as decoded from base64. */
  readonly policyJson?: string | undefined;
  readonly canned?: boolean | undefined;
  readonly hashAlgorithm?: HashAlgorithm | undefined;
  /** False when no key group was given, or the decision came before the signature was looked at. */
  readonly signatureChecked: boolean;
}

export type Decision =
  | (DecisionDetails & { readonly allowed: true; readonly reason: 'ok'; readonly code: 'OK' })
  | (DecisionDetails & { readonly allowed: false; readonly reason: DenialReason; readonly code: CloudFrontErrorCode });

const CANNED_EXPIRES = /^[0-9]{1,10}$/;

type Credentials = Partial<Record<SigningParam, string>>;

type MutableDecision = { -readonly [K in keyof DecisionDetails]-?: DecisionDetails[K] } & {
  allowed: boolean;
  reason: Decision['reason'];
  code: Decision['code'];
};

/** Ends a verification with a denial. */
function conclude(d: MutableDecision, reason: DenialReason): Decision {
  d.allowed = false;
  d.reason = reason;
  d.code = cloudFrontCode(reason);
  return d as Decision;
}

/** Signing values of a request, keyed by their query-param names whichever way they came. */
function credentials(split: SplitQuery, cookie: SignedRequest['cookie']): Credentials {
  if (!split.signed) return signingCookieValues(cookie);
  const found: Credentials = {};
  for (const name of SIGNING_PARAMS) {
    // Query values may be percent-encoded (`~` as `%7E`); an undecodable one can never verify.
    const value = split.values[name];
    if (value !== undefined) found[name] = decodeSigningValue(value) ?? '\u0000';
  }
  return found;
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
  const split = splitSigningParams(q === -1 ? '' : url.slice(q + 1));
  const creds = credentials(split, request.cookie);
  let resourceUrl = url;
  let userQuery = q === -1 ? '' : url.slice(q + 1);
  if (split.signed) {
    userQuery = split.userQuery;
    resourceUrl = userQuery.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${userQuery}`;
  }
  const source = split.signed ? 'url' : Object.keys(creds).length > 0 ? 'cookie' : 'none';
  // The decision itself is filled in as the checks progress (every field set up front, so its shape
  // never changes), so a denial reports all that was decoded and nothing is copied at the end.
  const d: MutableDecision = {
    source,
    resourceUrl,
    userQuery,
    keyPairId: undefined,
    policy: undefined,
    policyJson: undefined,
    canned: undefined,
    hashAlgorithm: undefined,
    signatureChecked: false,
    allowed: false,
    reason: 'missing-key-pair-id',
    code: 'MissingKey',
  };

  // One rule with the signer: a signed URL's query never has an empty part (`&&`, a leading or trailing `&`).
  if (split.emptyPart) return conclude(d, 'resource-mismatch');
  const { 'Key-Pair-Id': keyPairId, Signature: signature, Policy: policyText, Expires: expiresText } = creds;
  if (keyPairId === undefined || keyPairId.length === 0) return conclude(d, 'missing-key-pair-id');
  d.keyPairId = keyPairId;
  const publicKey = options.keyGroup?.get(keyPairId);
  if (options.keyGroup !== undefined && publicKey === undefined) return conclude(d, 'unknown-key');
  if (signature === undefined || signature.length === 0) return conclude(d, 'missing-signature');
  if (policyText === undefined && expiresText === undefined) return conclude(d, 'missing-expires');
  const hash = creds['Hash-Algorithm'];
  const hashAlgorithm: HashAlgorithm | undefined =
    hash === undefined || hash === 'SHA1' ? 'sha1' : hash === 'SHA256' ? 'sha256' : undefined;
  if (hashAlgorithm === undefined) return conclude(d, 'bad-hash-algorithm');
  const canned = policyText === undefined;
  d.canned = canned;
  d.hashAlgorithm = hashAlgorithm;

  const cache = publicKey === undefined ? undefined : options.cache;
  const signed = cache === undefined ? '' : canned ? `E${expiresText}\n${resourceUrl}` : (policyText as string);
  const found = cache?.lookup(signature, keyPairId, hashAlgorithm, signed);
  // A canned entry (no policy JSON) never answers for a custom policy, nor the other way round: a
  // Policy param spelling a canned key (`E<expires>\n<url>`) would otherwise turn a signed URL's `?`
  // and `*` into wildcards.
  const hit = found !== undefined && (found.policyJson === undefined) === canned ? found : undefined;
  let policy: Policy;
  let match: ResourceMatcher | undefined;

  if (hit === undefined) {
    let signedBytes: Buffer;
    if (canned) {
      const expires = CANNED_EXPIRES.test(expiresText as string) ? Number(expiresText) : Number.NaN;
      if (!(expires <= MAX_EPOCH_SECONDS)) return conclude(d, 'malformed-policy');
      policy = { resource: resourceUrl, dateLessThan: expires };
      signedBytes = Buffer.from(cannedPolicy(resourceUrl, expires), 'utf8');
    } else {
      const decoded = decodeCloudFrontBase64(policyText);
      if (decoded === undefined) return conclude(d, 'malformed-policy');
      d.policyJson = decoded.toString('utf8');
      const parsed = parsePolicy(d.policyJson);
      if (parsed === undefined) return conclude(d, 'malformed-policy');
      policy = parsed;
      signedBytes = decoded;
    }
    d.policy = policy;
    const signatureBytes = decodeCloudFrontBase64(signature);
    if (signatureBytes === undefined) return conclude(d, 'malformed-signature');
    if (publicKey !== undefined) {
      let valid = false;
      try {
        valid = verify(hashAlgorithm, signedBytes, publicKey.keyObject, signatureBytes);
      } catch {
        valid = false;
      }
      d.signatureChecked = true;
      if (!valid) return conclude(d, 'bad-signature');
      if (!canned && policy.resource !== undefined) match = compileResource(policy.resource);
      cache?.store(signature, { policy, policyJson: d.policyJson, match, keyPairId, hashAlgorithm, signed });
    }
  } else {
    policy = hit.policy;
    match = hit.match;
    d.policy = policy;
    d.policyJson = hit.policyJson;
    d.signatureChecked = true;
  }

  // Written as negations so that a clock that is not a number (NaN) fails closed.
  if (!(options.now < policy.dateLessThan)) return conclude(d, 'expired');
  if (policy.dateGreaterThan !== undefined && !(options.now > policy.dateGreaterThan))
    return conclude(d, 'not-yet-valid');
  if (
    policy.sourceIp !== undefined &&
    (request.clientIp === undefined || !ipv4InCidr(request.clientIp, policy.sourceIp))
  ) {
    return conclude(d, 'ip-mismatch');
  }
  if (!canned && policy.resource !== undefined) {
    // Compiled once per verified signature; only a verification without a key group compiles here.
    match ??= compileResource(policy.resource);
    if (!match(resourceUrl)) return conclude(d, 'resource-mismatch');
  }
  d.allowed = true;
  d.reason = 'ok';
  d.code = 'OK';
  return d as Decision;
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
