import { describe, expect, it } from 'vitest';
import { signUrl } from '../../shared';
import {
  loadBuiltGate,
  repoConfigWith,
  SAMPLE_HOST,
  SAMPLE_KEY_PAIR_ID,
  SAMPLE_PRIVATE_KEY,
} from '../fixtures/built-gate';
import { CLOUDFRONT_FUNCTION, GATE_VARIANTS, type GateVariantFixture, LAMBDA_EDGE } from '../fixtures/gate-variants';
import { BROWSER_ACCEPT, viewerRequestEvent } from '../fixtures/viewer-events';

/**
 * The outside review's findings (issue 7), each replayed against the built gates with the repository's
 * own edgepass.config.json — the Lambda@Edge bundle and the CloudFront Function script (issue 12) —
 * both must fail closed.
 */

const now = Math.floor(Date.now() / 1000);
const sign = { keyPairId: SAMPLE_KEY_PAIR_ID, privateKey: SAMPLE_PRIVATE_KEY, expires: now + 600, now };

describe.each<GateVariantFixture>(GATE_VARIANTS)('$name', (variant) => {
  const gate = variant.load();
  /** The member grant of the repository's access rules: credentials for /videos/free/* only. */
  const freeCookies = variant.grant(`https://${SAMPLE_HOST}/videos/free/*`, now + 600);

  /** A browser navigation (or, with `api`, a request without `Accept: text/html`). */
  async function decide(uri: string, cookies?: string, api = false) {
    const result = await gate.handle({
      uri,
      ...(cookies === undefined ? {} : { cookies: [cookies] }),
      ...(api ? {} : { accept: BROWSER_ACCEPT }),
    });
    return { result, log: gate.logs.at(-1) as Record<string, unknown> };
  }

  describe('finding 1: unlisted paths and respellings never pass without credentials', () => {
    it.each<[string, string, string]>([
      ['/%76ideos/paid.mp4', '400', 'encoded-unreserved'],
      ['//videos/paid.mp4', '400', 'empty-segment'],
      ['/videos./paid.mp4', '400', 'trailing-dot'],
      ['/x/..;/videos/paid.mp4', '400', 'forbidden-character'],
      ['/videos/paid.mp4;jsessionid=1', '400', 'forbidden-character'],
    ])('refuses %s with %s (%s)', async (uri, status, detail) => {
      const { result, log } = await decide(uri);
      expect(result.status).toBe(status);
      expect(result.headers.location).toBeUndefined();
      expect(log).toMatchObject({ decision: 'reject', detail });
    });

    it.each(['/VIDEOS/paid.mp4', '/index.html', '/private/anything', '/Videos/trailer.mp4'])(
      'sends %s (in no list, or another case) to login: it needs credentials like a protected path',
      async (uri) => {
        const { result, log } = await decide(uri);
        expect(result.status).toBe('302');
        expect(log).toMatchObject({ decision: 'redirect', reason: 'missing-key-pair-id' });
      },
    );

    it('still forwards the listed public path, and only its exact spelling', async () => {
      const { result } = await decide('/videos/trailer.mp4');
      expect(result.status).toBeUndefined();
      expect(result.uri).toBe('/videos/trailer.mp4');
      expect((await decide('/videos/trailer.mp4/')).result.status).toBe('302');
    });
  });

  describe('finding 2: dot segments never escape a cookie grant', () => {
    it('forwards a path inside the grant (the control case)', async () => {
      const { result, log } = await decide('/videos/free/intro.m3u8', freeCookies);
      expect(result.status).toBeUndefined();
      expect(log).toMatchObject({ decision: 'allow', reason: 'ok' });
    });

    it('denies a plain path outside the grant with resource-mismatch', async () => {
      const { result, log } = await decide('/videos/paid.mp4', freeCookies, true);
      expect(result.status).toBe('403');
      expect(log).toMatchObject({ decision: 'deny', reason: 'resource-mismatch' });
    });

    it.each<[string, string]>([
      ['/videos/free/../paid.mp4', 'dot-segment'],
      ['/videos/free/%2e%2e/paid.mp4', 'encoded-unreserved'],
      ['/videos/free/%2E%2E/paid.mp4', 'encoded-unreserved'],
      ['/videos/free/.%2e/paid.mp4', 'encoded-unreserved'],
      ['/videos/free/..%2fpaid.mp4', 'encoded-separator'],
      ['/videos/free/..%2Fpaid.mp4', 'encoded-separator'],
      ['/videos/free/..%5cpaid.mp4', 'encoded-separator'],
      ['/videos/free/..\\paid.mp4', 'forbidden-character'],
      ['/videos/free/../../reports/q3.pdf', 'dot-segment'],
      ['/videos/free/./../paid.mp4', 'dot-segment'],
      ['/videos/free/%252e%252e/paid.mp4', 'encoded-forbidden'],
      ['/videos/free/%c0%ae%c0%ae/paid.mp4', 'invalid-utf8'],
      ['/videos/free/%ef%bc%8e%ef%bc%8e/paid.mp4', variant.compatibilityDetail],
      ['/videos/free/%e2%80%a5/paid.mp4', variant.compatibilityDetail],
    ])('refuses %s with a 400 (%s) even with valid free cookies', async (uri, detail) => {
      const { result, log } = await decide(uri, freeCookies);
      expect(result.status).toBe('400');
      expect(result.body).toContain('<Code>BadRequest</Code>');
      expect(log).toMatchObject({ decision: 'reject', detail });
    });
  });

  describe('finding 6: no redirect ever carries a dot segment that resolves off-site', () => {
    it.each(['/..//evil.com', '/%2e%2e//evil.com', '/.%2E//evil.com', '/a/..//evil.com'])(
      'refuses %s before any return_to is built',
      async (uri) => {
        const { result } = await decide(uri);
        expect(result.status).toBe('400');
        expect(result.headers.location).toBeUndefined();
      },
    );
  });

  describe('finding 9: credentials never reach the origin, public paths included', () => {
    it('strips signing params and CloudFront-* cookies from a public request', async () => {
      const signed = signUrl(`https://${SAMPLE_HOST}/videos/trailer.mp4?lang=en`, sign);
      const query = signed.slice(signed.indexOf('?') + 1);
      const cookies = `theme=dark; ${freeCookies}; CloudFront-Hash-Algorithm=SHA256`;
      const result = await gate.handle({ uri: '/videos/trailer.mp4', querystring: query, cookies: [cookies] });
      expect(result.status).toBeUndefined();
      expect(result.querystring).toBe('lang=en');
      expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'theme=dark' }]);
      const forwarded = JSON.stringify(result);
      for (const secret of ['Signature', 'Key-Pair-Id', 'CloudFront-', 'edgepass-session']) {
        expect(forwarded).not.toContain(secret);
      }
    });
  });

  describe('finding 3: no regular expression built from configuration runs on a request', () => {
    it('decides with a backtracking-prone public pattern and never builds a RegExp from it', async () => {
      const constructed: string[] = [];
      const hostile = variant.load(repoConfigWith({ publicPaths: ['/*/img/*/*.png', '/assets/*'] }), {
        onRegExp: (source) => constructed.push(source),
      });
      const adversarial = `/${'a/img/'.repeat(1350)}x`;
      expect(adversarial.length).toBeGreaterThan(8000);
      expect((await hostile.handle({ uri: adversarial })).status).toBe('403');
      expect((await hostile.handle({ uri: '/a/img/b/c.png' })).status).toBeUndefined();
      expect((await hostile.handle({ uri: '/a/img/b/c.gif' })).status).toBe('403');
      // Regular expressions the bundle itself builds (static ones esbuild lowers) never hold configuration.
      expect(constructed.filter((source) => /img|assets|png/.test(source))).toEqual([]);
    });
  });

  describe('the outside attack on the gate (second review)', () => {
    it('refuses an encoded ? or # that a decode-and-reparse origin would cut the path at', async () => {
      const suffix = variant.load(repoConfigWith({ publicPaths: ['/videos/trailer.mp4', '/*.css'] }));
      for (const uri of ['/videos/paid.mp4%3F.css', '/videos/paid.mp4%23.css', '/videos/paid.mp4%3f.css']) {
        const result = await suffix.handle({ uri });
        expect(result.status, uri).toBe('400');
        expect(suffix.logs.at(-1)).toMatchObject({ decision: 'reject', detail: 'encoded-forbidden' });
      }
      expect((await suffix.handle({ uri: '/site/app.css' })).status).toBeUndefined();
      const climb = await decide('/videos/free/..%3Ffile=paid.mp4', freeCookies, true);
      expect(climb.result.status).toBe('400');
    });

    it('refuses a Host that is not a configured domain instead of building the resource from it', async () => {
      for (const host of [`${SAMPLE_HOST}/videos/free`, 'evil.example', `${SAMPLE_HOST}.evil.example`]) {
        const result = await gate.handle({ uri: '/videos/paid.mp4', host, cookies: [freeCookies] });
        expect(result.status, host).toBe('400');
        expect(gate.logs.at(-1)).toMatchObject({ decision: 'reject', detail: 'unknown-host' });
      }
    });

    it('strips signing params from the Referer it forwards (a page opened from a signed URL leaks it)', async () => {
      const signed = signUrl(`https://${SAMPLE_HOST}/videos/free/player.html?lang=en`, sign);
      for (const uri of ['/videos/free/seg-1.ts', '/videos/trailer.mp4']) {
        const result = await gate.handle({ uri, cookies: [freeCookies], referer: signed });
        expect(result.status, uri).toBeUndefined();
        expect(result.headers.referer).toEqual([
          { key: 'Referer', value: `https://${SAMPLE_HOST}/videos/free/player.html?lang=en` },
        ]);
      }
      const plain = await gate.handle({ uri: '/videos/trailer.mp4', referer: `https://${SAMPLE_HOST}/a?b=1` });
      expect(plain.headers.referer).toEqual([{ key: 'Referer', value: `https://${SAMPLE_HOST}/a?b=1` }]);
    });

    it('never matches a ? wildcard between two stars (a quadratic search), even in a policy the key signed', async () => {
      const resource = `https://${SAMPLE_HOST}/videos/free/*${'?'.repeat(3500)}b*`;
      // edgepass's signer refuses such a resource; a key holder with another tool can still sign it.
      expect(() => variant.grant(resource, now + 600)).toThrow(/a \? between two \*/);
      const cookies = variant.forgedGrant(resource, now + 600);
      const uri = `/videos/free/${'a'.repeat(4000)}b`;
      const result = await gate.handle({ uri, cookies: [cookies] });
      expect(result.status).toBe('403');
      // The function refuses a session token over 4 KB before reading it (malformed-policy); a shorter
      // one with a long `?` run is never matched either (cloudfront-function.test.ts).
      expect(gate.logs.at(-1)).toMatchObject({
        decision: 'deny',
        reason: variant === LAMBDA_EDGE ? 'resource-mismatch' : 'malformed-policy',
      });
    });

    it('never redirects the login page to itself when it sits behind the gate without being public', async () => {
      const hidden = variant.load(repoConfigWith({ publicPaths: ['/videos/trailer.mp4'] }));
      const result = await hidden.handle({ uri: '/login', accept: BROWSER_ACCEPT });
      expect(result.status).toBe('403');
      expect(hidden.logs.at(-1)).toMatchObject({ decision: 'deny', loop: true });
      expect((await gate.handle({ uri: '/login', accept: BROWSER_ACCEPT })).status).toBeUndefined();
    });
  });

  describe('the attack on the CloudFront Function (issue 12), replayed on both gates', () => {
    it('drops a Referer that holds nothing but signing params instead of forwarding it whole', async () => {
      for (const uri of ['/videos/trailer.mp4', '/videos/free/a.ts']) {
        const result = await gate.handle({
          uri,
          cookies: [freeCookies],
          referer: '?Policy=p&Signature=s&Key-Pair-Id=K',
        });
        expect(result.status, uri).toBeUndefined();
        expect(result.headers.referer, uri).toBeUndefined();
      }
    });
  });
});

describe('Lambda@Edge gate beside the CloudFront Function', () => {
  it('strips the session token login sets for the function: it is a credential too', async () => {
    const gate = LAMBDA_EDGE.load();
    const cookies = `theme=dark; ${CLOUDFRONT_FUNCTION.grant(`https://${SAMPLE_HOST}/videos/free/*`, now + 600)}`;
    for (const uri of ['/videos/free/a.ts', '/videos/trailer.mp4']) {
      const result = await gate.handle({ uri, cookies: [cookies] });
      expect(result.status, uri).toBeUndefined();
      expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'theme=dark' }]);
    }
  });
});

describe('the third review of the built gate (Lambda@Edge: the verified-signature cache)', () => {
  /** A custom-policy request whose Policy text spells the cache key of a canned URL. */
  const forged = (url: string, signed: string) => {
    const expires = new URL(signed).searchParams.get('Expires') as string;
    const signature = new URL(signed).searchParams.get('Signature') as string;
    return `Policy=${encodeURIComponent(`E${expires}\n${url}`)}&Signature=${signature}&Key-Pair-Id=${SAMPLE_KEY_PAIR_ID}`;
  };

  it.each([
    [
      'a query (its ? would become a wildcard)',
      '/videos/42.mp4?quality=hd',
      ['/videos/42.mp4/quality=hd', '/videos/42.mp4Xquality=hd'],
    ],
    ['a * in its query', '/videos/search?q=*', ['/videos/search/q=/premium/ep1/seg-1.ts']],
    ['a literal * path', '/videos/*', ['/videos/premium/ep1/seg-1.ts']],
  ])(
    'never lets a cached canned URL with %s answer for a custom policy spelling its cache key',
    async (_, path, targets) => {
      const gate = loadBuiltGate();
      const url = `https://${SAMPLE_HOST}${path}`;
      const signed = signUrl(url, sign);
      const uri = path.split('?')[0] as string;
      // The real URL is allowed, which puts its signature in this instance's cache…
      expect(
        (await gate.handle(viewerRequestEvent({ uri, querystring: signed.slice(signed.indexOf('?') + 1) }))).status,
      ).toBeUndefined();
      // …and the same signature under a forged custom Policy opens nothing else.
      for (const target of targets) {
        const result = await gate.handle(viewerRequestEvent({ uri: target, querystring: forged(url, signed) }));
        expect(result.status, target).toBe('403');
        expect(gate.logs.at(-1)).toMatchObject({ decision: 'deny', reason: 'malformed-policy' });
      }
    },
  );
});
