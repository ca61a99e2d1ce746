import { createReadStream, readdirSync, statSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

/**
 * The demo site's origin, serving a folder the way S3 serves keys: the path is percent-decoded once
 * (`%20` is a space, `%2F` a slash inside the key) and looked up as a key, with no dot-segment
 * resolution and no file-system path built from the request — so the gate's canonical-path rule is
 * exercised against a realistic origin. Like an S3 website endpoint, a key ending in `/` (or a key
 * whose `key/index.html` exists) serves that `index.html`. Missing keys get S3's `NoSuchKey` 404.
 */

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.pdf': 'application/pdf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** What the gate forwards: the request to serve. */
export interface OriginRequest {
  readonly method: string;
  /** Raw URI as forwarded (still percent-encoded). */
  readonly uri: string;
  readonly headers: IncomingHttpHeaders;
}

export interface Origin {
  /** Serves a request; answers the status it sent. */
  serve(request: OriginRequest, res: ServerResponse): number;
  /** Number of keys the origin holds. */
  readonly size: number;
}

interface StoredObject {
  readonly file: string;
  readonly size: number;
  readonly etag: string;
  readonly type: string;
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, key: string): number {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Key>${key.replace(/[<>&"']/g, '')}</Key></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}

/** Percent-decodes once, as S3 reads a key (bytes as UTF-8; invalid escapes stay as they are). */
function decodeKey(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function walk(root: string, dir: string, into: Map<string, StoredObject>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, file, into);
    else if (entry.isFile()) {
      const stats = statSync(file);
      const key = relative(root, file).split(sep).join('/');
      into.set(key, {
        file,
        size: stats.size,
        etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
        type: TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
      });
    }
  }
}

/**
 * An origin for the files under `root`, plus `extra` keys mapped to files elsewhere (the player
 * library from node_modules). The index is built once, at start.
 *
 * @example
 * const origin = createOrigin('dev/site', { 'assets/hls.min.js': 'node_modules/hls.js/dist/hls.min.js' });
 */
export function createOrigin(root: string, extra: Readonly<Record<string, string>> = {}): Origin {
  const objects = new Map<string, StoredObject>();
  walk(root, root, objects);
  for (const [key, file] of Object.entries(extra)) {
    const stats = statSync(file);
    objects.set(key, {
      file,
      size: stats.size,
      etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
      type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    });
  }

  const find = (key: string): StoredObject | undefined =>
    objects.get(key) ??
    (key === '' || key.endsWith('/') ? objects.get(`${key}index.html`) : objects.get(`${key}/index.html`));

  return {
    size: objects.size,
    serve(request, res) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return s3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed', '');
      }
      const key = decodeKey(request.uri.slice(1));
      const object = find(key);
      if (object === undefined) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
      const headers: Record<string, string> = {
        'content-type': object.type,
        etag: object.etag,
        'accept-ranges': 'bytes',
      };
      if (request.headers['if-none-match'] === object.etag) {
        res.writeHead(304, headers);
        res.end();
        return 304;
      }
      let start = 0;
      let end = object.size - 1;
      let status = 200;
      const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ''));
      if (range !== null && (range[1] !== '' || range[2] !== '')) {
        if (range[1] === '') start = Math.max(0, object.size - Number(range[2]));
        else {
          start = Number(range[1]);
          if (range[2] !== '') end = Math.min(end, Number(range[2]));
        }
        if (start > end || start >= object.size) {
          res.writeHead(416, { 'content-range': `bytes */${object.size}` });
          res.end();
          return 416;
        }
        status = 206;
        headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
      }
      headers['content-length'] = String(end - start + 1);
      res.writeHead(status, headers);
      if (request.method === 'HEAD' || object.size === 0) res.end();
      else createReadStream(object.file, { start, end }).pipe(res);
      return status;
    },
  };
}
