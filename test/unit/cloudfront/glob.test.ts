import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileGlob, MAX_MIDDLE_CHUNK, MAX_SECTION_STARS, matchGlob } from '../../../shared/cloudfront/glob';

/**
 * The wildcard matcher's promise (issue 8, outside review F1): every pattern is matched in time
 * linear in text + pattern, whatever the characters. V8's string search is linear only for needles up
 * to 250 characters (it builds its skip tables from a needle's last 250), and a 2,000-character chunk
 * against an 8 KB run of near-misses cost 700 cached decisions — so a longer middle chunk never
 * matches and is never searched for. The cost itself is measured by `npm run bench`, not here.
 */

/** Same semantics as a regular expression: `*` any run, `?` (with `one`) any one character. */
function reference(pattern: string, text: string, one: boolean): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '[^]*' : c === '?' && one ? '[^]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(text);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('matchGlob', () => {
  it('agrees with a regular expression on patterns and texts over a two-letter alphabet (property)', () => {
    const small = fc.string({ unit: fc.constantFrom('a', 'b', '*'), maxLength: 12 });
    const text = fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 30 });
    fc.assert(
      fc.property(small, text, (pattern, subject) => {
        expect(matchGlob(compileGlob(pattern, false), subject)).toBe(reference(pattern, subject, false));
      }),
      { numRuns: 5000 },
    );
  });

  it('finds an empty middle chunk (`**`) where the search starts', () => {
    expect(matchGlob(compileGlob('a**b', false), 'ab')).toBe(true);
    expect(matchGlob(compileGlob('**ha', false), 'ha')).toBe(true);
    expect(matchGlob(compileGlob('a**b', false), 'a')).toBe(false);
  });

  it('finds a chunk whose prefix repeats inside it (the failure table at work)', () => {
    expect(matchGlob(compileGlob('x*aab*y', false), 'xaaabyy')).toBe(true);
    expect(matchGlob(compileGlob('x*abab*y', false), 'xabaabababy')).toBe(true);
    expect(matchGlob(compileGlob('x*abab*y', false), 'xabaabay')).toBe(false);
  });

  it('never matches a middle chunk over 250 characters, and never searches for one', () => {
    const searches = vi.spyOn(String.prototype, 'indexOf');
    for (const chunk of [`${'a'.repeat(8)}b${'a'.repeat(1991)}`, 'c'.repeat(MAX_MIDDLE_CHUNK + 1)]) {
      // The text holds the chunk: a regular expression would match; the gate, stricter, does not.
      const text = `/v/x${chunk}y/z`;
      expect(reference(`/v/*${chunk}*`, text, false)).toBe(true);
      expect(matchGlob(compileGlob(`/v/*${chunk}*`, false), text)).toBe(false);
    }
    expect(searches.mock.calls.filter(([needle]) => String(needle).length > MAX_MIDDLE_CHUNK)).toEqual([]);
    // At the limit it is an ordinary chunk.
    const edge = 'c'.repeat(MAX_MIDDLE_CHUNK);
    expect(matchGlob(compileGlob(`/v/*${edge}*`, false), `/v/x${edge}y/z`)).toBe(true);
  });

  it('only ever hands V8 needles it searches in linear time (first and last chunks are compared in place)', () => {
    const searches = vi.spyOn(String.prototype, 'indexOf');
    const long = 'd'.repeat(4000);
    expect(matchGlob(compileGlob(`${long}*/x*${long}`, false), `${long}/a/x/b${long}`)).toBe(true);
    expect(searches.mock.calls.filter(([needle]) => String(needle).length > MAX_MIDDLE_CHUNK)).toEqual([]);
  });
});

describe('matchGlob: stars per section', () => {
  it(`matches a section of up to ${MAX_SECTION_STARS} stars, and never one with more`, () => {
    const pattern = (stars: number) => `${'a*'.repeat(stars)}a`;
    const text = 'a'.repeat(40);
    expect(matchGlob(compileGlob(pattern(MAX_SECTION_STARS), false), text)).toBe(true);
    expect(matchGlob(compileGlob(pattern(MAX_SECTION_STARS + 1), false), text)).toBe(false);
  });
});
