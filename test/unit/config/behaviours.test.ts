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
  behaviours.map((b) => [b.pathPattern, b.target, b.gate ?? (b.trustedKeyGroup ? 'key-group' : 'none')]);

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
      ['/videos/*', 'origin', 'lambda-edge'],
      ['/reports/*', 'origin', 'lambda-edge'],
      ['*', 'origin', 'lambda-edge'],
    ]);
  });

  it('keeps behind the gate the public paths CloudFront cannot express on their own (/, /*…, parentheses)', () => {
    const patterns = distributionBehaviours(config).map((b) => b.pathPattern);
    for (const kept of ['/', '/*.ico', '/a(b)']) expect(patterns).not.toContain(kept);
  });

  it('keeps every public path behind the gate in front of an HTTPS origin, which may resolve what S3 reads literally', () => {
    const behaviours = distributionBehaviours({ ...config, trustedKeyGroupPaths: [] }, 'https');
    expect(behaviours.filter((b) => b.target === 'origin').every((b) => b.gate === 'lambda-edge')).toBe(true);
  });

  it('puts the CloudFront Functions gate’s paths after the public and key-group ones, before the protected ones', () => {
    const behaviours = distributionBehaviours({
      ...config,
      functionGate: { paths: ['/videos/free/*', '/login', '/downloads/*', '/reports/*', '/videos/free/*'] },
    });
    expect(shape(behaviours)).toEqual([
      ['/auth/*', 'api', 'none'],
      ['/api/*', 'api', 'none'],
      ['/login', 'origin', 'none'],
      ['/assets/*', 'origin', 'none'],
      ['/videos/trailer.mp4', 'origin', 'none'],
      ['/downloads/*', 'origin', 'key-group'],
      // Inside /videos/*: the function's, because it comes first; /reports/* too, listed for it.
      ['/videos/free/*', 'origin', 'cloudfront-function'],
      ['/reports/*', 'origin', 'cloudfront-function'],
      ['/videos/*', 'origin', 'lambda-edge'],
      ['*', 'origin', 'lambda-edge'],
    ]);
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

describe('functionGate.paths', () => {
  it('takes CloudFront path patterns, /* included (the function on every path the others leave)', () => {
    expect(parseConfig({ ...base, functionGate: { paths: ['/*', '/videos/free/*'] } }).functionGate).toEqual({
      paths: ['/*', '/videos/free/*'],
    });
  });

  it.each([
    ['/dl/(x)/*', /functionGate\.paths\.0: not a CloudFront path pattern/],
    ['/', /functionGate\.paths\.0: not a CloudFront path pattern/],
    [`/${'a'.repeat(255)}`, /functionGate\.paths\.0: not a CloudFront path pattern/],
    ['/dl/../x', /functionGate\.paths\.0: not a canonical path/],
  ])('refuses %s, which could not be a behaviour of its own, with the field name', (pattern, message) => {
    expect(() => parseConfig({ ...base, functionGate: { paths: [pattern] } })).toThrow(message);
  });

  it.each([
    ['/auth/*', 'is an HTTP API route'],
    ['/login', 'is in publicPaths'],
    ['/downloads/*', 'is in trustedKeyGroupPaths'],
  ])('refuses %s, whose behaviour is another’s (the function would be deployed and never run)', (path, owner) => {
    const config = { ...base, publicPaths: ['/login'], trustedKeyGroupPaths: ['/downloads/*'] };
    expect(() => parseConfig({ ...config, functionGate: { paths: ['/videos/*', path] } })).toThrow(
      `functionGate.paths.1: ${path} ${owner}, whose behaviour comes first`,
    );
    expect(() => parseConfig({ ...config, functionGate: { paths: ['/videos/*', '/videos/*'] } })).toThrow(
      'functionGate.paths: path /videos/* appears twice',
    );
  });

  it('lets a stage turn off the top level’s function gate with null', () => {
    const input = {
      ...base,
      functionGate: { paths: ['/videos/*'] },
      stages: { prod: { keyGroup: base.keyGroup, signingSecretId: 'p', identityProviders: [], functionGate: null } },
    };
    expect(parseConfig(input).functionGate).toEqual({ paths: ['/videos/*'] });
    expect(parseConfig(input, 'prod').functionGate).toBeUndefined();
    expect(parseConfig({ ...base, functionGate: null }).functionGate).toBeUndefined();
  });
});
