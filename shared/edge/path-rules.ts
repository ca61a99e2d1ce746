/**
 * Which request paths the gate protects. Patterns are paths where `*` matches any run of characters
 * (slashes included). A path that an origin might normalise into another one — dot segments,
 * encoded dots, slashes or backslashes — is never treated as public, so `/public/../videos/a.mp4`
 * cannot slip past the gate.
 */

function compile(patterns: readonly string[]): RegExp | null {
  if (patterns.length === 0) return null;
  const alternatives = patterns.map((pattern) =>
    pattern.replace(/[\\^$.+?()[\]{}|/-]/g, (char) => `\\${char}`).replace(/\*/g, '[\\s\\S]*'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

const AMBIGUOUS = /(?:^|\/)\.\.?(?:\/|$)|%2e|%2f|%5c|\\/i;

export type PathClass = 'public' | 'protected';

/**
 * Builds the classifier once from the configured patterns.
 *
 * @example
 * const classify = createPathClassifier({ protectedPaths: ['/videos/*'], publicPaths: ['/videos/trailer.mp4'] });
 * classify('/videos/42.mp4') // 'protected'
 */
export function createPathClassifier(rules: {
  readonly protectedPaths: readonly string[];
  readonly publicPaths: readonly string[];
}): (path: string) => PathClass {
  const protectedRe = compile(rules.protectedPaths);
  const publicRe = compile(rules.publicPaths);
  return (path) => {
    if (AMBIGUOUS.test(path)) return 'protected';
    if (publicRe?.test(path)) return 'public';
    return protectedRe?.test(path) ? 'protected' : 'public';
  };
}
