/**
 * Signing params out of a forwarded `Referer`: a page opened from a signed URL sends that whole URL as
 * the Referer of its own sub-requests, and credentials are bearer secrets that origin logs must never
 * hold. Both gates use it (written in the CloudFront Functions subset).
 */
import { splitSigningParams } from '../cloudfront/signing-params';

/** A Referer without the signing params of its query (the rest byte for byte). */
export function stripReferer(referer: string | undefined): string | undefined {
  // No `?.` or `??`: the function's ES5 build would spell each out with a temporary.
  const q = referer ? referer.indexOf('?') : -1;
  if (q === -1) return referer;
  const userQuery = splitSigningParams((referer as string).slice(q + 1)).userQuery;
  return `${(referer as string).slice(0, q)}${userQuery === '' ? '' : `?${userQuery}`}`;
}
