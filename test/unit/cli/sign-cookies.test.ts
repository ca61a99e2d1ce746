import { describe, expect, it } from 'vitest';
import { checkCookieSizes, MAX_SET_COOKIE_BYTES } from '../../../cli/sign-cookies';
import { UsageError } from '../../../cli/usage-error';

describe('checkCookieSizes', () => {
  it('accepts a Set-Cookie value of exactly 4096 bytes', () => {
    expect(() => checkCookieSizes([['CloudFront-Policy', 'p'.repeat(MAX_SET_COOKIE_BYTES)]])).not.toThrow();
  });

  it('refuses one byte more, naming the cookie and its size in bytes (not characters)', () => {
    const header = `${'p'.repeat(MAX_SET_COOKIE_BYTES - 1)}é`;
    expect(() => checkCookieSizes([['CloudFront-Policy', header]])).toThrow(
      new UsageError(
        'CloudFront-Policy would be a 4097-byte Set-Cookie (over the 4096 bytes browsers keep): browsers would drop it; narrow RESOURCE, or pass --force to print it anyway',
      ),
    );
  });
});
