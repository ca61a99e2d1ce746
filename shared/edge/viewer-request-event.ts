import { cloudFrontErrorXml, errorXml } from '../cloudfront/denial';
import { decisionLogLine } from './decision-log';
import type { GateDecision, ViewerRequest } from './gate';

export { decisionLogLine };

/** CloudFront's header map: lowercase name → list of `{key, value}`. */
export type CloudFrontHeaders = Record<string, { key?: string; value: string }[]>;

export interface CloudFrontRequest {
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: CloudFrontHeaders;
  [field: string]: unknown;
}

export interface CloudFrontResponse {
  status: string;
  statusDescription: string;
  headers: CloudFrontHeaders;
  body?: string;
}

/** What the adapter read from a Lambda@Edge viewer-request event. */
export interface ParsedViewerEvent {
  readonly requestId: string | undefined;
  readonly cfRequest: CloudFrontRequest;
  readonly viewer: ViewerRequest;
}

/**
 * A header's string values joined with `; ` (as HTTP/2 joins Cookie crumbs; a second Host then names
 * no configured domain), `''` when it is absent. One string, so 800 Cookie headers are joined once,
 * not by every reader.
 */
function headerText(headers: object, name: string): string {
  const list = (headers as Record<string, unknown>)[name];
  return Array.isArray(list)
    ? list
        .map((entry) => (entry as { value?: unknown } | null)?.value)
        .filter((value) => typeof value === 'string')
        .join('; ')
    : '';
}

/**
 * Reads `Records[0].cf` of a viewer-request event into the gate's plain request. Returns `undefined`
 * for anything that is not shaped like one, a header map included (the handler then answers 400);
 * never throws.
 */
export function parseViewerEvent(event: unknown): ParsedViewerEvent | undefined {
  const cf = (event as { Records?: { cf?: unknown }[] } | null)?.Records?.[0]?.cf as
    | { config?: { requestId?: unknown }; request?: unknown }
    | undefined;
  const request = cf?.request as Partial<CloudFrontRequest> | undefined;
  if (typeof request !== 'object' || request === null) return undefined;
  const { uri, method, headers } = request;
  // Lambda@Edge always sends a header map (Host at least); without one the event is not readable.
  if (typeof uri !== 'string' || typeof method !== 'string' || typeof headers !== 'object' || headers === null)
    return undefined;
  const querystring = typeof request.querystring === 'string' ? request.querystring : '';
  const requestId = cf?.config?.requestId;
  const cookie = headerText(headers, 'cookie');
  return {
    requestId: typeof requestId === 'string' ? requestId : undefined,
    cfRequest: request as CloudFrontRequest,
    viewer: {
      method,
      uri,
      querystring,
      host: headerText(headers, 'host'),
      cookies: cookie ? [cookie] : [],
      clientIp: typeof request.clientIp === 'string' ? request.clientIp : '',
      accept: headerText(headers, 'accept'),
      referer: headerText(headers, 'referer'),
    },
  };
}

const NO_STORE = [{ key: 'Cache-Control', value: 'no-store' }];

function errorResponse(status: '400' | '403', description: string, body: string): CloudFrontResponse {
  return {
    status,
    statusDescription: description,
    headers: { 'content-type': [{ key: 'Content-Type', value: 'text/xml' }], 'cache-control': NO_STORE },
    body,
  };
}

/** CloudFront-style 400 for requests the gate cannot even read. */
export function badRequestResponse(): CloudFrontResponse {
  return errorResponse('400', 'Bad Request', errorXml('BadRequest', 'Bad Request'));
}

/**
 * Turns the gate's decision into what Lambda@Edge returns: the event's request, with its credentials
 * removed in place, to go on to the origin (the usual Lambda@Edge pattern: copying a request of 2,000
 * headers cost a hundred decisions), or a generated 302/403/400 response with `Cache-Control: no-store`.
 */
export function toCloudFrontResult(
  decision: GateDecision,
  request: CloudFrontRequest,
): CloudFrontRequest | CloudFrontResponse {
  switch (decision.action) {
    case 'pass':
    case 'allow': {
      const headers = request.headers;
      if (decision.cookies.length === 0) delete headers.cookie;
      else headers.cookie = decision.cookies.map((value) => ({ key: 'Cookie', value }));
      // A Referer that was nothing but signing params goes entirely.
      if (decision.referer) headers.referer = [{ key: 'Referer', value: decision.referer }];
      else delete headers.referer;
      request.querystring = decision.querystring;
      return request;
    }
    case 'redirect':
      return {
        status: '302',
        statusDescription: 'Found',
        headers: { location: [{ key: 'Location', value: decision.location }], 'cache-control': NO_STORE },
      };
    case 'deny':
      return errorResponse('403', 'Forbidden', cloudFrontErrorXml(decision.code));
    case 'reject':
      return badRequestResponse();
  }
}
