import { MAX_COOKIE_NAME_SPACE, MAX_SIGNING_COOKIE_NAMES } from '../cloudfront/cookie-header';
import type { CloudFrontErrorCode, DenialReason } from '../cloudfront/denial';
import { trustedKeyGroup } from '../cloudfront/key-group';
import { SIGNING_COOKIES, splitSigningParams } from '../cloudfront/signing-params';
import { createVerifier } from '../cloudfront/verify';
import { type PathProblem, pathProblem } from './canonical-path';
import type { EdgeConfig } from './edge-config';
import { createPublicPaths } from './public-paths';
import { MAX_RETURN_TO_LENGTH } from './return-to';

/** A viewer request, as the gate needs it (the handler builds it from the CloudFront event). */
export interface ViewerRequest {
  readonly method: string;
  /** Raw path, starting with `/`. */
  readonly uri: string;
  /** Raw query string without `?`. */
  readonly querystring: string;
  readonly host: string | undefined;
  /** Cookie header values (CloudFront may deliver several). */
  readonly cookies: readonly string[];
  readonly clientIp: string;
  readonly accept: string | undefined;
  readonly referer: string | undefined;
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

export type GateDecision =
  | (Forwarded & { readonly action: 'pass'; readonly reason: 'public' })
  | (Forwarded & {
      readonly action: 'allow';
      readonly reason: 'ok';
      readonly source: 'url' | 'cookie';
      readonly keyPairId: string | undefined;
    })
  | {
      readonly action: 'redirect';
      readonly reason: DenialReason;
      readonly keyPairId: string | undefined;
      readonly location: string;
    }
  | {
      readonly action: 'deny';
      readonly reason: DenialReason;
      readonly keyPairId: string | undefined;
      readonly code: CloudFrontErrorCode;
      /** True when the browser came straight back from the login page (no second redirect). */
      readonly loop: boolean;
    }
  | {
      readonly action: 'reject';
      readonly reason: 'bad-request';
      /** `url-too-long`, `unknown-host`, or why the path is not canonical (see `pathProblem`). */
      readonly detail: 'url-too-long' | 'unknown-host' | 'event' | PathProblem;
    };

/** CloudFront refuses longer URLs. */
const MAX_URL_LENGTH = 8192;

type Rejection = Extract<GateDecision, { action: 'reject' }>;

/**
 * The 400 for a request the gate refuses to read (`url-too-long`, `unknown-host`, a `PathProblem`, or
 * `event` from the handler).
 */
export function rejection(detail: Rejection['detail']): Rejection {
  return { action: 'reject', reason: 'bad-request', detail };
}

/** A Referer without the signing params of its query (the rest byte for byte). */
function stripReferer(referer: string | undefined): string | undefined {
  const q = referer?.indexOf('?') ?? -1;
  if (q === -1) return referer;
  const { userQuery } = splitSigningParams((referer as string).slice(q + 1));
  return `${(referer as string).slice(0, q)}${userQuery === '' ? '' : `?${userQuery}`}`;
}

/**
 * A `CloudFront-*` signing cookie inside a Cookie header with the `;` before it: the name (spaces
 * around it allowed, as the cookie reader trims them) and an optional `=value` up to the next `;`.
 */
const SIGNING_COOKIE = /* @__PURE__ */ new RegExp(
  `(?:^|;)[ \\t]{0,${MAX_COOKIE_NAME_SPACE}}(?:${SIGNING_COOKIES.join('|')})\\s{0,${MAX_COOKIE_NAME_SPACE}}(?:=[^;]*)?(?=;|$)`,
  'g',
);

/**
 * Removes the CloudFront-* cookies from Cookie header values; every other cookie stays byte for byte.
 * The headers are joined (as HTTP/2 and the origin would) and stripped in one native
 * regular-expression pass whose every repetition is bounded, however many cookies or headers an
 * attacker packs into 20 KB. Headers without `CloudFront-` go on as they came.
 */
function stripSigningCookies(values: readonly string[]): readonly string[] {
  const joined = values.join('; ');
  if (!joined.includes('CloudFront-')) return values;
  // More CloudFront- names than the reader looks at: no browser sends that; forward no cookie at all
  // rather than strip them one by one (1,000 of them cost 20 decisions).
  if (joined.split('CloudFront-', MAX_SIGNING_COOKIE_NAMES + 2).length > MAX_SIGNING_COOKIE_NAMES + 1) return [];
  const rest = joined.replace(SIGNING_COOKIE, '').replace(/^[\s;]+/, '');
  return rest === '' ? [] : [rest];
}

/**
 * Builds the gate's one decision function from the baked edge configuration. In order: a URL over
 * 8,192 bytes or a path that is not canonical (`pathProblem`: dot segments in any spelling, encoded
 * separators, `//`, `;`, backslashes, controls, bad escapes…) is refused with a 400; a canonical path
 * matching `publicPaths` passes; any other path needs a valid signed URL or cookies (deny by default).
 * Everything forwarded — public or allowed — leaves without signing params and `CloudFront-*`
 * cookies. Browsers without valid credentials are redirected to the login page with a safe
 * `return_to`; everything else gets CloudFront's 403. Pure apart from its verified-signature cache;
 * never throws on a request.
 *
 * @example
 * const gate = createGate(edgeConfig);
 * const decision = gate(request, epochSeconds());
 */
export function createGate(config: EdgeConfig): (request: ViewerRequest, now: number) => GateDecision {
  const verifier = createVerifier(trustedKeyGroup(config.keys), config.verifyCacheSize);
  const isPublic = createPublicPaths(config.publicPaths);
  const defaultHost = config.domains[0] as string;
  const absoluteLogin = !config.loginUrl.startsWith('/');

  const cameFromLogin = (referer: string | undefined, host: string): boolean => {
    const login = absoluteLogin ? config.loginUrl : `${config.scheme}://${host}${config.loginUrl}`;
    // The login URL itself, or followed by `?`, `/` or `#` (`'?/#'.includes('')` holds too).
    return referer?.startsWith(login) === true && '?/#'.includes(referer.charAt(login.length));
  };

  const loginLocation = (host: string, uri: string, userQuery: string): string => {
    // `uri` is canonical (one leading `/`, no `\`, no dot segment), so it can only name this site;
    // the query goes along when it is printable and the whole fits MAX_RETURN_TO_LENGTH.
    const target = userQuery.length > 0 && !/[^\x21-\x7e]/.test(userQuery) ? `${uri}?${userQuery}` : uri;
    const path = target.length <= MAX_RETURN_TO_LENGTH ? target : '/';
    const returnTo = absoluteLogin ? `${config.scheme}://${host}${path}` : path;
    return `${config.loginUrl}${config.loginUrl.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
  };

  return (request, now) => {
    const { uri, querystring } = request;
    // The cheap check first: nothing longer than CloudFront accepts is ever scanned.
    if (uri.length + querystring.length + 1 > MAX_URL_LENGTH) {
      return rejection('url-too-long');
    }
    const problem = pathProblem(uri);
    if (problem !== undefined) return rejection(problem);
    // The host is part of every signed resource: only the configured ones are ever checked against.
    const host = request.host?.toLowerCase() || defaultHost;
    if (!config.domains.includes(host)) return rejection('unknown-host');
    if (isPublic(uri)) {
      // Credentials are bearer secrets: never let the origin (or its logs) see them, public or not.
      return {
        action: 'pass',
        reason: 'public',
        querystring: splitSigningParams(querystring).userQuery,
        cookies: stripSigningCookies(request.cookies),
        referer: stripReferer(request.referer),
      };
    }
    const url = `${config.scheme}://${host}${uri}${querystring.length === 0 ? '' : `?${querystring}`}`;
    const decision = verifier({ url, cookie: request.cookies, clientIp: request.clientIp }, now);
    if (decision.allowed) {
      return {
        action: 'allow',
        reason: 'ok',
        // An allowed decision had credentials: never 'none'.
        source: decision.source as 'url' | 'cookie',
        keyPairId: decision.keyPairId,
        querystring: decision.userQuery,
        cookies: stripSigningCookies(request.cookies),
        referer: stripReferer(request.referer),
      };
    }
    const navigation =
      (request.method === 'GET' || request.method === 'HEAD') && (request.accept ?? '').includes('text/html');
    // Straight back from the login page, or the login page itself behind the gate: never loop.
    const loop = cameFromLogin(request.referer, host) || uri === config.loginUrl;
    if (navigation && !loop) {
      return {
        action: 'redirect',
        reason: decision.reason,
        keyPairId: decision.keyPairId,
        location: loginLocation(host, uri, decision.userQuery),
      };
    }
    return { action: 'deny', reason: decision.reason, keyPairId: decision.keyPairId, code: decision.code, loop };
  };
}
