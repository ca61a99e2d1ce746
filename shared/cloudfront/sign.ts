import { type KeyObject, sign } from 'node:crypto';
import { encodeCloudFrontBase64 } from './base64';
import { EdgepassError } from './errors';
import { MAX_MIDDLE_CHUNK, MAX_SECTION_STARS } from './glob';
import { cidrText, type Ipv4Cidr, parseIpv4Cidr } from './ipv4-cidr';
import { isKeyPairId } from './key-group';
import { cannedPolicy, customPolicy, MAX_EPOCH_SECONDS, MAX_POLICY_BRACKETS } from './policy';
import { grantsAnyHost, isValidResourcePattern, matchResource } from './resource-pattern';
import { loadSigningKey, type SigningKey } from './signing-key';
import { MAX_QUERY_PARTS, SIGNING_PARAMS, splitSigningParams } from './signing-params';
import { epochSeconds } from './when';

export type HashAlgorithm = 'sha1' | 'sha256';

/** CloudFront refuses longer URLs. */
export const MAX_URL_LENGTH = 8192;

export interface SignOptions {
  /** Public key id in the distribution's trusted key group, e.g. `K2JCJMDEHXQW5F`. */
  readonly keyPairId: string;
  /** A PEM, a KeyObject, or a key from `loadSigningKey` (parsed once either way). */
  readonly privateKey: SigningKey | KeyObject | string;
  readonly passphrase?: string | undefined;
  /** Epoch seconds: the URL or cookie stops working at this second. */
  readonly expires: number;
  /** Epoch seconds: not valid until after this second (custom policy). */
  readonly notBefore?: number | undefined;
  /** Viewer IPv4 address or CIDR (custom policy). */
  readonly ipAddress?: string | undefined;
  /** Resource pattern with `*`/`?` for a custom policy; defaults to the URL itself. */
  readonly resource?: string | undefined;
  /** `sha1` (default, what every CloudFront edge accepts) or `sha256`. */
  readonly hashAlgorithm?: HashAlgorithm | undefined;
  /** Allow a resource that covers every host (`*`, or a wildcard-only host). Off by default. */
  readonly allowBroadResource?: boolean | undefined;
  /** Epoch seconds used to refuse an expiry in the past; defaults to the clock. */
  readonly now?: number | undefined;
}

/** The cookies CloudFront reads, in the order a signer sets them. */
export interface SignedCookies {
  'CloudFront-Expires'?: string;
  'CloudFront-Policy'?: string;
  'CloudFront-Signature': string;
  'CloudFront-Key-Pair-Id': string;
  'CloudFront-Hash-Algorithm'?: 'SHA256';
}

/**
 * Signs a policy document: RSA PKCS#1 v1.5 or ECDSA (DER) over SHA-1 or SHA-256, in CloudFront
 * base64.
 */
export function signPolicy(policy: string, key: SigningKey, hashAlgorithm: HashAlgorithm = 'sha1'): string {
  return encodeCloudFrontBase64(sign(hashAlgorithm, Buffer.from(policy, 'utf8'), key.keyObject));
}

function toSigningKey(key: SignOptions['privateKey'], passphrase: string | undefined): SigningKey {
  if (typeof key === 'string') return loadSigningKey(key, passphrase);
  if ('keyObject' in key && 'type' in key && (key.type === 'rsa' || key.type === 'ecdsa')) return key;
  return loadSigningKey(key as KeyObject);
}

/** What every signature in one call shares, validated once. */
interface Prepared {
  readonly key: SigningKey;
  readonly keyPairId: string;
  readonly expires: number;
  readonly notBefore: number | undefined;
  readonly sourceIp: Ipv4Cidr | undefined;
  readonly hashAlgorithm: HashAlgorithm;
}

function checkEpoch(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new EdgepassError('INVALID_TIME', `${name} must be whole epoch seconds, got ${value}`);
  }
  if (value > MAX_EPOCH_SECONDS) {
    throw new EdgepassError(
      'INVALID_TIME',
      value > 1e11
        ? `${name} ${value} looks like epoch milliseconds; CloudFront wants seconds`
        : `${name} ${value} is after 2038-01-19T03:14:07Z (${MAX_EPOCH_SECONDS}), the latest CloudFront accepts`,
    );
  }
}

function parseSourceIp(ipAddress: string): Ipv4Cidr {
  if (ipAddress.includes(':')) {
    throw new EdgepassError(
      'INVALID_IP',
      `${ipAddress} is IPv6: CloudFront policies accept IPv4 addresses and CIDRs only`,
    );
  }
  const cidr = parseIpv4Cidr(ipAddress, true);
  if (cidr === undefined) {
    const loose = parseIpv4Cidr(ipAddress);
    throw new EdgepassError(
      'INVALID_IP',
      loose === undefined
        ? `${JSON.stringify(ipAddress)} is not an IPv4 address or CIDR (a.b.c.d or a.b.c.d/n)`
        : `${ipAddress} has host bits set below the prefix; did you mean ${cidrText(loose)}?`,
    );
  }
  return cidr;
}

function prepare(options: SignOptions): Prepared {
  if (typeof options.keyPairId !== 'string' || !isKeyPairId(options.keyPairId)) {
    throw new EdgepassError(
      'INVALID_KEY',
      `key pair id ${JSON.stringify(options.keyPairId)} is not a CloudFront public key id`,
    );
  }
  const now = options.now ?? epochSeconds();
  checkEpoch('expires', options.expires);
  if (options.expires <= now) {
    throw new EdgepassError(
      'INVALID_TIME',
      `expires ${new Date(options.expires * 1000).toISOString()} is not in the future`,
    );
  }
  if (options.notBefore !== undefined) {
    checkEpoch('notBefore', options.notBefore);
    if (options.notBefore >= options.expires) {
      throw new EdgepassError('INVALID_TIME', 'notBefore must be earlier than expires');
    }
  }
  const hashAlgorithm = options.hashAlgorithm ?? 'sha1';
  if (hashAlgorithm !== 'sha1' && hashAlgorithm !== 'sha256') {
    throw new EdgepassError('BAD_REQUEST', `hash algorithm must be sha1 or sha256, got ${String(hashAlgorithm)}`);
  }
  return {
    key: toSigningKey(options.privateKey, options.passphrase),
    keyPairId: options.keyPairId,
    expires: options.expires,
    notBefore: options.notBefore,
    sourceIp: options.ipAddress === undefined ? undefined : parseSourceIp(options.ipAddress),
    hashAlgorithm,
  };
}

/**
 * Refuses URLs CloudFront would not match byte for byte after signing: anything but absolute
 * http(s), unencoded spaces or non-ASCII, fragments, empty query pieces, and URLs that already carry
 * signing params.
 */
export function checkSignableUrl(url: string): void {
  if (typeof url !== 'string' || !/^https?:\/\/[^/?#]+/.test(url)) {
    throw new EdgepassError('INVALID_URL', `${JSON.stringify(url)} is not an absolute http:// or https:// URL`);
  }
  if (!/^[\x21-\x7e]*$/.test(url)) {
    throw new EdgepassError(
      'INVALID_URL',
      'the URL holds spaces, control or non-ASCII characters: percent-encode them before signing (CloudFront compares bytes)',
    );
  }
  if (url.includes('"') || url.includes('\\')) {
    throw new EdgepassError('INVALID_URL', 'the URL holds " or \\: percent-encode them (%22, %5C) before signing');
  }
  if (url.includes('#')) {
    throw new EdgepassError('INVALID_URL', 'the URL has a #fragment; browsers never send it, so drop it');
  }
  checkCanonicalUrl(url);
  if (url.length > MAX_URL_LENGTH) {
    throw new EdgepassError(
      'INVALID_URL',
      `the URL is ${url.length} bytes; CloudFront refuses URLs over ${MAX_URL_LENGTH}`,
    );
  }
  const q = url.indexOf('?');
  if (q === -1) return;
  const query = url.slice(q + 1);
  const pieces = query.split('&');
  if (pieces.some((piece) => piece.length === 0)) {
    throw new EdgepassError('INVALID_URL', 'the query has an empty part (a trailing ?, & or &&): remove it');
  }
  // The signing params join the user's; the gate reads no signed query of more parts than that.
  if (pieces.length > MAX_QUERY_PARTS - SIGNING_PARAMS.length) {
    throw new EdgepassError(
      'INVALID_URL',
      `the query has ${pieces.length} parameters; signed URLs carry at most ${MAX_QUERY_PARTS - SIGNING_PARAMS.length}`,
    );
  }
  // splitSigningParams reads Hash-Algorithm alone as unsigned (it returns no values then): look for it here.
  if (splitSigningParams(query).signed || pieces.some((piece) => /^Hash-Algorithm(?:=|$)/.test(piece))) {
    throw new EdgepassError(
      'INVALID_URL',
      'the URL already holds Expires, Policy, Signature, Key-Pair-Id or Hash-Algorithm: CloudFront would treat it as signed',
    );
  }
}

/**
 * Browsers and fetch clients normalise a URL before sending it (WHATWG URL: lowercase host, no
 * default port, a `/` path, dot segments resolved, `{`, `}`, `<`, `>`, `` ` `` and, in a query, `'`
 * percent-encoded). A URL signed in another spelling always gets a 403, so it is refused, naming the
 * spelling to sign instead. Userinfo is refused too: it never reaches CloudFront.
 */
function checkCanonicalUrl(url: string): void {
  let expected: string;
  try {
    expected = new URL(url).href;
  } catch {
    throw new EdgepassError('INVALID_URL', `${url} is not a valid URL`);
  }
  if (expected !== url || /^https?:\/\/[^/?#]*@/.test(url)) {
    throw new EdgepassError('INVALID_URL', `clients would request ${url} as ${expected}: sign that spelling instead`);
  }
}

/** `[` and `{` a signed Resource may hold: the gate's limit less a policy's own seven. */
const MAX_RESOURCE_BRACKETS = MAX_POLICY_BRACKETS - 7;

function checkResource(resource: string, allowBroad: boolean | undefined): void {
  if (typeof resource !== 'string' || resource.length === 0) {
    throw new EdgepassError('INVALID_RESOURCE', 'a resource is required; omitting it would grant every URL');
  }
  if (!/^[\x21-\x7e]*$/.test(resource)) {
    throw new EdgepassError('INVALID_RESOURCE', 'the resource holds spaces, control or non-ASCII characters');
  }
  if (!isValidResourcePattern(resource)) {
    throw new EdgepassError(
      'INVALID_RESOURCE',
      `${resource} is not a resource pattern (scheme://host/path, wildcards * and ?)`,
    );
  }
  const chunks = resource.split('*');
  if (chunks.length - 1 > MAX_SECTION_STARS) {
    throw new EdgepassError(
      'INVALID_RESOURCE',
      `${resource.slice(0, 80)}… has ${chunks.length - 1} *: the edgepass gate never matches more than ${MAX_SECTION_STARS}`,
    );
  }
  const middle = chunks.slice(1, -1);
  if (middle.some((chunk) => chunk.includes('?'))) {
    throw new EdgepassError(
      'INVALID_RESOURCE',
      `${resource} has a ? between two *: the edgepass gate never matches that (it would need a search that is not linear); use * alone there`,
    );
  }
  if (middle.some((chunk) => chunk.length > MAX_MIDDLE_CHUNK)) {
    throw new EdgepassError(
      'INVALID_RESOURCE',
      `${resource.slice(0, 80)}… has more than ${MAX_MIDDLE_CHUNK} characters between two *: the edgepass gate never matches that (the search would not be linear)`,
    );
  }
  // The gate refuses a policy with more `[`/`{` than a policy's own structure and this many.
  if (resource.split(/[[{]/).length - 1 > MAX_RESOURCE_BRACKETS) {
    throw new EdgepassError(
      'INVALID_RESOURCE',
      `${resource} holds more than ${MAX_RESOURCE_BRACKETS} [ or { characters: the edgepass gate refuses such a policy; percent-encode them`,
    );
  }
  if (!allowBroad && grantsAnyHost(resource)) {
    throw new EdgepassError(
      'INVALID_RESOURCE',
      `${resource} would grant every host that trusts this key; name the host, or allow broad resources explicitly`,
    );
  }
}

function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

function appendParams(url: string, params: string): string {
  return url + (url.includes('?') ? '&' : '?') + params;
}

function hashParam(p: Prepared): string {
  return p.hashAlgorithm === 'sha256' ? '&Hash-Algorithm=SHA256' : '';
}

function customFor(p: Prepared, resource: string): string {
  return customPolicy({ resource, dateLessThan: p.expires, dateGreaterThan: p.notBefore, sourceIp: p.sourceIp });
}

function needsCustom(p: Prepared): boolean {
  return p.notBefore !== undefined || p.sourceIp !== undefined;
}

/** Signing params for one URL, appended to its own params; the URL itself is never re-encoded. */
function signOne(url: string, p: Prepared, shared: string | undefined): string {
  if (shared !== undefined) return appendParams(url, shared);
  let params: string;
  if (needsCustom(p)) {
    // The URL becomes the policy's Resource, where * is a wildcard CloudFront cannot escape.
    if (url.includes('*')) {
      throw new EdgepassError(
        'INVALID_URL',
        'the URL holds a literal * that a custom policy would read as a wildcard: write it as %2A, or give a resource',
      );
    }
    const policy = customFor(p, url);
    params = `Policy=${encodeCloudFrontBase64(policy)}&Signature=${signPolicy(policy, p.key, p.hashAlgorithm)}&Key-Pair-Id=${p.keyPairId}`;
  } else {
    const signature = signPolicy(cannedPolicy(url, p.expires), p.key, p.hashAlgorithm);
    params = `Expires=${p.expires}&Signature=${signature}&Key-Pair-Id=${p.keyPairId}`;
  }
  return appendParams(url, params + hashParam(p));
}

function checkSignedLength(signed: string): string {
  if (signed.length > MAX_URL_LENGTH) {
    throw new EdgepassError(
      'INVALID_URL',
      `the signed URL is ${signed.length} bytes; CloudFront refuses URLs over ${MAX_URL_LENGTH}`,
    );
  }
  return signed;
}

/** Params for a batch whose URLs all share one custom policy (a resource pattern was given). */
function sharedParams(p: Prepared, resource: string): string {
  const policy = customFor(p, resource);
  return `Policy=${encodeCloudFrontBase64(policy)}&Signature=${signPolicy(policy, p.key, p.hashAlgorithm)}&Key-Pair-Id=${p.keyPairId}${hashParam(p)}`;
}

/**
 * Signs many URLs with one validated set of options. With `resource` (a pattern covering every URL)
 * one custom policy is signed once and appended to each URL; otherwise each URL gets its own canned
 * policy (or custom policy, with `notBefore`/`ipAddress`).
 *
 * @example
 * signUrls(['https://cdn.example.com/a.mp4', 'https://cdn.example.com/b.mp4'], {
 *   keyPairId: 'K2JCJMDEHXQW5F', privateKey: pem, expires: epochSeconds() + 3600,
 * });
 */
export function signUrls(urls: readonly string[], options: SignOptions): string[] {
  const p = prepare(options);
  for (const url of urls) checkSignableUrl(url);
  let shared: string | undefined;
  const resource = options.resource;
  if (resource !== undefined && (hasWildcard(resource) || !urls.every((url) => url === resource))) {
    checkResource(resource, options.allowBroadResource);
    for (const url of urls) {
      if (!matchResource(resource, url)) {
        throw new EdgepassError('INVALID_RESOURCE', `${url} is not covered by the resource ${resource}`);
      }
    }
    shared = sharedParams(p, resource);
  }
  return urls.map((url) => checkSignedLength(signOne(url, p, shared)));
}

/**
 * Signs one URL. Canned policy unless a resource pattern, `notBefore` or `ipAddress` asks for a
 * custom one. The user's own query is kept byte for byte; signing params follow it.
 *
 * @example
 * signUrl('https://cdn.example.com/videos/42.mp4?quality=hd', {
 *   keyPairId: 'K2JCJMDEHXQW5F', privateKey: pem, expires: epochSeconds() + 3600,
 * }); // https://cdn.example.com/videos/42.mp4?quality=hd&Expires=…&Signature=…&Key-Pair-Id=K2JCJMDEHXQW5F
 */
export function signUrl(url: string, options: SignOptions): string {
  return signUrls([url], options)[0] as string;
}

/**
 * Signs the CloudFront cookies for a resource: a canned policy when `resource` is one plain URL
 * without extra conditions (the cookies then work for that URL only), otherwise a custom policy,
 * typically a wildcard such as `https://cdn.example.com/videos/*`.
 *
 * @example
 * signCookies('https://cdn.example.com/videos/*', { keyPairId, privateKey, expires })
 * // { 'CloudFront-Policy': '…', 'CloudFront-Signature': '…', 'CloudFront-Key-Pair-Id': 'K2JCJMDEHXQW5F' }
 */
export function signCookies(resource: string, options: SignOptions): SignedCookies {
  const p = prepare(options);
  checkResource(resource, options.allowBroadResource);
  let cookies: SignedCookies;
  if (!hasWildcard(resource) && !needsCustom(p)) {
    checkSignableUrl(resource);
    cookies = {
      'CloudFront-Expires': String(p.expires),
      'CloudFront-Signature': signPolicy(cannedPolicy(resource, p.expires), p.key, p.hashAlgorithm),
      'CloudFront-Key-Pair-Id': p.keyPairId,
    };
  } else {
    const policy = customFor(p, resource);
    cookies = {
      'CloudFront-Policy': encodeCloudFrontBase64(policy),
      'CloudFront-Signature': signPolicy(policy, p.key, p.hashAlgorithm),
      'CloudFront-Key-Pair-Id': p.keyPairId,
    };
  }
  if (p.hashAlgorithm === 'sha256') cookies['CloudFront-Hash-Algorithm'] = 'SHA256';
  return cookies;
}
