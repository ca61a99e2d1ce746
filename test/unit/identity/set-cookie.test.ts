import { describe, expect, it } from 'vitest';
import { expiredCookieValue, isCookieDomain, isCookiePath, setCookieValue } from '../../../shared/identity/set-cookie';
import { NOW } from '../../fixtures/keys';

describe('setCookieValue', () => {
  it('writes Path, Expires (the policy expiry as an HTTP date), Secure, HttpOnly and SameSite=Lax', () => {
    expect(setCookieValue('CloudFront-Key-Pair-Id', 'K2JCJMDEHXQW5F', { path: '/', expires: NOW + 3600 })).toBe(
      'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=/; Expires=Sat, 28 Nov 2026 13:00:00 GMT; Secure; HttpOnly; SameSite=Lax',
    );
  });

  it('adds Domain only when given', () => {
    const value = setCookieValue('CloudFront-Signature', 'abc~', {
      domain: 'example.com',
      path: '/videos',
      expires: NOW,
    });
    expect(value).toBe(
      'CloudFront-Signature=abc~; Domain=example.com; Path=/videos; Expires=Sat, 28 Nov 2026 12:00:00 GMT; Secure; HttpOnly; SameSite=Lax',
    );
  });
});

describe('cookie attribute checks', () => {
  it('accepts host names, with or without a leading dot', () => {
    for (const domain of ['example.com', '.example.com', 'media.example.co.uk', 'd111111abcdef8.cloudfront.net']) {
      expect(isCookieDomain(domain)).toBe(true);
    }
  });

  it('refuses domains that would inject attributes or are not host names', () => {
    for (const domain of ['', 'a.com; Secure', 'exa mple.com', '-a.com', 'a..com', 'https://a.com', 'a.com/']) {
      expect(isCookieDomain(domain)).toBe(false);
    }
  });

  it('accepts absolute paths and refuses relative ones or ones holding ; or spaces', () => {
    expect(isCookiePath('/')).toBe(true);
    expect(isCookiePath('/videos/hls')).toBe(true);
    for (const path of ['', 'videos', '/a;b', '/a b', '/a\nb']) expect(isCookiePath(path)).toBe(false);
  });
});

describe('setCookieValue for the login response', () => {
  it('adds Max-Age from now, and leaves both out for a session cookie', () => {
    expect(setCookieValue('a', 'b', { path: '/', expires: 1795870800, now: 1795867200, sameSite: 'Strict' })).toBe(
      'a=b; Path=/; Max-Age=3600; Expires=Sat, 28 Nov 2026 13:00:00 GMT; Secure; HttpOnly; SameSite=Strict',
    );
    expect(setCookieValue('a', 'b', { path: '/videos/', domain: 'example.com' })).toBe(
      'a=b; Domain=example.com; Path=/videos/; Secure; HttpOnly; SameSite=Lax',
    );
  });
});

describe('expiredCookieValue', () => {
  it('expires the cookie at once with the Domain and Path it was set with', () => {
    expect(expiredCookieValue('CloudFront-Policy', { path: '/videos/', domain: 'example.com' })).toBe(
      'CloudFront-Policy=; Domain=example.com; Path=/videos/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax',
    );
  });
});
