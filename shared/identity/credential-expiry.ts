import { EdgepassError } from '../cloudfront/errors';
import { MAX_EPOCH_SECONDS } from '../cloudfront/policy';

/**
 * When a credential issued at `now` for `ttlSeconds` expires — login cookies and signed URLs alike:
 * `min(now + ttlSeconds, tokenExpiresAt)`, never past the largest time CloudFront accepts. A
 * credential never outlives the token that earned it, and a token whose `exp` is not after `now`
 * earns nothing (`TOKEN_EXPIRED`), even when the verifier's clock tolerance still accepted it.
 *
 * @example
 * credentialExpiresAt({ now: 1000, ttlSeconds: 3600, tokenExpiresAt: 1100 }) // 1100
 * credentialExpiresAt({ now: 1000, ttlSeconds: 3600, tokenExpiresAt: 980 })  // throws TOKEN_EXPIRED
 */
export function credentialExpiresAt(options: {
  readonly now: number;
  readonly ttlSeconds: number;
  /** The token's `exp`, epoch seconds. */
  readonly tokenExpiresAt: number;
}): number {
  const { now, ttlSeconds, tokenExpiresAt } = options;
  // Negated so that a NaN expiry fails closed.
  if (!(tokenExpiresAt > now)) throw new EdgepassError('TOKEN_EXPIRED', 'token has expired');
  return Math.min(now + ttlSeconds, tokenExpiresAt, MAX_EPOCH_SECONDS);
}
