import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { safeReturnPath } from '../../../shared/edge/return-to';

/**
 * The demo content `npm start` serves, checked as files: dev/site (the origin behind the emulated
 * CloudFront, read like S3 keys) and dev/frontend (the page on the second origin). Pages exist, point
 * only at files that exist, carry no inline code (the stack may send `script-src 'self'`), and the
 * whole stays small.
 */

const ROOT = join(__dirname, '..', '..', '..');
const SITE = join(ROOT, 'dev', 'site');
const FRONTEND = join(ROOT, 'dev', 'frontend');
const KB = 1024;

const SITE_PAGES = [
  'index.html',
  'login/index.html',
  'videos/index.html',
  'videos/free/index.html',
  'reports/index.html',
];
const FRONTEND_PAGE = join(FRONTEND, 'index.html');

/** Paths the stack answers itself on the content origin, with the file behind each. */
const STACK_FILES: Readonly<Record<string, string>> = {
  '/assets/hls.min.js': join(ROOT, 'node_modules', 'hls.js', 'dist', 'hls.min.js'),
};
/** Paths the stack writes on the frontend origin. */
const FRONTEND_GENERATED = new Set(['/config.js']);
/** The stack's content types: anything else in dev/site would go out with a guessed type. */
const SERVED_EXTENSIONS = /\.(html|css|js|m3u8|ts|pdf|svg|ico|json|txt)$/;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * The file the stack's origin serves for a root-relative URL: the path is percent-decoded once and
 * looked up as a key; `key/` serves `key/index.html`, and so does `key` when no file has that name.
 */
function siteFile(url: string): string | undefined {
  const key = decodeURIComponent(url.split(/[?#]/, 1)[0] as string).slice(1);
  const candidates = key === '' || key.endsWith('/') ? [`${key}index.html`] : [key, `${key}/index.html`];
  return [...candidates.map((candidate) => join(SITE, candidate)), STACK_FILES[`/${key}`]].find(
    (path) => path !== undefined && isFile(path),
  );
}

/** Every `src`/`href` value of a page, in order. */
function references(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] as string);
}

/** Root-relative file paths named in a script: quoted literals, and `${API}/…` on the frontend. */
function scriptPaths(js: string): string[] {
  const file = String.raw`(\/[\w./-]*\.(?:html|css|js|m3u8|ts|pdf|svg|json|txt))`;
  return [
    ...[...js.matchAll(new RegExp(`['"\`]${file}['"\`]`, 'g'))].map((match) => match[1] as string),
    ...[...js.matchAll(new RegExp(String.raw`\$\{API\}${file}`, 'g'))].map((match) => match[1] as string),
  ];
}

/** Relative module imports of a script (`import … from './x.js'`). */
function moduleImports(js: string): string[] {
  return [...js.matchAll(/^\s*import\s[^'"]*['"](\.[^'"]+)['"]/gm)].map((match) => match[1] as string);
}

const sitePages = SITE_PAGES.map((page) => ({ page, html: read(join(SITE, page)) }));
const allPages = [...sitePages, { page: 'dev/frontend/index.html', html: read(FRONTEND_PAGE) }];

describe('dev/site pages', () => {
  it.each(SITE_PAGES)('%s exists, declares a language and uses the shared stylesheet', (page) => {
    const html = read(join(SITE, page));
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(references(html)).toContain('/assets/app.css');
  });

  it.each(SITE_PAGES)('%s points only at root-relative paths the origin can serve', (page) => {
    const html = read(join(SITE, page));
    for (const url of references(html)) {
      // Relative URLs would break: `/reports` and `/reports/` serve the same page with different bases.
      if (url.startsWith('http://localhost:')) continue; // the frontend link, rewritten by home.js
      expect(url, url).toMatch(/^\/(?![/\\])/);
      expect(siteFile(url), url).toBeDefined();
    }
  });

  it('links the landing page to every demo page and the login page', () => {
    const home = references(read(join(SITE, 'index.html')));
    expect(home).toEqual(expect.arrayContaining(['/videos/', '/videos/free/', '/reports/', '/login']));
  });

  it('has scripts whose imports and file paths exist', () => {
    const scripts = filesUnder(join(SITE, 'assets')).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const js = read(script);
      for (const spec of moduleImports(js)) expect(isFile(join(script, '..', spec)), `${script}: ${spec}`).toBe(true);
      for (const path of scriptPaths(js)) expect(siteFile(path), `${script}: ${path}`).toBeDefined();
    }
  });

  it('holds only files the stack has a content type for (and this folder’s README)', () => {
    const odd = filesUnder(SITE).filter((file) => !SERVED_EXTENSIONS.test(file) && !file.endsWith('README.md'));
    expect(odd).toEqual([]);
  });

  it('stays under 150 KB in all', () => {
    const total = filesUnder(SITE).reduce((sum, file) => sum + statSync(file).size, 0);
    expect(total).toBeLessThan(150 * KB);
  });
});

describe('dev/frontend page', () => {
  const html = read(FRONTEND_PAGE);

  it('loads /config.js before its own script, and nothing else from its origin that is missing', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*\ssrc="([^"]*)"/g)].map((match) => match[1]);
    expect(scripts).toEqual(['/config.js', '/app.js']);
    for (const url of references(html)) {
      expect(FRONTEND_GENERATED.has(url) || isFile(join(FRONTEND, url)), url).toBe(true);
    }
  });

  it('asks the stack only for files that exist in dev/site, hls.js included', () => {
    const js = read(join(FRONTEND, 'app.js'));
    const paths = scriptPaths(js);
    expect(paths).toEqual(expect.arrayContaining(['/assets/hls.min.js', '/videos/hls/index.m3u8']));
    for (const path of paths) expect(siteFile(path), path).toBeDefined();
  });

  it('offers to sign paths that name files in dev/site', () => {
    const defaults = /<textarea id="sign-paths"[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? '';
    const paths = defaults.split('\n').filter((line) => line !== '');
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(siteFile(path), path).toBeDefined();
  });
});

describe('no inline code (Content-Security-Policy script-src self)', () => {
  it.each(allPages.map(({ page, html }) => [page, html]))(
    '%s has no inline script, style or handler',
    (_page, html) => {
      for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
        expect(match[2]?.trim(), match[0]).toBe('');
        expect(match[1], match[0]).toMatch(/\ssrc="/);
      }
      expect(html).not.toMatch(/<style\b/i);
      expect(html).not.toMatch(/\sstyle\s*=/i);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html).not.toMatch(/javascript:/i);
      // Single-quoted or bare attribute values would slip past the reference checks above.
      expect(html).not.toMatch(/\s(?:src|href)\s*=\s*[^"\s]/);
    },
  );
});

describe('the hooks browser tests use', () => {
  const ids = (html: string): string[] => [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1] as string);

  it.each([
    ['index.html', ['logout', 'logout-result', 'frontend-link']],
    ['login/index.html', ['users', 'login-status', 'login-error', 'return-to']],
    ['videos/index.html', ['player', 'status']],
    ['videos/free/index.html', ['free-preview']],
    ['reports/index.html', ['report-link']],
  ])('%s has ids %j', (page, wanted) => {
    expect(ids(read(join(SITE, page)))).toEqual(expect.arrayContaining(wanted));
  });

  it('gives the player the attributes muted autoplay needs', () => {
    expect(read(join(SITE, 'videos', 'index.html'))).toContain(
      '<video id="player" muted autoplay playsinline controls></video>',
    );
  });

  it('gives the frontend page its buttons and log', () => {
    expect(ids(read(FRONTEND_PAGE))).toEqual(
      expect.arrayContaining(['login-ada', 'login-bob', 'sign', 'play', 'logout', 'log', 'sign-paths', 'play-status']),
    );
  });
});

describe('the HLS stream', () => {
  const HLS = join(SITE, 'videos', 'hls');

  /** The URIs of a playlist (its non-comment lines), as files beside it. */
  function entries(playlist: string): string[] {
    return read(playlist)
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((uri) => join(playlist, '..', posix.normalize(uri)));
  }

  it('has a master playlist at index.m3u8 naming a media playlist beside it', () => {
    const master = join(HLS, 'index.m3u8');
    expect(read(master)).toMatch(/^#EXTM3U\n[\s\S]*#EXT-X-STREAM-INF:/);
    expect(entries(master)).toEqual([join(HLS, 'media.m3u8')]);
  });

  it('has a complete VOD media playlist whose segments exist and are MPEG-TS', () => {
    const media = join(HLS, 'media.m3u8');
    const text = read(media);
    expect(text).toMatch(/^#EXTM3U\n/);
    expect(text).toContain('#EXT-X-ENDLIST');
    const segments = entries(media);
    expect(segments).toHaveLength(3);
    expect(text.match(/^#EXTINF:/gm)).toHaveLength(segments.length);
    for (const segment of segments) {
      expect(isFile(segment), segment).toBe(true);
      // 188-byte transport packets, each starting with the sync byte 0x47.
      const bytes = readFileSync(segment);
      expect(bytes.length % 188).toBe(0);
      expect([bytes[0], bytes[188]]).toEqual([0x47, 0x47]);
    }
  });

  it('stays under 100 KB', () => {
    const total = filesUnder(HLS)
      .filter((file) => !file.endsWith('README.md'))
      .reduce((sum, file) => sum + statSync(file).size, 0);
    expect(total).toBeLessThan(100 * KB);
  });
});

describe('the report PDF', () => {
  const pdf = readFileSync(join(SITE, 'reports', 'q3.pdf'), 'latin1');

  it('starts with %PDF- and ends with %%EOF', () => {
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
  });

  it('has a cross-reference table whose offsets point at its objects', () => {
    const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n\s*$/gm)].map((match) => Number(match[1]));
    expect(offsets.length).toBeGreaterThan(0);
    offsets.forEach((offset, index) => {
      expect(pdf.slice(offset, offset + 20)).toMatch(new RegExp(`^${index + 1} 0 obj\\b`));
    });
  });
});

describe('sameSitePath (the login page’s guard for return_to)', () => {
  const ORIGIN = 'http://localhost:3000';
  let sameSitePath: (value: unknown, origin: string) => string;

  beforeAll(async () => {
    const module = (await import(pathToFileURL(join(SITE, 'assets', 'return-to.js')).href)) as {
      sameSitePath: typeof sameSitePath;
    };
    sameSitePath = module.sameSitePath;
  });

  it.each(['/', '/videos/', '/videos/hls/index.m3u8?t=10&lang=en', '/a%20b', '/reports/q3.pdf#page=1'])(
    'keeps %s',
    (target) => {
      expect(sameSitePath(target, ORIGIN)).toBe(target);
    },
  );

  it.each([
    '//evil.com',
    '/\\evil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    ' /videos/',
    '/videos/\u0000',
    'https://evil.com/',
    'http://localhost:3000/videos/',
    'javascript:alert(1)',
    'evil.com',
    'videos/',
    '',
    '?x=1',
    `/${'a'.repeat(2048)}`,
  ])('sends %j to /', (target) => {
    expect(sameSitePath(target, ORIGIN)).toBe('/');
  });

  it('sends a missing value to /', () => {
    expect(sameSitePath(null, ORIGIN)).toBe('/');
    expect(sameSitePath(undefined, ORIGIN)).toBe('/');
  });

  // Mostly harmless path characters, now and then one that matters, after a start that matters.
  const unit = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...'abz09-_~./?#=&:@'.split(''), '%20', '%c3%a9') },
    { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\n', '\\', '%', '%2f', '%5c', '%2e', '%0a', '//') },
  );
  const pathText = fc
    .tuple(fc.constantFrom('', '/', '\\', '//', '/\\', '\t/'), fc.string({ unit, maxLength: 16 }))
    .map(([start, rest]) => start + rest);

  it('keeps every target the edge gate’s rule keeps', () => {
    fc.assert(
      fc.property(pathText, (tail) => {
        const target = `/${tail}`;
        if (safeReturnPath(target) !== undefined) expect(sameSitePath(target, ORIGIN)).toBe(target);
      }),
    );
  });

  it('answers its input or /, and never a target off this origin', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          pathText,
          pathText.map((tail) => `/${tail}`),
          fc.string(),
        ),
        (target) => {
          const kept = sameSitePath(target, ORIGIN);
          expect([target, '/']).toContain(kept);
          expect(new URL(kept, ORIGIN).origin).toBe(ORIGIN);
        },
      ),
    );
  });
});
