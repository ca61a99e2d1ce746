import { constants, verify } from 'node:crypto';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { describe, expect, it } from 'vitest';
import {
  cannedPolicy,
  createKeyGroup,
  customPolicy,
  decodeCloudFrontBase64,
  parseIpv4Cidr,
  signCookies,
  signUrl,
  verifySignedRequest,
} from '../../../shared';
import { NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const other = rsaKeyPair();
const keyGroup = createKeyGroup([
  { id: 'K2JCJMDEHXQW5F', publicKey: rsa.publicPem },
  { id: 'KOTHERKEY00001', publicKey: other.publicPem },
]);
const EXPIRES = NOW + 3600;
const expiresIso = new Date(EXPIRES * 1000).toISOString();
const base = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: rsa.privatePem, now: NOW };

function cookieHeader(cookies: object): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

function param(url: string, name: string): string {
  const value = new URL(url).searchParams.get(name);
  if (value === null) throw new Error(`no ${name} in ${url}`);
  return value;
}

describe('edgepass against @aws-sdk/cloudfront-signer', () => {
  it('verifies the official canned signed URL, keeping the user query', () => {
    const url = getSignedUrl({
      url: 'https://d111111abcdef8.cloudfront.net/videos/42.mp4?quality=hd&lang=en',
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
      dateLessThan: expiresIso,
    });
    const decision = verifySignedRequest({ url }, { now: NOW, keyGroup });
    expect(decision).toMatchObject({ allowed: true, source: 'url', canned: true, keyPairId: 'K2JCJMDEHXQW5F' });
    expect(decision.userQuery).toBe('quality=hd&lang=en');
  });

  it('verifies the official custom-policy URL with a start time and IP range', () => {
    const url = getSignedUrl({
      url: 'https://d111111abcdef8.cloudfront.net/reports/q3.pdf',
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
      dateLessThan: expiresIso,
      dateGreaterThan: new Date((NOW - 60) * 1000).toISOString(),
      ipAddress: '203.0.113.0/24',
    });
    expect(verifySignedRequest({ url, clientIp: '203.0.113.77' }, { now: NOW, keyGroup })).toMatchObject({
      allowed: true,
      canned: false,
    });
    expect(verifySignedRequest({ url, clientIp: '198.51.100.1' }, { now: NOW, keyGroup }).reason).toBe('ip-mismatch');
  });

  it('verifies the official wildcard cookies for every segment under the prefix', () => {
    const cookies = getSignedCookies({
      url: 'https://d111111abcdef8.cloudfront.net/videos/hls/*',
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
      dateLessThan: expiresIso,
      dateGreaterThan: new Date((NOW - 60) * 1000).toISOString(),
    });
    const cookie = cookieHeader(cookies);
    for (const path of ['master.m3u8', 'seg-001.ts', 'sub/seg-002.ts?token=x']) {
      const url = `https://d111111abcdef8.cloudfront.net/videos/hls/${path}`;
      expect(verifySignedRequest({ url, cookie }, { now: NOW, keyGroup }).reason).toBe('ok');
    }
    const outside = verifySignedRequest(
      { url: 'https://d111111abcdef8.cloudfront.net/reports/a.pdf', cookie },
      { now: NOW, keyGroup },
    );
    expect(outside.reason).toBe('resource-mismatch');
  });

  it('verifies the official SHA-256 URL and cookies', () => {
    const url = getSignedUrl({
      url: 'https://d111111abcdef8.cloudfront.net/a.mp4',
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
      dateLessThan: expiresIso,
      algorithm: 'SHA256',
    } as Parameters<typeof getSignedUrl>[0]);
    expect(verifySignedRequest({ url }, { now: NOW, keyGroup })).toMatchObject({
      allowed: true,
      hashAlgorithm: 'sha256',
    });
    const withoutHashParam = url.replace('&Hash-Algorithm=SHA256', '');
    expect(verifySignedRequest({ url: withoutHashParam }, { now: NOW, keyGroup }).reason).toBe('bad-signature');
  });

  it('builds the same canned and custom policy bytes as the official signer', () => {
    const resource = 'https://d111111abcdef8.cloudfront.net/videos/*';
    const official = getSignedCookies({
      url: resource,
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
      dateLessThan: expiresIso,
      dateGreaterThan: new Date((NOW - 10) * 1000).toISOString(),
      ipAddress: '10.0.0.0/8',
    });
    const ours = signCookies(resource, { ...base, expires: EXPIRES, notBefore: NOW - 10, ipAddress: '10.0.0.0/8' });
    expect(ours['CloudFront-Policy']).toBe(official['CloudFront-Policy']);
    // RSA PKCS#1 v1.5 is deterministic: same key, same bytes, same signature.
    expect(ours['CloudFront-Signature']).toBe(official['CloudFront-Signature']);
    expect(decodeCloudFrontBase64(ours['CloudFront-Policy'] as string)?.toString()).toBe(
      customPolicy({
        resource,
        dateLessThan: EXPIRES,
        dateGreaterThan: NOW - 10,
        sourceIp: parseIpv4Cidr('10.0.0.0/8'),
      }),
    );

    const plain = 'https://d111111abcdef8.cloudfront.net/videos/42.mp4?quality=hd';
    const officialUrl = getSignedUrl({
      url: plain,
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
      dateLessThan: expiresIso,
    });
    const ourUrl = signUrl(plain, { ...base, expires: EXPIRES });
    expect(param(ourUrl, 'Signature')).toBe(param(officialUrl, 'Signature'));
    expect(param(ourUrl, 'Expires')).toBe(String(EXPIRES));
  });

  it('produces RSA/SHA-1 signatures that crypto.verify accepts over the canned policy', () => {
    const url = 'https://d111111abcdef8.cloudfront.net/a%20b/c.jpg?x=1&y=%7E';
    const signed = signUrl(url, { ...base, expires: EXPIRES });
    expect(signed.startsWith(`${url}&Expires=${EXPIRES}&Signature=`)).toBe(true);
    const signature = decodeCloudFrontBase64(param(signed, 'Signature'));
    expect(signature).toBeDefined();
    const ok = verify(
      'sha1',
      Buffer.from(cannedPolicy(url, EXPIRES)),
      { key: rsa.publicKey, padding: constants.RSA_PKCS1_PADDING },
      signature as Buffer,
    );
    expect(ok).toBe(true);
    expect(cannedPolicy(url, EXPIRES)).toBe(
      `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}}}}]}`,
    );
  });

  it('keeps URLs byte for byte where the official signer re-encodes them', () => {
    // The official signer's re-encoding history (#3614, #8113, #8277): edgepass never touches the URL.
    const url =
      'https://d111111abcdef8.cloudfront.net/f.pdf?response-content-disposition=attachment%3B%20filename%2A%3DUTF-8%27%27r%C3%A9sum%C3%A9.pdf&a=b+c';
    const signed = signUrl(url, { ...base, expires: EXPIRES });
    expect(signed.slice(0, url.length)).toBe(url);
    expect(verifySignedRequest({ url: signed }, { now: NOW, keyGroup }).reason).toBe('ok');
  });
});
