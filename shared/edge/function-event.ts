/**
 * The CloudFront Functions viewer-request event in and out (cloudfront-js-2.0): the event into the
 * gate's plain request, the gate's decision back into the request to forward (credentials deleted from
 * its `cookies` and `querystring` maps) or a generated response. Written in the CloudFront Functions
 * subset: ES5.1 plus const/let, arrows and template literals, nothing else.
 */
import { cloudFrontErrorXml, errorXml } from '../cloudfront/denial';
import { SIGNING_COOKIES, SIGNING_PARAMS } from '../cloudfront/signing-params';
import type { GateDecision, ViewerRequest } from './gate-decision';
import { SESSION_COOKIE } from './session-token';

/** One query param, header or cookie: its first value, and every value when there are several. */
export interface FunctionValue {
  value: string;
  multiValue?: { value: string }[];
}
export type FunctionValues = Record<string, FunctionValue>;

/** The event's `request` (header names lowercase; `Cookie` headers arrive parsed in `cookies`). */
export interface FunctionRequest {
  method: string;
  uri: string;
  querystring: FunctionValues;
  headers: FunctionValues;
  cookies: FunctionValues;
  /** The query as the viewer sent it, without `?` (a runtime 2.0 helper; `undefined` without a `?`). */
  rawQueryString(): string | undefined;
}

/** A generated response (a viewer-request function answers instead of forwarding). */
export interface FunctionResponse {
  statusCode: number;
  statusDescription: string;
  headers: FunctionValues;
  body?: { encoding: 'text'; data: string };
}

/** The gate's request, with the session token the function verifies. */
export interface FunctionViewerRequest extends ViewerRequest {
  /** The first `edgepass-session` cookie (the browser sends the most specific Path first). */
  readonly sessionToken: string | undefined;
  /** The HMAC key the token's id names, from the KeyValueStore; `undefined` when there is none. */
  readonly sessionKey: string | undefined;
}

/** The first value of a query param, header or cookie (the browser sends the most specific cookie first). */
function first(map: FunctionValues | undefined, name: string): string | undefined {
  const entry = map && map[name];
  return entry && typeof entry.value === 'string' ? entry.value : undefined;
}

/**
 * Every value of a header joined with `; ` (`''` when absent), as the Lambda@Edge gate reads its
 * event: a second `Host` then names no configured domain, a second `Referer` no login page.
 */
function joined(map: FunctionValues | undefined, name: string): string {
  const entry = map && map[name];
  if (!entry) return '';
  return entry.multiValue ? entry.multiValue.map((one) => one.value).join('; ') : String(entry.value);
}

/** The session token a request carries: the first `edgepass-session` cookie, if any. */
export function sessionCookie(request: FunctionRequest): string | undefined {
  return first(request.cookies, SESSION_COOKIE);
}

/**
 * Reads a CloudFront Functions event into the gate's plain request; `undefined` for anything not
 * shaped like one (the function then answers 400). Never throws.
 */
export function parseFunctionEvent(
  event: unknown,
  sessionKey: string | undefined,
):
  | {
      readonly requestId: string | undefined;
      readonly request: FunctionRequest;
      readonly viewer: FunctionViewerRequest;
    }
  | undefined {
  const e = (event || {}) as {
    context?: { requestId?: unknown };
    viewer?: { ip?: unknown };
    request?: FunctionRequest;
  };
  const request = e.request;
  // CloudFront always sends a header map (Host at least); without one the event is not readable.
  if (
    !request ||
    typeof request.uri !== 'string' ||
    typeof request.method !== 'string' ||
    typeof request.headers !== 'object' ||
    request.headers === null ||
    // cloudfront-js-2.0 always gives the raw query (the gate reads no other); without it, no decision.
    typeof request.rawQueryString !== 'function'
  ) {
    return undefined;
  }
  const requestId = e.context && e.context.requestId;
  const ip = e.viewer && e.viewer.ip;
  const headers = request.headers;
  return {
    requestId: typeof requestId === 'string' ? requestId : undefined,
    request,
    viewer: {
      method: request.method,
      uri: request.uri,
      querystring: request.rawQueryString() || '',
      host: joined(headers, 'host'),
      cookies: [],
      clientIp: typeof ip === 'string' ? ip : '',
      accept: joined(headers, 'accept'),
      referer: joined(headers, 'referer'),
      sessionToken: sessionCookie(request),
      sessionKey,
    },
  };
}

const NO_STORE = { value: 'no-store' };

function errorResponse(statusCode: number, statusDescription: string, data: string): FunctionResponse {
  return {
    statusCode,
    statusDescription,
    headers: { 'content-type': { value: 'text/xml' }, 'cache-control': NO_STORE },
    body: { encoding: 'text', data },
  };
}

/** CloudFront-style 400 for requests the gate cannot even read. */
export function functionBadRequest(): FunctionResponse {
  return errorResponse(400, 'Bad Request', errorXml('BadRequest', 'Bad Request'));
}

/**
 * The function's answer for a decision: the event's request with every credential deleted (the
 * `CloudFront-*` signing cookies and the session cookie, signing params from the query, and from the
 * `Referer`), or a 302/403/400 with `Cache-Control: no-store`.
 */
export function toFunctionResult(
  decision: GateDecision<object>,
  request: FunctionRequest,
): FunctionRequest | FunctionResponse {
  const action = decision.action;
  if (action === 'pass' || action === 'allow') {
    const cookies = request.cookies || {};
    SIGNING_COOKIES.forEach((name) => {
      delete cookies[name];
    });
    delete cookies[SESSION_COOKIE];
    if (decision.querystring === '') {
      request.querystring = {};
    } else if (request.querystring !== undefined) {
      const query = request.querystring;
      SIGNING_PARAMS.forEach((name) => {
        delete query[name];
      });
    }
    // A Referer that was nothing but signing params goes entirely.
    if (decision.referer) request.headers.referer = { value: decision.referer };
    else delete request.headers.referer;
    return request;
  }
  if (action === 'redirect') {
    return {
      statusCode: 302,
      statusDescription: 'Found',
      headers: { location: { value: decision.location }, 'cache-control': NO_STORE },
    };
  }
  if (action === 'deny') return errorResponse(403, 'Forbidden', cloudFrontErrorXml(decision.code));
  return functionBadRequest();
}
