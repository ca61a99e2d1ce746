import { generateKeyPairSync, sign } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createKeyGroup,
  createVerifier,
  encodeCloudFrontBase64,
  signCookies,
  signUrl,
  VerifiedSignatureCache,
  verifySignedRequest,
} from '../../../shared';
import { trustedKeyGroup } from '../../../shared/cloudfront/key-group';
import { ecKeyPair, NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const ec = ecKeyPair();
const stranger = rsaKeyPair();
const keyGroup = createKeyGroup([
  { id: 'KRSAOLD', publicKey: rsa.publicPem },
  { id: 'KECNEW', publicKey: ec.publicPem },
]);
const EXPIRES = NOW + 600;
const HOST = 'https://d111111abcdef8.cloudfront.net';
const rsaOpts = { keyPairId: 'KRSAOLD', privateKey: rsa.privatePem, expires: EXPIRES, now: NOW };

const decide = (url: string, extra: { cookie?: string; clientIp?: string; now?: number } = {}) =>
  verifySignedRequest({ url, cookie: extra.cookie, clientIp: extra.clientIp }, { now: extra.now ?? NOW, keyGroup });

function replaceParam(url: string, name: string, value: string): string {
  return url.replace(new RegExp(`([?&])${name}=[^&]*`), `$1${name}=${value}`);
}

function getParam(url: string, name: string): string {
  const match = new RegExp(`[?&]${name}=([^&]*)`).exec(url);
  if (!match?.[1]) throw new Error(`no ${name}`);
  return match[1];
}

function header(cookies: object): string {
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

// Signed in a beforeEach, not while the file loads: a signer that throws must fail tests (a file that
// fails to load fails none, and Stryker then counts the mutant as surviving).
describe('verifySignedRequest: signed URLs', () => {
  let canned: string;
  beforeEach(() => {
    canned = signUrl(`${HOST}/videos/42.mp4?quality=hd`, rsaOpts);
  });

  it('allows a canned URL and reports the user query without signing params', () => {
    expect(decide(canned)).toMatchObject({
      allowed: true,
      reason: 'ok',
      code: 'OK',
      source: 'url',
      canned: true,
      userQuery: 'quality=hd',
      resourceUrl: `${HOST}/videos/42.mp4?quality=hd`,
      signatureChecked: true,
    });
  });

  it('answers MissingKey when a request has no credentials at all', () => {
    expect(decide(`${HOST}/videos/42.mp4`)).toMatchObject({
      allowed: false,
      reason: 'missing-key-pair-id',
      code: 'MissingKey',
      source: 'none',
    });
  });

  it('answers MissingKey when the Key-Pair-Id param is dropped', () => {
    expect(decide(canned.replace(/&Key-Pair-Id=[^&]*/, ''))).toMatchObject({ code: 'MissingKey' });
  });

  it('answers InvalidKey for a key id outside the key group', () => {
    expect(decide(replaceParam(canned, 'Key-Pair-Id', 'KUNKNOWN'))).toMatchObject({
      reason: 'unknown-key',
      code: 'InvalidKey',
    });
  });

  it('denies a URL without Signature or without Expires/Policy', () => {
    expect(decide(canned.replace(/&Signature=[^&]*/, '')).reason).toBe('missing-signature');
    expect(decide(canned.replace(/&Expires=[^&]*/, '')).reason).toBe('missing-expires');
  });

  it('denies an unknown Hash-Algorithm', () => {
    expect(decide(`${canned}&Hash-Algorithm=MD5`).reason).toBe('bad-hash-algorithm');
  });

  it('answers MalformedSignature for standard base64 or a truncated signature', () => {
    const signature = getParam(canned, 'Signature');
    const standard = signature.replace(/-/g, '+').replace(/~/g, '/').replace(/_/g, '=');
    expect(standard).not.toBe(signature);
    expect(decide(replaceParam(canned, 'Signature', standard))).toMatchObject({
      reason: 'malformed-signature',
      code: 'MalformedSignature',
    });
    expect(decide(replaceParam(canned, 'Signature', signature.slice(0, -5))).reason).toBe('malformed-signature');
  });

  it('answers MalformedPolicy for undecodable, non-JSON or multi-statement policies and bad Expires', () => {
    const custom = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, notBefore: NOW - 5 });
    for (const bad of [
      '!!!!',
      encodeCloudFrontBase64('not json'),
      encodeCloudFrontBase64('{"Statement":[]}'),
      encodeCloudFrontBase64(
        '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":1}}},{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}',
      ),
      encodeCloudFrontBase64('{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":"soon"}}}]}'),
    ]) {
      expect(decide(replaceParam(custom, 'Policy', bad))).toMatchObject({
        reason: 'malformed-policy',
        code: 'MalformedPolicy',
      });
    }
    expect(decide(replaceParam(canned, 'Expires', '17e9')).reason).toBe('malformed-policy');
  });

  it('denies tampering with the path, the query, the expiry or an appended param', () => {
    expect(decide(canned.replace('/videos/42.mp4', '/videos/43.mp4')).reason).toBe('bad-signature');
    expect(decide(canned.replace('quality=hd', 'quality=4k')).reason).toBe('bad-signature');
    expect(decide(replaceParam(canned, 'Expires', String(EXPIRES + 3600))).reason).toBe('bad-signature');
    expect(decide(`${canned}&extra=1`).reason).toBe('bad-signature');
    expect(decide(canned.replace('https://', 'http://')).reason).toBe('bad-signature');
  });

  it('denies a policy swapped in from another signed URL', () => {
    const mine = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, notBefore: NOW - 5 });
    const theirs = signUrl(`${HOST}/*`, { ...rsaOpts, resource: `${HOST}/*`, notBefore: NOW - 5 });
    const swapped = replaceParam(mine, 'Policy', getParam(theirs, 'Policy'));
    expect(decide(swapped).reason).toBe('bad-signature');
  });

  it('denies a signature made by a key other than the named one', () => {
    const forged = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, privateKey: stranger.privatePem });
    expect(decide(forged).reason).toBe('bad-signature');
    expect(decide(replaceParam(canned, 'Key-Pair-Id', 'KECNEW')).reason).toBe('bad-signature');
  });

  it('checks the expiry boundary: valid the second before, expired at it', () => {
    expect(decide(canned, { now: EXPIRES - 1 }).reason).toBe('ok');
    expect(decide(canned, { now: EXPIRES }).reason).toBe('expired');
  });

  it('checks the start boundary: not valid at DateGreaterThan, valid after it', () => {
    const url = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, notBefore: NOW + 100 });
    expect(decide(url, { now: NOW + 100 }).reason).toBe('not-yet-valid');
    expect(decide(url, { now: NOW + 101 }).reason).toBe('ok');
  });

  it('checks the viewer IP against the policy CIDR; IPv6 and missing IPs never match', () => {
    const url = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, ipAddress: '192.0.2.0/24' });
    expect(decide(url, { clientIp: '192.0.2.200' }).reason).toBe('ok');
    expect(decide(url, { clientIp: '::ffff:192.0.2.200' }).reason).toBe('ok');
    expect(decide(url, { clientIp: '192.0.3.1' }).reason).toBe('ip-mismatch');
    expect(decide(url, { clientIp: '2001:db8::1' }).reason).toBe('ip-mismatch');
    expect(decide(url).reason).toBe('ip-mismatch');
  });

  it('checks a custom resource against the URL without signing params', () => {
    const url = signUrl(`${HOST}/videos/a.mp4`, { ...rsaOpts, resource: `${HOST}/videos/*` });
    expect(decide(url).reason).toBe('ok');
    const moved = url.replace('/videos/a.mp4', '/reports/a.pdf');
    expect(decide(moved).reason).toBe('resource-mismatch');
  });

  it('denies a signed URL whose query has an empty part, which the signer never writes', () => {
    const url = signUrl(`${HOST}/videos/a.mp4?lang=en`, { ...rsaOpts, resource: `${HOST}/videos/*` });
    expect(decide(url).reason).toBe('ok');
    const q = url.indexOf('?');
    for (const changed of [
      url.replace('lang=en&', 'lang=en&&'),
      url.replace('&Signature=', '&&Signature='),
      `${url}&`,
      `${url.slice(0, q + 1)}&${url.slice(q + 1)}`,
    ]) {
      expect(decide(changed).reason, changed.slice(q)).toBe('resource-mismatch');
    }
    expect(() => signUrl(`${HOST}/videos/a.mp4?lang=en&&x=1`, rsaOpts)).toThrow(/empty part/);
  });

  it('accepts percent-encoded signing values (~ sent as %7E)', () => {
    const signature = getParam(canned, 'Signature');
    const encoded = replaceParam(canned, 'Signature', signature.replace(/~/g, '%7E').replace(/_/g, '%5F'));
    expect(decide(encoded).reason).toBe('ok');
    expect(decide(replaceParam(canned, 'Signature', `${signature}%E0%A4%A`)).reason).toBe('malformed-signature');
  });

  it('verifies ECDSA P-256 signatures with SHA-1 and SHA-256 during a key rotation', () => {
    for (const hashAlgorithm of ['sha1', 'sha256'] as const) {
      const url = signUrl(`${HOST}/a.mp4`, {
        ...rsaOpts,
        keyPairId: 'KECNEW',
        privateKey: ec.privatePem,
        hashAlgorithm,
      });
      expect(decide(url)).toMatchObject({ allowed: true, hashAlgorithm });
    }
    expect(decide(canned).reason).toBe('ok');
  });

  it('ignores valid cookies on a signed-URL request', () => {
    const cookies = header(signCookies(`${HOST}/videos/*`, rsaOpts));
    const broken = replaceParam(canned, 'Signature', 'AAAA');
    expect(decide(broken, { cookie: cookies }).source).toBe('url');
    expect(decide(broken, { cookie: cookies }).allowed).toBe(false);
  });

  it('without a key group, decodes and checks conditions but reports the signature unchecked', () => {
    const forged = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, privateKey: stranger.privatePem, keyPairId: 'KANY' });
    expect(verifySignedRequest({ url: forged }, { now: NOW })).toMatchObject({
      allowed: true,
      signatureChecked: false,
      keyPairId: 'KANY',
    });
    expect(verifySignedRequest({ url: forged }, { now: EXPIRES }).reason).toBe('expired');
  });
});

describe('verifySignedRequest: signed cookies', () => {
  let wildcard: ReturnType<typeof signCookies>;
  beforeEach(() => {
    wildcard = signCookies(`${HOST}/videos/*`, rsaOpts);
  });

  it('allows any URL under the cookie policy and reads only CloudFront-* cookies', () => {
    const cookie = `session=abc; ${header(wildcard)}; theme=dark`;
    expect(decide(`${HOST}/videos/hls/seg-1.ts`, { cookie })).toMatchObject({
      allowed: true,
      source: 'cookie',
      canned: false,
    });
  });

  it('denies URLs outside the cookie policy', () => {
    expect(decide(`${HOST}/reports/x.pdf`, { cookie: header(wildcard) }).reason).toBe('resource-mismatch');
  });

  it('accepts several Cookie headers and lets the first occurrence of a name win', () => {
    const other = signCookies(`${HOST}/reports/*`, rsaOpts);
    const first = header(wildcard);
    expect(decide(`${HOST}/videos/a.ts`, { cookie: `${first}; ${header(other)}` }).reason).toBe('ok');
    expect(
      verifySignedRequest({ url: `${HOST}/videos/a.ts`, cookie: ['a=b', first] }, { now: NOW, keyGroup }).reason,
    ).toBe('ok');
  });

  it('verifies canned cookies for exactly their URL', () => {
    const canned = signCookies(`${HOST}/one.mp4`, rsaOpts);
    expect(canned['CloudFront-Expires']).toBe(String(EXPIRES));
    expect(decide(`${HOST}/one.mp4`, { cookie: header(canned) }).reason).toBe('ok');
    expect(decide(`${HOST}/two.mp4`, { cookie: header(canned) }).reason).toBe('bad-signature');
  });

  it('honours CloudFront-Hash-Algorithm=SHA256 and refuses it when missing', () => {
    const sha256 = signCookies(`${HOST}/videos/*`, { ...rsaOpts, hashAlgorithm: 'sha256' });
    expect(sha256['CloudFront-Hash-Algorithm']).toBe('SHA256');
    expect(decide(`${HOST}/videos/a.ts`, { cookie: header(sha256) })).toMatchObject({
      allowed: true,
      hashAlgorithm: 'sha256',
    });
    const { 'CloudFront-Hash-Algorithm': _dropped, ...withoutHash } = sha256;
    expect(decide(`${HOST}/videos/a.ts`, { cookie: header(withoutHash) }).reason).toBe('bad-signature');
  });

  it('reports missing cookie parts with their own reasons', () => {
    const { 'CloudFront-Signature': _s, ...noSignature } = wildcard;
    expect(decide(`${HOST}/videos/a.ts`, { cookie: header(noSignature) }).reason).toBe('missing-signature');
    const { 'CloudFront-Policy': _p, ...noPolicy } = wildcard;
    expect(decide(`${HOST}/videos/a.ts`, { cookie: header(noPolicy) }).reason).toBe('missing-expires');
    const { 'CloudFront-Key-Pair-Id': _k, ...noKey } = wildcard;
    expect(decide(`${HOST}/videos/a.ts`, { cookie: header(noKey) })).toMatchObject({
      reason: 'missing-key-pair-id',
      source: 'cookie',
    });
  });

  it('never throws on hostile cookie headers', () => {
    for (const cookie of [
      '',
      ';;;',
      '=',
      'CloudFront-Policy',
      'CloudFront-Policy="',
      `CloudFront-Key-Pair-Id=${'A'.repeat(30000)}`,
    ]) {
      expect(decide(`${HOST}/videos/a.ts`, { cookie }).allowed).toBe(false);
    }
  });
});

describe('createVerifier: the verified-signature cache', () => {
  it('never answers a custom policy from a canned entry whose cache key the Policy text spells', () => {
    const verifier = createVerifier(keyGroup, 8);
    const url = `${HOST}/videos/42.mp4?quality=hd`;
    const signed = signUrl(url, rsaOpts);
    expect(verifier({ url: signed }, NOW).reason).toBe('ok');
    const signature = new URL(signed).searchParams.get('Signature') as string;
    const policy = encodeURIComponent(`E${EXPIRES}\n${url}`);
    const forged = `${HOST}/videos/42.mp4Xquality=hd?Policy=${policy}&Signature=${signature}&Key-Pair-Id=KRSAOLD`;
    expect(verifier({ url: forged }, NOW).reason).toBe('malformed-policy');
  });

  it('verifies a cookie once and still checks time, IP and resource on every request', () => {
    const verifier = createVerifier(keyGroup, 8);
    const cookie = header(signCookies(`${HOST}/videos/*`, { ...rsaOpts, ipAddress: '198.51.100.0/24' }));
    const request = { url: `${HOST}/videos/seg-1.ts`, cookie, clientIp: '198.51.100.7' };
    expect(verifier(request, NOW).reason).toBe('ok');
    expect(verifier.cache.size).toBe(1);
    expect(verifier({ ...request, url: `${HOST}/videos/seg-2.ts` }, NOW).reason).toBe('ok');
    expect(verifier.cache.size).toBe(1);
    expect(verifier(request, EXPIRES).reason).toBe('expired');
    expect(verifier({ ...request, clientIp: '203.0.113.1' }, NOW).reason).toBe('ip-mismatch');
    expect(verifier({ ...request, url: `${HOST}/reports/a.pdf` }, NOW).reason).toBe('resource-mismatch');
  });

  it('never caches a failed verification', () => {
    const verifier = createVerifier(keyGroup, 8);
    const forged = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, privateKey: stranger.privatePem });
    expect(verifier({ url: forged }, NOW).reason).toBe('bad-signature');
    expect(verifier({ url: forged }, NOW).reason).toBe('bad-signature');
    expect(verifier.cache.size).toBe(0);
  });

  it('keeps canned URLs apart: a cached signature does not vouch for another path', () => {
    const verifier = createVerifier(keyGroup, 8);
    const url = signUrl(`${HOST}/a.mp4`, rsaOpts);
    expect(verifier({ url }, NOW).reason).toBe('ok');
    expect(verifier({ url: url.replace('/a.mp4', '/b.mp4') }, NOW).reason).toBe('bad-signature');
  });

  it('is bounded: the oldest entry goes first', () => {
    const cache = new VerifiedSignatureCache(2);
    const entry = (signed: string) => ({
      policy: { resource: 'x', dateLessThan: 1 },
      policyJson: undefined,
      match: undefined,
      keyPairId: 'K1',
      hashAlgorithm: 'sha1',
      signed,
    });
    cache.store('sig-a', entry('a'));
    cache.store('sig-b', entry('b'));
    cache.store('sig-c', entry('c'));
    expect(cache.size).toBe(2);
    expect(cache.lookup('sig-a', 'K1', 'sha1', 'a')).toBeUndefined();
    expect(cache.lookup('sig-c', 'K1', 'sha1', 'c')?.policy).toEqual({ resource: 'x', dateLessThan: 1 });
  });

  it('is bounded in bytes too: entries go oldest first until the new one fits', () => {
    const cache = new VerifiedSignatureCache(100, 3000);
    const entry = (signed: string) => ({
      policy: { dateLessThan: 1 },
      policyJson: undefined,
      match: undefined,
      keyPairId: 'K1',
      hashAlgorithm: 'sha1',
      signed,
    });
    for (let i = 0; i < 10; i++) cache.store(`sig-${i}`, entry(`${i}`.padEnd(900, 'x')));
    expect(cache.bytes).toBeLessThanOrEqual(3000);
    expect(cache.size).toBe(2);
    expect(cache.lookup('sig-9', 'K1', 'sha1', '9'.padEnd(900, 'x'))).toBeDefined();
    expect(cache.lookup('sig-7', 'K1', 'sha1', '7'.padEnd(900, 'x'))).toBeUndefined();
  });

  it('replaces an entry stored twice without counting it twice', () => {
    const cache = new VerifiedSignatureCache(4);
    const entry = {
      policy: { dateLessThan: 1 },
      policyJson: undefined,
      match: undefined,
      keyPairId: 'K1',
      hashAlgorithm: 'sha1',
      signed: 'P',
    };
    cache.store('sig', entry);
    const once = cache.bytes;
    cache.store('sig', entry);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(once);
  });

  it('vouches only for the exact key id, hash and signed bytes it verified', () => {
    const cache = new VerifiedSignatureCache(2);
    const stored = {
      policy: { dateLessThan: 1 },
      policyJson: undefined,
      match: undefined,
      keyPairId: 'K1',
      hashAlgorithm: 'sha1',
      signed: 'P1',
    };
    cache.store('sig', stored);
    expect(cache.lookup('sig', 'K1', 'sha1', 'P1')?.policy).toEqual({ dateLessThan: 1 });
    expect(cache.lookup('sig', 'K2', 'sha1', 'P1')).toBeUndefined();
    expect(cache.lookup('sig', 'K1', 'sha256', 'P1')).toBeUndefined();
    expect(cache.lookup('sig', 'K1', 'sha1', 'P2')).toBeUndefined();
  });
});

describe('verifySignedRequest: the edges of what it reads', () => {
  let canned: string;
  beforeEach(() => {
    canned = signUrl(`${HOST}/videos/42.mp4?quality=hd`, rsaOpts);
  });

  it('reads no signing params from a URL without a `?`, whatever its path spells', () => {
    const url = `${HOST}/a&Expires=${EXPIRES}&Signature=AAAA&Key-Pair-Id=KRSAOLD`;
    expect(decide(url)).toMatchObject({
      allowed: false,
      reason: 'missing-key-pair-id',
      source: 'none',
      keyPairId: undefined,
      userQuery: '',
      resourceUrl: url,
    });
  });

  it('answers MissingKey for an empty Key-Pair-Id, not InvalidKey', () => {
    expect(decide(replaceParam(canned, 'Key-Pair-Id', ''))).toMatchObject({
      reason: 'missing-key-pair-id',
      code: 'MissingKey',
    });
  });

  it('accepts Hash-Algorithm=SHA1 spelt out, the default', () => {
    expect(decide(`${canned}&Hash-Algorithm=SHA1`)).toMatchObject({ allowed: true, hashAlgorithm: 'sha1' });
  });

  it('takes a canned Expires up to 2147483647 and refuses one second more', () => {
    const last = signUrl(`${HOST}/a.mp4`, { ...rsaOpts, expires: 2147483647 });
    expect(decide(last)).toMatchObject({ allowed: true, policy: { dateLessThan: 2147483647 } });
    expect(decide(replaceParam(last, 'Expires', '2147483648')).reason).toBe('malformed-policy');
  });

  it.each(['%2B1893456000', '-1', '0x10', '1e3', '%201893456000', '1893456000%20', '1893456000x'])(
    'refuses a canned Expires that is not plain decimal digits: %s',
    (expires) => {
      expect(decide(replaceParam(canned, 'Expires', expires))).toMatchObject({
        reason: 'malformed-policy',
        signatureChecked: false,
      });
    },
  );

  it('allows every URL under a custom policy without Resource, verified once and then from the cache', () => {
    // No edgepass signer writes such a policy (they refuse to omit the resource); CloudFront accepts it.
    const json = `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}}}}]}`;
    const policy = encodeCloudFrontBase64(json);
    const signature = encodeCloudFrontBase64(sign('sha1', Buffer.from(json), rsa.privateKey));
    const query = `Policy=${policy}&Signature=${signature}&Key-Pair-Id=KRSAOLD`;
    const verifier = createVerifier(keyGroup, 8);
    expect(verifier({ url: `${HOST}/a.mp4?${query}` }, NOW)).toMatchObject({ allowed: true, canned: false });
    expect(verifier.cache.size).toBe(1);
    expect(verifier({ url: `${HOST}/other/b.ts?${query}` }, NOW)).toMatchObject({
      allowed: true,
      policy: { dateLessThan: EXPIRES, resource: undefined },
    });
    expect(verifier({ url: `${HOST}/a.mp4?${query}` }, EXPIRES).reason).toBe('expired');
  });

  it('denies with bad-signature, never throws, when a trusted key cannot verify CloudFront hashes (Ed25519)', () => {
    const ed = generateKeyPairSync('ed25519').publicKey;
    const group = trustedKeyGroup([{ id: 'KRSAOLD', publicKey: ed }]);
    expect(verifySignedRequest({ url: canned }, { now: NOW, keyGroup: group })).toMatchObject({
      allowed: false,
      reason: 'bad-signature',
      signatureChecked: true,
    });
  });
});

describe('createVerifier: the cache is trusted, so only the verifier may fill it', () => {
  const policyJson = `{"Statement":[{"Resource":"${HOST}/*","Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}}}}]}`;
  const cannedEntry = {
    policy: { resource: `${HOST}/a.mp4`, dateLessThan: EXPIRES },
    policyJson: undefined,
    match: undefined,
    keyPairId: 'KRSAOLD',
    hashAlgorithm: 'sha1',
    signed: `E${EXPIRES}\n${HOST}/a.mp4`,
  };

  it('answers a canned signature found in the cache without verifying it again', () => {
    const verifier = createVerifier(keyGroup, 8);
    verifier.cache.store('AAAA', cannedEntry);
    expect(verifier({ url: `${HOST}/a.mp4?Expires=${EXPIRES}&Signature=AAAA&Key-Pair-Id=KRSAOLD` }, NOW)).toMatchObject(
      { allowed: true, signatureChecked: true, canned: true },
    );
  });

  it('answers a custom-policy signature found in the cache without verifying it again', () => {
    const verifier = createVerifier(keyGroup, 8);
    const policy = encodeCloudFrontBase64(policyJson);
    verifier.cache.store('AAAA', {
      policy: { resource: `${HOST}/*`, dateLessThan: EXPIRES },
      policyJson,
      match: undefined,
      keyPairId: 'KRSAOLD',
      hashAlgorithm: 'sha1',
      signed: policy,
    });
    expect(verifier({ url: `${HOST}/b.ts?Policy=${policy}&Signature=AAAA&Key-Pair-Id=KRSAOLD` }, NOW)).toMatchObject({
      allowed: true,
      signatureChecked: true,
      canned: false,
      policyJson,
    });
  });

  it('consults no cache without a key group: the signature is reported unchecked', () => {
    const cache = new VerifiedSignatureCache(8);
    cache.store('AAAA', cannedEntry);
    const url = `${HOST}/a.mp4?Expires=${EXPIRES}&Signature=AAAA&Key-Pair-Id=KRSAOLD`;
    expect(verifySignedRequest({ url }, { now: NOW, cache })).toMatchObject({ allowed: true, signatureChecked: false });
  });
});
