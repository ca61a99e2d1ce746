import { describe, expect, it } from 'vitest';
import { signCookies, signUrl } from '../../../shared/cloudfront/sign';
import { createGate, type ViewerRequest } from '../../../shared/edge/gate';
import { NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const MEDIA = 'media.example.com';
const CDN = 'cdn.example.net';
const sign = { keyPairId: 'K1', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW };
const gate = createGate({
  domains: [MEDIA, CDN],
  scheme: 'https',
  publicPaths: ['/assets/*'],
  loginUrl: '/login',
  keys: [{ id: 'K1', publicKey: rsa.publicPem }],
  verifyCacheSize: 16,
});

function request(host: string | undefined, uri: string, querystring = '', cookies: string[] = []): ViewerRequest {
  return { method: 'GET', uri, querystring, host, cookies, clientIp: '203.0.113.1', accept: '*/*', referer: undefined };
}

const queryOf = (url: string) => url.slice(url.indexOf('?') + 1);
const cookieHeader = (cookies: object) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

describe('createGate with two configured domains', () => {
  // The Host is part of every signed resource: a URL or cookies signed for one domain must never
  // open the other, and each domain's own credentials must work on it.
  it('allows a signed URL only on the domain it was signed for', () => {
    const forCdn = queryOf(signUrl(`https://${CDN}/videos/a.mp4?t=1`, sign));
    expect(gate(request(CDN, '/videos/a.mp4', forCdn), NOW)).toEqual({
      action: 'allow',
      reason: 'ok',
      source: 'url',
      keyPairId: 'K1',
      querystring: 't=1',
      cookies: [],
      referer: undefined,
    });
    expect(gate(request('CDN.example.NET', '/videos/a.mp4', forCdn), NOW)).toMatchObject({ action: 'allow' });
    expect(gate(request(MEDIA, '/videos/a.mp4', forCdn), NOW)).toMatchObject({
      action: 'deny',
      reason: 'bad-signature',
    });
    // Without a Host header the first configured domain is the one checked.
    expect(gate(request(undefined, '/videos/a.mp4', forCdn), NOW)).toMatchObject({ action: 'deny' });
    const forMedia = queryOf(signUrl(`https://${MEDIA}/videos/a.mp4`, sign));
    expect(gate(request(undefined, '/videos/a.mp4', forMedia), NOW)).toMatchObject({ action: 'allow' });
    expect(gate(request(CDN, '/videos/a.mp4', forMedia), NOW)).toMatchObject({ action: 'deny' });
  });

  it('allows cookies only on the domain of their policy', () => {
    const forCdn = [cookieHeader(signCookies(`https://${CDN}/videos/*`, sign))];
    expect(gate(request(CDN, '/videos/a.mp4', '', forCdn), NOW)).toMatchObject({ action: 'allow', source: 'cookie' });
    expect(gate(request(MEDIA, '/videos/a.mp4', '', forCdn), NOW)).toMatchObject({
      action: 'deny',
      reason: 'resource-mismatch',
    });
  });

  it('refuses any other Host with a 400 before reading credentials, and passes public paths on both', () => {
    const forCdn = queryOf(signUrl(`https://${CDN}/videos/a.mp4`, sign));
    expect(gate(request('evil.example', '/videos/a.mp4', forCdn), NOW)).toEqual({
      action: 'reject',
      reason: 'bad-request',
      detail: 'unknown-host',
    });
    for (const host of [MEDIA, CDN]) {
      expect(gate(request(host, '/assets/app.css', 'v=2'), NOW)).toEqual({
        action: 'pass',
        reason: 'public',
        querystring: 'v=2',
        cookies: [],
        referer: undefined,
      });
    }
  });
});
