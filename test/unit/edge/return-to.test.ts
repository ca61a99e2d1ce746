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

  it('only ever accepts targets that every reading keeps on the site or an allowed host', () => {
    const token = fc.constantFrom(
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
    );
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 8 }).map((parts) => parts.join('')),
        (target) => {
          const result = safeReturnTo(target, allowed);
          if (result === undefined) return;
          for (const origin of origins(result)) expect([SITE, 'https://app.example.com']).toContain(origin);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('safeReturnPath', () => {
  it('accepts only same-site paths', () => {
    expect(safeReturnPath('/videos/42?t=1')).toBe('/videos/42?t=1');
    expect(safeReturnPath('https://app.example.com/')).toBeUndefined();
    expect(safeReturnPath('//evil.com')).toBeUndefined();
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
