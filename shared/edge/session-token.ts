/**
 * The session token: edgepass's own compact credential for the CloudFront Functions gate, which cannot
 * verify CloudFront's RSA/ECDSA signatures but can check an HMAC-SHA256. The login Lambda issues one
 * beside each grant's CloudFront cookies, bound to the same resource pattern and expiry, in the cookie
 * `edgepass-session`; the function verifies it with the key its id names in a KeyValueStore.
 *
 * Format (every part printable ASCII, no `.` inside a part):
 * `v1.<keyId>.<expires>.<resource>.<mac>` where `keyId` is 1–64 letters and digits, `expires` epoch
 * seconds (≤ 2147483647, as CloudFront), `resource` the grant's resource pattern in base64url, and
 * `mac` the base64url HMAC-SHA256, under the key text, of everything before the last `.`. A resource
 * is what login signs into the grant's CloudFront policy, `https://media.example.com/videos/*`: an
 * exact origin, then a path pattern with `*` wildcards and no `?` or `\` (`SESSION_RESOURCE`). Written in the CloudFront Functions subset (it ships in
 * the function); the HMAC is passed in (node:crypto in the Lambda, the runtime's `crypto` in the function).
 */
import type { DenialReason } from '../cloudfront/denial';
import { compileGlob, matchGlob } from '../cloudfront/glob';

/** The cookie that carries a session token (one per grant, on the grant's cookie Path). */
export const SESSION_COOKIE = 'edgepass-session';

/** The KeyValueStore key (and the function's lookup) holding the HMAC key with id `keyId`. */
export function sessionKeyName(keyId: string): string {
  return `session-key:${keyId}`;
}

/** base64url HMAC-SHA256 of `data` under the key text `key`. */
export type Hmac = (key: string, data: string) => string;

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9]{1,64}$/;
const EXPIRES = /^[0-9]{1,10}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Longest token read: a cookie holds about 4 KB, and nothing longer is ever issued. */
const MAX_TOKEN_LENGTH = 4096;
/** The largest time CloudFront accepts in a policy. */
const MAX_EXPIRES = 2147483647;

/** The resources a session token may bind: `scheme://host` (no wildcard) and a path pattern without `?` or `\`. */
export const SESSION_RESOURCE = /^https?:\/\/[^/*?\\]+\/[\x21-\x3e\x40-\x5b\x5d-\x7e]*$/;

/** A session key's text: base64url of at least 32 bytes (43 characters), at most what a KeyValueStore value holds. */
const KEY_TEXT = /^[A-Za-z0-9_-]{43,1024}$/;

/**
 * True for a session key's text, as `edgepass keys rotate --session` writes it. Login refuses a secret
 * holding anything else, and the function treats anything else in its store as no key: a `null` or a
 * one-letter value put there by mistake would let anyone MAC a token.
 */
export function isSessionKeyText(key: string): boolean {
  return KEY_TEXT.test(key);
}

/** True for a session key id: 1–64 letters and digits (a KeyValueStore key suffix and a log field). */
export function isSessionKeyId(keyId: string): boolean {
  return KEY_ID.test(keyId);
}

/** A token's parts, read but not yet verified. */
export interface SessionToken {
  readonly keyId: string;
  readonly expires: number;
  /** The resource pattern, decoded. */
  readonly resource: string;
  /** What the MAC covers: everything before the last `.`. */
  readonly signed: string;
  readonly mac: string;
}

/** ASCII text to base64url without padding (resources are ASCII: canonical paths, lowercase hosts). */
function toBase64Url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string | undefined {
  try {
    return atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
}

/**
 * A session token for `resource` until `expires` (epoch seconds), MAC'd with the key `key` whose id is
 * `keyId`. The caller caps `expires` at the CloudFront cookies' (the login Lambda passes the same
 * value), so the token never outlives them.
 *
 * @example
 * issueSessionToken({ keyId: 'S20261115', expires: 1795870800, resource: 'https://media.example.com/videos/*' }, key, hmac)
 * // 'v1.S20261115.1795870800.aHR0cHM6Ly9tZWRpYS5leGFtcGxlLmNvbS92aWRlb3MvKg.…'
 */
export function issueSessionToken(
  fields: { readonly keyId: string; readonly expires: number; readonly resource: string },
  key: string,
  hmac: Hmac,
): string {
  if (!isSessionKeyId(fields.keyId)) throw new TypeError('a session key id is 1-64 letters and digits');
  if (!Number.isInteger(fields.expires) || fields.expires < 0 || fields.expires > MAX_EXPIRES) {
    throw new TypeError('a session token expires at whole epoch seconds up to 2147483647');
  }
  if (!SESSION_RESOURCE.test(fields.resource)) {
    throw new TypeError('a session token binds https://host/path-pattern (no wildcard in the host, no ? or \\)');
  }
  const signed = `${VERSION}.${fields.keyId}.${fields.expires}.${toBase64Url(fields.resource)}`;
  return `${signed}.${hmac(key, signed)}`;
}

/**
 * Reads a token's parts without verifying anything, or `undefined` when it is not shaped like one
 * (the gate then answers `malformed-policy`). Cheap: what the function does before its KeyValueStore
 * lookup, to know which key to fetch.
 */
export function readSessionToken(text: string | undefined): SessionToken | undefined {
  if (text === undefined || text.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = text.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
  const keyId = parts[1] as string;
  const expires = parts[2] as string;
  const encoded = parts[3] as string;
  const mac = parts[4] as string;
  // An expiry past 2147483647 is a malformed policy to CloudFront: so it is here, MAC or not.
  if (!KEY_ID.test(keyId) || !EXPIRES.test(expires) || +expires > MAX_EXPIRES || !BASE64URL.test(encoded)) {
    return undefined;
  }
  const resource = fromBase64Url(encoded);
  if (resource === undefined) return undefined;
  return { keyId, expires: Number(expires), resource, signed: text.slice(0, text.length - mac.length - 1), mac };
}

/** Compares two strings in time that depends only on their lengths (lengths are not secret here). */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * True when `url` (without signing params) is inside a session resource, read as CloudFront reads the
 * same pattern in a policy: the origin exactly (the URL's host ends where the pattern's does), the path
 * by the linear wildcard matcher, and a query only under a trailing `*`. For the resources login issues
 * this agrees with `compileResource` (a property test holds them together); it is what fits the
 * function's 10 KB.
 *
 * @example
 * inSessionResource('https://h.example/videos/*', 'https://h.example/videos/a/b.ts?x=1') // true
 * inSessionResource('https://h.example/videos/a.mp4', 'https://h.example/videos/a.mp4?x=1') // false
 */
export function inSessionResource(resource: string, url: string): boolean {
  const slash = resource.indexOf('/', resource.indexOf('//') + 2);
  const pattern = resource.slice(slash);
  const q = url.indexOf('?');
  return (
    slash > 0 &&
    url.startsWith(resource.slice(0, slash)) &&
    url.charCodeAt(slash) === 47 &&
    (q === -1 || pattern.endsWith('*')) &&
    matchGlob(compileGlob(pattern, false), url, slash, q === -1 ? url.length : q)
  );
}

/**
 * Verifies a read token for `url` (`scheme://host/path?query` without signing params) at `now` (epoch
 * seconds) with `key`, the key text its id names (`undefined` when the KeyValueStore has no such key;
 * a value that is not a key's text counts as none).
 * In CloudFront's order: key, MAC (compared in constant time), expiry, resource. Returns `ok` or the
 * denial reason the Lambda@Edge gate would give for the same fault. Pure; never throws.
 *
 * @example
 * verifySessionToken(readSessionToken(cookie), key, hmac, 'https://media.example.com/videos/a.ts', epochSeconds())
 * // 'ok' | 'unknown-key' | 'malformed-signature' | 'bad-signature' | 'expired' | 'resource-mismatch'
 */
export function verifySessionToken(
  token: SessionToken,
  key: string | undefined,
  hmac: Hmac,
  url: string,
  now: number,
): 'ok' | DenialReason {
  if (key === undefined || !KEY_TEXT.test(key)) return 'unknown-key';
  if (token.mac.length !== 43 || !BASE64URL.test(token.mac)) return 'malformed-signature';
  if (!sameText(hmac(key, token.signed), token.mac)) return 'bad-signature';
  // Negated so that a clock that is not a number (NaN) fails closed.
  if (!(now < token.expires)) return 'expired';
  return inSessionResource(token.resource, url) ? 'ok' : 'resource-mismatch';
}
