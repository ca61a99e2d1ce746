import type { IncomingMessage } from 'node:http';
import type { FunctionRequest, FunctionValues } from '../shared/edge/function-event';
import { clientIpOf, splitTarget } from './viewer-event';

/**
 * A viewer request as CloudFront hands it to a CloudFront Function (cloudfront-js-2.0, "CloudFront
 * Functions event structure"): `request.querystring`, `headers` and `cookies` as maps of
 * `{ value, multiValue? }` (header names lowercase; `Cookie` headers parsed into `cookies`, not left
 * in `headers`), the raw query behind `rawQueryString()`, the viewer's IP in `viewer.ip`. Values are
 * kept as sent (CloudFront does not document decoding them; the gate reads the raw query anyway).
 */

export interface CloudFrontFunctionEvent {
  readonly version: '1.0';
  readonly context: {
    readonly distributionDomainName: string;
    readonly distributionId: string;
    readonly eventType: 'viewer-request';
    readonly requestId: string;
  };
  readonly viewer: { readonly ip: string };
  readonly request: FunctionRequest;
}

/** What a viewer-request function returns: the (changed) request, or a generated response. */
export interface CloudFrontFunctionResult {
  readonly statusCode?: number;
  readonly statusDescription?: string;
  readonly headers?: FunctionValues;
  readonly cookies?: FunctionValues;
  readonly querystring?: FunctionValues;
  readonly body?: string | { readonly encoding: 'text' | 'base64'; readonly data: string };
  readonly uri?: string;
}

function add(map: FunctionValues, name: string, value: string): void {
  const entry = map[name];
  if (entry === undefined) {
    map[name] = { value };
  } else {
    entry.multiValue ??= [{ value: entry.value }];
    entry.multiValue.push({ value });
  }
}

/** Splits a raw query into CloudFront Functions' map (a part without `=` has the value `''`). */
export function queryMap(raw: string): FunctionValues {
  const map: FunctionValues = Object.create(null);
  if (raw === '') return map;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    add(map, eq === -1 ? part : part.slice(0, eq), eq === -1 ? '' : part.slice(eq + 1));
  }
  return map;
}

/** Parses Cookie header values into CloudFront Functions' map (the first of a repeated name first). */
export function cookieMap(headers: readonly string[]): FunctionValues {
  const map: FunctionValues = Object.create(null);
  for (const header of headers) {
    for (const piece of header.split(';')) {
      const eq = piece.indexOf('=');
      const name = (eq === -1 ? piece : piece.slice(0, eq)).trim();
      if (name !== '') add(map, name, eq === -1 ? '' : piece.slice(eq + 1).trim());
    }
  }
  return map;
}

/**
 * The event for a request given as its parts: `headers` as raw `[name, value]` lines (several Cookie
 * lines stay several cookies), `querystring` raw (without `?`; `undefined` when the URL had none).
 */
export function functionEvent(parts: {
  readonly method: string;
  readonly uri: string;
  readonly querystring: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
  readonly clientIp: string;
  readonly host: string;
  readonly requestId: string;
}): CloudFrontFunctionEvent {
  const headers: FunctionValues = Object.create(null);
  const cookieLines: string[] = [];
  for (const [name, value] of parts.headers) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') cookieLines.push(value);
    else add(headers, lower, value);
  }
  const raw = parts.querystring;
  return {
    version: '1.0',
    context: {
      distributionDomainName: parts.host,
      distributionId: 'ELOCALSTACK01',
      eventType: 'viewer-request',
      requestId: parts.requestId,
    },
    viewer: { ip: parts.clientIp },
    request: {
      method: parts.method,
      uri: parts.uri,
      querystring: queryMap(raw ?? ''),
      headers,
      cookies: cookieMap(cookieLines),
      rawQueryString: () => raw,
    },
  };
}

/** Headers CloudFront never shows a function (it manages them itself). */
const HIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** The CloudFront Functions event for a Node request on a distribution serving `host`. */
export function functionRequestEvent(req: IncomingMessage, host: string, requestId: string): CloudFrontFunctionEvent {
  const target = req.url ?? '/';
  const { uri, querystring } = splitTarget(target);
  const lines: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!HIDDEN.has(name.toLowerCase())) lines.push([name, req.rawHeaders[i + 1] as string]);
  }
  return functionEvent({
    method: req.method ?? 'GET',
    uri,
    querystring: target.includes('?') ? querystring : undefined,
    headers: lines,
    clientIp: clientIpOf(req),
    host,
    requestId,
  });
}

/** The forwarded request's query map back as a query string (for the origin). */
export function queryString(map: FunctionValues | undefined): string {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(map ?? {})) {
    for (const one of entry.multiValue ?? [entry]) parts.push(one.value === '' ? name : `${name}=${one.value}`);
  }
  return parts.join('&');
}

/** The forwarded request's cookie map back as one Cookie header value, `undefined` when none is left. */
export function cookieHeader(map: FunctionValues | undefined): string | undefined {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(map ?? {})) {
    for (const one of entry.multiValue ?? [entry]) parts.push(`${name}=${one.value}`);
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}
