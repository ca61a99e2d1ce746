import { describe, expect, it } from 'vitest';
import { cookieHeaderFrom } from '../../../cli/cookie-input';

const HEADER = 'CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F';

describe('cookieHeaderFrom', () => {
  it('keeps a Cookie header value, and drops the name of a pasted "Cookie:" line', () => {
    expect(cookieHeaderFrom(HEADER)).toBe(HEADER);
    expect(cookieHeaderFrom(`cookie:  ${HEADER}`)).toBe(HEADER);
  });

  it('takes one cookie from each Set-Cookie line and drops its attributes', () => {
    const lines = [
      'Set-Cookie: CloudFront-Policy=p; Domain=example.com; Path=/; Expires=Tue, 01 Dec 2026 00:00:00 GMT; Secure',
      'Set-Cookie: CloudFront-Signature=s; Path=/; Secure; HttpOnly',
      'set-cookie:CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; SameSite=Lax',
    ];
    expect(cookieHeaderFrom(lines.join('\r\n'))).toBe(HEADER);
  });

  it('reads the JSON object sign-cookies --json prints', () => {
    expect(
      cookieHeaderFrom(
        '{"CloudFront-Policy":"p","CloudFront-Signature":"s","CloudFront-Key-Pair-Id":"K2JCJMDEHXQW5F"}',
      ),
    ).toBe(HEADER);
  });

  it('refuses JSON that is not an object of strings, saying what it takes', () => {
    expect(() => cookieHeaderFrom('{"CloudFront-Policy":1}')).toThrow(/object of cookie name to value/);
    expect(() => cookieHeaderFrom('{not json')).toThrow(/starts with \{ but is not JSON/);
  });
});
