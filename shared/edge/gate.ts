/**
 * The Lambda@Edge gate: the one decision (gate-decision.ts) with CloudFront's own credentials, signed
 * URLs and cookies verified with the key group's public keys (`createVerifier`, RSA or ECDSA), and the
 * canonical-path rule with its NFKC check (`pathProblem`).
 */
import { trustedKeyGroup } from '../cloudfront/key-group';
import { SIGNING_COOKIES } from '../cloudfront/signing-params';
import { createVerifier } from '../cloudfront/verify';
import { pathProblem } from './canonical-path';
import type { EdgeConfig } from './edge-config';
import { createGateDecision, type GateDecision as Decision, type ViewerRequest } from './gate-decision';
import { SESSION_COOKIE } from './session-token';
import { stripReferer } from './strip-referer';

export { rejection, type ViewerRequest } from './gate-decision';

/**
 * A credential cookie inside a Cookie header with the `;` before it: a `CloudFront-*` signing cookie or
 * the session token login sets for the CloudFront Functions gate, by name (spaces around it allowed, as
 * the cookie reader trims them), and an optional `=value` up to the next `;`.
 */
const CREDENTIAL_COOKIE = /* @__PURE__ */ new RegExp(
  `(?:^|;)\\s*(?:${SIGNING_COOKIES.join('|')}|${SESSION_COOKIE})\\s*(?:=[^;]*)?(?=;|$)`,
  'g',
);

/**
 * Removes the credential cookies from Cookie header values; every other cookie stays byte for byte.
 * One native regular-expression pass per header (linear: no nested repetition), however many
 * cookies an attacker packs into 20 KB.
 */
function stripSigningCookies(values: readonly string[]): string[] {
  const kept: string[] = [];
  for (const value of values) {
    const rest = /CloudFront-|edgepass-session/.test(value)
      ? value.replace(CREDENTIAL_COOKIE, '').replace(/^[\s;]+/, '')
      : value;
    if (rest.length > 0) kept.push(rest);
  }
  return kept;
}

/** What goes on to the origin: the request without any credential. */
interface Forwarded {
  /** Query to forward: signing params removed, everything else byte for byte. */
  readonly querystring: string;
  /** Cookie header values to forward: CloudFront-* cookies removed; empty when none remain. */
  readonly cookies: readonly string[];
  /**
   * `Referer` to forward, without signing params: a page opened from a signed URL sends that whole URL
   * as the Referer of its own sub-requests. `undefined` when the request had none.
   */
  readonly referer: string | undefined;
}

/** The Lambda@Edge gate's decision: what to forward (`pass`, `allow`), or the answer to give. */
export type GateDecision = Decision<Forwarded>;

/**
 * Builds the Lambda@Edge gate's decision function from the baked edge configuration (see
 * `createGateDecision` for the order of the rules): a signed URL or signed cookies, verified as
 * CloudFront does with a bounded cache of verified signatures, admit a request. Pure apart from that
 * cache; never throws on a request.
 *
 * @example
 * const gate = createGate(edgeConfig);
 * const decision = gate(request, epochSeconds());
 */
export function createGate(config: EdgeConfig): (request: ViewerRequest, now: number) => GateDecision {
  const verifier = createVerifier(trustedKeyGroup(config.keys), config.verifyCacheSize);
  return createGateDecision(config, {
    pathProblem,
    verify: (request, url, now) => verifier({ url, cookie: request.cookies, clientIp: request.clientIp }, now),
    forward: (request, querystring) => ({
      querystring,
      cookies: stripSigningCookies(request.cookies),
      referer: stripReferer(request.referer),
    }),
  });
}
