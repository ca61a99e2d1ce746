import { compileGlob, matchGlob } from '../cloudfront/glob';

/**
 * Which canonical paths the gate forwards without credentials: those matching a `publicPaths`
 * pattern, where `*` matches any run of characters (slashes included) and everything else is
 * literal. Nothing else is public — a path in no list needs credentials like a protected one (deny by
 * default); `protectedPaths` only chooses where the gate runs. Patterns use the linear-time matcher:
 * no regular expression built from configuration ever runs on a request.
 *
 * @example
 * const isPublic = createPublicPaths(['/videos/trailer.mp4', '/assets/*']);
 * isPublic('/assets/app.css') // true
 * isPublic('/videos/42.mp4')  // false
 */
export function createPublicPaths(patterns: readonly string[]): (path: string) => boolean {
  const globs = patterns.map((pattern) => compileGlob(pattern, false));
  return (path) => globs.some((glob) => matchGlob(glob, path));
}
