import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchResource } from '../../../shared';

const RUNS = 1000;

const chars = (text: string) => fc.constantFrom(...text.split(''));
const HEX = '0123456789ABCDEF';
const percentByte = fc.tuple(chars(HEX), chars(HEX)).map(([a, b]) => `%${a}${b}`);
/** Characters a request path may hold besides `/`: unreserved, sub-delims (`*` included), `:`, `@`, %XX. */
const pathUnit = fc.oneof(
  { weight: 6, arbitrary: chars('abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-._~') },
  { weight: 1, arbitrary: chars("!$&'()*+,;=:@") },
  { weight: 1, arbitrary: percentByte },
);
/** Query text: path characters plus `/` and `?`. */
const queryUnit = fc.oneof({ weight: 8, arbitrary: pathUnit }, { weight: 1, arbitrary: chars('/?') });
/** A literal path section (no wildcard): segments joined by `/`. */
const literalPath = fc
  .array(fc.string({ unit: pathUnit, maxLength: 8 }), { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join('/').replaceAll('*', '%2A'));
const anyPath = fc.array(fc.string({ unit: pathUnit, maxLength: 8 }), { maxLength: 4 }).map((s) => s.join('/'));
const query = fc.string({ unit: queryUnit, minLength: 1, maxLength: 16 });
const label = fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: 1, maxLength: 8 });
const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
const scheme = fc.constantFrom('http', 'https');

describe('matchResource: a path prefix with a trailing *', () => {
  it('matches every URL under the prefix, with or without a query', () => {
    fc.assert(
      fc.property(scheme, host, literalPath, anyPath, fc.option(query), (s, h, prefix, rest, q) => {
        const url = `${s}://${h}/${prefix}/${rest}${q === null ? '' : `?${q}`}`;
        expect(matchResource(`${s}://${h}/${prefix}/*`, url)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('never matches a URL on another host, another scheme, or outside the prefix', () => {
    fc.assert(
      fc.property(
        scheme,
        host,
        host,
        literalPath,
        anyPath,
        fc.option(query),
        fc.constantFrom('host', 'scheme', 'prefix'),
        (s, h, other, prefix, rest, q, change) => {
          fc.pre(change !== 'host' || other !== h);
          const otherScheme = s === 'http' ? 'https' : 'http';
          const tail = `${rest}${q === null ? '' : `?${q}`}`;
          const url =
            change === 'host'
              ? `${s}://${other}/${prefix}/${tail}`
              : change === 'scheme'
                ? `${otherScheme}://${h}/${prefix}/${tail}`
                : `${s}://${h}/${prefix}x/${tail}`;
          expect(matchResource(`${s}://${h}/${prefix}/*`, url)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never lets a host be extended: a pattern host is not a prefix or suffix of the URL host', () => {
    fc.assert(
      fc.property(scheme, host, label, fc.boolean(), literalPath, (s, h, extra, before, path) => {
        const longer = before ? `${extra}.${h}` : `${h}.${extra}`;
        expect(matchResource(`${s}://${h}/*`, `${s}://${longer}/${path}`)).toBe(false);
        expect(matchResource(`${s}://${h}/*`, `${s}://${h}:443/${path}`)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('matchResource: wildcards inside one section', () => {
  it('lets * in the host match any labels but never a / (so never a path on another host)', () => {
    fc.assert(
      fc.property(scheme, host, host, host, literalPath, (s, suffix, sub, evil, path) => {
        // `evil` may itself be a subdomain of `suffix`; then the URL is rightly covered.
        fc.pre(!evil.endsWith(`.${suffix}`));
        const pattern = `${s}://*.${suffix}/*`;
        expect(matchResource(pattern, `${s}://${sub}.${suffix}/${path}`)).toBe(true);
        expect(matchResource(pattern, `${s}://${evil}/${sub}.${suffix}/${path}`)).toBe(false);
        expect(matchResource(pattern, `${s}://${evil}?.${suffix}/${path}`)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('lets ? match exactly one character, never zero or two', () => {
    fc.assert(
      fc.property(
        scheme,
        host,
        literalPath,
        literalPath,
        chars('abcXYZ019-._~!$'),
        fc.string({ unit: chars('abc019'), minLength: 2, maxLength: 4 }),
        (s, h, left, right, one, several) => {
          const pattern = `${s}://${h}/${left}?${right}`;
          expect(matchResource(pattern, `${s}://${h}/${left}${one}${right}`)).toBe(true);
          expect(matchResource(pattern, `${s}://${h}/${left}${right}`)).toBe(false);
          expect(matchResource(pattern, `${s}://${h}/${left}${several}${right}`)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keeps * in the path from reaching into the query', () => {
    fc.assert(
      fc.property(scheme, host, literalPath, literalPath, query, (s, h, left, right, q) => {
        // An empty `right` would leave a trailing *, which does cover the query.
        fc.pre(right.length > 0);
        const pattern = `${s}://${h}/${left}*${right}`;
        expect(matchResource(pattern, `${s}://${h}/${left}${right}`)).toBe(true);
        expect(matchResource(pattern, `${s}://${h}/${left}?${q}${right}`)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('matchResource: queries', () => {
  it('does not match a URL with a query added when the pattern has no trailing path * and no query section', () => {
    fc.assert(
      fc.property(scheme, host, literalPath, query, fc.boolean(), (s, h, path, q, innerStar) => {
        // A * inside the path (not at its end) must still stop at the query.
        const pattern = innerStar ? `${s}://${h}/*/${path}` : `${s}://${h}/${path}`;
        const url = `${s}://${h}/${innerStar ? 'x/' : ''}${path}`;
        expect(matchResource(pattern, url)).toBe(true);
        expect(matchResource(pattern, `${url}?${q}`)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('matches a query only through an escaped \\? section', () => {
    fc.assert(
      fc.property(scheme, host, literalPath, query, query, (s, h, path, q, other) => {
        const literal = q.replace(/[*?]/g, '');
        fc.pre(other !== literal);
        const url = `${s}://${h}/${path}`;
        const exact = `${url}\\?${literal}`;
        expect(matchResource(exact, `${url}?${literal}`)).toBe(true);
        expect(matchResource(exact, url)).toBe(false);
        expect(matchResource(exact, `${url}?${other}`)).toBe(false);
        expect(matchResource(`${url}\\?*`, `${url}?${other}`)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
