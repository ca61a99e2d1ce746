import { describe, expect, it } from 'vitest';
import { createKeyGroup, verifySignedRequest } from '../../../shared/cloudfront';
import { loadSigningKey } from '../../../shared/cloudfront/signing-key';
import type { Grant } from '../../../shared/identity/access-policy';
import {
  createSignRequestParser,
  issueSignedUrls,
  MAX_CUSTOM_POLICY_PATH,
  normaliseRequestPath,
  type SignRequest,
} from '../../../shared/identity/url-issuer';
import { NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const ORIGIN = 'https://media.example.com';
const keyGroup = createKeyGroup([{ id: KEY_PAIR_ID, publicKey: rsa.publicPem }]);
const key = loadSigningKey(rsa.privatePem);
const GRANTS: Grant[] = [
  { rule: 'premium', path: '/videos/*', maxTtlSeconds: 3600 },
  { rule: 'premium', path: '/reports/*', maxTtlSeconds: 600 },
];
const parse = createSignRequestParser({
  maxPathsPerRequest: 3,
  defaultExpiresInSeconds: 300,
  maxExpiresInSeconds: 7200,
});

function issue(request: Partial<SignRequest>, tokenExpiresAt = NOW + 7200) {
  return issueSignedUrls({
    request: { paths: ['/videos/a.mp4'], expiresIn: 300, ipAddress: undefined, notBefore: undefined, ...request },
    grants: GRANTS,
    origin: ORIGIN,
    keyPairId: KEY_PAIR_ID,
    key,
    now: NOW,
    tokenExpiresAt,
  });
}

const decide = (url: string, now = NOW, clientIp = '203.0.113.9') =>
  verifySignedRequest({ url, clientIp }, { now, keyGroup });

describe('createSignRequestParser', () => {
  it('reads a full body and defaults expiresIn', () => {
    expect(parse({ paths: ['/a'], expiresIn: 60, ipAddress: '203.0.113.0/24', notBefore: '+1m' })).toEqual({
      paths: ['/a'],
      expiresIn: 60,
      ipAddress: '203.0.113.0/24',
      notBefore: '+1m',
    });
    expect(parse({ paths: ['/a', '/b', '/c'], notBefore: NOW })).toEqual({
      paths: ['/a', '/b', '/c'],
      expiresIn: 300,
      ipAddress: undefined,
      notBefore: NOW,
    });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a body that is not an object', 'paths', 'BAD_REQUEST', /^body: /],
    ['no paths', {}, 'BAD_REQUEST', /^paths: /],
    ['an empty path list', { paths: [] }, 'BAD_REQUEST', /^paths: /],
    ['a path that is not a string', { paths: ['/a', 5] }, 'BAD_REQUEST', /^paths\.1: /],
    [
      'more paths than allowed',
      { paths: ['/a', '/b', '/c', '/d'] },
      'PAYLOAD_TOO_LARGE',
      /^at most 3 paths per request$/,
    ],
    ['an unknown field (a typo)', { paths: ['/a'], expires_in: 60 }, 'BAD_REQUEST', /^body: /],
    ['expiresIn of 0', { paths: ['/a'], expiresIn: 0 }, 'BAD_REQUEST', /^expiresIn: /],
    ['expiresIn over the maximum', { paths: ['/a'], expiresIn: 7201 }, 'BAD_REQUEST', /^expiresIn: /],
    ['a fractional expiresIn', { paths: ['/a'], expiresIn: 1.5 }, 'BAD_REQUEST', /^expiresIn: /],
    ['an ipAddress over 64 characters', { paths: ['/a'], ipAddress: '1'.repeat(65) }, 'BAD_REQUEST', /^ipAddress: /],
    ['a notBefore over 64 characters', { paths: ['/a'], notBefore: '1'.repeat(65) }, 'BAD_REQUEST', /^notBefore: /],
  ])('refuses %s', (_, body, code, message) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  it('passes on what was wrong, naming the field', () => {
    expect(() => parse({ paths: ['/a'], expires_in: 60 })).toThrow(
      expect.objectContaining({ message: 'body: Unrecognized key: "expires_in"' }),
    );
    expect(() => parse({ paths: ['/a'], expiresIn: 0 })).toThrow(
      expect.objectContaining({ message: 'expiresIn: Too small: expected number to be >=1' }),
    );
  });

  it('accepts exactly the limits', () => {
    expect(parse({ paths: ['/a'], expiresIn: 7200 }).expiresIn).toBe(7200);
    expect(parse({ paths: ['/a'], expiresIn: 1 }).expiresIn).toBe(1);
    expect(parse({ paths: ['/a'], ipAddress: '1'.repeat(64), notBefore: '2'.repeat(64) })).toMatchObject({
      ipAddress: '1'.repeat(64),
    });
  });
});

describe('normaliseRequestPath', () => {
  it.each([
    ['/videos/a.mp4', '/videos/a.mp4'],
    ['/videos/my clip.mp4', '/videos/my%20clip.mp4'],
    ['/vidéos/日本.mp4', '/vid%C3%A9os/%E6%97%A5%E6%9C%AC.mp4'],
    ["/a-b_c~d/!$&'()+,=:@", "/a-b_c~d/!$&'()+,=:@"],
    ['/reports/q3%20final.pdf', '/reports/q3%20final.pdf'],
    ['/a"b<c>', '/a%22b%3Cc%3E'],
    ['/%F0%9F%8E%AC/😀', '/%F0%9F%8E%AC/%F0%9F%98%80'],
  ])('signs %s as %s', (path, expected) => {
    expect(normaliseRequestPath(path)).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ['', /must be 1 to 2048 characters/],
    [`/${'a'.repeat(2048)}`, /must be 1 to 2048 characters/],
    ['/videos/*', /must not contain \*, \?, # or a backslash/],
    ['/videos/a.mp4?x=1', /must not contain \*, \?, # or a backslash/],
    ['/videos/a#b', /must not contain \*, \?, # or a backslash/],
    ['/videos\\a', /must not contain \*, \?, # or a backslash/],
    ['/videos/a\u0000', /must not contain control characters/],
    ['/videos/a\u001f', /must not contain control characters/],
    ['/videos/a\u007f', /must not contain control characters/],
    ['/videos/\ud800', /holds a lone surrogate/],
    ['/videos/../reports/q3.pdf', /must not contain \. or \.\. segments \(dot-segment\)$/],
    ['/videos/%2e%2e/x', /\(encoded-unreserved\)$/],
    ['videos/a.mp4', /\(not-absolute\)$/],
    ['/videos//a.mp4', /\(empty-segment\)$/],
  ])('refuses %j', (path, message) => {
    expect(() => normaliseRequestPath(path)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringMatching(message) }),
    );
  });

  it('accepts 2048 characters and quotes at most 200 of a refused path', () => {
    expect(normaliseRequestPath(`/${'a'.repeat(2047)}`)).toHaveLength(2048);
    expect(() => normaliseRequestPath(`/${'b'.repeat(300)}/..`)).toThrow(
      expect.objectContaining({
        message: `path ${JSON.stringify(`/${'b'.repeat(199)}`)} must not contain . or .. segments (dot-segment)`,
      }),
    );
  });
});

describe('issueSignedUrls', () => {
  it('signs canned URLs that the verifier accepts until min(expiresIn, grant TTL), and nowhere else', () => {
    const { urls } = issue({ paths: ['/videos/a.mp4', '/reports/q3.pdf'], expiresIn: 1200 });
    expect(urls.map(({ path, expiresAt }) => ({ path, expiresAt }))).toEqual([
      { path: '/videos/a.mp4', expiresAt: NOW + 1200 },
      { path: '/reports/q3.pdf', expiresAt: NOW + 600 },
    ]);
    const [video, report] = urls.map((u) => u.url) as [string, string];
    expect(video.startsWith(`${ORIGIN}/videos/a.mp4?Expires=${NOW + 1200}&Signature=`)).toBe(true);
    expect(video.endsWith(`&Key-Pair-Id=${KEY_PAIR_ID}`)).toBe(true);
    expect(decide(video)).toMatchObject({ allowed: true, canned: true });
    expect(decide(video, NOW + 1200)).toMatchObject({ allowed: false, reason: 'expired' });
    expect(decide(report, NOW + 599)).toMatchObject({ allowed: true });
    expect(decide(report, NOW + 600)).toMatchObject({ allowed: false, reason: 'expired' });
    expect(decide(video.replace('/a.mp4', '/b.mp4'))).toMatchObject({ allowed: false });
  });

  it('keeps the order of the request when paths share an expiry or not', () => {
    const paths = ['/reports/1.pdf', '/videos/1.mp4', '/reports/2.pdf', '/videos/2.mp4'];
    const { urls } = issue({ paths, expiresIn: 900 });
    expect(urls.map((u) => u.path)).toEqual(paths);
    expect(urls.map((u) => u.expiresAt)).toEqual([NOW + 600, NOW + 900, NOW + 600, NOW + 900]);
    for (const { path, url } of urls) {
      expect(url.startsWith(`${ORIGIN}${path}?`)).toBe(true);
      expect(decide(url).allowed).toBe(true);
    }
  });

  it('never signs past the token’s expiry, and refuses an expired token', () => {
    expect(issue({ expiresIn: 3000 }, NOW + 100).urls[0]?.expiresAt).toBe(NOW + 100);
    expect(() => issue({}, NOW)).toThrow(expect.objectContaining({ code: 'TOKEN_EXPIRED' }));
  });

  it('signs a custom policy bound to the viewer IP when ipAddress is given', () => {
    const [signed] = issue({ ipAddress: '203.0.113.0/24' }).urls;
    expect(signed?.url).toMatch(/\?Policy=[^&]+&Signature=[^&]+&Key-Pair-Id=K2JCJMDEHXQW5F$/);
    expect(decide(signed?.url as string)).toMatchObject({ allowed: true, canned: false });
    expect(decide(signed?.url as string, NOW, '198.51.100.1')).toMatchObject({ allowed: false, reason: 'ip-mismatch' });
  });

  it('signs a custom policy with a start time when notBefore is given, relative or absolute', () => {
    const [relative] = issue({ notBefore: '+1m' }).urls;
    expect(decide(relative?.url as string, NOW + 60)).toMatchObject({ allowed: false, reason: 'not-yet-valid' });
    expect(decide(relative?.url as string, NOW + 61)).toMatchObject({ allowed: true, canned: false });
    const [absolute] = issue({ notBefore: NOW + 10 }).urls;
    expect(decide(absolute?.url as string, NOW + 10)).toMatchObject({ reason: 'not-yet-valid' });
    expect(decide(absolute?.url as string, NOW + 11)).toMatchObject({ allowed: true });
  });

  it('refuses a path outside the grants, naming it, and signs nothing', () => {
    expect(() => issue({ paths: ['/videos/a.mp4', '/admin/x'] })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN_RESOURCE', message: 'path /admin/x is outside your grants' }),
    );
  });

  it('caps a custom-policy path at MAX_CUSTOM_POLICY_PATH characters; a canned one may be longer', () => {
    const at = (length: number) => `/videos/${'a'.repeat(length - '/videos/'.length)}`;
    expect(issue({ paths: [at(MAX_CUSTOM_POLICY_PATH)], ipAddress: '203.0.113.9' }).urls).toHaveLength(1);
    expect(() => issue({ paths: [at(MAX_CUSTOM_POLICY_PATH + 1)], ipAddress: '203.0.113.9' })).toThrow(
      expect.objectContaining({
        code: 'BAD_REQUEST',
        message: `path ${JSON.stringify(at(MAX_CUSTOM_POLICY_PATH + 1).slice(0, 64))}… is 1025 characters; with ipAddress or notBefore (a custom policy) at most 1024`,
      }),
    );
    expect(() => issue({ paths: [at(MAX_CUSTOM_POLICY_PATH + 1)], notBefore: '+1m' })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(issue({ paths: [at(MAX_CUSTOM_POLICY_PATH + 1)] }).urls).toHaveLength(1);
  });
});
