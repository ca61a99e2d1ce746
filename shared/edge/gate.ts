import type { CloudFrontErrorCode, DenialReason } from '../cloudfront/denial';
import { trustedKeyGroup } from '../cloudfront/key-group';
import { SIGNING_COOKIE_NAMES } from '../cloudfront/signing-params';
import { createVerifier } from '../cloudfront/verify';
import type { EdgeConfig } from './edge-config';
import { createPathClassifier } from './path-rules';
import { safeReturnPath } from './return-to';

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

export type GateDecision =
  | { readonly action: 'pass'; readonly reason: 'public' }
  | {
      readonly action: 'allow';
      readonly reason: 'ok';
      readonly source: 'url' | 'cookie';
      readonly keyPairId: string | undefined;
      /** Query to forward: signing params removed, everything else byte for byte. */
      readonly querystring: string;
      /** Cookie header values to forward: CloudFront-* cookies removed; empty when none remain. */
      readonly cookies: readonly string[];
    }
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
  | { readonly action: 'reject'; readonly reason: 'bad-request'; readonly detail: string };

/** CloudFront refuses longer URLs. */
const MAX_URL_LENGTH = 8192;
const BAD_PATH = /[\x00-\x20\x7f]|%(?![0-9a-fA-F]{2})/;

/** Removes the CloudFront-* cookies from Cookie header values; every other cookie stays byte for byte. */
function stripSigningCookies(values: readonly string[]): string[] {
  const kept: string[] = [];
  for (const value of values) {
    if (!value.includes('CloudFront-')) {
      kept.push(value);
      continue;
    }
    // A scan instead of split/filter/join: this runs on every allowed request.
    let rest = '';
    for (let start = 0; start < value.length; ) {
      let end = value.indexOf(';', start);
      if (end === -1) end = value.length;
      const part = value.slice(start, end);
      const eq = part.indexOf('=');
      if (!SIGNING_COOKIE_NAMES.has((eq === -1 ? part : part.slice(0, eq)).trim())) {
        rest = rest === '' ? part.trimStart() : `${rest};${part}`;
      }
      start = end + 1;
    }
    if (rest.length > 0) kept.push(rest);
  }
  return kept;
}

/**
 * Builds the gate's one decision function from the baked edge configuration: public paths pass;
 * valid signed URLs or cookies are allowed with credentials stripped; browsers without valid
 * credentials are redirected to the login page with a safe `return_to`; everything else gets
 * CloudFront's 403. Pure apart from its verified-signature cache; never throws on a request.
 *
 * @example
 * const gate = createGate(edgeConfig);
 * const decision = gate(request, epochSeconds());
 */
export function createGate(config: EdgeConfig): (request: ViewerRequest, now: number) => GateDecision {
  const verifier = createVerifier(trustedKeyGroup(config.keys), config.verifyCacheSize);
  const classify = createPathClassifier(config);
  const defaultHost = config.domains[0] as string;
  const absoluteLogin = !config.loginUrl.startsWith('/');
  const returnHosts = [...config.domains, ...config.returnHosts];

  const cameFromLogin = (referer: string | undefined, host: string): boolean => {
    if (referer === undefined) return false;
    const login = absoluteLogin ? config.loginUrl : `${config.scheme}://${host}${config.loginUrl}`;
    if (!referer.startsWith(login)) return false;
    const next = referer.charAt(login.length);
    return next === '' || next === '?' || next === '/' || next === '#';
  };

  const loginLocation = (host: string, uri: string, userQuery: string): string => {
    const path = safeReturnPath(userQuery.length === 0 ? uri : `${uri}?${userQuery}`) ?? '/';
    const returnTo = absoluteLogin
      ? `${config.scheme}://${returnHosts.includes(host) ? host : defaultHost}${path}`
      : path;
    return `${config.loginUrl}${config.loginUrl.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
  };

  return (request, now) => {
    const { uri, querystring } = request;
    if (!uri.startsWith('/') || BAD_PATH.test(uri)) {
      return { action: 'reject', reason: 'bad-request', detail: 'malformed request path' };
    }
    if (uri.length + querystring.length + 1 > MAX_URL_LENGTH) {
      return { action: 'reject', reason: 'bad-request', detail: 'request URL too long' };
    }
    if (classify(uri) === 'public') return { action: 'pass', reason: 'public' };
    const host = request.host?.toLowerCase() || defaultHost;
    const url = `${config.scheme}://${host}${uri}${querystring.length === 0 ? '' : `?${querystring}`}`;
    const decision = verifier({ url, cookie: request.cookies, clientIp: request.clientIp }, now);
    if (decision.allowed) {
      return {
        action: 'allow',
        reason: 'ok',
        source: decision.source === 'url' ? 'url' : 'cookie',
        keyPairId: decision.keyPairId,
        querystring: decision.userQuery,
        cookies: stripSigningCookies(request.cookies),
      };
    }
    const navigation =
      (request.method === 'GET' || request.method === 'HEAD') && (request.accept ?? '').includes('text/html');
    const loop = cameFromLogin(request.referer, host);
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
