/**
 * CORS for browser frontends calling /auth/* and /api/* with credentials: an exact-origin allowlist
 * (echo the origin, never `*`), `Access-Control-Allow-Credentials: true`, `Vary: Origin` on every
 * answer so caches keep origins apart. Other origins get no CORS headers at all.
 */
export interface CorsConfig {
  readonly origins: readonly string[];
  readonly maxAgeSeconds: number;
}

/** Headers for an actual (non-preflight) response. */
export function corsHeaders(origin: string | undefined, config: CorsConfig): Record<string, string> {
  if (origin === undefined || !config.origins.includes(origin)) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

/** Headers for a preflight (`OPTIONS`) answer. */
export function preflightHeaders(origin: string | undefined, config: CorsConfig): Record<string, string> {
  const base = corsHeaders(origin, config);
  if (base['access-control-allow-origin'] === undefined) return base;
  return {
    ...base,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': String(config.maxAgeSeconds),
  };
}
