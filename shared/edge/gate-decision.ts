/**
 * The gate's one decision, whichever credential admits a request: the Lambda@Edge gate (CloudFront
 * signed URLs and cookies, gate.ts) and the CloudFront Function (the session token,
 * functions/cloudfront-function) both run this function with their own `GateVariant`. Written in the
 * CloudFront Functions subset (ES5.1 plus const/let, arrows, template literals; no for-of, spreads,
 * destructuring, default parameters, Map or Set), since it ships in both.
 */
import type { CloudFrontErrorCode, DenialReason } from '../cloudfront/denial';
import { splitSigningParams } from '../cloudfront/signing-params';
import { type PathProblem, pathProblemWith, type WideCheck } from './canonical-path';
import type { EdgeConfig } from './edge-config';
import { createPublicPaths } from './public-paths';
import { MAX_RETURN_TO_LENGTH } from './return-to-length';
import { stripReferer } from './strip-referer';

/** A viewer request, as the gate needs it (each handler builds it from its own event). */
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

/** Why a path is refused: a `PathProblem`, or (CloudFront Function only) any escaped non-ASCII character. */
export type GatePathProblem = PathProblem | 'non-ascii-escape';

/** What a variant's credential check concluded (the verifier's `Decision` is one). */
export type CredentialVerdict =
  | {
      readonly allowed: true;
      readonly source: 'url' | 'cookie' | 'none';
      readonly keyPairId?: string | undefined;
      /** The query without signing params, byte for byte. */
      readonly userQuery: string;
    }
  | {
      readonly allowed: false;
      readonly reason: DenialReason;
      readonly code: CloudFrontErrorCode;
      readonly keyPairId?: string | undefined;
      readonly userQuery: string;
    };

/**
 * What differs between the gates: how a path is judged (the Lambda@Edge gate normalises escaped
 * non-ASCII characters with NFKC; the function refuses them), how credentials are verified, and what
 * of the request goes on to the origin once its credentials are removed (`F`).
 */
export interface GateVariant<R extends ViewerRequest, F extends object> {
  /**
   * The check on a path's escaped non-ASCII characters (canonical-path.ts `pathProblemWith`):
   * `compatibilityProblem` (NFKC) for Lambda@Edge, `refuseNonAscii` for the function.
   */
  readonly wideCheck: WideCheck<GatePathProblem>;
  /**
   * Checks the request's credentials against `signed.url` (`scheme://host/path?query`, as sent), in
   * the verifier's terms (`createVerifier`'s function is one); `request` is the whole viewer request.
   */
  readonly verify: (signed: CredentialRequest, now: number, request: R) => CredentialVerdict;
  /**
   * The variant's own part of what goes on to the origin, credentials removed (the query and the
   * `Referer` without signing params are the decision's in every variant).
   */
  readonly forward: (request: R) => F;
}

/** What a variant's `verify` is asked about: the URL as sent, the Cookie values and the viewer's IP. */
export interface CredentialRequest {
  readonly url: string;
  readonly cookie: readonly string[];
  readonly clientIp: string;
}

/** What every gate forwards, credentials removed (the variant's `F` adds its own part). */
export interface ForwardedRequest {
  /** Query to forward: signing params removed, everything else byte for byte. */
  readonly querystring: string;
  /**
   * `Referer` to forward, without signing params: a page opened from a signed URL sends that whole URL
   * as the Referer of its own sub-requests.
   */
  readonly referer: string | undefined;
}

/** The part of the edge configuration the rules read. */
export type GateRules = Pick<EdgeConfig, 'domains' | 'scheme' | 'publicPaths' | 'loginUrl'>;

export type GateDecision<F> =
  | (ForwardedRequest & F & { readonly action: 'pass'; readonly reason: 'public' })
  | (ForwardedRequest &
      F & {
        readonly action: 'allow';
        readonly reason: 'ok';
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
      readonly detail: 'url-too-long' | 'unknown-host' | 'event' | GatePathProblem;
    };

/** CloudFront refuses longer URLs. */
const MAX_URL_LENGTH = 8192;

export type Rejection = Extract<GateDecision<unknown>, { action: 'reject' }>;

/**
 * The 400 for a request the gate refuses to read (`url-too-long`, `unknown-host`, a `PathProblem`, or
 * `event` from the handler).
 */
export function rejection(detail: Rejection['detail']): Rejection {
  return { action: 'reject', reason: 'bad-request', detail };
}

/**
 * Builds the one decision function from the rules and a variant. In order: a URL over 8,192 bytes or a
 * path that is not canonical (`pathProblem`: dot segments in any spelling, encoded separators, `//`,
 * `;`, backslashes, controls, bad escapes…) is refused with a 400; an unknown `Host` too; a canonical
 * path matching `publicPaths` passes; any other path needs valid credentials (deny by default).
 * Everything forwarded — public or allowed — leaves without credentials (`variant.forward`). Browsers
 * without valid credentials are redirected to the login page with a safe `return_to`, unless they came
 * straight from it (loop guard); everything else gets CloudFront's 403. Never throws on a request.
 *
 * @example
 * const decide = createGateDecision(rules, variant);
 * const decision = decide(request, epochSeconds());
 */
export function createGateDecision<R extends ViewerRequest, F extends object>(
  config: GateRules,
  variant: GateVariant<R, F>,
): (request: R, now: number) => GateDecision<F> {
  const isPublic = createPublicPaths(config.publicPaths);
  const defaultHost = config.domains[0] as string;
  const loginUrl = config.loginUrl;
  const absoluteLogin = !loginUrl.startsWith('/');

  const cameFromLogin = (referer: string | undefined, host: string): boolean => {
    const login = absoluteLogin ? loginUrl : `${config.scheme}://${host}${loginUrl}`;
    // The login URL itself, or followed by `?`, `/` or `#` (`'?/#'.includes('')` holds too).
    return referer?.startsWith(login) === true && '?/#'.includes(referer.charAt(login.length));
  };

  const loginLocation = (host: string, uri: string, userQuery: string): string => {
    // `uri` is canonical (one leading `/`, no `\`, no dot segment), so it can only name this site;
    // the query goes along when it is printable and the whole fits MAX_RETURN_TO_LENGTH.
    const target = userQuery.length > 0 && !/[^\x21-\x7e]/.test(userQuery) ? `${uri}?${userQuery}` : uri;
    const path = target.length <= MAX_RETURN_TO_LENGTH ? target : '/';
    const returnTo = absoluteLogin ? `${config.scheme}://${host}${path}` : path;
    return `${loginUrl}${loginUrl.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
  };

  /** A forwarded decision: the variant's part, the query and the Referer without credentials, and `fields`. */
  const forward = <D extends object>(request: R, userQuery: string, fields: D) =>
    Object.assign(variant.forward(request), { querystring: userQuery, referer: stripReferer(request.referer) }, fields);

  return (request, now) => {
    const uri = request.uri;
    const querystring = request.querystring;
    // The cheap check first: nothing longer than CloudFront accepts is ever scanned.
    if (uri.length + querystring.length + 1 > MAX_URL_LENGTH) return rejection('url-too-long');
    const problem = pathProblemWith(uri, variant.wideCheck);
    if (problem !== undefined) return rejection(problem);
    // The host is part of every signed resource: only the configured ones are ever checked against.
    const host = request.host?.toLowerCase() || defaultHost;
    if (!config.domains.includes(host)) return rejection('unknown-host');
    // Credentials are bearer secrets: never let the origin (or its logs) see them, public or not.
    if (isPublic(uri)) {
      return forward(request, splitSigningParams(querystring).userQuery, {
        action: 'pass' as const,
        reason: 'public' as const,
      });
    }
    const url = `${config.scheme}://${host}${uri}${querystring.length === 0 ? '' : `?${querystring}`}`;
    const verdict = variant.verify({ url, cookie: request.cookies, clientIp: request.clientIp }, now, request);
    if (verdict.allowed) {
      return forward(request, verdict.userQuery, {
        action: 'allow' as const,
        reason: 'ok' as const,
        keyPairId: verdict.keyPairId,
      });
    }
    const navigation =
      (request.method === 'GET' || request.method === 'HEAD') && (request.accept ?? '').includes('text/html');
    // Straight back from the login page, or the login page itself behind the gate: never loop.
    const loop = cameFromLogin(request.referer, host) || uri === loginUrl;
    if (navigation && !loop) {
      return {
        action: 'redirect',
        reason: verdict.reason,
        keyPairId: verdict.keyPairId,
        location: loginLocation(host, uri, verdict.userQuery),
      };
    }
    return { action: 'deny', reason: verdict.reason, keyPairId: verdict.keyPairId, code: verdict.code, loop };
  };
}
