import type { EdgepassConfig } from './schema';

/**
 * The distribution's cache behaviours, from the one configuration: what serverless.yml deploys and
 * what the local stack emulates. `/auth/*` and `/api/*` go to the HTTP API (login and URL issuer);
 * every `protectedPaths` pattern and the default behaviour go to the content origin through the edge
 * gate. The gate also runs on the default behaviour: it denies by default, and CloudFront picks a
 * behaviour on a normalised path, so a respelling may land anywhere.
 */
export interface Behaviour {
  /** CloudFront path pattern (`*` any run, `?` one character); `*` is the default behaviour. */
  readonly pathPattern: string;
  readonly target: 'api' | 'origin';
  /** The Lambda@Edge viewer-request gate runs on it. */
  readonly gate: boolean;
}

/** The HTTP API's routes, behind the distribution so cookies land on the content's domain. */
export const API_PATTERNS = ['/auth/*', '/api/*'] as const;

/**
 * The behaviours in CloudFront's order (first match wins; the default last).
 *
 * @example
 * distributionBehaviours({ protectedPaths: ['/videos/*'] }).map((b) => b.pathPattern)
 * // ['/auth/*', '/api/*', '/videos/*', '*']
 */
export function distributionBehaviours(config: Pick<EdgepassConfig, 'protectedPaths'>): Behaviour[] {
  const gated = config.protectedPaths.filter((pattern) => pattern !== '/*' && pattern !== '*');
  return [
    ...API_PATTERNS.map((pathPattern): Behaviour => ({ pathPattern, target: 'api', gate: false })),
    ...gated.map((pathPattern): Behaviour => ({ pathPattern, target: 'origin', gate: true })),
    { pathPattern: '*', target: 'origin', gate: true },
  ];
}
