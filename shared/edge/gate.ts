/**
 * The Lambda@Edge gate: the one decision (gate-decision.ts) with CloudFront's own credentials, signed
 * URLs and cookies verified with the key group's public keys (`createVerifier`, RSA or ECDSA), and the
 * canonical-path rule with its NFKC check (`compatibilityProblem`, as `pathProblem`).
 */
import { MAX_COOKIE_NAME_SPACE, MAX_SIGNING_COOKIE_NAMES } from '../cloudfront/cookie-header';
import { trustedKeyGroup } from '../cloudfront/key-group';
import { SIGNING_COOKIES } from '../cloudfront/signing-params';
import { createVerifier } from '../cloudfront/verify';
import { compatibilityProblem } from './compatibility-character';
import type { EdgeConfig } from './edge-config';
import { createGateDecision, type GateDecision as Decision, type ViewerRequest } from './gate-decision';

export { rejection, type ViewerRequest } from './gate-decision';

/**
 * A credential cookie inside a Cookie header with the `;` before it: a `CloudFront-*` signing cookie or
 * the session token login sets for the CloudFront Functions gate (`SESSION_COOKIE`, spelled out here and
 * in the count below to spare the edge bundle a variable; the suites strip the constant's cookie), by
 * name (spaces around it allowed, as the cookie reader trims them), and an optional `=value` up to the next `;`.
 */
const CREDENTIAL_COOKIE = /* @__PURE__ */ new RegExp(
  `(?:^|;)[ \\t]{0,${MAX_COOKIE_NAME_SPACE}}(?:${SIGNING_COOKIES.join('|')}|edgepass-session)\\s{0,${MAX_COOKIE_NAME_SPACE}}(?:=[^;]*)?(?=;|$)`,
  'g',
);

/**
 * Removes the credential cookies from Cookie header values; every other cookie stays byte for byte.
 * The headers are joined (as HTTP/2 and the origin would) and stripped in one native
 * regular-expression pass whose every repetition is bounded, however many cookies or headers an
 * attacker packs into 20 KB. Headers without a credential name go on as they came.
 */
function stripSigningCookies(values: readonly string[]): readonly string[] {
  const joined = values.join('; ');
  const names = joined.split(/CloudFront-|edgepass-session/, MAX_SIGNING_COOKIE_NAMES + 2).length - 1;
  if (names === 0) return values;
  // More credential names than the reader looks at: no browser sends that; forward no cookie at all
  // rather than strip them one by one (1,000 of them cost 20 decisions).
  if (names > MAX_SIGNING_COOKIE_NAMES) return [];
  const rest = joined.replace(CREDENTIAL_COOKIE, '').replace(/^[\s;]+/, '');
  return rest === '' ? [] : [rest];
}

/** What the Lambda@Edge gate forwards besides the query and the Referer: the event's Cookie headers. */
interface ForwardedCookies {
  /** Cookie header values to forward: credential cookies removed; empty when none remain. */
  readonly cookies: readonly string[];
}

/** The Lambda@Edge gate's decision: what to forward (`pass`, `allow`), or the answer to give. */
export type GateDecision = Decision<ForwardedCookies>;

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
    wideCheck: compatibilityProblem,
    verify: verifier,
    forward: (request) => ({ cookies: stripSigningCookies(request.cookies) }),
  });
}
