import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PATH_PROBLEM_TEXT,
  type PathProblem,
  pathProblem,
  pathProblemWith,
  refuseNonAscii,
} from '../../../shared/edge/canonical-path';

describe('pathProblem', () => {
  it.each([
    '/',
    '/videos/42/seg-1.ts',
    '/videos/',
    "/a-b_c~d/!$&'()*+,=:@",
    '/reports/q3%20final.pdf',
    '/caf%C3%A9/%E6%97%A5%E6%9C%AC.mp4',
    '/caf%c3%a9.mp4',
    '/%F0%9F%8E%AC/clip.mp4',
    '/a.b/c.d.e',
    '/.well-known/x',
    '/..a/b',
    '/a/%22%3C%3E%5B%5D%7B%7D',
    '/%EF%BC%A1BC.mp4',
    // Sub-delimiters may be escaped (only unreserved characters have a single spelling).
    '/a%40b',
    '/%21%24%26%27%28%29%2A%2B%2C%3D%3A%40',
    // UTF-8 at the edges of each length and range.
    '/%C2%BF',
    '/%DF%BFa',
    '/%E0%A0%80a',
    '/%E0%A4%85',
    '/%ED%9F%BF',
    '/%F0%90%80%80a',
    '/%F4%80%80%80',
    '/%F4%8F%BF%BF',
    // A combining mark after a letter, raw or escaped: only after `/` or `.` is it refused.
    '/cafe%CC%81.mp4',
    '/%C3%A9%CC%81',
  ])('accepts %s', (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it.each<[string, PathProblem]>([
    ['', 'not-absolute'],
    ['videos/a', 'not-absolute'],
    ['\\videos', 'not-absolute'],
    ['//videos/a', 'empty-segment'],
    ['/videos//a', 'empty-segment'],
    ['/videos/a//', 'empty-segment'],
    ['/.', 'dot-segment'],
    ['/..', 'dot-segment'],
    ['/a/./b', 'dot-segment'],
    ['/a/../b', 'dot-segment'],
    ['/a/..', 'dot-segment'],
    ['/a/../', 'dot-segment'],
    ['/videos./a', 'trailing-dot'],
    ['/a/.../b', 'trailing-dot'],
    ['/a/b.', 'trailing-dot'],
    // Dots after another character end the segment with a dot; they never make it a dot segment.
    ['/a/b../c', 'trailing-dot'],
    ['/a/b..', 'trailing-dot'],
    ['/a/x.y../c', 'trailing-dot'],
    ['/a%20/b', 'trailing-dot'],
    ['/a/b%20', 'trailing-dot'],
    ['/a b', 'forbidden-character'],
    ['/a\\b', 'forbidden-character'],
    ['/a;b', 'forbidden-character'],
    ['/a/..;/b', 'forbidden-character'],
    ['/a\tb', 'forbidden-character'],
    ['/a\u0000b', 'forbidden-character'],
    ['/a"b', 'forbidden-character'],
    ['/a<b>', 'forbidden-character'],
    ['/a{b}', 'forbidden-character'],
    ['/a|b', 'forbidden-character'],
    ['/a^b', 'forbidden-character'],
    ['/a`b', 'forbidden-character'],
    ['/a[b]', 'forbidden-character'],
    ['/a?b', 'forbidden-character'],
    ['/a#b', 'forbidden-character'],
    ['/café', 'forbidden-character'],
    ['/a%', 'bad-escape'],
    ['/a%2', 'bad-escape'],
    ['/a%zz', 'bad-escape'],
    ['/a%%41', 'bad-escape'],
    ['/%76ideos', 'encoded-unreserved'],
    ['/a%2eb', 'encoded-unreserved'],
    ['/%2E%2E/a', 'encoded-unreserved'],
    ['/.%2e/a', 'encoded-unreserved'],
    ['/a%7Eb', 'encoded-unreserved'],
    ['/a%2db', 'encoded-unreserved'],
    ['/a%5Fb', 'encoded-unreserved'],
    ['/a%30', 'encoded-unreserved'],
    ['/a%2fb', 'encoded-separator'],
    ['/a%2Fb', 'encoded-separator'],
    ['/a%5cb', 'encoded-separator'],
    ['/a%5Cb', 'encoded-separator'],
    ['/a%00', 'encoded-forbidden'],
    ['/a%0d%0a', 'encoded-forbidden'],
    ['/a%7f', 'encoded-forbidden'],
    ['/a%252e', 'encoded-forbidden'],
    ['/a%3Bjsessionid=1', 'encoded-forbidden'],
    ['/videos/paid.mp4%3F.css', 'encoded-forbidden'],
    ['/videos/paid.mp4%3f.css', 'encoded-forbidden'],
    ['/videos/paid.mp4%23.css', 'encoded-forbidden'],
    ['/videos/free/..%3Ffile=paid.mp4', 'encoded-forbidden'],
    ['/%c0%ae%c0%ae/a', 'invalid-utf8'],
    ['/%c0%af', 'invalid-utf8'],
    ['/%e0%80%ae', 'invalid-utf8'],
    ['/%80', 'invalid-utf8'],
    ['/%c3', 'invalid-utf8'],
    ['/%c3a', 'invalid-utf8'],
    ['/%c3%28', 'invalid-utf8'],
    ['/%ed%a0%80', 'invalid-utf8'],
    ['/%f4%90%80%80', 'invalid-utf8'],
    ['/%f5%80%80%80', 'invalid-utf8'],
    ['/%ef%bc%8e%ef%bc%8e/a', 'compatibility-character'],
    ['/%EF%BC%8F', 'compatibility-character'],
    ['/%EF%BC%BC', 'compatibility-character'],
    // Windows best-fit: NFKC keeps these, ANSI file APIs read \ or / (third outside review).
    ['/videos/free/%C2%A5..%C2%A5paid.mp4', 'compatibility-character'],
    ['/videos/free/%E2%82%A9..%E2%82%A9paid.mp4', 'compatibility-character'],
    ['/videos/%E2%88%95paid.mp4', 'compatibility-character'],
    ['/videos/%e2%88%96paid.mp4', 'compatibility-character'],
    ['/a%E2%81%84b', 'compatibility-character'],
    ['/a%E2%A7%B5b', 'compatibility-character'],
    ['/a%E2%A7%B8b', 'compatibility-character'],
    ['/a%E2%A7%B9b', 'compatibility-character'],
    ['/a%E2%95%B1b', 'compatibility-character'],
    ['/a%E2%95%B2b', 'compatibility-character'],
    ['/%E2%80%A5', 'compatibility-character'],
    ['/%E2%92%88', 'compatibility-character'],
    ['/%C2%A0', 'compatibility-character'],
    ['/a%E2%80%8Bb', 'compatibility-character'],
    ['/a%E2%80%AEb', 'compatibility-character'],
    ['/a%E2%80%A8b', 'compatibility-character'],
    ['/a%C2%85', 'compatibility-character'],
    ['/.%CC%81/a', 'compatibility-character'],
    ['/a.%CC%81.%CC%81', 'compatibility-character'],
    ['/%CC%81a', 'compatibility-character'],
    ['/a/%CC%81b', 'compatibility-character'],
    ['/%C2%80', 'compatibility-character'],
    ['/%41', 'encoded-unreserved'],
    ['/a%4@', 'bad-escape'],
    ['/a%4`', 'bad-escape'],
    ['/a\u0080b', 'forbidden-character'],
    ['/%C3a9f', 'invalid-utf8'],
    ['/%ED%BF%BF', 'invalid-utf8'],
    ['/%F8%90%80%80', 'invalid-utf8'],
  ])('refuses %j: %s', (path, problem) => {
    expect(pathProblem(path)).toBe(problem);
  });

  it('refuses every escaped non-ASCII character with refuseNonAscii (the CloudFront Function), and nothing else more', () => {
    expect(pathProblemWith('/caf%C3%A9.mp4', refuseNonAscii)).toBe('non-ascii-escape');
    expect(pathProblemWith('/cafe.mp4', refuseNonAscii)).toBeUndefined();
    expect(pathProblemWith('/a/../b', refuseNonAscii)).toBe('dot-segment');
  });

  it('describes every problem in words', () => {
    expect(Object.keys(PATH_PROBLEM_TEXT).sort()).toHaveLength(11);
    for (const text of Object.values(PATH_PROBLEM_TEXT)) expect(text.length).toBeGreaterThan(10);
  });
});

/** Percent-decodes once (S3's reading); undefined when the bytes are not UTF-8. */
function decodeOnce(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

describe('pathProblem (properties)', () => {
  const unit = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'abcXYZ019-._~/'.split('')) },
    { weight: 2, arbitrary: fc.constantFrom(..."!$&'()*+,=:@;\\ ?#%".split('')) },
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: 0, max: 255 })
        .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
        .chain((text) => fc.constantFrom(text, text.toUpperCase())),
    },
    { weight: 1, arbitrary: fc.constantFrom('%C3%A9', '%EF%BC%8E', '%E2%80%8B', '%F0%9F%8E%AC', '%C0%AE', 'é', '\t') },
  );
  const path = fc.string({ unit, maxLength: 30 }).map((rest) => `/${rest}`);

  it('never throws, and answers undefined or a known problem', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), path, (anything, likely) => {
        for (const candidate of [anything, likely]) {
          const problem = pathProblem(candidate);
          if (problem !== undefined) expect(Object.keys(PATH_PROBLEM_TEXT)).toContain(problem);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts only paths that S3, a WHATWG parser and a slash-merging, dot-resolving server read alike', () => {
    let accepted = 0;
    fc.assert(
      fc.property(path, (candidate) => {
        if (pathProblem(candidate) !== undefined) return;
        accepted++;
        const s3 = decodeOnce(candidate);
        expect(s3).toBeDefined();
        const whatwg = decodeOnce(new URL(candidate, 'https://origin.example').pathname);
        expect(whatwg).toBe(s3);
        const text = s3 as string;
        expect(text.replace(/\/{2,}/g, '/')).toBe(text);
        expect(text.split('/').some((segment) => segment === '.' || segment === '..')).toBe(false);
        expect(/[\\;\x00-\x1f\x7f%]/.test(text)).toBe(false);
        expect(text.normalize('NFKC').split('/').length).toBe(text.split('/').length);
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });
});
