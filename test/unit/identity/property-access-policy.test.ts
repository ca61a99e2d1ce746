import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdgepassError } from '../../../shared/cloudfront/errors';
import { matchResource } from '../../../shared/cloudfront/resource-pattern';
import type { AccessRuleConfig } from '../../../shared/config/schema';
import { type Grant, grantFor, grantsFor } from '../../../shared/identity/access-policy';

const HOSTILE = [
  '/',
  '\\',
  '*',
  '?',
  '%',
  '.',
  '..',
  '#',
  ';',
  ' ',
  '\0',
  '\n',
  '%2e',
  '%2F',
  '%00',
  'é',
  '😀',
  '\uD800',
  '\u0085',
  '\uFF0F',
  '\uFF0E',
  '\uFB01',
  'e\u0301',
  '\u00A0',
  '@',
  'a',
  'Z',
  '~',
];

/** Claim values an identity provider might hand over: anything, and anything made of hostile pieces. */
const claimValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.constantFrom(...HOSTILE), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary-ascii', minLength: 250, maxLength: 300 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, [], {}, '.', '..'),
);

const ESCAPED = /^(?:[A-Za-z0-9_.~-]|%[0-9A-F]{2})+$/;

/** The folder a grant path stands for: everything up to the last `/` before its first wildcard. */
function folderOf(path: string): string {
  const star = path.indexOf('*');
  const head = star === -1 ? path : path.slice(0, star);
  return head.slice(0, head.lastIndexOf('/') + 1);
}

function userGrant(value: unknown, path = '/users/{sub}/*'): Grant | EdgepassError {
  const rules: AccessRuleConfig[] = [{ name: 'own', when: [], grants: [{ path, maxTtlSeconds: 3600 }] }];
  try {
    return grantsFor(rules, { sub: value }).at(0) as Grant;
  } catch (error) {
    if (error instanceof EdgepassError) return error;
    throw error;
  }
}

const count = (text: string, char: string) => text.split(char).length - 1;

describe('grantsFor (properties)', () => {
  it('either refuses a claim with CLAIM_UNUSABLE or confines it to one escaped, decodable segment', () => {
    fc.assert(
      fc.property(claimValue, (value) => {
        const grant = userGrant(value);
        if (grant instanceof EdgepassError) {
          expect(grant.code).toBe('CLAIM_UNUSABLE');
          return;
        }
        const escaped = grant.path.slice('/users/'.length, -'/*'.length);
        expect(grant.path).toBe(`/users/${escaped}/*`);
        expect(escaped).toMatch(ESCAPED);
        // Decoding gives the value back: two identities never share a path.
        expect(decodeURIComponent(escaped)).toBe(String(value));
        expect(folderOf(grant.path)).toBe(`/users/${escaped}/`);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts only values that no origin could read as another path', () => {
    let accepted = 0;
    fc.assert(
      fc.property(claimValue, (value) => {
        const grant = userGrant(value);
        if (grant instanceof EdgepassError) return;
        accepted += 1;
        const text = String(value);
        // Nothing S3, a Windows origin or a normalising one would turn into a separator, a dot
        // segment, a wildcard, a query, a parameter or an escape.
        expect(text).not.toMatch(/[/\\%*?#;\x00-\x1f\x7f-\x9f]|\.\.|^ | $|\.$/);
        expect(text.normalize('NFKC')).toBe(text);
        expect(text).not.toMatch(/\p{Cs}/u); // a lone surrogate
      }),
      { numRuns: 2000 },
    );
    // The generators must reach the accepting branch, or this property says nothing.
    expect(accepted).toBeGreaterThan(100);
  });

  it('adds no wildcard, no query and no dot segment to any rule path', () => {
    const rulePath = fc.constantFrom(
      '/users/{sub}/*',
      '/users/{sub}',
      '/t/{sub}/u/{sub}/*.mp4',
      '/f/{sub}{sub}/*',
      '/files/x-{sub}.json',
      '/*/{sub}/*',
    );
    fc.assert(
      fc.property(rulePath, claimValue, (path, value) => {
        const grant = userGrant(value, path);
        if (grant instanceof EdgepassError) return;
        expect(count(grant.path, '*')).toBe(count(path, '*'));
        expect(grant.path).not.toContain('?');
        expect(grant.path).not.toContain('\\');
        const segments = decodeURIComponent(grant.path).split('/');
        expect(segments).not.toContain('..');
        expect(segments).not.toContain('.');
        expect(grant.path.startsWith(folderOf(grant.path))).toBe(true);
        expect(folderOf(grant.path).endsWith('/')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("never covers a path outside the identity's own /users/<escaped>/ folder", () => {
    const requestPath = (prefix: string) =>
      fc.oneof(
        fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((rest) => `/${rest}`),
        fc
          .array(fc.constantFrom(...HOSTILE, 'users', 'admin'), { maxLength: 10 })
          .map((parts) => `/${parts.join('/')}`),
        fc
          .array(fc.constantFrom(...HOSTILE, '..', '%2e%2e', '..%2F', 'admin'), { maxLength: 6 })
          .map((parts) => `${prefix}${parts.join('/')}`),
        fc.string({ unit: 'binary-ascii', maxLength: 10 }).map((rest) => `${prefix.slice(0, -1)}${rest}`),
      );
    fc.assert(
      fc.property(
        claimValue.chain((value) => {
          const grant = userGrant(value);
          const prefix = grant instanceof EdgepassError ? '/users/x/' : folderOf(grant.path);
          return fc.tuple(fc.constant(grant), requestPath(prefix));
        }),
        ([grant, path]) => {
          if (grant instanceof EdgepassError) return;
          const folder = folderOf(grant.path);
          if (matchResource(`https://x${grant.path}`, `https://x${path}`)) expect(path.startsWith(folder)).toBe(true);
          if (grantFor([grant], path) !== undefined) {
            expect(path.startsWith(folder)).toBe(true);
            // What a URL parser resolves stays inside the folder, and so does what a decoding origin sees.
            expect(new URL(path, 'https://x').pathname.startsWith(folder)).toBe(true);
            expect(decodeURIComponent(path).split(/[/\\]/)).not.toContain('..');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
