import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../shared/config/file';
import { parseConfig, toEdgeConfig } from '../../../shared/config/parse';
import { ecKeyPair, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const ec = ecKeyPair();
const valid = {
  domains: ['media.example.com'],
  keyGroup: [{ id: 'K2JCJMDEHXQW5F', publicKey: rsa.publicPem }],
  signingSecretId: 'edgepass/prod/signing-key',
};

function configError(input: unknown, stage?: string): string {
  try {
    parseConfig(input, stage);
  } catch (error) {
    expect((error as { code?: string }).code).toBe('INVALID_CONFIG');
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseConfig', () => {
  it('fills in safe defaults', () => {
    expect(parseConfig(valid)).toMatchObject({
      scheme: 'https',
      protectedPaths: ['/*'],
      publicPaths: [],
      loginUrl: '/login',
      returnHosts: [],
      edge: { verifyCacheSize: 1024 },
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a missing domain list', { domains: undefined }, /^edgepass config: domains: /],
    ['an upper-case domain', { domains: ['Media.example.com'] }, /domains\.0: expected a lowercase host/],
    [
      'a path pattern without a slash',
      { protectedPaths: ['videos/*'] },
      /protectedPaths\.0: not a canonical path \(not-absolute\)/,
    ],
    [
      'a public path with a dot segment',
      { publicPaths: ['/assets/../*'] },
      /publicPaths\.0: not a canonical path \(dot-segment\)/,
    ],
    [
      'a public path with an encoded letter',
      { publicPaths: ['/%61ssets/*'] },
      /publicPaths\.0: .*\(encoded-unreserved\)/,
    ],
    ['a public path with a ?', { publicPaths: ['/assets/?.css'] }, /publicPaths\.0: .*\(forbidden-character\)/],
    ['a public path with //', { publicPaths: ['//assets/*'] }, /publicPaths\.0: .*\(empty-segment\)/],
    [
      'a public path of 257 characters',
      { publicPaths: [`/${'a'.repeat(256)}`] },
      /publicPaths\.0: longer than 256 characters/,
    ],
    [
      'a public path with nine wildcards',
      { publicPaths: ['/*a*a*a*a*a*a*a*a*'] },
      /publicPaths\.0: more than 8 wildcards/,
    ],
    [
      'a public path with 251 characters between two wildcards',
      { publicPaths: [`/*${'a'.repeat(251)}*`] },
      /publicPaths\.0: more than 250 characters between two wildcards/,
    ],
    [
      'a grant with nine wildcards',
      { accessRules: [{ name: 'a', grants: [{ path: '/*/*/*/*/*/*/*/*/*', maxTtlSeconds: 60 }] }] },
      /grants\.0\.path: more than 8 wildcards/,
    ],
    ['an off-site login URL over http', { loginUrl: 'http://evil.com/login' }, /loginUrl: expected a same-site path/],
    ['a protocol-relative login URL', { loginUrl: '//evil.com/login' }, /loginUrl/],
    [
      'a bad key id',
      { keyGroup: [{ id: 'not an id', publicKey: rsa.publicPem }] },
      /keyGroup\.0\.id: expected a CloudFront public key id/,
    ],
    [
      'a key that is not PEM',
      { keyGroup: [{ id: 'K1', publicKey: 'hello' }] },
      /keyGroup\.0\.publicKey: expected a PEM public key/,
    ],
    [
      'both key forms',
      { keyGroup: [{ id: 'K1', publicKey: rsa.publicPem, publicKeyFile: 'k.pem' }] },
      /keyGroup\.0: give exactly one/,
    ],
    [
      'six keys',
      { keyGroup: Array.from({ length: 6 }, (_, i) => ({ id: `K${i}`, publicKey: rsa.publicPem })) },
      /keyGroup: /,
    ],
    [
      'a duplicate key id',
      {
        keyGroup: [
          { id: 'K1', publicKey: rsa.publicPem },
          { id: 'K1', publicKey: ec.publicPem },
        ],
      },
      /key id K1 appears twice/,
    ],
    ['a typo in a field name', { protectedPath: ['/videos/*'] }, /protectedPath/],
    ['a negative cache size', { edge: { verifyCacheSize: -1 } }, /edge\.verifyCacheSize/],
    ['an empty secret id', { signingSecretId: '' }, /signingSecretId/],
  ])('refuses %s and names the field', (_name, change, message) => {
    expect(configError({ ...valid, ...change })).toMatch(message);
  });

  it('refuses a public key CloudFront would not accept', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(configError({ ...valid, keyGroup: [{ id: 'K1', publicKey: small }] })).toMatch(/keyGroup\.0: .*2048/);
  });

  it('applies stage overrides over the top level and names the stage in errors', () => {
    const input = {
      ...valid,
      stages: { dev: { domains: ['localhost:3000'], scheme: 'http' }, broken: { loginUrl: 'ftp://x' } },
    };
    expect(parseConfig(input, 'dev')).toMatchObject({ domains: ['localhost:3000'], scheme: 'http' });
    expect(parseConfig(input).domains).toEqual(['media.example.com']);
    expect(configError(input, 'broken')).toMatch(
      /^edgepass config \(stage broken\): set keyGroup, identityProviders, signingSecretId in stages\.broken/,
    );
  });

  it('never lets a stage other than dev inherit the top level’s keys, identity providers or signing secret', () => {
    const trust = {
      keyGroup: valid.keyGroup,
      identityProviders: [],
      signingSecretId: 'edgepass/staging/signing-key',
    };
    const input = { ...valid, stages: { staging: { domains: ['staging.example.com'] }, prod: trust } };
    // A stage the file does not list would be the top level, samples included.
    expect(configError(input, 'qa')).toMatch(/^edgepass config: no stage qa in stages; add it with its own keyGroup/);
    expect(configError(input, 'staging')).toMatch(
      /^edgepass config \(stage staging\): set keyGroup, identityProviders, signingSecretId in stages\.staging/,
    );
    const { signingSecretId: _dropped, ...partial } = trust;
    expect(configError({ ...input, stages: { prod: partial } }, 'prod')).toMatch(/set signingSecretId in stages\.prod/);
    expect(parseConfig(input, 'prod').signingSecretId).toBe('edgepass/staging/signing-key');
    // The dev stage is the top level, with or without overrides.
    expect(parseConfig(input, 'dev').domains).toEqual(valid.domains);
  });

  it('produces the edge subset with keys as PEM text', () => {
    const edge = toEdgeConfig(
      parseConfig({ ...valid, keyGroup: [...valid.keyGroup, { id: 'KEC', publicKey: ec.publicPem }] }),
    );
    expect(edge).toEqual({
      domains: ['media.example.com'],
      scheme: 'https',
      publicPaths: [],
      loginUrl: '/login',
      keys: [
        { id: 'K2JCJMDEHXQW5F', publicKey: rsa.publicPem },
        { id: 'KEC', publicKey: ec.publicPem },
      ],
      verifyCacheSize: 1024,
    });
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepass-config-'));
  writeFileSync(join(dir, 'public.pem'), rsa.publicPem);

  it('resolves publicKeyFile relative to the file, for the selected stage only', () => {
    const file = join(dir, 'edgepass.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...valid,
        keyGroup: [{ id: 'K1', publicKeyFile: 'public.pem' }],
        stages: {
          prod: {
            keyGroup: [{ id: 'K2', publicKeyFile: 'missing.pem' }],
            identityProviders: [],
            signingSecretId: 'edgepass/prod/signing-key',
          },
        },
      }),
    );
    expect(loadConfigFile(file).keyGroup).toEqual([{ id: 'K1', publicKey: rsa.publicPem }]);
    expect(() => loadConfigFile(file, 'prod')).toThrow(
      /stage prod\): keyGroup\.0\.publicKeyFile: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });

  it('names the file when it is missing or not JSON', () => {
    expect(() => loadConfigFile(join(dir, 'nope.json'))).toThrow(/cannot read .*nope\.json/);
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(() => loadConfigFile(join(dir, 'bad.json'))).toThrow(/cannot read .*bad\.json/);
  });
});

describe('parseConfig: the signing functions’ settings', () => {
  const provider = {
    name: 'idp',
    issuer: 'https://idp.example.com/',
    audience: 'edgepass',
    jwksUrl: 'https://idp.example.com/jwks.json',
  };

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'two providers with one issuer',
      { identityProviders: [provider, { ...provider, name: 'other' }] },
      /identityProviders: issuer https:\/\/idp\.example\.com\/ appears twice/,
    ],
    [
      'two rules with one name',
      {
        accessRules: [
          { name: 'a', grants: [{ path: '/a/*', maxTtlSeconds: 60 }] },
          { name: 'a', grants: [{ path: '/b/*', maxTtlSeconds: 60 }] },
        ],
      },
      /rule name a appears twice/,
    ],
    [
      'HS256 without a secret variable',
      { identityProviders: [{ ...provider, algorithms: ['HS256'] }] },
      /HS256 needs hs256SecretEnv/,
    ],
    [
      'HS256 mixed with RS256',
      {
        identityProviders: [
          { ...provider, jwksUrl: undefined, hs256SecretEnv: 'SECRET', algorithms: ['HS256', 'RS256'] },
        ],
      },
      /never mix HS256/,
    ],
    ['two key sources', { identityProviders: [{ ...provider, hs256SecretEnv: 'SECRET' }] }, /exactly one key source/],
    [
      'a JWKS URL over http',
      { identityProviders: [{ ...provider, jwksUrl: 'http://idp.example.com/jwks' }] },
      /jwksUrl: expected an https:\/\/ URL/,
    ],
    ['alg none', { identityProviders: [{ ...provider, algorithms: ['none'] }] }, /identityProviders\.0\.algorithms\.0/],
    [
      'a grant with a query',
      { accessRules: [{ name: 'a', grants: [{ path: '/a?x=1', maxTtlSeconds: 60 }] }] },
      /grants\.0\.path: not a canonical path \(forbidden-character\)/,
    ],
    [
      'a grant with a dot segment',
      { accessRules: [{ name: 'a', grants: [{ path: '/a/../b', maxTtlSeconds: 60 }] }] },
      /grants\.0\.path: not a canonical path \(dot-segment\)/,
    ],
    [
      'a grant with a semicolon',
      { accessRules: [{ name: 'a', grants: [{ path: '/a;b/*', maxTtlSeconds: 60 }] }] },
      /grants\.0\.path: not a canonical path \(forbidden-character\)/,
    ],
    [
      'a template with an odd name',
      { accessRules: [{ name: 'a', grants: [{ path: '/u/{a b}/*', maxTtlSeconds: 60 }] }] },
      /templates are \{claim\}/,
    ],
    [
      'a TTL over a week',
      { accessRules: [{ name: 'a', grants: [{ path: '/a/*', maxTtlSeconds: 8 * 86400 }] }] },
      /maxTtlSeconds/,
    ],
    ['a CORS origin with a path', { cors: { origins: ['https://app.example.com/x'] } }, /expected a bare origin/],
    [
      'grants sharing a cookie Path',
      {
        accessRules: [
          {
            name: 'a',
            grants: [
              { path: '/r/a.pdf', maxTtlSeconds: 60 },
              { path: '/r/b.pdf', maxTtlSeconds: 60 },
            ],
          },
        ],
      },
      /would share cookie Path \/r\//,
    ],
    [
      'a cookie that could pass 4 KB',
      { accessRules: [{ name: 'a', grants: [{ path: '/{a}/{b}/{c}/{d}/{e}/{f}/*', maxTtlSeconds: 60 }] }] },
      /over the browser limit of 4096/,
    ],
  ])('refuses %s at build time', (_name, change, message) => {
    expect(configError({ ...valid, ...change })).toMatch(message);
  });
});
