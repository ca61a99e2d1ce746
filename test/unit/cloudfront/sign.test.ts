import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkSignableUrl,
  createKeyGroup,
  EdgepassError,
  type EdgepassErrorCode,
  loadSigningKey,
  MAX_URL_LENGTH,
  type SignOptions,
  signCookies,
  signUrl,
  signUrls,
  verifySignedRequest,
} from '../../../shared';
import { ecKeyPair, NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const keyGroup = createKeyGroup([{ id: 'K2JCJMDEHXQW5F', publicKey: rsa.publicPem }]);
const HOST = 'https://cdn.example.com';
const opts: SignOptions = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: rsa.privatePem, expires: NOW + 60, now: NOW };

function failure(fn: () => unknown): { code: EdgepassErrorCode; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof EdgepassError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an EdgepassError');
}

describe('signUrl', () => {
  it('appends Expires, Signature and Key-Pair-Id after the user params', () => {
    const signed = signUrl(`${HOST}/a.mp4?b=2&a=1`, opts);
    expect(signed).toMatch(
      new RegExp(
        `^${HOST}/a\\.mp4\\?b=2&a=1&Expires=${NOW + 60}&Signature=[A-Za-z0-9~_-]+&Key-Pair-Id=K2JCJMDEHXQW5F$`,
      ),
    );
  });

  it('uses a custom policy for a start time, an IP or a resource pattern, and Hash-Algorithm last', () => {
    const signed = signUrl(`${HOST}/a.mp4`, { ...opts, notBefore: NOW - 1, hashAlgorithm: 'sha256' });
    expect(signed).toMatch(/\?Policy=[^&]+&Signature=[^&]+&Key-Pair-Id=K2JCJMDEHXQW5F&Hash-Algorithm=SHA256$/);
    expect(signUrl(`${HOST}/a.mp4`, { ...opts, ipAddress: '10.1.2.3' })).toContain('Policy=');
  });

  it.each<[string, Partial<SignOptions>, EdgepassErrorCode, RegExp]>([
    ['an expiry in the past', { expires: NOW - 1 }, 'INVALID_TIME', /not in the future/],
    ['an expiry beyond 2038', { expires: 2147483648 }, 'INVALID_TIME', /2038/],
    ['an expiry in milliseconds', { expires: (NOW + 60) * 1000 }, 'INVALID_TIME', /milliseconds/],
    ['a fractional expiry', { expires: NOW + 0.5 }, 'INVALID_TIME', /whole epoch seconds/],
    ['a start after the expiry', { notBefore: NOW + 61 }, 'INVALID_TIME', /earlier than expires/],
    ['a malformed CIDR', { ipAddress: '10.0.0/8' }, 'INVALID_IP', /not an IPv4/],
    ['an IPv6 address', { ipAddress: '2001:db8::/32' }, 'INVALID_IP', /IPv6/],
    ['host bits below the prefix', { ipAddress: '10.1.2.3/8' }, 'INVALID_IP', /10\.0\.0\.0\/8/],
    ['a bad key id', { keyPairId: 'K2J CJ' }, 'INVALID_KEY', /key pair id/],
    ['an unknown hash', { hashAlgorithm: 'md5' as 'sha1' }, 'BAD_REQUEST', /sha1 or sha256/],
    ['a resource granting every host', { resource: '*' }, 'INVALID_RESOURCE', /every host/],
    ['a wildcard-only host', { resource: 'https://*/*' }, 'INVALID_RESOURCE', /every host/],
    ['a resource that does not cover the URL', { resource: `${HOST}/other/*` }, 'INVALID_RESOURCE', /not covered/],
    // The gate never matches more than 250 characters between two stars.
    [
      '251 characters between two *',
      { resource: `${HOST}/*${'a'.repeat(251)}*` },
      'INVALID_RESOURCE',
      /more than 250 characters between two \*/,
    ],
    // The gate refuses a policy with more than 16 `[`/`{` before parsing it (7 are the policy's own).
    ['a resource with ten [ or {', { resource: `${HOST}/a.mp4*${'[{'.repeat(5)}*` }, 'INVALID_RESOURCE', /more than 9/],
  ])('refuses %s', (_name, change, code, message) => {
    const error = failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, ...change }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it.each<[string, string, RegExp]>([
    ['a relative URL', '/a.mp4', /absolute http/],
    ['another scheme', 'ftp://cdn.example.com/a', /absolute http/],
    ['an unencoded space', `${HOST}/a b.mp4`, /percent-encode/],
    ['non-ASCII', `${HOST}/résumé.pdf`, /percent-encode/],
    ['a fragment', `${HOST}/a.mp4#t=10`, /fragment/],
    ['an empty query part', `${HOST}/a.mp4?`, /empty part/],
    // The gate reads no signed query of more than 256 parts; the signing params take up to five.
    [
      '252 query parameters',
      `${HOST}/a.mp4?${Array.from({ length: 252 }, (_, i) => `p${i}=1`).join('&')}`,
      /at most 251/,
    ],
    ['an existing Expires param', `${HOST}/a.mp4?Expires=1`, /already holds/],
    ['an existing Key-Pair-Id param', `${HOST}/a.mp4?x=1&Key-Pair-Id=K`, /already holds/],
    ['an over-long URL', `${HOST}/${'a'.repeat(9000)}`, /8192/],
    ['a URL without a path', 'https://cdn.example.com', /as https:\/\/cdn\.example\.com\//],
    ['an upper-case host', 'https://CDN.example.com/a.mp4', /as https:\/\/cdn\.example\.com\/a\.mp4/],
    ['a default port', 'https://cdn.example.com:443/a.mp4', /as https:\/\/cdn\.example\.com\/a\.mp4/],
    ['dot segments', 'https://cdn.example.com/v/../a.mp4', /as https:\/\/cdn\.example\.com\/a\.mp4/],
    ['userinfo', 'https://user@cdn.example.com/a.mp4', /sign that spelling/],
    ['a raw brace in the path', `${HOST}/a{1}.mp4`, /as https:\/\/cdn\.example\.com\/a%7B1%7D\.mp4/],
    ["a raw ' in the query", `${HOST}/a.mp4?name='x'`, /as https:\/\/cdn\.example\.com\/a\.mp4\?name=%27x%27/],
    ['an explicit :80 on http', 'http://cdn.example.com:80/a.mp4', /as http:\/\/cdn\.example\.com\/a\.mp4/],
  ])('refuses %s', (_name, url, message) => {
    const error = failure(() => signUrl(url, opts));
    expect(error.code).toBe('INVALID_URL');
    expect(error.message).toMatch(message);
  });

  it('refuses a literal * in a URL that becomes a custom policy resource, but signs it canned', () => {
    const error = failure(() => signUrl(`${HOST}/a*b.mp4`, { ...opts, notBefore: NOW - 1 }));
    expect(error).toMatchObject({ code: 'INVALID_URL', message: expect.stringMatching(/%2A/) });
    const canned = signUrl(`${HOST}/a*b.mp4`, opts);
    expect(verifySignedRequest({ url: canned }, { now: NOW, keyGroup }).reason).toBe('ok');
    expect(verifySignedRequest({ url: canned.replace('a*b', 'axxb') }, { now: NOW, keyGroup }).reason).toBe(
      'bad-signature',
    );
  });

  it('allows a broad resource only when asked explicitly', () => {
    const url = signUrl(`${HOST}/a.mp4`, { ...opts, resource: '*', allowBroadResource: true });
    expect(verifySignedRequest({ url }, { now: NOW, keyGroup }).reason).toBe('ok');
  });
});

describe('signUrls', () => {
  it('signs a batch with one shared custom policy when a resource pattern covers it', () => {
    const urls = [`${HOST}/v/1.ts`, `${HOST}/v/2.ts?x=1`, `${HOST}/v/3.ts`];
    const signed = signUrls(urls, { ...opts, resource: `${HOST}/v/*` });
    const signatures = new Set(signed.map((u) => /Signature=([^&]+)/.exec(u)?.[1]));
    expect(signatures.size).toBe(1);
    for (const [i, url] of signed.entries()) {
      expect(url.startsWith(urls[i] as string)).toBe(true);
      expect(verifySignedRequest({ url }, { now: NOW, keyGroup }).reason).toBe('ok');
    }
  });

  it('signs each URL with its own canned policy otherwise', () => {
    const signed = signUrls([`${HOST}/1.ts`, `${HOST}/2.ts`], opts);
    expect(signed[0]).not.toBe(signed[1]);
    for (const url of signed) expect(verifySignedRequest({ url }, { now: NOW, keyGroup }).reason).toBe('ok');
  });

  it('validates every URL before signing any', () => {
    expect(failure(() => signUrls([`${HOST}/ok.ts`, 'nope'], opts)).code).toBe('INVALID_URL');
  });
});

describe('signCookies', () => {
  it('refuses an omitted or empty resource', () => {
    for (const resource of ['', undefined as unknown as string]) {
      expect(failure(() => signCookies(resource, opts))).toEqual({
        code: 'INVALID_RESOURCE',
        message: 'a resource is required; omitting it would grant every URL',
      });
    }
  });

  it('refuses a pattern CloudFront cannot match', () => {
    expect(failure(() => signCookies('cdn.example.com/videos/*', opts))).toMatchObject({
      code: 'INVALID_RESOURCE',
      message: expect.stringMatching(/not a resource pattern/),
    });
  });
});

describe('loadSigningKey', () => {
  it('parses a PEM once and returns the cached key afterwards', () => {
    expect(loadSigningKey(rsa.privatePem)).toBe(loadSigningKey(rsa.privatePem));
  });

  it('asks for the passphrase of an encrypted key, and rejects a wrong one', () => {
    const encrypted = rsa.privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
      .toString();
    expect(failure(() => loadSigningKey(encrypted)).code).toBe('KEY_PASSPHRASE_REQUIRED');
    expect(failure(() => loadSigningKey(encrypted, 'wrong')).message).toMatch(/wrong passphrase/);
    expect(loadSigningKey(encrypted, 'correct horse').type).toBe('rsa');
  });

  it('says wrong passphrase also when a wrong one happens to decrypt to bytes that do not parse', () => {
    // An ECDSA key encrypted with 'correct horse'; 'wrong-69' passes the AES-CBC padding check (found by
    // trying wrong passphrases: about one in 256 does), so OpenSSL fails parsing, not decrypting.
    const encrypted = [
      '-----BEGIN ENCRYPTED PRIVATE KEY-----',
      'MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgkipCaO/AxFQICCAAw',
      'DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEFlfeP8IQslRsDC73iBP1ckEgZDt',
      '8bJooIh3jkS3Ft3Z8sVH+AtjgbyTNCTwZFn+niLu24DlZJo76OdgZzc3hhFH0iUT',
      'uzSrEGWeOe1vc2m5x/xFhFN/hFwTYDcnnjz5hM7JqnRatbAXepT9UwhLRhjX1o95',
      'WmhdufejEJ/HOZ5P72HaATV5ps1zndP5G6WkFKQXu+e4DmMDILAzkkq1l2ElYDc=',
      '-----END ENCRYPTED PRIVATE KEY-----',
      '',
    ].join('\n');
    expect(failure(() => loadSigningKey(encrypted, 'wrong-69'))).toMatchObject({
      code: 'INVALID_KEY',
      message: 'wrong passphrase for the encrypted private key',
    });
    expect(failure(() => loadSigningKey(encrypted, 'wrong-1')).message).toBe(
      'wrong passphrase for the encrypted private key',
    );
    expect(loadSigningKey(encrypted, 'correct horse').type).toBe('ecdsa');
  });

  it.each([
    ['RSA-1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, /exactly 2048/],
    ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey, /P-256/],
    ['Ed25519', () => generateKeyPairSync('ed25519').privateKey, /unsupported key type ed25519/],
  ])('refuses %s keys', (_name, make, message) => {
    const pem = make().export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = failure(() => loadSigningKey(pem));
    expect(error.code).toBe('INVALID_KEY');
    expect(error.message).toMatch(message);
  });

  it('refuses text that is not a private key, including a public key', () => {
    expect(failure(() => loadSigningKey('hello')).code).toBe('INVALID_KEY');
    expect(failure(() => loadSigningKey(rsa.publicPem)).code).toBe('INVALID_KEY');
  });
});

describe('signing bounds and shapes', () => {
  const resourceFailure = (resource: string) => failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, resource }));

  it('signs up to the last second: an expiry of exactly 2147483647, and a start of 0', () => {
    expect(signUrl(`${HOST}/a.mp4`, { ...opts, expires: 2147483647 })).toContain('Expires=2147483647&');
    expect(signUrl(`${HOST}/a.mp4`, { ...opts, notBefore: 0 })).toContain('Policy=');
  });

  it('refuses an expiry equal to now, and a start equal to the expiry', () => {
    expect(failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, expires: NOW }))).toEqual({
      code: 'INVALID_TIME',
      message: 'expires 2026-11-28T12:00:00.000Z is not in the future',
    });
    expect(failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, notBefore: NOW + 60 }))).toMatchObject({
      code: 'INVALID_TIME',
      message: 'notBefore must be earlier than expires',
    });
  });

  it('reads an expiry above 10^11 as milliseconds, and 10^11 itself as a time after 2038', () => {
    expect(failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, expires: 1e11 })).message).toBe(
      'expires 100000000000 is after 2038-01-19T03:14:07Z (2147483647), the latest CloudFront accepts',
    );
    expect(failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, expires: 1e11 + 1 })).message).toBe(
      'expires 100000000001 looks like epoch milliseconds; CloudFront wants seconds',
    );
  });

  it('refuses a negative start, naming it', () => {
    expect(failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, notBefore: -1 }))).toEqual({
      code: 'INVALID_TIME',
      message: 'notBefore must be whole epoch seconds, got -1',
    });
  });

  it('signs with a KeyObject or an ECDSA key from loadSigningKey as well as a PEM', () => {
    const ec = ecKeyPair();
    const both = createKeyGroup([
      { id: 'K2JCJMDEHXQW5F', publicKey: rsa.publicPem },
      { id: 'KECDSA2', publicKey: ec.publicPem },
    ]);
    const byObject = signUrl(`${HOST}/a.mp4`, { ...opts, privateKey: rsa.privateKey });
    const byEcKey = signUrl(`${HOST}/a.mp4`, {
      ...opts,
      keyPairId: 'KECDSA2',
      privateKey: loadSigningKey(ec.privatePem),
    });
    expect(verifySignedRequest({ url: byObject }, { now: NOW, keyGroup: both }).reason).toBe('ok');
    expect(verifySignedRequest({ url: byEcKey }, { now: NOW, keyGroup: both }).reason).toBe('ok');
  });

  it('refuses a key pair id that is not a string', () => {
    expect(failure(() => signUrl(`${HOST}/a.mp4`, { ...opts, keyPairId: 12345 as unknown as string })).code).toBe(
      'INVALID_KEY',
    );
  });

  it('refuses a URL object: only the string is signed byte for byte', () => {
    const url = new URL(`${HOST}/a.mp4`) as unknown as string;
    expect(failure(() => signUrl(url, opts)).code).toBe('INVALID_URL');
  });

  it('refuses another scheme even when its query holds an http URL', () => {
    const url = 'ftp://cdn.example.com/a?r=https://cdn.example.com/';
    expect(failure(() => signUrl(url, opts)).message).toMatch(/is not an absolute http:\/\/ or https:\/\/ URL$/);
  });

  it('refuses userinfo on http too, but signs a query that holds user@host', () => {
    expect(failure(() => signUrl('http://user@cdn.example.com/a.mp4', opts)).message).toMatch(/sign that spelling/);
    const url = `${HOST}/a.mp4?r=http://user@example.org/`;
    expect(verifySignedRequest({ url: signUrl(url, opts) }, { now: NOW, keyGroup }).reason).toBe('ok');
  });

  it.each([
    ['a double quote', `${HOST}/a"b.mp4`],
    ['a backslash', `${HOST}/a\\b.mp4`],
  ])('refuses %s, naming the escapes to use', (_, url) => {
    expect(failure(() => signUrl(url, opts))).toEqual({
      code: 'INVALID_URL',
      message: 'the URL holds " or \\: percent-encode them (%22, %5C) before signing',
    });
  });

  it('refuses a URL that the URL parser refuses', () => {
    expect(failure(() => signUrl('https://exa%mple.com/a.mp4', opts))).toEqual({
      code: 'INVALID_URL',
      message: 'https://exa%mple.com/a.mp4 is not a valid URL',
    });
  });

  it('accepts a URL of exactly 8192 bytes (checkSignableUrl), and a signed URL of exactly 8192', () => {
    const exactly = (length: number) => `${HOST}/${'a'.repeat(length - HOST.length - 1)}`;
    expect(() => checkSignableUrl(exactly(MAX_URL_LENGTH))).not.toThrow();
    expect(failure(() => checkSignableUrl(exactly(MAX_URL_LENGTH + 1))).message).toBe(
      'the URL is 8193 bytes; CloudFront refuses URLs over 8192',
    );
    // Canned RSA-2048 params: ?Expires= (9) + 10 digits + &Signature= (11) + 344 + &Key-Pair-Id= (13) + 14.
    const params = 9 + 10 + 11 + 344 + 13 + 14;
    expect(signUrl(exactly(MAX_URL_LENGTH - params), opts)).toHaveLength(MAX_URL_LENGTH);
    expect(failure(() => signUrl(exactly(MAX_URL_LENGTH - params + 1), opts))).toEqual({
      code: 'INVALID_URL',
      message: 'the signed URL is 8193 bytes; CloudFront refuses URLs over 8192',
    });
  });

  it('accepts 251 query parameters, the most a signed URL can carry', () => {
    const url = `${HOST}/a.mp4?${Array.from({ length: 251 }, (_, i) => `p${i}=1`).join('&')}`;
    expect(signUrl(url, opts).startsWith(`${url}&Expires=`)).toBe(true);
  });

  // Signed, such a URL was denied by the verifier (bad-signature): it reads the user's Hash-Algorithm as
  // the signer's and leaves it out of the resource. The check used to look in splitSigningParams'
  // values, which are empty when Hash-Algorithm is the only signing param.
  it.each(['Hash-Algorithm=SHA256', 'x=1&Hash-Algorithm=SHA1', 'Hash-Algorithm'])(
    'refuses a URL whose query already holds Hash-Algorithm: ?%s',
    (query) => {
      expect(failure(() => signUrl(`${HOST}/a.mp4?${query}`, opts))).toEqual({
        code: 'INVALID_URL',
        message:
          'the URL already holds Expires, Policy, Signature, Key-Pair-Id or Hash-Algorithm: CloudFront would treat it as signed',
      });
    },
  );

  it.each(['Hash-Algorithms=1', 'xHash-Algorithm=SHA256', 'note=Hash-Algorithm'])(
    'signs a URL with a param that only looks like Hash-Algorithm: ?%s',
    (query) => {
      const url = `${HOST}/a.mp4?${query}`;
      expect(verifySignedRequest({ url: signUrl(url, opts) }, { now: NOW, keyGroup }).reason).toBe('ok');
    },
  );

  it('signs canned when the resource is the URL itself, custom when it holds a wildcard', () => {
    const plain = `${HOST}/a.mp4`;
    expect(signUrls([plain, plain], { ...opts, resource: plain })).toEqual([
      expect.stringMatching(/^https:\/\/cdn\.example\.com\/a\.mp4\?Expires=\d+&Signature=/),
      expect.stringMatching(/^https:\/\/cdn\.example\.com\/a\.mp4\?Expires=\d+&Signature=/),
    ]);
    // `?` is a wildcard in a policy's Resource, even when the resource spells the URL exactly.
    const query = `${HOST}/a.mp4?x=1`;
    expect(signUrl(query, { ...opts, resource: query })).toMatch(/\?x=1&Policy=/);
  });

  it('refuses a plain resource that is not every URL of the batch', () => {
    const plain = `${HOST}/a.mp4`;
    const notCovered = { code: 'INVALID_RESOURCE', message: `${HOST}/b.mp4 is not covered by the resource ${plain}` };
    expect(failure(() => signUrl(`${HOST}/b.mp4`, { ...opts, resource: plain }))).toEqual(notCovered);
    expect(failure(() => signUrls([plain, `${HOST}/b.mp4`], { ...opts, resource: plain }))).toEqual(notCovered);
  });

  it.each<[string, string, string | RegExp]>([
    ['a space', `${HOST}/a b*`, 'the resource holds spaces, control or non-ASCII characters'],
    [
      '17 *',
      `${HOST}/${'abc*'.repeat(17)}`,
      `${HOST}/${'abc*'.repeat(14)}… has 17 *: the edgepass gate never matches more than 16`,
    ],
    ['a ? between two *', `${HOST}/*a?b*`, /has a \? between two \*/],
    [
      '251 characters between two *',
      `${HOST}/*${'a'.repeat(251)}*`,
      `${HOST}/*${'a'.repeat(55)}… has more than 250 characters between two *: the edgepass gate never matches that (the search would not be linear)`,
    ],
  ])('refuses a resource with %s', (_, resource, message) => {
    const error = resourceFailure(resource);
    expect(error.code).toBe('INVALID_RESOURCE');
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it.each([
    ['16 *', `${HOST}/${'a*'.repeat(16)}`],
    ['250 characters between two *', `${HOST}/*${'a'.repeat(250)}*`],
    ['nine [ or {', `${HOST}/*${'[{'.repeat(4)}[*`],
    ['a ? outside the stars', `${HOST}/?*`],
  ])('accepts a resource with %s', (_, resource) => {
    expect(signCookies(resource, opts)['CloudFront-Policy']).toMatch(/^[A-Za-z0-9~_-]+$/);
  });

  it('sets exactly the canned cookies for a plain URL, and the custom ones with SHA-256', () => {
    expect(Object.keys(signCookies(`${HOST}/one.mp4`, opts))).toEqual([
      'CloudFront-Expires',
      'CloudFront-Signature',
      'CloudFront-Key-Pair-Id',
    ]);
    const custom = signCookies(`${HOST}/videos/*`, { ...opts, hashAlgorithm: 'sha256' });
    expect(Object.keys(custom)).toEqual([
      'CloudFront-Policy',
      'CloudFront-Signature',
      'CloudFront-Key-Pair-Id',
      'CloudFront-Hash-Algorithm',
    ]);
    expect(custom['CloudFront-Hash-Algorithm']).toBe('SHA256');
  });

  it('refuses canned cookies for a URL that is not signable', () => {
    expect(failure(() => signCookies('https://CDN.example.com/a.mp4', opts)).code).toBe('INVALID_URL');
  });
});
