import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repoConfigWith, SAMPLE_HOST } from '../fixtures/built-gate';
import { GATE_VARIANTS, type GateVariantFixture } from '../fixtures/gate-variants';

/**
 * The gate against every spelling an attacker can think of, judged by an oracle that knows nothing of
 * the gate's code: it reads each forwarded path the way origins do — S3 (percent-decode once, keep
 * dots), a WHATWG URL parser (resolve dot segments, `\` as `/`), a normalising server (nginx/Express/
 * Tomcat/IIS: decode, merge slashes, drop `;` parameters, resolve dots, strip trailing dots, NFKC), a
 * double-decoding one and a case-insensitive one. A forwarded request must read the same under every
 * structural reading, and every reading must be public or inside the cookie's grant. Both gates: the
 * Lambda@Edge bundle with CloudFront signed cookies, the CloudFront Function with the session token.
 */

const PUBLIC_EXACT = ['/videos/trailer.mp4', '/login'];
const PUBLIC_PREFIX = '/assets/';
const GRANT_PREFIX = '/videos/free/';

const CONFIG = repoConfigWith({ publicPaths: [...PUBLIC_EXACT, `${PUBLIC_PREFIX}*`] });
const now = Math.floor(Date.now() / 1000);

/** Percent-decodes once, the way S3 reads a key: valid escapes become bytes, the rest stays; UTF-8 after. */
function decodeOnce(path: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    if (/^%[0-9A-Fa-f]{2}/.test(path.slice(i, i + 3))) {
      bytes.push(Number.parseInt(path.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(path[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 3986 dot-segment removal on an already decoded path. */
function resolveDots(path: string): string {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '..') {
      out.pop();
      if (last) out.push('');
    } else if (segment === '.') {
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  });
  return `/${out.join('/')}`;
}

function normalising(decoded: string): string {
  const slashes = decoded.replaceAll('\\', '/').replace(/\/{2,}/g, '/');
  const noParams = slashes
    .split('/')
    .map((segment) => segment.split(';')[0] as string)
    .join('/');
  const stripped = resolveDots(noParams)
    .split('/')
    .map((segment) => segment.replace(/[. ]+$/, ''))
    .join('/');
  return resolveDots(stripped);
}

/** How origins read a raw request path; `structural` readings must all equal what the gate checked. */
function readings(raw: string): { structural: string[]; other: string[] } {
  const s3 = decodeOnce(raw);
  const whatwg = decodeOnce(new URL(raw, 'https://origin.example').pathname);
  const server = normalising(s3);
  const tomcat = normalising(
    decodeOnce(
      raw
        .split('/')
        .map((segment) => segment.split(';')[0])
        .join('/'),
    ),
  );
  const nfkc = normalising(s3.normalize('NFKC'));
  const doubleDecoded = normalising(decodeOnce(s3));
  return { structural: [s3, whatwg, server, tomcat, nfkc, doubleDecoded], other: [server.toLowerCase()] };
}

function allowed(path: string, withCookies: boolean): boolean {
  // `*` matches any run, the empty one included (`/assets/` itself is public).
  if (PUBLIC_EXACT.includes(path) || path.startsWith(PUBLIC_PREFIX)) return true;
  return withCookies && path.startsWith(GRANT_PREFIX);
}

const segment = fc.constantFrom(
  'videos',
  'free',
  'paid.mp4',
  'trailer.mp4',
  'assets',
  'app.css',
  'reports',
  'q3.pdf',
  'intro.m3u8',
  'login',
  '..',
  '.',
  '',
  'x',
);
/** A path likely to sit near a boundary: public, granted, protected, or a traversal between them. */
const basePath = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('/videos/trailer.mp4', '/assets/app.css', '/login', '/videos/free/intro.m3u8'),
  },
  { weight: 2, arbitrary: fc.constantFrom('/videos/paid.mp4', '/reports/q3.pdf', '/videos/premium/a.ts') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '/assets/../videos/paid.mp4',
      '/videos/free/../paid.mp4',
      '/videos/free/../../reports/q3.pdf',
      '/assets/./../reports/q3.pdf',
      '/login/../videos/paid.mp4',
    ),
  },
  { weight: 4, arbitrary: fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`) },
);

const hex = (byte: number, upper: boolean) => {
  const text = byte.toString(16).padStart(2, '0');
  return `%${upper ? text.toUpperCase() : text}`;
};
/** One way to respell one character (or to leave it). */
const respelling = fc.oneof(
  { weight: 40, arbitrary: fc.constant('keep') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'encode',
      'encode-lower',
      'backslash',
      'double-slash',
      'upper',
      'param',
      'fullwidth',
      'overlong',
      'double-encode',
      'trailing-dot',
      'encoded-backslash',
    ),
  },
);

function respell(path: string, choices: readonly string[]): string {
  let out = '';
  [...path].forEach((char, index) => {
    const choice = index === 0 ? 'keep' : (choices[index % choices.length] as string);
    const code = char.charCodeAt(0);
    switch (choice) {
      case 'encode':
      case 'encode-lower':
        out += hex(code, choice === 'encode');
        break;
      case 'backslash':
        out += char === '/' ? '\\' : char;
        break;
      case 'double-slash':
        out += char === '/' ? '//' : char;
        break;
      case 'upper':
        out += char.toUpperCase();
        break;
      case 'param':
        out += char === '/' ? ';x=1/' : char;
        break;
      case 'fullwidth':
        out += char === '.' ? '%EF%BC%8E' : char === '/' ? '%EF%BC%8F' : char;
        break;
      case 'overlong':
        out += char === '.' ? '%C0%AE' : char === '/' ? '%C0%AF' : char;
        break;
      case 'double-encode':
        out += `%25${hex(code, true).slice(1)}`;
        break;
      case 'trailing-dot':
        out += char === '/' ? './' : char;
        break;
      case 'encoded-backslash':
        out += char === '/' ? (index % 2 === 0 ? '%5C' : '%5c') : char;
        break;
      default:
        out += char;
    }
  });
  return out;
}

describe.each<GateVariantFixture>(GATE_VARIANTS)(
  'the built $name against respelled paths (oracle: how origins read them)',
  (variant) => {
    const gate = variant.load(CONFIG);
    const freeCookies = variant.grant(`https://${SAMPLE_HOST}${GRANT_PREFIX}*`, now + 600);

    it('forwards only paths that every origin reads the same way, public or inside the grant', async () => {
      let forwarded = 0;
      let refused = 0;
      let grantedForwarded = 0;
      await fc.assert(
        fc.asyncProperty(
          basePath,
          fc.array(respelling, { minLength: 1, maxLength: 16 }),
          fc.constantFrom('', '', '', '', '.', '%20', '/', ';x', '..', '%2e', '/.', '%00'),
          fc.boolean(),
          async (base, choices, suffix, withCookies) => {
            const raw = respell(base, choices) + suffix;
            const result = await gate.handle({
              uri: raw,
              ...(withCookies ? { cookies: [`lang=en; ${freeCookies}`] } : {}),
            });
            if (result.status !== undefined) {
              refused++;
              expect(['400', '403']).toContain(result.status);
              return;
            }
            forwarded++;
            const checked = decodeOnce(raw);
            const { structural, other } = readings(raw);
            for (const reading of structural) expect(reading, `${raw} read as ${reading}`).toBe(checked);
            for (const reading of [...structural, ...other]) {
              expect(allowed(reading, withCookies), `${raw} read as ${reading}`).toBe(true);
            }
            if (!allowed(checked, false)) grantedForwarded++;
            expect(result.uri).toBe(raw);
            expect(JSON.stringify(result.headers.cookie ?? [])).not.toMatch(/CloudFront-|edgepass-session/);
          },
        ),
        { numRuns: 4000 },
      );
      // The property is not vacuous: the generator reaches every outcome often (typical run: 8 % forwarded,
      // about 55 of them through the cookie grant; the bounds sit many standard deviations below).
      const total = forwarded + refused;
      expect(forwarded / total).toBeGreaterThan(0.04);
      expect(refused / total).toBeGreaterThan(0.3);
      expect(grantedForwarded).toBeGreaterThan(15);
    });
  },
);
