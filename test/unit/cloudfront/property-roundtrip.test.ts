import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createKeyGroup,
  createVerifier,
  type Decision,
  type HashAlgorithm,
  type SignedRequest,
  signCookies,
  signUrl,
  verifySignedRequest,
} from '../../../shared';
import { ecKeyPair, NOW, rsaKeyPair } from '../../fixtures/keys';

// Keys are built once per file: generating RSA-2048 costs far more than every property below.
const rsa = rsaKeyPair();
const ec = ecKeyPair();
const SIGNERS = [
  { id: 'KRSAPROPERTY1', privateKey: rsa.privatePem },
  { id: 'KECPROPERTY2', privateKey: ec.privatePem },
] as const;
const keyGroup = createKeyGroup([
  { id: 'KRSAPROPERTY1', publicKey: rsa.publicPem },
  { id: 'KECPROPERTY2', publicKey: ec.publicPem },
]);

const SIGNING_RUNS = 150;

// ---------------------------------------------------------------------------------------------
// URL pieces. Everything a signer accepts is ASCII without spaces, so the generators stay there;
// percent-encoded bytes use both hex cases because the verifier must never normalise them.
// ---------------------------------------------------------------------------------------------
const chars = (text: string) => fc.constantFrom(...text.split(''));
const HEX = '0123456789ABCDEFabcdef';
const percentByte = fc.tuple(chars(HEX), chars(HEX)).map(([a, b]) => `%${a}${b}`);
const unreserved = chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~');
/** Path characters: unreserved, percent-encoded bytes and the sub-delims that carry no wildcard meaning. */
const pathUnit = fc.oneof(
  { weight: 6, arbitrary: unreserved },
  { weight: 2, arbitrary: percentByte },
  { weight: 1, arbitrary: chars("!$&'()+,;=:@") },
);
// Dot segments (also as %2e) are refused by the signer: clients resolve them before sending.
const segment = fc.string({ unit: pathUnit, minLength: 1, maxLength: 10 }).filter((s) => !/^(?:\.|%2e){1,2}$/i.test(s));
// Lowercase hosts without default ports: the spelling clients send, the only one the signer accepts.
const label = fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 8 });
const host = fc
  .tuple(
    fc.array(label, { minLength: 1, maxLength: 3 }),
    fc.option(fc.integer({ min: 1, max: 65535 }).filter((port) => port !== 80 && port !== 443)),
  )
  // A letter TLD: WHATWG URL parsing reads a numeric last label as an IPv4 address.
  .map(([labels, port]) => `${labels.join('.')}.example${port === null ? '' : `:${port}`}`);
const scheme = fc.constantFrom('http', 'https');

const SIGNING_NAMES = new Set(['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']);
const paramName = fc
  .string({ unit: fc.oneof({ weight: 5, arbitrary: unreserved }, { weight: 1, arbitrary: percentByte }), minLength: 1 })
  .filter((name) => !SIGNING_NAMES.has(name));
// No literal `*`: in a custom policy built from the URL it is a wildcard (see property-tamper.test.ts).
const paramValue = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: unreserved },
    { weight: 2, arbitrary: percentByte },
    // No raw `'`: WHATWG URL (browsers, fetch) sends it as %27 in a query, so the signer refuses it.
    { weight: 1, arbitrary: chars('!$()+,;=:@/?') },
  ),
  maxLength: 12,
});
/** One query piece: `name`, `name=` or `name=value`, in whatever order they were generated. */
const queryPiece = fc
  .tuple(paramName, fc.option(paramValue))
  .map(([name, value]) => (value === null ? name : `${name}=${value}`));
/** The user's own query, without `?`; empty when there is none. */
const userQuery = fc.oneof(
  fc.constant(''),
  fc.array(queryPiece, { minLength: 1, maxLength: 5 }).map((pieces) => pieces.join('&')),
);

// ---------------------------------------------------------------------------------------------
// Validity windows and viewer IPs.
// ---------------------------------------------------------------------------------------------
interface Window {
  readonly expires: number;
  readonly notBefore: number | undefined;
  /** A second strictly inside (notBefore, expires). */
  readonly inside: number;
  /** A second at or after expires. */
  readonly expired: number;
  /** A second at or before notBefore (only meaningful when notBefore is set). */
  readonly early: number;
}

const window = fc
  .record({
    lifetime: fc.integer({ min: 2, max: 30 * 86400 }),
    startBeforeExpiry: fc.option(fc.integer({ min: 2, max: 60 * 86400 }), { nil: undefined }),
    insidePick: fc.nat(),
    lateBy: fc.integer({ min: 0, max: 10 * 86400 }),
    earlyBy: fc.integer({ min: 0, max: 10 * 86400 }),
  })
  .map(({ lifetime, startBeforeExpiry, insidePick, lateBy, earlyBy }): Window => {
    const expires = NOW + lifetime;
    const notBefore = startBeforeExpiry === undefined ? undefined : expires - startBeforeExpiry;
    // Requests may arrive before the signing clock (skew) as long as they are inside the policy window.
    const low = notBefore === undefined ? NOW - 3600 : notBefore + 1;
    const high = expires - 1;
    return {
      expires,
      notBefore,
      inside: low + (insidePick % (high - low + 1)),
      expired: expires + lateBy,
      early: (notBefore ?? 0) - earlyBy,
    };
  });

interface IpCase {
  /** What the signer is given: a CIDR, or a bare address for a /32. */
  readonly signed: string;
  readonly inside: string;
  /** An address outside the block; `undefined` for /0, which covers every address. */
  readonly outside: string | undefined;
}

const dotted = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

const ipCase = fc
  .record({
    address: fc.integer({ min: 0, max: 0xffffffff }),
    prefix: fc.integer({ min: 0, max: 32 }),
    hostBits: fc.integer({ min: 0, max: 0xffffffff }),
    flip: fc.nat(),
    bare: fc.boolean(),
    mapped: fc.boolean(),
  })
  .map(({ address, prefix, hostBits, flip, bare, mapped }): IpCase => {
    const mask = maskOf(prefix);
    const network = (address & mask) >>> 0;
    const inside = (network | (hostBits & ~mask)) >>> 0;
    const outside = prefix === 0 ? undefined : (inside ^ (2 ** (31 - (flip % prefix)))) >>> 0;
    return {
      signed: prefix === 32 && bare ? dotted(network) : `${dotted(network)}/${prefix}`,
      // Node servers report IPv4 peers as ::ffff:a.b.c.d; both spellings are the same viewer.
      inside: (mapped ? '::ffff:' : '') + dotted(inside),
      outside: outside === undefined ? undefined : dotted(outside),
    };
  });

// ---------------------------------------------------------------------------------------------
// A signed request, by URL or by cookie, with what the verifier should report for it.
// ---------------------------------------------------------------------------------------------
interface SignedCase {
  readonly kind: 'url' | 'cookie';
  /** Builds the request as it arrives from a viewer at `clientIp`. */
  readonly request: (clientIp: string | undefined) => SignedRequest;
  /** The URL the viewer asked for, without signing params. */
  readonly resourceUrl: string;
  readonly userQuery: string;
  readonly window: Window;
  readonly ip: IpCase | undefined;
  readonly canned: boolean;
  readonly hash: HashAlgorithm;
}

const common = fc.record({
  signer: fc.constantFrom(...SIGNERS),
  hash: fc.constantFrom<HashAlgorithm>('sha1', 'sha256'),
  window,
  ip: fc.option(ipCase, { nil: undefined }),
  scheme,
  host,
  query: userQuery,
});

type Common = typeof common extends fc.Arbitrary<infer T> ? T : never;

function signOptions(c: Common) {
  return {
    keyPairId: c.signer.id,
    privateKey: c.signer.privateKey,
    expires: c.window.expires,
    notBefore: c.window.notBefore,
    ipAddress: c.ip?.signed,
    hashAlgorithm: c.hash,
    now: NOW,
  };
}

/** Signed URLs: canned, custom (start time or IP), or custom over a path prefix (`resource`). */
const signedUrlCase = fc
  .record({
    common,
    segments: fc.array(segment, { minLength: 1, maxLength: 5 }),
    prefixResource: fc.boolean(),
  })
  .map(({ common: c, segments, prefixResource }): SignedCase => {
    const base = `${c.scheme}://${c.host}/${segments.join('/')}`;
    const url = c.query === '' ? base : `${base}?${c.query}`;
    const usePrefix = prefixResource && segments.length > 1;
    const resource = usePrefix ? `${c.scheme}://${c.host}/${segments[0]}/*` : undefined;
    const signed = signUrl(url, { ...signOptions(c), resource });
    return {
      kind: 'url',
      request: (clientIp) => ({ url: signed, clientIp }),
      resourceUrl: url,
      userQuery: c.query,
      window: c.window,
      ip: c.ip,
      canned: !usePrefix && c.window.notBefore === undefined && c.ip === undefined,
      hash: c.hash,
    };
  });

const otherCookie = fc
  .tuple(
    fc.string({ unit: unreserved, minLength: 1, maxLength: 8 }).filter((name) => !name.startsWith('CloudFront')),
    fc.string({ unit: unreserved, maxLength: 12 }),
  )
  .map(([name, value]) => `${name}=${value}`);

/** Signed cookies over a wildcard prefix, sent with unrelated cookies in any order, in one or several headers. */
const signedCookieCase = fc
  .record({
    common,
    prefix: fc.array(segment, { minLength: 1, maxLength: 3 }),
    below: fc.array(segment, { minLength: 0, maxLength: 3 }),
    others: fc.array(otherCookie, { maxLength: 4 }),
    order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
    headers: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ common: c, prefix, below, others, order, headers }): SignedCase => {
    const origin = `${c.scheme}://${c.host}`;
    const resource = `${origin}/${prefix.join('/')}/*`;
    const base = `${origin}/${[...prefix, ...below].join('/')}${below.length === 0 ? '/' : ''}`;
    const url = c.query === '' ? base : `${base}?${c.query}`;
    const cookies = signCookies(resource, signOptions(c));
    const pairs = [...Object.entries(cookies).map(([name, value]) => `${name}=${value}`), ...others];
    const shuffled = pairs
      .map((pair, i) => ({ pair, rank: order[i] ?? 0 }))
      .sort((a, b) => a.rank - b.rank)
      .map(({ pair }) => pair);
    const per = Math.ceil(shuffled.length / headers);
    const split: string[] = [];
    for (let i = 0; i < shuffled.length; i += per) split.push(shuffled.slice(i, i + per).join('; '));
    const cookie = split.length === 1 ? (split[0] as string) : split;
    return {
      kind: 'cookie',
      request: (clientIp) => ({ url, cookie, clientIp }),
      resourceUrl: url,
      userQuery: c.query,
      window: c.window,
      ip: c.ip,
      canned: false,
      hash: c.hash,
    };
  });

const signedCase = fc.oneof(signedUrlCase, signedCookieCase);

const decide = (request: SignedRequest, now: number): Decision => verifySignedRequest(request, { now, keyGroup });

describe('verifySignedRequest: sign → verify round trip', () => {
  it('allows any URL or cookie signed with a valid window, key and IP, at any second inside the window', () => {
    fc.assert(
      fc.property(signedCase, (c) => {
        const decision = decide(c.request(c.ip?.inside), c.window.inside);
        expect(decision).toMatchObject({
          allowed: true,
          reason: 'ok',
          code: 'OK',
          source: c.kind,
          canned: c.canned,
          hashAlgorithm: c.hash,
          signatureChecked: true,
        });
      }),
      { numRuns: SIGNING_RUNS },
    );
  });

  it('hands back the original URL and user query byte for byte, signing params stripped and nothing re-encoded', () => {
    fc.assert(
      fc.property(signedCase, (c) => {
        const decision = decide(c.request(c.ip?.inside), c.window.inside);
        expect(decision.resourceUrl).toBe(c.resourceUrl);
        expect(decision.userQuery).toBe(c.userQuery);
      }),
      { numRuns: SIGNING_RUNS },
    );
  });

  it('denies as expired from the expiry second on', () => {
    fc.assert(
      fc.property(signedCase, (c) => {
        expect(decide(c.request(c.ip?.inside), c.window.expired)).toMatchObject({
          allowed: false,
          reason: 'expired',
          code: 'AccessDenied',
        });
      }),
      { numRuns: SIGNING_RUNS },
    );
  });

  it('denies as not yet valid up to and including the start second', () => {
    const withStart = signedCase.filter((c) => c.window.notBefore !== undefined);
    fc.assert(
      fc.property(withStart, (c) => {
        expect(decide(c.request(c.ip?.inside), c.window.early)).toMatchObject({
          allowed: false,
          reason: 'not-yet-valid',
          code: 'AccessDenied',
        });
      }),
      { numRuns: SIGNING_RUNS },
    );
  });

  it('denies a viewer whose IP is outside the policy CIDR, or unknown', () => {
    const withIp = signedCase.filter((c) => c.ip?.outside !== undefined);
    fc.assert(
      fc.property(withIp, (c) => {
        const outside = decide(c.request(c.ip?.outside), c.window.inside);
        expect(outside).toMatchObject({ allowed: false, reason: 'ip-mismatch', code: 'AccessDenied' });
        expect(decide(c.request(undefined), c.window.inside)).toMatchObject({ allowed: false, reason: 'ip-mismatch' });
      }),
      { numRuns: SIGNING_RUNS },
    );
  });
});

describe('createVerifier', () => {
  it('decides exactly as verifySignedRequest, on the first call and on cached repeats', () => {
    fc.assert(
      fc.property(signedCase, (c) => {
        const verifier = createVerifier(keyGroup);
        const scenarios: [SignedRequest, number][] = [
          [c.request(c.ip?.inside), c.window.inside],
          [c.request(c.ip?.inside), c.window.inside],
          [c.request(c.ip?.inside), c.window.expired],
        ];
        if (c.window.notBefore !== undefined) scenarios.push([c.request(c.ip?.inside), c.window.early]);
        if (c.ip?.outside !== undefined) scenarios.push([c.request(c.ip.outside), c.window.inside]);
        scenarios.push([c.request(c.ip?.inside), c.window.inside]);
        for (const [request, now] of scenarios) {
          const expected = decide(request, now);
          expect(verifier(request, now)).toEqual(expected);
          expect(verifier(request, now)).toEqual(expected);
        }
        expect(verifier.cache.size).toBe(1);
      }),
      { numRuns: SIGNING_RUNS },
    );
  });
});
