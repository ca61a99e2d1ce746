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

function headerValues(headers: unknown, name: string): string[] {
  if (typeof headers !== 'object' || headers === null) return [];
  const list = (headers as Record<string, unknown>)[name];
  if (!Array.isArray(list)) return [];
  const values: string[] = [];
  for (const entry of list) {
    const value = (entry as { value?: unknown } | null)?.value;
    if (typeof value === 'string') values.push(value);
  }
  return values;
}

/**
 * Reads `Records[0].cf` of a viewer-request event into the gate's plain request. Returns `undefined`
 * for anything that is not shaped like one (the handler then answers 400); never throws.
 */
export function parseViewerEvent(event: unknown): ParsedViewerEvent | undefined {
  const cf = (event as { Records?: { cf?: unknown }[] } | null)?.Records?.[0]?.cf as
    | { config?: { requestId?: unknown }; request?: unknown }
    | undefined;
  const request = cf?.request as Partial<CloudFrontRequest> | undefined;
  if (typeof request !== 'object' || request === null) return undefined;
  const { uri, method } = request;
  if (typeof uri !== 'string' || typeof method !== 'string') return undefined;
  const querystring = typeof request.querystring === 'string' ? request.querystring : '';
  const headers = request.headers;
  const requestId = cf?.config?.requestId;
  return {
    requestId: typeof requestId === 'string' ? requestId : undefined,
    cfRequest: request as CloudFrontRequest,
    viewer: {
      method,
      uri,
      querystring,
      host: headerValues(headers, 'host')[0],
      cookies: headerValues(headers, 'cookie'),
      clientIp: typeof request.clientIp === 'string' ? request.clientIp : '',
      accept: headerValues(headers, 'accept').join(),
      referer: headerValues(headers, 'referer')[0],
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
 * Turns the gate's decision into what Lambda@Edge returns: a copy of the request without credentials
 * to go on to the origin (the event's own object is never changed), or a generated 302/403/400
 * response with `Cache-Control: no-store`.
 */
export function toCloudFrontResult(
  decision: GateDecision,
  request: CloudFrontRequest,
): CloudFrontRequest | CloudFrontResponse {
  switch (decision.action) {
    case 'pass':
    case 'allow': {
      const headers = { ...request.headers };
      if (decision.cookies.length === 0) delete headers.cookie;
      else headers.cookie = decision.cookies.map((value) => ({ key: 'Cookie', value }));
      if (decision.referer !== undefined) headers.referer = [{ key: 'Referer', value: decision.referer }];
      return { ...request, querystring: decision.querystring, headers };
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
