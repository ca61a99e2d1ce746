import { describe, expect, it } from 'vitest';
import { distributionBehaviours } from '../../../shared/config/behaviours';
import { parseConfig } from '../../../shared/config/parse';
import { rsaKeyPair } from '../../fixtures/keys';

const key = rsaKeyPair();
const base = {
  domains: ['media.example.com'],
  keyGroup: [{ id: 'K1', publicKey: key.publicPem }],
  signingSecretId: 's',
};

const shape = (behaviours: ReturnType<typeof distributionBehaviours>) =>
  behaviours.map((b) => [b.pathPattern, b.target, b.gate ? 'gate' : b.trustedKeyGroup ? 'key-group' : 'none']);

describe('distributionBehaviours', () => {
  const config = {
    protectedPaths: ['/videos/*', '/reports/*'],
    publicPaths: ['/', '/login', '/assets/*', '/videos/trailer.mp4', '/*.ico', '/a(b)'],
    trustedKeyGroupPaths: ['/downloads/*'],
  };

  it('puts the API first, public paths before key-group and gated ones, and the gate on the default', () => {
    expect(shape(distributionBehaviours(config))).toEqual([
      ['/auth/*', 'api', 'none'],
      ['/api/*', 'api', 'none'],
      ['/login', 'origin', 'none'],
      ['/assets/*', 'origin', 'none'],
      ['/videos/trailer.mp4', 'origin', 'none'],
      ['/downloads/*', 'origin', 'key-group'],
      ['/videos/*', 'origin', 'gate'],
      ['/reports/*', 'origin', 'gate'],
      ['*', 'origin', 'gate'],
    ]);
  });

  it('keeps behind the gate the public paths CloudFront cannot express on their own (/, /*…, parentheses)', () => {
    const patterns = distributionBehaviours(config).map((b) => b.pathPattern);
    for (const kept of ['/', '/*.ico', '/a(b)']) expect(patterns).not.toContain(kept);
  });

  it('keeps every public path behind the gate in front of an HTTPS origin, which may resolve what S3 reads literally', () => {
    const behaviours = distributionBehaviours({ ...config, trustedKeyGroupPaths: [] }, 'https');
    expect(behaviours.filter((b) => b.target === 'origin').every((b) => b.gate)).toBe(true);
  });

  it('gives a pattern listed twice (or shadowed by the API) one behaviour', () => {
    const behaviours = distributionBehaviours({
      protectedPaths: ['/videos/*', '/videos/*', '/api/*'],
      publicPaths: ['/login', '/login'],
      trustedKeyGroupPaths: [],
    });
    expect(behaviours.map((b) => b.pathPattern)).toEqual(['/auth/*', '/api/*', '/login', '/videos/*', '*']);
  });
});

describe('trustedKeyGroupPaths', () => {
  it('defaults to none', () => {
    expect(parseConfig(base).trustedKeyGroupPaths).toEqual([]);
  });

  it.each([
    ['/*', /trustedKeyGroupPaths\.0: not a CloudFront path pattern/],
    ['/dl/(x)/*', /trustedKeyGroupPaths\.0: not a CloudFront path pattern/],
    ['/dl/../x', /trustedKeyGroupPaths\.0: not a canonical path/],
  ])('refuses %s with the field name', (pattern, message) => {
    expect(() => parseConfig({ ...base, trustedKeyGroupPaths: [pattern] })).toThrow(message);
  });
});
