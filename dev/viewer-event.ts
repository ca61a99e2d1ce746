import type { IncomingMessage } from 'node:http';

/**
 * A Node request as CloudFront hands it to a Lambda@Edge viewer-request function: the raw URI and
 * query string (never decoded), the headers as CloudFront's lowercase map of `[{ key, value }]` (one
 * entry per header line, so several Cookie headers stay several), the viewer's IP.
 */

export type CloudFrontHeaders = Record<string, { key: string; value: string }[]>;

export interface ViewerRequestEvent {
  readonly Records: [
    {
      readonly cf: {
        readonly config: {
          readonly distributionDomainName: string;
          readonly distributionId: string;
          readonly eventType: 'viewer-request';
          readonly requestId: string;
        };
        readonly request: {
          readonly clientIp: string;
          readonly headers: CloudFrontHeaders;
          readonly method: string;
          readonly querystring: string;
          readonly uri: string;
        };
      };
    },
  ];
}

/** What a viewer-request function returns: a response, or the request to send on. */
export interface ViewerRequestResult {
  readonly status?: string;
  readonly statusDescription?: string;
  readonly headers?: CloudFrontHeaders;
  readonly body?: string;
  readonly bodyEncoding?: 'text' | 'base64';
  readonly uri?: string;
  readonly querystring?: string;
}

/** Headers CloudFront never shows a viewer-request function (it manages them itself). */
const HIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** The raw path and query of a request target, as the viewer sent them. */
export function splitTarget(url: string | undefined): { uri: string; querystring: string } {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? { uri: target, querystring: '' } : { uri: target.slice(0, q), querystring: target.slice(q + 1) };
}

/** The viewer's address as CloudFront reports it: an IPv4-mapped IPv6 address as plain IPv4. */
export function clientIpOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** CloudFront's header map from the raw header lines. */
export function cloudFrontHeaders(req: IncomingMessage): CloudFrontHeaders {
  const headers: CloudFrontHeaders = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] as string;
    const name = key.toLowerCase();
    if (HIDDEN.has(name)) continue;
    const list = headers[name] ?? [];
    list.push({ key, value: raw[i + 1] as string });
    headers[name] = list;
  }
  return headers;
}

/**
 * The viewer-request event for `req` on a distribution serving `host`.
 *
 * @example
 * const event = viewerRequestEvent(req, 'localhost:3000', 'req-1');
 * await handler(event);
 */
export function viewerRequestEvent(req: IncomingMessage, host: string, requestId: string): ViewerRequestEvent {
  const { uri, querystring } = splitTarget(req.url);
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: host,
            distributionId: 'ELOCALSTACK01',
            eventType: 'viewer-request',
            requestId,
          },
          request: {
            clientIp: clientIpOf(req),
            headers: cloudFrontHeaders(req),
            method: req.method ?? 'GET',
            querystring,
            uri,
          },
        },
      },
    ],
  };
}

/** Node response headers from CloudFront's map (several values of one header stay several). */
export function nodeHeaders(headers: CloudFrontHeaders | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entries of Object.values(headers ?? {})) {
    for (const { key, value } of entries) out[key] = [...(out[key] ?? []), value];
  }
  return out;
}
