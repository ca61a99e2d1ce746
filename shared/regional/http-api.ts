import { EdgepassError, isEdgepassError } from '../cloudfront/errors';
import { type CorsConfig, corsHeaders, preflightHeaders } from './cors';
import { logText } from './log-text';
import { DENIAL_DIMENSION, type Telemetry } from './telemetry';

/**
 * API Gateway HTTP API (payload format 2.0) in and out, for the regional Lambdas: a plain request
 * for the logic in shared/, and JSON answers whose errors are always
 * `{"error":{"code","message"}}` with a stable code and never a stack trace.
 */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case header names; repeated headers joined with `, ` (as API Gateway does). */
  readonly headers: Readonly<Record<string, string>>;
  /** The request body as text (base64 bodies decoded). */
  readonly body: string;
  readonly sourceIp: string | undefined;
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  /** `Set-Cookie` values: payload v2 sends each as its own header. */
  cookies?: string[];
  body: string;
}

/**
 * Reads a payload v2 event. Refuses what is not one (400) and bodies over `maxBodyBytes` (413).
 *
 * @example
 * const request = parseHttpApiEvent(event, 65536);
 */
export function parseHttpApiEvent(event: unknown, maxBodyBytes: number): HttpRequest {
  const e = event as {
    rawPath?: unknown;
    headers?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
    cookies?: unknown;
    requestContext?: { http?: { method?: unknown; path?: unknown; sourceIp?: unknown } };
  } | null;
  const method = e?.requestContext?.http?.method;
  const path = e?.rawPath ?? e?.requestContext?.http?.path;
  if (typeof method !== 'string' || typeof path !== 'string') {
    throw new EdgepassError('BAD_REQUEST', 'not an HTTP API (payload 2.0) request');
  }
  const headers: Record<string, string> = {};
  if (typeof e?.headers === 'object' && e.headers !== null) {
    for (const [name, value] of Object.entries(e.headers)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
  }
  // Payload v2 moves the Cookie header into `cookies`; keep it readable in one place.
  if (Array.isArray(e?.cookies) && headers.cookie === undefined) {
    headers.cookie = e.cookies.filter((c): c is string => typeof c === 'string').join('; ');
  }
  let body = '';
  if (typeof e?.body === 'string') {
    if (e.body.length > maxBodyBytes * 2) throw new EdgepassError('PAYLOAD_TOO_LARGE', 'request body is too large');
    body = e.isBase64Encoded === true ? Buffer.from(e.body, 'base64').toString('utf8') : e.body;
  }
  if (Buffer.byteLength(body, 'utf8') > maxBodyBytes) {
    throw new EdgepassError('PAYLOAD_TOO_LARGE', `request body is larger than ${maxBodyBytes} bytes`);
  }
  const sourceIp = e?.requestContext?.http?.sourceIp;
  return {
    method: method.toUpperCase(),
    path,
    headers,
    body,
    sourceIp: typeof sourceIp === 'string' ? sourceIp : undefined,
  };
}

const NO_STORE = { 'cache-control': 'no-store' };

/** A JSON answer; every answer of the signing Lambdas is `Cache-Control: no-store`. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...NO_STORE, ...headers },
    body: JSON.stringify(body),
  };
}

/** A `303 See Other` to `location` (a form post's next page), setting or expiring `cookies`. */
export function seeOther(location: string, cookies: readonly string[]): HttpResult {
  return { statusCode: 303, headers: { location, ...NO_STORE }, cookies: [...cookies], body: '' };
}

/**
 * The error answer for anything thrown: an EdgepassError keeps its code and message (they are
 * written for callers); anything else becomes a 500 `INTERNAL` whose details stay in the logs.
 */
export function errorResponse(error: unknown, headers: Record<string, string> = {}): HttpResult {
  const known = isEdgepassError(error) ? error : new EdgepassError('INTERNAL', 'internal error');
  const message = known.code === 'INTERNAL' ? 'internal error' : known.message;
  return jsonResponse(known.httpStatus, { error: { code: known.code, message } }, headers);
}

/**
 * The media type of a request body: `type/subtype` of its Content-Type, lower-cased, without
 * parameters; `undefined` when there is no Content-Type. The one reading of Content-Type: the body
 * reader, form detection and the cross-site form rule must never disagree about what a body is.
 *
 * @example
 * mediaType(request) // 'application/x-www-form-urlencoded' for `Application/X-WWW-Form-Urlencoded; charset=UTF-8`
 */
export function mediaType(request: HttpRequest): string | undefined {
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

/** Form-encoded: the body type an HTML form posts by default. */
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * The fields of a JSON or form-encoded body (a body without Content-Type is read as JSON); an empty
 * body has none. Any other media type is a 400.
 */
export function readBody(request: HttpRequest): Record<string, unknown> {
  if (request.body.trim() === '') return {};
  const type = mediaType(request);
  if (type === FORM_MEDIA_TYPE) {
    return Object.fromEntries(new URLSearchParams(request.body));
  }
  if (type !== undefined && type !== 'application/json') {
    throw new EdgepassError('BAD_REQUEST', `unsupported content-type ${type}: send application/json`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw new EdgepassError('BAD_REQUEST', 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EdgepassError('BAD_REQUEST', 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** The JWT from `Authorization: Bearer`, else the body's `token` field; `undefined` when neither. */
export function bearerToken(request: HttpRequest, body: Record<string, unknown>): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw new EdgepassError('TOKEN_INVALID', 'Authorization must be "Bearer <token>"');
    return match[1];
  }
  const token = body.token;
  if (token === undefined) return undefined;
  if (typeof token !== 'string') throw new EdgepassError('TOKEN_INVALID', 'token must be a string');
  return token;
}

export interface HttpApiOptions {
  readonly maxBodyBytes: number;
  readonly cors: CorsConfig;
  readonly telemetry: Telemetry;
  /** `Set-Cookie` values an error answer carries, by error code (login deletes cookies on refusals). */
  readonly errorCookies?: (code: string) => readonly string[];
}

/**
 * A cause is mostly our own what-to-fix text around capped upstream parts, so it keeps more than
 * the default; a stack keeps its first frames. Both stay bounded like every other logged text.
 */
const MAX_LOGGED_CAUSE = 600;
const MAX_LOGGED_STACK = 1000;

/**
 * The frame every regional handler shares: parse the event, answer CORS preflights, run the route,
 * add CORS headers, and turn any error into its JSON answer — counted as a denial by code and
 * logged as `request refused` with `code`, `error` (the message), `cause` (the message behind it:
 * what an upstream said, what to fix) and, for unexpected errors only, `stack` — each capped and
 * escaped (`logText`), since requests and upstream servers write parts of them; never in the answer.
 */
export async function answerHttpApi(
  event: unknown,
  options: HttpApiOptions,
  route: (request: HttpRequest) => Promise<HttpResult>,
): Promise<HttpResult> {
  let origin: string | undefined;
  try {
    const request = parseHttpApiEvent(event, options.maxBodyBytes);
    origin = request.headers.origin;
    if (request.method === 'OPTIONS') {
      return { statusCode: 204, headers: { ...preflightHeaders(origin, options.cors), ...NO_STORE }, body: '' };
    }
    const result = await route(request);
    result.headers = { ...result.headers, ...corsHeaders(origin, options.cors) };
    return result;
  } catch (error) {
    const code = isEdgepassError(error) ? error.code : 'INTERNAL';
    options.telemetry.count('Denials', 1, { name: DENIAL_DIMENSION, value: code });
    const cause = isEdgepassError(error) ? error.cause : error;
    // Not `message`: Powertools reserves it for the log line's own message and drops the field.
    options.telemetry.log(
      code === 'INTERNAL' || code === 'SIGNING_KEY_UNAVAILABLE' ? 'error' : 'warn',
      'request refused',
      {
        code,
        error: logText(error instanceof Error ? error.message : error),
        ...(cause instanceof Error ? { cause: logText(cause.message, MAX_LOGGED_CAUSE) } : {}),
        ...(cause instanceof Error && code === 'INTERNAL' ? { stack: logText(cause.stack, MAX_LOGGED_STACK) } : {}),
      },
    );
    const answer = errorResponse(error, corsHeaders(origin, options.cors));
    const cookies = options.errorCookies?.(code) ?? [];
    return cookies.length === 0 ? answer : { ...answer, cookies: [...cookies] };
  }
}
