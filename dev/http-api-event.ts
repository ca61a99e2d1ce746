import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientIpOf, splitTarget } from './viewer-event';

/**
 * A Node request as API Gateway's HTTP API (payload format 2.0) hands it to a Lambda behind the
 * distribution: lowercase headers with repeated ones joined by commas, the Cookie header moved into
 * `cookies`, the body base64-encoded unless it is text, and the API's own host (CloudFront's
 * AllViewerExceptHostHeader policy forwards every viewer header but Host).
 */

/** Where the distribution sends `/auth/*` and `/api/*`, as AWS names an HTTP API's host. */
export const API_HOST = 'localstack01.execute-api.us-east-1.amazonaws.com';

/** Biggest body read from a viewer; API Gateway's own limit is 10 MB, the handlers refuse far less. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpApiResult {
  readonly statusCode?: number;
  readonly headers?: Record<string, string>;
  readonly cookies?: readonly string[];
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/**
 * Reads the body, refusing more than `maxBytes` (by default what API Gateway would pass on):
 * `undefined` when it is too large, having kept none of it.
 */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop reading and keep nothing; the caller answers 413 with `Connection: close`.
        chunks.length = 0;
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isText(type: string | undefined): boolean {
  return type === undefined || /^(text\/|application\/(json|x-www-form-urlencoded|xml))/i.test(type);
}

/** The payload 2.0 event for `req` with its `body`, routed as `routeKey`. */
export function httpApiEvent(req: IncomingMessage, body: Buffer, routeKey: string, requestId: string) {
  const headers: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === 'host' || name === 'cookie') continue;
    const value = raw[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  headers.host = API_HOST;
  headers['x-forwarded-for'] = clientIpOf(req);
  const cookieLines = req.headers.cookie;
  const cookies = cookieLines === undefined ? undefined : cookieLines.split(/;\s*/).filter((c) => c.length > 0);
  const { uri, querystring } = splitTarget(req.url);
  const text = isText(req.headers['content-type']);
  return {
    version: '2.0',
    routeKey,
    rawPath: uri,
    rawQueryString: querystring,
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'localstack01',
      domainName: API_HOST,
      http: {
        method: req.method ?? 'GET',
        path: uri,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: clientIpOf(req),
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body.length === 0 ? {} : { body: text ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/** Writes a payload 2.0 result the way API Gateway does (each cookie as its own Set-Cookie). */
export function sendHttpApiResult(res: ServerResponse, result: HttpApiResult): void {
  const headers: Record<string, string | string[]> = { ...result.headers };
  if (result.cookies !== undefined && result.cookies.length > 0) headers['set-cookie'] = [...result.cookies];
  const body = result.body === undefined ? '' : result.body;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.isBase64Encoded === true ? Buffer.from(body, 'base64') : body);
}
