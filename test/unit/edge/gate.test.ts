import { describe, expect, it } from 'vitest';
import { MAX_SIGNING_COOKIE_NAMES } from '../../../shared/cloudfront/cookie-header';
import { signCookies, signUrl } from '../../../shared/cloudfront/sign';
import { createGate, type ViewerRequest } from '../../../shared/edge/gate';
import { MAX_RETURN_TO_LENGTH } from '../../../shared/edge/return-to';
import { testGate } from '../../fixtures/gate';
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
    expect(gate(request(CDN, '/videos/a.mp4', '', forCdn), NOW)).toMatchObject({ action: 'allow', keyPairId: 'K1' });
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

describe('createGate: what it forwards and where it redirects', () => {
  const withLogin = (loginUrl: string) => testGate(rsa.publicPem, { publicPaths: ['/assets/*'], loginUrl });
  const browser = (uri: string, querystring = ''): ViewerRequest => ({
    ...request(MEDIA, uri, querystring),
    accept: 'text/html',
  });

  it('forwards a Referer that held only signing params without its ?', () => {
    const decision = gate(
      { ...request(MEDIA, '/assets/a.css'), referer: `https://${MEDIA}/page?Expires=1&Signature=s&Key-Pair-Id=K1` },
      NOW,
    );
    expect(decision).toMatchObject({ action: 'pass', referer: `https://${MEDIA}/page` });
  });

  it('forwards no cookie at all when more CloudFront- names come than the reader looks at', () => {
    const names = Array.from({ length: MAX_SIGNING_COOKIE_NAMES + 1 }, (_, i) => `CloudFront-X${i}=1`);
    expect(gate(request(MEDIA, '/assets/a.css', '', [`a=1; ${names.join('; ')}`]), NOW)).toMatchObject({
      action: 'pass',
      cookies: [],
    });
    const fewer = names.slice(0, MAX_SIGNING_COOKIE_NAMES);
    expect(gate(request(MEDIA, '/assets/a.css', '', [`a=1; ${fewer.join('; ')}`]), NOW)).toMatchObject({
      action: 'pass',
      cookies: [`a=1; ${fewer.join('; ')}`],
    });
  });

  it('returns to / when the path and query would not fit in return_to, and appends to a login URL with a query', () => {
    const long = `/videos/${'a'.repeat(MAX_RETURN_TO_LENGTH)}`;
    expect(withLogin('/login')(browser(long), NOW)).toMatchObject({
      action: 'redirect',
      location: '/login?return_to=%2F',
    });
    const fits = `/videos/${'a'.repeat(MAX_RETURN_TO_LENGTH - '/videos/'.length)}`;
    expect(withLogin('/login')(browser(fits), NOW)).toMatchObject({
      location: `/login?return_to=${encodeURIComponent(fits)}`,
    });
    expect(withLogin('/login?lang=en')(browser('/videos/a', 't=1'), NOW)).toMatchObject({
      location: `/login?lang=en&return_to=${encodeURIComponent('/videos/a?t=1')}`,
    });
  });

  it('answers 403 rather than redirecting a request without Accept or that is not a page load', () => {
    expect(withLogin('/login')({ ...browser('/videos/a'), accept: undefined }, NOW)).toMatchObject({
      action: 'deny',
      loop: false,
    });
    expect(withLogin('/login')({ ...browser('/videos/a'), method: 'POST' }, NOW)).toMatchObject({ action: 'deny' });
    expect(withLogin('/login')({ ...browser('/videos/a'), method: 'HEAD' }, NOW)).toMatchObject({ action: 'redirect' });
  });
});

describe('the cookies the Lambda@Edge gate forwards', () => {
  const gateFor = () => testGate(rsa.publicPem, { publicPaths: ['/assets/*'] });
  const forwarded = (cookies: string[]) => {
    const decision = gateFor()(request(MEDIA, '/assets/a.css', '', cookies), NOW);
    return decision.action === 'pass' ? decision.cookies : decision;
  };

  it('passes Cookie headers without a credential name on as they came, one by one', () => {
    expect(forwarded(['a=1', 'b=2; c=3'])).toEqual(['a=1', 'b=2; c=3']);
  });

  it('joins the headers as `; ` before stripping, so a credential in a second header goes too', () => {
    expect(forwarded(['a=1', 'CloudFront-Policy=x'])).toEqual(['a=1']);
    expect(forwarded(['CloudFront-Policy=x', 'a=1'])).toEqual(['a=1']);
  });

  it('leaves no separator in front when the first cookies were credentials', () => {
    expect(forwarded(['CloudFront-Policy=x; a=1'])).toEqual(['a=1']);
    expect(forwarded(['CloudFront-Policy=x;;  a=1; b=2'])).toEqual(['a=1; b=2']);
    expect(forwarded(['CloudFront-Policy=x; edgepass-session=t'])).toEqual([]);
  });
});
