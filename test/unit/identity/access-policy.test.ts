import { describe, expect, it } from 'vitest';
import { EdgepassError } from '../../../shared/cloudfront/errors';
import type { AccessRuleConfig, ClaimCondition } from '../../../shared/config/schema';
import { type Grant, grantFor, grantsFor, resourceFor } from '../../../shared/identity/access-policy';

function rule(name: string, when: ClaimCondition[], ...paths: string[]): AccessRuleConfig {
  return { name, when, grants: paths.map((path) => ({ path, maxTtlSeconds: 3600 })) };
}

/** The one-grant path a single rule gives these claims. */
function pathFor(path: string, claims: Record<string, unknown>): string {
  const [grant] = grantsFor([rule('r', [], path)], claims);
  return (grant as Grant).path;
}

function forbidden(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EdgepassError);
    expect((error as EdgepassError).code).toBe('FORBIDDEN_RESOURCE');
    return (error as Error).message;
  }
  throw new Error('expected FORBIDDEN_RESOURCE');
}

/** Runs `run`, expects a CLAIM_UNUSABLE refusal (HTTP 403) and returns its message. */
function unusable(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EdgepassError);
    expect((error as EdgepassError).code).toBe('CLAIM_UNUSABLE');
    expect((error as EdgepassError).httpStatus).toBe(403);
    return (error as Error).message;
  }
  throw new Error('expected CLAIM_UNUSABLE');
}

const rules: AccessRuleConfig[] = [
  rule('admins', [{ claim: 'cognito:groups', includes: 'admin' }], '/*'),
  {
    name: 'subscribers',
    when: [
      { claim: 'plan', equals: 'premium' },
      { claim: 'email_verified', equals: true },
    ],
    grants: [
      { path: '/videos/*', maxTtlSeconds: 7200 },
      { path: '/users/{email}/*', maxTtlSeconds: 600 },
    ],
  },
  rule('api-readers', [{ claim: 'scope', includes: 'reports:read' }], '/reports/*'),
  rule('everyone', [], '/public-previews/*'),
];

describe('grantsFor', () => {
  it('gives the grants of the first rule whose conditions all hold', () => {
    expect(grantsFor(rules, { plan: 'premium', email_verified: true, email: 'abc@x.com' })).toEqual([
      { rule: 'subscribers', path: '/videos/*', maxTtlSeconds: 7200 },
      { rule: 'subscribers', path: '/users/abc%40x.com/*', maxTtlSeconds: 600 },
    ]);
  });

  it('lets an earlier rule win over a later one that also matches', () => {
    const claims = { 'cognito:groups': ['staff', 'admin'], plan: 'premium', email_verified: true, email: 'a@b.c' };
    expect(grantsFor(rules, claims).map((grant) => grant.rule)).toEqual(['admins']);
  });

  it('falls through to a rule without conditions, which matches any verified identity', () => {
    expect(grantsFor(rules, { sub: 'nobody-special' })).toEqual([
      { rule: 'everyone', path: '/public-previews/*', maxTtlSeconds: 3600 },
    ]);
  });

  it('refuses an identity that no rule matches', () => {
    const strict = rules.filter((candidate) => candidate.when.length > 0);
    expect(forbidden(() => grantsFor(strict, { sub: 'alice' }))).toBe('no access rule matches this identity');
    expect(forbidden(() => grantsFor([], { sub: 'alice' }))).toBe('no access rule matches this identity');
  });

  it('requires every condition of a rule to hold', () => {
    const strict = rules.filter((candidate) => candidate.when.length > 0);
    forbidden(() => grantsFor(strict, { plan: 'premium', email_verified: false, email: 'a@b.c' }));
    forbidden(() => grantsFor(strict, { plan: 'premium', email: 'a@b.c' }));
  });

  it('returns frozen grants', () => {
    const [grant] = grantsFor(rules, {});
    expect(Object.isFrozen(grant)).toBe(true);
  });

  describe('conditions', () => {
    const matches = (condition: ClaimCondition, claims: Record<string, unknown>) =>
      grantsFor([rule('r', [condition], '/x/*'), rule('fallback', [], '/none/*')], claims)[0]?.rule === 'r';

    it.each<[string, ClaimCondition, Record<string, unknown>, boolean]>([
      ['equals: the same string', { claim: 'role', equals: 'editor' }, { role: 'editor' }, true],
      ['equals: another string', { claim: 'role', equals: 'editor' }, { role: 'Editor' }, false],
      ['equals: a number', { claim: 'level', equals: 3 }, { level: 3 }, true],
      ['equals: a number vs its text', { claim: 'level', equals: 3 }, { level: '3' }, false],
      ['equals: true', { claim: 'email_verified', equals: true }, { email_verified: true }, true],
      ['equals: true vs "true"', { claim: 'email_verified', equals: true }, { email_verified: 'true' }, false],
      ['equals: a missing claim', { claim: 'role', equals: 'editor' }, {}, false],
      ['equals: an array holding the value', { claim: 'role', equals: 'editor' }, { role: ['editor'] }, false],
      ['includes: an array member', { claim: 'groups', includes: 'staff' }, { groups: ['staff', 'ops'] }, true],
      ['includes: not a member', { claim: 'groups', includes: 'staff' }, { groups: ['staffing'] }, false],
      [
        'includes: a word of an OAuth scope',
        { claim: 'scope', includes: 'read:videos' },
        { scope: 'openid read:videos' },
        true,
      ],
      [
        'includes: a scope that is only a substring',
        { claim: 'scope', includes: 'read' },
        { scope: 'read:videos' },
        false,
      ],
      ['includes: a whole one-word scope', { claim: 'scope', includes: 'openid' }, { scope: 'openid' }, true],
      ['includes: a number array', { claim: 'groups', includes: '1' }, { groups: [1] }, false],
      ['includes: an object', { claim: 'groups', includes: 'staff' }, { groups: { staff: true } }, false],
      ['includes: a missing claim', { claim: 'groups', includes: 'staff' }, {}, false],
      ['exists: a present claim', { claim: 'tenant', exists: true }, { tenant: 'acme' }, true],
      ['exists: false, 0 and "" are present', { claim: 'tenant', exists: true }, { tenant: 0 }, true],
      ['exists: null', { claim: 'tenant', exists: true }, { tenant: null }, false],
      ['exists: a missing claim', { claim: 'tenant', exists: true }, {}, false],
      ['exists: an inherited property', { claim: 'constructor', exists: true }, {}, false],
      ['equals: an inherited property', { claim: 'toString', equals: 'x' }, {}, false],
      ['exists: a claim named __proto__', { claim: '__proto__', exists: true }, JSON.parse('{"__proto__":"x"}'), true],
    ])('%s → %s', (_, condition, claims, expected) => {
      expect(matches(condition, claims)).toBe(expected);
    });
  });

  describe('{claim} templates', () => {
    it('fills a template with the claim value, percent-encoded', () => {
      expect(pathFor('/users/{email}/*', { email: 'abc@x.com' })).toBe('/users/abc%40x.com/*');
    });

    it('fills a number claim', () => {
      expect(pathFor('/tenants/{tenant_id}/*', { tenant_id: 42 })).toBe('/tenants/42/*');
    });

    it('fills several templates, with namespaced claim names', () => {
      expect(pathFor('/t/{custom:tenant}/u/{sub}/*.mp4', { 'custom:tenant': 'acme', sub: 'u-1' })).toBe(
        '/t/acme/u/u-1/*.mp4',
      );
    });

    it.each([
      ['keeps unreserved characters', 'AZaz09_.~-', 'AZaz09_.~-'],
      ['encodes an @', 'ada@example.com', 'ada%40example.com'],
      ['encodes inner spaces and a plus', 'a b+c', 'a%20b%2Bc'],
      ['encodes characters encodeURIComponent keeps', "!'()", '%21%27%28%29'],
      ['encodes & = , $ and @', '&=,$@', '%26%3D%2C%24%40'],
      ['encodes non-ASCII letters as UTF-8', 'Zoë Ångström', 'Zo%C3%AB%20%C3%85ngstr%C3%B6m'],
      ['encodes CJK as UTF-8', '山田', '%E5%B1%B1%E7%94%B0'],
      ['encodes an emoji (a surrogate pair) as UTF-8', 'é😀', '%C3%A9%F0%9F%98%80'],
      ['keeps a dotted name', 'first.last', 'first.last'],
      ['keeps a leading dot', '.profile', '.profile'],
      ['keeps a tilde not followed by a digit', 'a~b', 'a~b'],
      ['keeps letters whose case stays outside ASCII', '\u00e9l\u00e8ve', '%C3%A9l%C3%A8ve'],
    ])('%s', (_, value, escaped) => {
      expect(pathFor('/users/{sub}/*', { sub: value })).toBe(`/users/${escaped}/*`);
    });

    it.each<[string, string]>([
      ['a slash', 'victim/x'],
      ['a backslash', 'victim\\x'],
      ['a percent sign', '100%'],
      ['an already encoded slash', 'victim%2Fx'],
      ['an encoded dot-dot', '%2e%2e'],
      ['a wildcard', 'a*'],
      ['a question mark', 'a?b'],
      ['a hash', 'a#b'],
      ['a semicolon (Tomcat path parameter)', 'a;jsessionid=1'],
      ['NUL', 'a\u0000b'],
      ['a newline', 'a\nb'],
      ['a tab', 'a\tb'],
      ['U+001F', 'a\u001fb'],
      ['DEL', 'a\u007fb'],
      ['a C1 control (NEL, U+0085)', 'a\u0085b'],
      ['U+009F', 'a\u009fb'],
      ['"."', '.'],
      ['".."', '..'],
      ['"..." (holds ..)', '...'],
      ['".." inside a name', 'a..b'],
      ['a trailing dot (Windows strips it)', 'alice.'],
      ['a leading space', ' alice'],
      ['a trailing space (Windows strips it)', 'alice '],
      ['a lone high surrogate', 'a\uD800'],
      ['a lone low surrogate', '\uDC00a'],
      ['a fullwidth solidus', 'victim\uFF0Fx'],
      ['fullwidth full stops', 'a\uFF0E\uFF0Eb'],
      ['one-dot leaders (NFKC: .)', 'a\u2024\u2024b'],
      ['a small reverse solidus (NFKC: \\)', 'a\uFE68b'],
      ['fullwidth letters', '\uFF41\uFF44\uFF4D\uFF49\uFF4E'],
      ['a ligature', '\uFB01le'],
      ['a decomposed accent (NFD)', 'zoe\u0308'],
      ['a no-break space (NFKC: space)', 'a\u00A0b'],
      ['a superscript digit', 'x\u00B2'],
      ['a colon (NTFS stream: alice::$INDEX_ALLOCATION)', 'alice::$INDEX_ALLOCATION'],
      ['an 8.3 short name (~1)', 'ALICE~1'],
      ['a dotless i (upper-cases to ASCII I: alıce reads as ALICE)', 'al\u0131ce'],
      ['a long s (upper-cases to S)', '\u017Fam'],
      ['a sharp s (upper-cases to two letters)', 'stra\u00DFe'],
      ['a Kelvin sign (lower-cases to k)', '\u212Aelvin'],
    ])('refuses a value with %s, without naming the value', (_, value) => {
      const message = unusable(() => pathFor('/users/{sub}/*', { sub: value }));
      expect(message).toMatch(/^claim sub cannot be used in a path/);
      expect(message).not.toContain(value);
    });

    it.each<[string, unknown]>([
      ['a missing claim', undefined],
      ['null', null],
      ['a boolean', true],
      ['an object', { id: 1 }],
      ['an array', ['a']],
      ['an empty string', ''],
      ['a string over 256 characters', 'x'.repeat(257)],
      ['a non-finite number', Number.POSITIVE_INFINITY],
    ])('refuses %s', (_, value) => {
      const claims = value === undefined ? {} : { sub: value };
      expect(unusable(() => pathFor('/users/{sub}/*', claims))).toMatch(/^claim sub cannot be used in a path/);
    });

    it('accepts a value of exactly 256 characters', () => {
      expect(pathFor('/users/{sub}/*', { sub: 'x'.repeat(256) })).toBe(`/users/${'x'.repeat(256)}/*`);
    });

    it('measures length in UTF-8 bytes, so no accepted value encodes to more than 768 characters', () => {
      expect(pathFor('/users/{sub}/*', { sub: '\u00e9'.repeat(128) })).toBe(`/users/${'%C3%A9'.repeat(128)}/*`);
      expect(unusable(() => pathFor('/users/{sub}/*', { sub: '\u00e9'.repeat(129) }))).toMatch(/^claim sub /);
      expect(unusable(() => pathFor('/users/{sub}/*', { sub: '\u5c71'.repeat(256) }))).toMatch(/^claim sub /);
    });

    it('refuses a claim that puts more than 250 characters between two stars (a pattern the gate never matches)', () => {
      // `/teams/*/{team}*`: the claim sits in a middle chunk. 249 characters + the `/` before it fit.
      expect(pathFor('/teams/*/{team}*', { team: 'b'.repeat(249) })).toBe(`/teams/*/${'b'.repeat(249)}*`);
      expect(unusable(() => pathFor('/teams/*/{team}*', { team: `b${'a'.repeat(255)}` }))).toMatch(
        /more than 250 characters between two \*/,
      );
      // Any middle chunk counts, not only when all are long.
      expect(unusable(() => pathFor('/teams/*/{team}*/x/*', { team: 'b'.repeat(256) }))).toBe(
        'claims make grant /teams/*/{team}*/x/* hold more than 250 characters between two *',
      );
      // The natural shape puts it in the last chunk, compared in place: any accepted value works.
      expect(pathFor('/teams/{team}/*', { team: 'x'.repeat(256) })).toBe(`/teams/${'x'.repeat(256)}/*`);
    });

    it.each<[string, unknown, string]>([
      ['a missing claim', undefined, 'missing, empty, or not a string or number'],
      ['an empty string', '', 'missing, empty, or not a string or number'],
      ['257 characters', 'x'.repeat(257), 'longer than 256 bytes in UTF-8'],
      ['257 bytes in UTF-8', `${'\u00e9'.repeat(128)}x`, 'longer than 256 bytes in UTF-8'],
      ['a slash', 'victim/x', 'it holds a character an origin could read as path syntax'],
      ['a fullwidth solidus', 'victim\uFF0Fx', 'it is not in Unicode NFKC form'],
      ['a dotless i', 'al\u0131ce', 'a case-insensitive origin would read it as another name'],
      // U+0390 upper-cases to three non-ASCII units (Ι, two accents): only the length tells.
      ['a letter whose upper case is longer', '\u0390', 'a case-insensitive origin would read it as another name'],
      // U+0130 İ lower-cases to i and a dot above: only the lower case tells.
      ['a dotted capital I', '\u0130stanbul', 'a case-insensitive origin would read it as another name'],
    ])('says why it refuses %s', (_, value, why) => {
      const claims = value === undefined ? {} : { sub: value };
      expect(unusable(() => pathFor('/users/{sub}/*', claims))).toBe(`claim sub cannot be used in a path: ${why}`);
    });

    it('refuses a claim that makes the grant a path the gate refuses, naming the grant and the problem', () => {
      // U+200B passes every check on the claim itself; the gate refuses it escaped (invisible).
      expect(unusable(() => pathFor('/users/{sub}/*', { sub: 'a\u200Bb' }))).toBe(
        'claims make grant /users/{sub}/* a non-canonical path (compatibility-character)',
      );
    });

    it('refuses values that would spell a dot segment together', () => {
      expect(unusable(() => pathFor('/users/{a}{b}/*', { a: '.', b: '.' }))).toMatch(/^claim a /);
    });

    it('names the unusable claim among several', () => {
      const claims = { tenant: 'acme', sub: 'victim/x' };
      expect(unusable(() => pathFor('/t/{tenant}/u/{sub}/*', claims))).toMatch(/^claim sub /);
    });

    it('lets the first matching rule decide even when its template cannot be filled', () => {
      const ordered = [rule('own', [], '/users/{sub}/*'), rule('fallback', [], '/public/*')];
      expect(unusable(() => grantsFor(ordered, {}))).toMatch(/^claim sub cannot be used in a path/);
      expect(unusable(() => grantsFor(ordered, { sub: 'victim/x' }))).toMatch(/^claim sub /);
    });

    it('reads template claims from own properties only', () => {
      unusable(() => pathFor('/users/{constructor}/*', {}));
    });
  });
});

// Grants are built inside the tests, not while the file loads: a throw there fails no test (Stryker
// then counts the mutant as surviving).
describe('resourceFor', () => {
  const videos = (): Grant => grantsFor([rule('r', [], '/videos/*')], {})[0] as Grant;

  it('puts the origin before the grant path', () => {
    expect(resourceFor(videos(), 'https://cdn.example.com')).toBe('https://cdn.example.com/videos/*');
  });

  it('tolerates trailing slashes on the origin', () => {
    expect(resourceFor(videos(), 'https://cdn.example.com/')).toBe('https://cdn.example.com/videos/*');
    expect(resourceFor(videos(), 'https://cdn.example.com//')).toBe('https://cdn.example.com/videos/*');
  });
});

describe('grantFor', () => {
  const grants = (): Grant[] =>
    grantsFor(
      [
        {
          name: 'member',
          when: [],
          grants: [
            { path: '/videos/*.mp4', maxTtlSeconds: 600 },
            { path: '/videos/*', maxTtlSeconds: 3600 },
            { path: '/reports/q3.pdf', maxTtlSeconds: 60 },
            { path: '/users/{email}/*', maxTtlSeconds: 900 },
          ],
        },
      ],
      { email: 'abc@x.com' },
    );

  it.each([
    ['/videos/a.mp4', 600],
    ['/videos/hls/seg-001.ts', 3600],
    ['/videos/', 3600],
    ['/reports/q3.pdf', 60],
    ['/users/abc%40x.com/notes.txt', 900],
  ])('gives the first grant covering %s', (path, ttl) => {
    expect(grantFor(grants(), path)?.maxTtlSeconds).toBe(ttl);
  });

  it.each([
    ['another folder', '/admin/keys'],
    ['a sibling of an exact grant', '/reports/q4.pdf'],
    ['a longer exact path', '/reports/q3.pdf.bak'],
    ['the folder without the slash', '/videos'],
    ['the unencoded form of an escaped claim', '/users/abc@x.com/notes.txt'],
    ["another user's folder that shares a prefix", '/users/abc%40x.com.evil/notes.txt'],
    ['another user', '/users/bob/notes.txt'],
    ['an encoded slash (S3 decodes it into a separator)', '/users/abc%40x.com/a%2Fb'],
    ['an encoded backslash', '/videos/a%5Cb.mp4'],
    ['a dot-dot segment', '/videos/../admin/keys'],
    ['a dot segment', '/videos/./a.mp4'],
    ['an encoded dot-dot segment', '/videos/%2e%2e/admin/keys'],
    ['a mixed-case encoded dot-dot segment', '/videos/.%2E/admin'],
    ['an encoded slash around dots', '/users/abc%40x.com/..%2F..%2Fadmin'],
    ['a backslash', '/videos\\..\\admin'],
    ['an encoded backslash around dots', '/videos/..%5C..%5Cadmin'],
    ['a query', '/videos/a.mp4?x=1'],
    ['a fragment', '/videos/a.mp4#t=1'],
    ['a control character', '/videos/a\n.mp4'],
    ['broken percent-encoding', '/videos/%zz.mp4'],
    ['a path without a leading slash', 'videos/a.mp4'],
    ['a scheme-relative path', '//evil.com/videos/a.mp4'],
    ['an empty path', ''],
  ])('covers nothing for %s', (_, path) => {
    expect(grantFor(grants(), path)).toBeUndefined();
  });

  it('covers nothing without grants', () => {
    expect(grantFor([], '/videos/a.mp4')).toBeUndefined();
  });
});
