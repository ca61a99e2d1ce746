import { describe, expect, it } from 'vitest';
import { signingCookieValues } from '../../../shared/cloudfront/cookie-header';
import {
  COOKIE_FOR_PARAM,
  decodeSigningValue,
  MAX_QUERY_PARTS,
  SIGNED_URL_PARAMS,
  SIGNING_COOKIES,
  SIGNING_PARAMS,
  splitSigningParams,
} from '../../../shared/cloudfront/signing-params';

describe('the signing names', () => {
  it('are the four URL params, the hash selector, and their CloudFront- cookies', () => {
    expect(SIGNED_URL_PARAMS).toEqual(['Expires', 'Policy', 'Signature', 'Key-Pair-Id']);
    expect(SIGNING_PARAMS).toEqual(['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']);
    expect(SIGNING_COOKIES).toEqual([
      'CloudFront-Expires',
      'CloudFront-Policy',
      'CloudFront-Signature',
      'CloudFront-Key-Pair-Id',
      'CloudFront-Hash-Algorithm',
    ]);
    for (const param of SIGNING_PARAMS) {
      expect(COOKIE_FOR_PARAM[param]).toBe(`CloudFront-${param}`);
      // The cookie reader maps each cookie back to its param.
      expect(signingCookieValues(`CloudFront-${param}=v`)).toEqual({ [param]: 'v' });
    }
  });
});

describe('splitSigningParams', () => {
  it('leaves a query without signing params as it is, unsigned', () => {
    for (const query of ['', 'a=1&b=2', 'a=1&&b', 'xExpires=1', 'Expiresx=1', 'a=Expires', 'Hash-Algorithm=SHA256']) {
      expect(splitSigningParams(query), query).toEqual({ values: {}, signed: false, userQuery: query });
    }
  });

  it(`leaves an unsigned query of more than ${MAX_QUERY_PARTS} pieces alone too`, () => {
    const query = Array.from({ length: MAX_QUERY_PARTS + 10 }, (_, i) => `p${i}=1`).join('&');
    expect(splitSigningParams(query)).toEqual({ values: {}, signed: false, userQuery: query });
  });

  it('takes the signing params out, keeping every other piece byte for byte and in order', () => {
    expect(splitSigningParams('b=%41&Expires=9&a=1&Signature=s~&Key-Pair-Id=K1&c')).toEqual({
      values: { Expires: '9', Signature: 's~', 'Key-Pair-Id': 'K1' },
      signed: true,
      userQuery: 'b=%41&a=1&c',
      emptyPart: false,
    });
  });

  it('keeps the first occurrence of a param, and reads a bare name as an empty value', () => {
    expect(splitSigningParams('Policy=p1&Policy=p2&Signature&Key-Pair-Id=K1&Hash-Algorithm=SHA256')).toEqual({
      values: { Policy: 'p1', Signature: '', 'Key-Pair-Id': 'K1', 'Hash-Algorithm': 'SHA256' },
      signed: true,
      userQuery: '',
      emptyPart: false,
    });
  });

  it('flags an empty piece (&&, a leading or a trailing &) in a signed query', () => {
    for (const query of ['a=1&&Expires=9', '&Expires=9', 'Expires=9&', 'Expires=9&&Signature=s']) {
      expect(splitSigningParams(query), query).toMatchObject({ signed: true, emptyPart: true });
    }
  });

  it(`reads a signed query of up to ${MAX_QUERY_PARTS} pieces, and refuses a longer one whole`, () => {
    const pieces = (n: number) => ['Expires=9', ...Array.from({ length: n - 1 }, (_, i) => `p${i}`)].join('&');
    expect(splitSigningParams(pieces(MAX_QUERY_PARTS))).toMatchObject({ signed: true, emptyPart: false });
    expect(splitSigningParams(pieces(MAX_QUERY_PARTS)).userQuery.split('&')).toHaveLength(MAX_QUERY_PARTS - 1);
    expect(splitSigningParams(pieces(MAX_QUERY_PARTS + 1))).toEqual({
      values: {},
      signed: true,
      userQuery: '',
      emptyPart: true,
    });
  });
});

describe('decodeSigningValue', () => {
  it('percent-decodes a value once, and refuses one that does not decode', () => {
    expect(decodeSigningValue('abc~_-')).toBe('abc~_-');
    expect(decodeSigningValue('abc%7E')).toBe('abc~');
    expect(decodeSigningValue('%2541')).toBe('%41');
    expect(decodeSigningValue('abc%')).toBeUndefined();
    expect(decodeSigningValue('%E0%A4%A')).toBeUndefined();
  });
});
