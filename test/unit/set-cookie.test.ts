import { describe, expect, it } from 'vitest';
import { isCookieDomain, isCookiePath, setCookieValue } from '../../cli/set-cookie-line';
import { NOW } from '../fixtures/keys';

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
