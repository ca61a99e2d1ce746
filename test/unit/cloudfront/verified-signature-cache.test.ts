import { describe, expect, it } from 'vitest';
import { VerifiedSignatureCache } from '../../../shared/cloudfront/verified-signature-cache';

const policy = { resource: 'https://cdn.example.com/videos/*', dateLessThan: 2_000_000_000 };
/** An entry whose signature and signed text are `length` characters together. */
const entry = (
  signed = 'E2000000000\nhttps://cdn.example.com/videos/a.mp4',
  policyJson: string | undefined = '{}',
) => ({
  policy,
  policyJson,
  match: undefined,
  keyPairId: 'K1',
  hashAlgorithm: 'sha1',
  signed,
});
/** What an entry costs: 256 of overhead, the signature and signed text, the policy text, the resource twice. */
const cost = (signature: string, e: ReturnType<typeof entry>) =>
  256 + signature.length + e.signed.length + (e.policyJson?.length ?? 0) + 2 * policy.resource.length;

describe('VerifiedSignatureCache', () => {
  it('answers only for the same signature, signed text, key id and hash algorithm', () => {
    const cache = new VerifiedSignatureCache(4);
    const e = entry();
    cache.store('sig', e);
    expect(cache.lookup('sig', 'K1', 'sha1', e.signed)).toEqual({
      policy,
      policyJson: '{}',
      match: undefined,
      keyPairId: 'K1',
      hashAlgorithm: 'sha1',
      signed: e.signed,
      bytes: cost('sig', e),
    });
    expect(cache.lookup('sig2', 'K1', 'sha1', e.signed)).toBeUndefined();
    expect(cache.lookup('sig', 'K2', 'sha1', e.signed)).toBeUndefined();
    expect(cache.lookup('sig', 'K1', 'sha256', e.signed)).toBeUndefined();
    expect(cache.lookup('sig', 'K1', 'sha1', `${e.signed}x`)).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(cost('sig', e));
  });

  it('counts the bytes of an entry without policy text or resource', () => {
    const cache = new VerifiedSignatureCache(4);
    cache.store('s', { ...entry('x'), policyJson: undefined, policy: { dateLessThan: 1 } });
    expect(cache.bytes).toBe(256 + 2);
    expect(cache.lookup('s', 'K1', 'sha1', 'x')).toMatchObject({
      policy: { resource: undefined },
      policyJson: undefined,
    });
  });

  it('evicts the oldest entry beyond maxEntries, and replaces an entry stored again', () => {
    const cache = new VerifiedSignatureCache(2);
    const e = entry();
    cache.store('a', e);
    cache.store('b', e);
    cache.store('a', e);
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(cost('a', e) + cost('b', e));
    cache.store('c', e);
    expect(cache.size).toBe(2);
    // `a` was stored again after `b`, so `b` was the oldest.
    expect(cache.lookup('b', 'K1', 'sha1', e.signed)).toBeUndefined();
    expect(cache.lookup('a', 'K1', 'sha1', e.signed)).toBeDefined();
    expect(cache.lookup('c', 'K1', 'sha1', e.signed)).toBeDefined();
    expect(cache.bytes).toBe(cost('a', e) + cost('c', e));
  });

  it('evicts the oldest entries to stay within maxBytes', () => {
    const e = entry();
    const one = cost('a', e);
    const cache = new VerifiedSignatureCache(100, 2 * one);
    cache.store('a', e);
    cache.store('b', e);
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(2 * one);
    cache.store('c', e);
    expect(cache.size).toBe(2);
    expect(cache.lookup('a', 'K1', 'sha1', e.signed)).toBeUndefined();
    expect(cache.bytes).toBe(2 * one);
  });

  it('remembers nothing with maxEntries 0, nor a signature and signed text over 12,288 characters', () => {
    const off = new VerifiedSignatureCache(0);
    off.store('a', entry());
    expect(off.size).toBe(0);
    const cache = new VerifiedSignatureCache(4);
    cache.store('s', entry('x'.repeat(12_288 - 1)));
    expect(cache.size).toBe(1);
    cache.store('t', entry('x'.repeat(12_288)));
    expect(cache.size).toBe(1);
    expect(cache.lookup('t', 'K1', 'sha1', 'x'.repeat(12_288))).toBeUndefined();
  });
});

describe('VerifiedSignatureCache with maxBytes below one entry', () => {
  it('keeps the one entry rather than failing, and lets the next one replace it', () => {
    const cache = new VerifiedSignatureCache(4, 10);
    expect(() => cache.store('a', entry())).not.toThrow();
    expect(cache.size).toBe(1);
    cache.store('b', entry());
    expect(cache.size).toBe(1);
    expect(cache.lookup('b', 'K1', 'sha1', entry().signed)).toBeDefined();
  });
});
