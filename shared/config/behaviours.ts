import { type EdgepassConfig, isCloudFrontPathPattern } from './schema';

/**
 * The distribution's cache behaviours, from the one configuration: what `serverless deploy` creates
 * (scripts/deploy/) and what the local stack emulates (dev/emulator.ts). `/auth/*` and `/api/*` go to
 * the HTTP API (login and URL issuer); `trustedKeyGroupPaths` are checked by CloudFront itself against
 * the key group; `publicPaths` that CloudFront can express go to the content origin without the gate;
 * every `protectedPaths` pattern and the default behaviour go to the content origin through the edge
 * gate; `functionGate.paths` go there through the CloudFront Functions gate instead. The Lambda@Edge
 * gate also runs on the default behaviour: it denies by default, and CloudFront picks a behaviour on a
 * normalised path, so a respelling may land anywhere.
 */
export interface Behaviour {
  /** CloudFront path pattern (`*` any run, `?` one character); `*` is the default behaviour. */
  readonly pathPattern: string;
  readonly target: 'api' | 'origin';
  /**
   * The viewer-request gate that runs on it: the Lambda@Edge gate (`lambda-edge`), the CloudFront
   * Functions gate (`cloudfront-function`, docs/cloudfront-function.md), or none.
   */
  readonly gate: Gate | undefined;
  /** CloudFront's own signed URL/cookie check against the key group (TrustedKeyGroups) runs on it. */
  readonly trustedKeyGroup: boolean;
}

/** Which of the two gates runs on a behaviour. */
export type Gate = 'lambda-edge' | 'cloudfront-function';

/** The HTTP API's routes, behind the distribution so cookies land on the content's domain. */
export const API_PATTERNS = ['/auth/*', '/api/*'] as const;

/** How the content origin reads a path: as a literal key (S3, the local stack's origin) or as a web server may. */
export type ContentOriginKind = 's3' | 'https';

/**
 * The behaviours in CloudFront's order (first match wins; the default last).
 *
 * Public paths leave the gate only in front of an origin that reads keys literally (`s3`): CloudFront
 * chooses a behaviour on the percent-decoded, dot-resolved path, and a web server may read a spelling
 * that CloudFront matched as public (`/assets/..;/videos/paid.mp4` on Tomcat) as a protected file,
 * which only the gate's canonical-path rule refuses. With an `https` origin every public path stays
 * behind the gate, which lets it through after that check.
 *
 * The CloudFront Functions gate's paths come before the protected ones, so a function path inside a
 * protected pattern (`/videos/free/*` in `/videos/*`) is the function's, and after the public and
 * key-group paths, which no gate guards.
 *
 * @example
 * distributionBehaviours({ protectedPaths: ['/videos/*'], publicPaths: ['/login'], trustedKeyGroupPaths: [] })
 *   .map((b) => b.pathPattern)
 * // ['/auth/*', '/api/*', '/login', '/videos/*', '*']
 */
export function distributionBehaviours(
  config: Pick<EdgepassConfig, 'protectedPaths' | 'publicPaths' | 'trustedKeyGroupPaths'> &
    Partial<Pick<EdgepassConfig, 'functionGate'>>,
  origin: ContentOriginKind = 's3',
): Behaviour[] {
  const behaviour = (pathPattern: string, kind: 'api' | 'key-group' | 'public' | Gate): Behaviour => ({
    pathPattern,
    target: kind === 'api' ? 'api' : 'origin',
    gate: kind === 'lambda-edge' || kind === 'cloudfront-function' ? kind : undefined,
    trustedKeyGroup: kind === 'key-group',
  });
  const taken = new Set<string>(API_PATTERNS);
  /** A pattern listed twice (or shadowed by an API route) gets one behaviour, the first. */
  const fresh = (pattern: string): boolean => {
    if (taken.has(pattern)) return false;
    taken.add(pattern);
    return true;
  };
  // A public pattern CloudFront cannot express (or `/`, `/*`…) stays behind the gate, which passes it.
  const ungated =
    origin === 's3'
      ? config.publicPaths.filter((pattern) => isCloudFrontPathPattern(pattern) && !pattern.startsWith('/*'))
      : [];
  return [
    ...API_PATTERNS.map((pattern) => behaviour(pattern, 'api')),
    // Public first: the gate lets a public path through even inside a protected or key-group pattern.
    ...ungated.filter(fresh).map((pattern) => behaviour(pattern, 'public')),
    ...config.trustedKeyGroupPaths.filter(fresh).map((pattern) => behaviour(pattern, 'key-group')),
    ...(config.functionGate?.paths ?? []).filter(fresh).map((pattern) => behaviour(pattern, 'cloudfront-function')),
    ...config.protectedPaths
      .filter((pattern) => pattern !== '/*' && pattern !== '*')
      .filter(fresh)
      .map((pattern) => behaviour(pattern, 'lambda-edge')),
    behaviour('*', 'lambda-edge'),
  ];
}
