import { describe, expect, it } from 'vitest';
import { grantsAnyHost, isValidResourcePattern, matchResource } from '../../../shared';

const H = 'https://d111111abcdef8.cloudfront.net';

describe('matchResource', () => {
  it.each<[string, string, boolean]>([
    [`${H}/videos/*`, `${H}/videos/a.mp4`, true],
    [`${H}/videos/*`, `${H}/videos/hls/seg-1.ts`, true],
    [`${H}/videos/*`, `${H}/videos/a.mp4?quality=hd`, true],
    [`${H}/videos/*`, `${H}/videosx/a.mp4`, false],
    [`${H}/videos/*`, `http://d111111abcdef8.cloudfront.net/videos/a.mp4`, false],
    [`${H}/videos/*.mp4`, `${H}/videos/a.mp4`, true],
    [`${H}/videos/*.mp4`, `${H}/videos/a.mp4?x=1`, false],
    [`${H}/videos/*.mp4\\?*`, `${H}/videos/a.mp4?x=1`, true],
    [`${H}/videos/a.mp4`, `${H}/videos/a.mp4?x=1`, false],
    [`${H}/videos/a.mp4\\?x=1`, `${H}/videos/a.mp4?x=1`, true],
    [`${H}/videos/a.mp4?x=1`, `${H}/videos/a.mp4?x=1`, true],
    [`${H}/file?.txt`, `${H}/file1.txt`, true],
    [`${H}/file?.txt`, `${H}/file12.txt`, false],
    [`*://${H.slice(8)}/videos/*`, `http://d111111abcdef8.cloudfront.net/videos/a`, true],
    ['https://*.example.com/*', 'https://cdn.example.com/a', true],
    ['https://*.example.com/*', 'https://evil.com/x.example.com/a', false],
    ['https://cdn.example.com*', 'https://cdn.example.com/any/path?q=1', true],
    ['https://cdn.example.com*', 'https://cdn.example.com.evil.net/a', true],
    ['*example.com', 'https://www.example.com/', true],
    ['*example.com', 'https://www.example.com/a', false],
    ['*', 'https://anything/at/all?x', true],
    ['no-scheme.example.com/*', 'https://no-scheme.example.com/a', false],
    [`${H}/a+b(1).mp4`, `${H}/a+b(1).mp4`, true],
    [`${H}/a+b(1).mp4`, `${H}/aab(1).mp4`, false],
    // A `?` between two stars never matches: it would need a search that is not linear.
    [`${H}/*/img-?.png*`, `${H}/a/img-1.png`, false],
    [`${H}/img-?.png*`, `${H}/img-1.png?x=1`, true],
    [`${H}/*/img-?.png`, `${H}/a/img-1.png`, true],
    // A host-only pattern without a trailing * covers the bare root, not a query on it.
    ['*example.com', 'https://www.example.com?', false],
    // A pattern with an empty host matches nothing, not even its own text.
    ['https:///a', 'https:///a', false],
    // A `#` ends the host, as `/` and `?` do: what follows is not a path.
    ['https://*/*', 'https://a.example#/x', false],
    ['https://*.example.com/*', 'https://evil#.example.com/a', false],
    // `*` alone matches any text, a URL or not.
    ['*', 'cdn.example.com/a', true],
    // A URL needs `://` after its scheme: `https:/x/a` has no host to match.
    ['https://*/a/b', 'https:/x/a/b', false],
    // A `?` in the scheme or the host stands for one character.
    ['http?://cdn.example.com/*', 'https://cdn.example.com/a', true],
    ['https://cdn?.example.com/*', 'https://cdn1.example.com/a', true],
    ['https://cdn?.example.com/*', 'https://cdn.example.com/a', false],
    // A pattern without wildcards is compared as text, byte for byte, whatever it holds (here a `#`,
    // which in a pattern with wildcards would end the host); so is the prefix of a trailing `*`.
    ['https://cdn.example.com#x/a', 'https://cdn.example.com#x/a', true],
    ['https://cdn.example.com#x/a*', 'https://cdn.example.com#x/ab', true],
  ])('%s vs %s → %s', (pattern, url, expected) => {
    expect(matchResource(pattern, url)).toBe(expected);
  });
});

describe('grantsAnyHost', () => {
  it.each([
    ['*', true],
    ['*://*/*', true],
    ['https://*/videos/*', true],
    ['https://*.*/*', true],
    ['https://*.example.com/*', false],
    ['https://cdn.example.com/*', false],
    ['cdn.example.com/*', false],
  ])('%s → %s', (pattern, expected) => {
    expect(grantsAnyHost(pattern)).toBe(expected);
  });
});

describe('isValidResourcePattern', () => {
  it('needs a scheme (or a leading *) and a host', () => {
    expect(isValidResourcePattern('https://cdn.example.com/a')).toBe(true);
    expect(isValidResourcePattern('cdn.example.com/a')).toBe(false);
    expect(isValidResourcePattern('https:///a')).toBe(false);
    expect(isValidResourcePattern('://cdn.example.com/a')).toBe(false);
    expect(isValidResourcePattern('https:x://cdn.example.com/a')).toBe(false);
    expect(isValidResourcePattern('a/b://cdn.example.com/a')).toBe(false);
  });
});

describe('matchResource on hostile input', () => {
  it('answers quickly-enough-to-finish for many stars against a long URL of slashes (no regex backtracking)', () => {
    const url = `https://h.example/videos/${'/'.repeat(8000)}x`;
    expect(matchResource('https://h.example/videos/*/*/*/*/*.ts', url)).toBe(false);
    expect(matchResource('https://h.example/videos/*/*/*/*/*x', url)).toBe(true);
  });
});
