import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';

/**
 * The second origin of the local stack (PORT + 1), standing in for a frontend's dev server listed in
 * `cors.origins`: it serves `dev/frontend/` and a `/config.js` that tells the page where the
 * distribution is, so the page calls `/auth/login` and `/api/sign` and plays the stream cross-origin,
 * with credentials, under the browser's CORS and cookie rules.
 */

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The frontend's request listener; `api` is the distribution's origin, e.g. `http://localhost:3000`. */
export function createFrontend(root: string, api: string): (req: IncomingMessage, res: ServerResponse) => number {
  const files = new Map<string, string>();
  for (const name of ['index.html', 'app.js', 'app.css']) {
    try {
      files.set(`/${name}`, readFileSync(join(root, name), 'utf8'));
    } catch {
      // A page may do without a stylesheet.
    }
  }
  files.set('/', files.get('/index.html') ?? '');
  files.set('/config.js', `window.EDGEPASS_API = ${JSON.stringify(api)};\n`);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const body = files.get(path);
    if (body === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return 404;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? TYPES['.html'],
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return 200;
  };
}
