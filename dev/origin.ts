import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

/**
 * The demo site's origin, serving a folder the way S3 serves keys: the path is percent-decoded once
 * (`%20` is a space, `%2F` a slash inside the key) and looked up as a key, with no dot-segment
 * resolution and no file-system path built from the request — so the gate's canonical-path rule is
 * exercised against a realistic origin. A key ending in `/`, or naming a folder, serves that folder's
 * `index.html` (so the demo's `/login` page works; an S3 REST origin behind Origin Access Control
 * resolves no index document at all: link to the files themselves when you deploy). Missing keys get
 * S3's `NoSuchKey` 404; ETags are MD5s, as S3's for single-part uploads.
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

interface StoredKey {
  readonly file: string;
  readonly type: string;
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, key: string): number {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Key>${key.replace(/[<>&"']/g, '')}</Key></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}

/**
 * Percent-decodes once, as S3 reads a key (bytes as UTF-8; invalid escapes stay as they are); like S3, a
 * literal `+` in the path is a space (`%2B` is the plus sign).
 */
function decodeKey(path: string): string {
  const spaced = path.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function typeOf(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function walk(root: string, dir: string, into: Map<string, StoredKey>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, file, into);
    else if (entry.isFile()) into.set(relative(root, file).split(sep).join('/'), { file, type: typeOf(entry.name) });
  }
}

/** `If-None-Match` as a list of entity tags (weak ones compared weakly, as RFC 9110 says for GET). */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** Files above this get a multipart-style ETag (S3's is not an MD5 for those either): never read whole. */
const MD5_MAX_BYTES = 16 * 1024 * 1024;

/** A file's ETag as S3 gives it for a single-part upload (the MD5 of its bytes), remembered per version. */
const md5Cache = new Map<string, { readonly version: string; readonly etag: string }>();
function etagOf(file: string, size: number, mtimeMs: number): string {
  const version = `${size}-${mtimeMs}`;
  if (size > MD5_MAX_BYTES) return `"${createHash('md5').update(`${file}:${version}`).digest('hex')}-1"`;
  const cached = md5Cache.get(file);
  if (cached?.version === version) return cached.etag;
  const etag = `"${createHash('md5').update(readFileSync(file)).digest('hex')}"`;
  md5Cache.set(file, { version, etag });
  return etag;
}

/** Rebuilding the key index on a miss at most this often (a new file shows up without a restart). */
const REINDEX_MS = 1000;

/**
 * An origin for the files under `root`, plus `extra` keys mapped to files elsewhere (the player
 * library from node_modules). Keys are indexed at start and again (at most once a second) when a
 * request misses, so files added while the stack runs are served; every request stats its file, so an
 * edited file is served whole with its new length and ETag and a deleted one is `NoSuchKey`. A file
 * that cannot be read (deleted between stat and read, out of descriptors) ends that one response,
 * never the process.
 *
 * @example
 * const origin = createOrigin('dev/site', { 'assets/hls.min.js': 'node_modules/hls.js/dist/hls.min.js' });
 */
export function createOrigin(root: string, extra: Readonly<Record<string, string>> = {}): Origin {
  let keys = new Map<string, StoredKey>();
  let indexedAt = 0;
  const index = (): void => {
    const next = new Map<string, StoredKey>();
    walk(root, root, next);
    for (const [key, file] of Object.entries(extra)) next.set(key, { file, type: typeOf(file) });
    keys = next;
    indexedAt = Date.now();
  };
  index();

  /** The stored key for a request key, with index documents: `key/` and `key` → `key/index.html`. */
  const lookup = (key: string): StoredKey | undefined =>
    keys.get(key) ?? (key === '' || key.endsWith('/') ? keys.get(`${key}index.html`) : keys.get(`${key}/index.html`));
  const find = (key: string): StoredKey | undefined => {
    const found = lookup(key);
    if (found !== undefined || Date.now() - indexedAt < REINDEX_MS) return found;
    index();
    return lookup(key);
  };

  return {
    get size() {
      return keys.size;
    },
    serve(request, res) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return s3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed', '');
      }
      const key = decodeKey(request.uri.slice(1));
      const object = find(key);
      const stats = object === undefined ? undefined : statSync(object.file, { throwIfNoEntry: false });
      if (object === undefined || stats === undefined || !stats.isFile()) {
        return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
      }
      let etag: string;
      try {
        etag = etagOf(object.file, stats.size, stats.mtimeMs);
      } catch {
        return s3Error(res, 503, 'SlowDown', 'The file could not be read; try again.', key);
      }
      const headers: Record<string, string> = {
        'content-type': object.type,
        etag,
        'last-modified': stats.mtime.toUTCString(),
        // As if every object were uploaded with this Cache-Control. Without one a browser may reuse a
        // protected page from its cache (heuristic freshness from Last-Modified) after logout; with
        // `no-cache` it still shows a page from its history on Back, so pages are never stored.
        'cache-control': object.type.startsWith('text/html') ? 'private, no-store' : 'no-cache',
        'accept-ranges': 'bytes',
      };
      if (noneMatch(request.headers['if-none-match'], etag)) {
        res.writeHead(304, headers);
        res.end();
        return 304;
      }
      const size = stats.size;
      let start = 0;
      let end = size - 1;
      let status = 200;
      // One range; a syntactically invalid one (`bytes=5-2`) is ignored (RFC 9110): the whole file.
      const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ''));
      const valid = range !== null && (range[1] !== '' || range[2] !== '');
      if (valid && !(range[1] !== '' && range[2] !== '' && Number(range[1]) > Number(range[2]))) {
        if (range[1] === '') start = Math.max(0, size - Number(range[2]));
        else {
          start = Number(range[1]);
          if (range[2] !== '') end = Math.min(end, Number(range[2]));
        }
        if (start >= size || (range[1] === '' && Number(range[2]) === 0)) {
          res.setHeader('content-range', `bytes */${size}`);
          return s3Error(res, 416, 'InvalidRange', 'The requested range is not satisfiable', key);
        }
        status = 206;
        headers['content-range'] = `bytes ${start}-${end}/${size}`;
      }
      headers['content-length'] = String(end - start + 1);
      res.writeHead(status, headers);
      if (request.method === 'HEAD' || size === 0) {
        res.end();
        return status;
      }
      // The file can change or vanish after the stat: a short read or an error ends this response
      // (the client sees a cut body, as from any origin that fails mid-transfer), never the process.
      const stream = createReadStream(object.file, { start, end });
      let sent = 0;
      stream.on('data', (chunk) => {
        sent += chunk.length;
      });
      stream.on('error', () => res.destroy());
      stream.on('end', () => {
        if (sent !== end - start + 1) res.destroy();
      });
      res.on('close', () => stream.destroy());
      stream.pipe(res);
      return status;
    },
  };
}
