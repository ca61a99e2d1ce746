import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnPath, safeReturnTo } from '../../../shared/edge/return-to';

const SITE = 'https://site.example';
const allowed = { allowedHosts: ['app.example.com'] };

/** Every way a browser or a careless login page might read the target. */
function readings(target: string): string[] {
  const out = [target, target.replace(/[\t\n\r]/g, '')];
  let current = target;
  for (let i = 0; i < 3; i++) {
    try {
      current = decodeURIComponent(current);
    } catch {
      break;
    }
    out.push(current, current.replace(/[\t\n\r]/g, ''));
  }
  return out;
}

function origins(target: string): string[] {
  return readings(target).map((reading) => {
    try {
      return new URL(reading, SITE).origin;
    } catch {
      return 'unparseable';
    }
  });
}

describe('safeReturnTo', () => {
  it.each(['/videos/42', '/videos/42?t=10&lang=en', '/a%20b', '/', 'https://app.example.com/dashboard?x=1'])(
    'keeps %s',
    (target) => {
      expect(safeReturnTo(target, allowed)).toBe(target);
    },
  );

  it.each([
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    'https:evil.com',
    'https://evil.com/',
    'http://app.example.com/',
    'https://app.example.com@evil.com/',
    'https://evil.com#@app.example.com/',
    'javascript:alert(1)',
    'data:text/html,x',
    '/%2F%2Fevil.com',
    '/%2f/evil.com',
    '/%5Cevil.com',
    '/%252F%252Fevil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    '/%09/evil.com',
    '/%0d%0aSet-Cookie:x=1',
    ' /videos',
    'videos/42',
    '',
    '/%zz',
    `/${'a'.repeat(3000)}`,
  ])('refuses %j', (target) => {
    expect(safeReturnTo(target, allowed)).toBeUndefined();
  });

  it('refuses anything that is not a string', () => {
    for (const value of [undefined, null, 42, ['/a'], { path: '/a' }])
      expect(safeReturnTo(value, allowed)).toBeUndefined();
  });

  it.each([
    '/videos?t=%0d%0aSet-Cookie:x=1',
    '/videos?t=%25250a',
    '/videos?t=%zz',
    '/videos/../admin',
    '/..//evil.com',
    '/videos/./42',
    'https://app.example.com/../evil',
    'https://app.example.com/a/..',
    'https://app.example.com/?t=%0a',
    'https://app.example.com#@evil.com',
    'javascript:alert(1)//https://app.example.com/',
    `https://app.example.com/${'a'.repeat(2025)}`,
  ])('refuses %j (query, dot segments, scheme and length)', (target) => {
    expect(safeReturnTo(target, allowed)).toBeUndefined();
  });

  it('keeps an absolute URL without a path, or with another URL in its query', () => {
    expect(safeReturnTo('https://app.example.com', allowed)).toBe('https://app.example.com');
    const nested = 'https://app.example.com/sso?next=https://user@app.example.com/';
    expect(safeReturnTo(nested, allowed)).toBe(nested);
  });

  it('checks three decodings and refuses a target with a fourth layer of escapes', () => {
    expect(safeReturnTo('/videos?t=%25250a', allowed)).toBeUndefined();
    expect(safeReturnTo('/videos?t=%252520', allowed)).toBe('/videos?t=%252520');
    // A `%` left after three rounds is refused whatever it would decode to: a line feed or a letter.
    expect(safeReturnTo('/videos?t=%2525250a', allowed)).toBeUndefined();
    expect(safeReturnTo('/videos?t=%25252541', allowed)).toBeUndefined();
    expect(safeReturnTo('https://app.example.com/videos?t=%2525250a', allowed)).toBeUndefined();
    expect(safeReturnPath('/videos?t=%2525250a')).toBeUndefined();
    expect(safeReturnPath('/videos?t=%252520')).toBe('/videos?t=%252520');
  });

  it('keeps targets up to 2048 characters', () => {
    const url = `https://app.example.com/${'a'.repeat(2024)}`;
    expect(url).toHaveLength(2048);
    expect(safeReturnTo(url, allowed)).toBe(url);
    expect(safeReturnTo(`${url}a`, allowed)).toBeUndefined();
  });

  it('accepts http: only with allowHttp', () => {
    const target = 'http://app.example.com/videos';
    expect(safeReturnTo(target, { ...allowed, allowHttp: true })).toBe(target);
    expect(safeReturnTo(target, { ...allowed, allowHttp: false })).toBeUndefined();
    expect(safeReturnTo(target, allowed)).toBeUndefined();
  });

  it('does not rely on the host list being clean: no userinfo or control character even in an allowed host', () => {
    // The configuration only lets lowercase host names through; this rule must hold without that.
    const hosts = { allowedHosts: ['app.example.com%40evil.com', 'app.example.com%0a'], allowHttp: true };
    expect(safeReturnTo('https://app.example.com%40evil.com/', hosts)).toBeUndefined();
    expect(safeReturnTo('http://app.example.com%40evil.com/', hosts)).toBeUndefined();
    expect(safeReturnTo('https://app.example.com%0a/', hosts)).toBeUndefined();
  });

  it('only ever accepts targets that every reading keeps on the site or an allowed host', () => {
    const tricky = fc.constantFrom(
      '/',
      '//',
      '\\',
      '%2F',
      '%2f',
      '%5C',
      '%252F',
      '%09',
      '\t',
      '\n',
      '%0A',
      'evil.com',
      'app.example.com',
      '@',
      ':',
      'https:',
      'http:',
      'javascript:',
      '?',
      '#',
      '.',
      '..',
      'a',
      '%',
      ' ',
      '%20',
      '%C2%85',
      '%E2%80%AE',
      '"',
      '<',
    );
    const soup = fc.array(tricky, { maxLength: 8 }).map((parts) => parts.join(''));
    // Mostly segments that pass, so that accepted targets are common; some that a reading turns into another site.
    const segment = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('videos', '42', 'a.b', '%20x', '%C3%A9', '~u', "it's", 'a@b', 'x:y') },
      { weight: 1, arbitrary: tricky },
    );
    const path = fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
    const query = fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.constantFrom('?t=10', '?next=https://evil.com/', '?a=%2F%2Fevil.com') },
      { weight: 1, arbitrary: soup.map((text) => `?${text}`) },
    );
    const absolute = fc
      .tuple(
        fc.oneof(
          { weight: 6, arbitrary: fc.constant('https://') },
          { weight: 3, arbitrary: fc.constant('http://') },
          { weight: 2, arbitrary: fc.constantFrom('HTTPS://', 'https:/', '//', 'javascript:alert(1)//https://') },
        ),
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('app.example.com', 'APP.Example.com') },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              'evil.com',
              'app.example.com@evil.com',
              'evil.com\\@app.example.com',
              'app.example.com:443',
              'app.example.com.evil.com',
            ),
          },
        ),
        fc.oneof(fc.constant(''), path),
        query,
      )
      .map((parts) => parts.join(''));
    const relative = fc.tuple(path, query).map((parts) => parts.join(''));
    const seen = { site: 0, https: 0, http: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(relative, absolute, soup), fc.boolean(), (target, allowHttp) => {
        const result = safeReturnTo(target, { ...allowed, allowHttp });
        if (result === undefined) {
          seen.refused++;
          return;
        }
        expect(result).toBe(target);
        const kept = allowHttp
          ? [SITE, 'https://app.example.com', 'http://app.example.com']
          : [SITE, 'https://app.example.com'];
        const read = origins(result);
        for (const origin of read) expect(kept).toContain(origin);
        // No reading may carry a control character into the Location header or a login page.
        for (const reading of readings(result)) expect(reading).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
        seen[read[0] === SITE ? 'site' : read[0] === 'http://app.example.com' ? 'http' : 'https']++;
      }),
      { numRuns: 3000 },
    );
    // Every branch is reached, so the property cannot hold by refusing everything.
    expect(seen.site).toBeGreaterThan(300);
    expect(seen.https).toBeGreaterThan(150);
    expect(seen.http).toBeGreaterThan(30);
    expect(seen.refused).toBeGreaterThan(600);
  });
});

describe('safeReturnPath', () => {
  it('accepts only same-site paths', () => {
    expect(safeReturnPath('/videos/42?t=1')).toBe('/videos/42?t=1');
    expect(safeReturnPath('https://app.example.com/')).toBeUndefined();
    expect(safeReturnPath('//evil.com')).toBeUndefined();
  });

  it('keeps paths up to 2048 characters when called on its own', () => {
    const path = `/${'a'.repeat(2047)}`;
    expect(safeReturnPath(path)).toBe(path);
    expect(safeReturnPath(`${path}a`)).toBeUndefined();
  });

  it('keeps every accepted path on the site under every reading (random strings)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`),
        (target) => {
          const result = safeReturnPath(target);
          if (result === undefined) return;
          for (const origin of origins(result)) expect(origin).toBe(SITE);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('network-path references, refused by the one canonical-path rule', () => {
  it.each(['//evil.com/x', '/%2F/evil.com', '/%5C/evil.com', '/%252F/evil.com'])(
    'refuses %s as a same-site path and as the path of an allowed absolute URL',
    (path) => {
      expect(safeReturnPath(path)).toBeUndefined();
      expect(safeReturnTo(`https://app.example.com${path}`, { allowedHosts: ['app.example.com'] })).toBeUndefined();
    },
  );
});

describe('raw characters outside printable ASCII, anywhere in the target (fifth outside review, Medium)', () => {
  it.each([
    '/x?\u010d\u010aSet-Cookie:session=evil',
    '/x#\u010a',
    '/x?caf\u00e9',
    'https://app.example.com/x?\u010aX:y',
    'https://app.example.com/x#\u00e9',
  ])('refuses %j, whose low bytes could become header text', (target) => {
    expect(safeReturnTo(target, { allowedHosts: ['app.example.com'] })).toBeUndefined();
    if (target.startsWith('/')) expect(safeReturnPath(target)).toBeUndefined();
  });

  it('keeps the same targets percent-encoded', () => {
    expect(safeReturnTo('/x?caf%C3%A9', { allowedHosts: [] })).toBe('/x?caf%C3%A9');
  });
});

describe('controls at any decoding, and characters a browser would escape (sixth outside review, Low)', () => {
  const hosts = { allowedHosts: ['app.example.com'] };

  it.each([
    ['/videos/1?%C2%85', 'U+0085 NEL, a C1 control'],
    ['/videos/1?%C2%9B', 'U+009B CSI, a C1 control'],
    ['/videos/1?%E2%80%AE', 'U+202E, a bidi override'],
    ['/videos/1?%E2%80%A8', 'U+2028, a line separator'],
    ['/videos/1?%E2%80%A9', 'U+2029, a paragraph separator'],
    ['/videos/1#%E2%80%8B', 'U+200B in the fragment'],
    ['/videos/1?%25C2%2585', 'NEL at the second decoding'],
    ['/videos/1?%252525C2%25252585', 'NEL at the third decoding'],
    ['https://app.example.com/x?%C2%85', 'NEL in an absolute URL'],
  ])('refuses %s (%s)', (target) => {
    expect(safeReturnTo(target, hosts)).toBeUndefined();
    if (target.startsWith('/')) expect(safeReturnPath(target)).toBeUndefined();
  });

  it.each([
    '/videos/1?"><svg/onload=alert(1)>',
    '/videos/1#"><img/src/onerror=alert(1)>',
    '/x?a=`alert(1)`',
    "/x?{{constructor.constructor('alert(1)')()}}",
    '/x?a<b',
    '/x?a>b',
    '/x?a="b"',
    'https://app.example.com/x?a="b"',
    'https://app.example.com/x?a={b}',
  ])('refuses the raw markup characters in %j', (target) => {
    expect(safeReturnTo(target, hosts)).toBeUndefined();
    if (target.startsWith('/')) expect(safeReturnPath(target)).toBeUndefined();
  });

  it('keeps what browsers send as is, and the same characters percent-encoded', () => {
    for (const target of [
      "/x?a=it's|b^c[d]",
      '/x?q=caf%C3%A9%20cr%C3%A8me',
      '/videos/1?%22%3E%3Csvg%3E',
      'https://app.example.com/x?a=%7Bb%7D',
    ]) {
      expect(safeReturnTo(target, hosts)).toBe(target);
    }
  });

  it('safeReturnPath refuses anything that is not a string, as safeReturnTo does', () => {
    for (const value of [undefined, null, 42, ['/a'], { path: '/a' }]) expect(safeReturnPath(value)).toBeUndefined();
  });
});
