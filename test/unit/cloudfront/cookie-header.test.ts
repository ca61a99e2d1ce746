import { describe, expect, it } from 'vitest';
import {
  MAX_COOKIE_HEADER,
  MAX_COOKIE_NAME_SPACE,
  MAX_SIGNING_COOKIE_NAMES,
  signingCookies,
  signingCookieValues,
} from '../../../shared/cloudfront/cookie-header';

const KEY = 'CloudFront-Key-Pair-Id=K1';

describe('signingCookieValues', () => {
  it('reads the CloudFront-* cookies by signing param, from one header or several', () => {
    expect(
      signingCookieValues(
        'a=1; CloudFront-Policy=eyJ; CloudFront-Signature=c2ln; CloudFront-Key-Pair-Id=K1; CloudFront-Hash-Algorithm=SHA256; CloudFront-Expires=9',
      ),
    ).toEqual({ Policy: 'eyJ', Signature: 'c2ln', 'Key-Pair-Id': 'K1', 'Hash-Algorithm': 'SHA256', Expires: '9' });
    expect(signingCookieValues(['a=1', 'CloudFront-Policy=eyJ', KEY])).toEqual({ Policy: 'eyJ', 'Key-Pair-Id': 'K1' });
  });

  it('reads nothing from no header, a header without CloudFront- or one longer than 20 KB', () => {
    expect(signingCookieValues(undefined)).toEqual({});
    expect(signingCookieValues('a=1; b=2')).toEqual({});
    const padded = (length: number) => `${KEY}; x=${'y'.repeat(length - KEY.length - 4)}`;
    expect(padded(MAX_COOKIE_HEADER)).toHaveLength(MAX_COOKIE_HEADER);
    expect(signingCookieValues(padded(MAX_COOKIE_HEADER))).toEqual({ 'Key-Pair-Id': 'K1' });
    expect(signingCookieValues(padded(MAX_COOKIE_HEADER + 1))).toEqual({});
  });

  it('keeps the first occurrence of a name and ignores unknown CloudFront- names', () => {
    expect(signingCookieValues(`CloudFront-Foo=1; ${KEY}; CloudFront-Key-Pair-Id=K2`)).toEqual({ 'Key-Pair-Id': 'K1' });
  });

  it(`looks at the first ${MAX_SIGNING_COOKIE_NAMES} CloudFront- names only`, () => {
    const junk = (n: number) => Array.from({ length: n }, (_, i) => `CloudFront-X${i}=1`).join('; ');
    expect(signingCookieValues(`${junk(MAX_SIGNING_COOKIE_NAMES - 1)}; ${KEY}`)).toEqual({ 'Key-Pair-Id': 'K1' });
    expect(signingCookieValues(`${junk(MAX_SIGNING_COOKIE_NAMES)}; ${KEY}`)).toEqual({});
  });

  it('reads a name only at the start of a cookie, through at most 64 spaces or tabs', () => {
    const blanks = (n: number) => ' \t'.repeat(n).slice(0, n);
    expect(signingCookieValues(`a=1;${blanks(MAX_COOKIE_NAME_SPACE)}${KEY}`)).toEqual({ 'Key-Pair-Id': 'K1' });
    expect(signingCookieValues(`a=1;${blanks(MAX_COOKIE_NAME_SPACE + 1)}${KEY}`)).toEqual({});
    expect(signingCookieValues(`${blanks(MAX_COOKIE_NAME_SPACE)}${KEY}`)).toEqual({ 'Key-Pair-Id': 'K1' });
    expect(signingCookieValues(`${blanks(MAX_COOKIE_NAME_SPACE + 1)}${KEY}`)).toEqual({});
    for (const header of [`x${KEY}`, `a=${KEY}`, `a=1 ${KEY}`, `a=1,${KEY}`]) {
      expect(signingCookieValues(header), header).toEqual({});
    }
  });

  it('needs an = inside the cookie, at most 64 blanks after the name', () => {
    expect(signingCookieValues('CloudFront-Key-Pair-Id; a=K1')).toEqual({});
    expect(signingCookieValues('CloudFront-Key-Pair-Id')).toEqual({});
    // A longer name without = must not be read as its prefix with the whole header as value.
    expect(signingCookieValues('CloudFront-Key-Pair-Idx')).toEqual({});
    expect(signingCookieValues('a=1; CloudFront-Signaturez')).toEqual({});
    const name = 'CloudFront-Hash-Algorithm';
    expect(signingCookieValues(`${name}${' '.repeat(MAX_COOKIE_NAME_SPACE)}=SHA256`)).toEqual({
      'Hash-Algorithm': 'SHA256',
    });
    expect(signingCookieValues(`${name}${' '.repeat(MAX_COOKIE_NAME_SPACE + 1)}=SHA256`)).toEqual({});
  });

  it.each([
    ['CloudFront-Expires', 'Expires'],
    ['CloudFront-Policy', 'Policy'],
    ['CloudFront-Signature', 'Signature'],
    ['CloudFront-Key-Pair-Id', 'Key-Pair-Id'],
  ])('holds the 64-blank bound after the shorter name %s too, the gate stripping bound', (cookie, param) => {
    expect(signingCookieValues(`${cookie}${'\t'.repeat(MAX_COOKIE_NAME_SPACE)}=v`)).toEqual({ [param]: 'v' });
    expect(signingCookieValues(`${cookie}${'\t'.repeat(MAX_COOKIE_NAME_SPACE + 1)}=v`)).toEqual({});
  });

  it('trims the value and removes one pair of surrounding quotes', () => {
    expect(signingCookieValues('CloudFront-Signature= "c2ln" ; CloudFront-Policy=" eyJ"')).toEqual({
      Signature: 'c2ln',
      Policy: ' eyJ',
    });
    expect(signingCookieValues('CloudFront-Signature="; CloudFront-Policy=""')).toEqual({ Signature: '"', Policy: '' });
    expect(signingCookieValues('CloudFront-Signature="c2ln')).toEqual({ Signature: '"c2ln' });
    expect(signingCookieValues('CloudFront-Signature=c2ln"')).toEqual({ Signature: 'c2ln"' });
  });
});

describe('signingCookies', () => {
  it('names the same values by cookie', () => {
    expect(signingCookies(['a=1; CloudFront-Policy=eyJ', KEY])).toEqual({
      'CloudFront-Policy': 'eyJ',
      'CloudFront-Key-Pair-Id': 'K1',
    });
    expect(signingCookies(undefined)).toEqual({});
  });
});
