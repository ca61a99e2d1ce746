import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cannedPolicy,
  cidrText,
  cloudFrontCode,
  createKeyGroup,
  customPolicy,
  DENIAL_REASONS,
  type DenialReason,
  decodeCloudFrontBase64,
  EdgepassError,
  encodeCloudFrontBase64,
  MAX_EPOCH_SECONDS,
  matchResource,
  type Policy,
  parseIpv4Cidr,
  parsePolicy,
  parseWhen,
  SIGNING_COOKIES,
  SIGNING_PARAMS,
  type SignedCookies,
  signCookies,
  signingCookies,
  signUrl,
  splitSigningParams,
  VerifiedSignatureCache,
  verifySignedRequest,
} from '../../../shared';
import { ecKeyPair, NOW, rsaKeyPair } from '../../fixtures/keys';

const PARSER_RUNS = 1000;

const chars = (text: string) => fc.constantFrom(...text.split(''));
/** Any text: every code point (lone surrogates aside), control characters included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
);
const CF_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~';
const cfBase64ish = fc.string({ unit: chars(CF_ALPHABET), maxLength: 120 });
const dotted = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const epoch = fc.integer({ min: 0, max: MAX_EPOCH_SECONDS });

describe('decodeCloudFrontBase64', () => {
  it('decodes whatever encodeCloudFrontBase64 encodes, byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
        const decoded = decodeCloudFrontBase64(encodeCloudFrontBase64(bytes));
        expect(decoded).toBeDefined();
        expect(Buffer.compare(decoded as Buffer, Buffer.from(bytes))).toBe(0);
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('never throws, and accepts only the one canonical CloudFront spelling of some bytes', () => {
    fc.assert(
      fc.property(fc.oneof(cfBase64ish, anyText), (text) => {
        const decoded = decodeCloudFrontBase64(text);
        if (decoded !== undefined) expect(encodeCloudFrontBase64(decoded)).toBe(text);
      }),
      { numRuns: PARSER_RUNS * 3 },
    );
  });

  it('refuses any text holding a standard base64 character (+ / =)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(),
        chars('+/='),
        fc.boolean(),
        (bytes, at, standard, replace) => {
          const text = encodeCloudFrontBase64(bytes);
          const i = at % text.length;
          const changed = text.slice(0, i) + standard + text.slice(replace ? i + 1 : i);
          expect(decodeCloudFrontBase64(changed)).toBeUndefined();
        },
      ),
      { numRuns: PARSER_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/** A part of a policy document and whether CloudFront accepts it; `undefined` value = key absent. */
interface Part {
  readonly value: unknown;
  readonly valid: boolean;
}
const ok = (value: unknown): Part => ({ value, valid: true });
const bad = (value: unknown): Part => ({ value, valid: false });

const badEpoch = fc.oneof(
  fc.integer({ min: -1e12, max: -1 }),
  fc.integer({ min: MAX_EPOCH_SECONDS + 1, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  epoch.map(String),
  fc.constantFrom(null, true, [], {}),
);
const epochCondition = (required: boolean): fc.Arbitrary<Part> =>
  fc.oneof(
    epoch.map((seconds) => ok({ 'AWS:EpochTime': seconds })),
    badEpoch.map((seconds) => bad({ 'AWS:EpochTime': seconds })),
    epoch.map((seconds) => bad({ 'AWS:EpochTime': seconds, 'AWS:Other': 1 })),
    fc.constant(bad({})),
    fc.constantFrom(null, 1, 'x').map(bad),
    fc.constant(required ? bad(undefined) : ok(undefined)),
  );
const sourceIpText = fc
  .tuple(uint32, fc.integer({ min: 0, max: 32 }), fc.boolean())
  .map(([address, prefix, bare]) => (bare ? dotted(address) : `${dotted(address)}/${prefix}`));
const ipCondition: fc.Arbitrary<Part> = fc.oneof(
  fc.constant(ok(undefined)),
  sourceIpText.map((ip) => ok({ 'AWS:SourceIp': ip })),
  fc
    .constantFrom('2001:db8::/32', '::ffff:1.2.3.4', '1.2.3.4/33', '01.2.3.4', '1.2.3', '256.1.1.1', '1.2.3.4/', '')
    .map((ip) => bad({ 'AWS:SourceIp': ip })),
  sourceIpText.map((ip) => bad({ 'AWS:SourceIp': ip, 'AWS:Extra': ip })),
  fc.constantFrom(null, 'x', 42).map((ip) => bad({ 'AWS:SourceIp': ip })),
  fc.constant(bad(null)),
);
const resourcePart: fc.Arbitrary<Part> = fc.oneof(
  fc.constant(ok(undefined)),
  anyText.map(ok),
  fc.constantFrom(null, 1, ['https://a/'], { url: 'x' }).map(bad),
);

/** A policy-shaped document, right or wrong in any of its parts, with the verdict CloudFront gives it. */
const policyDocument = fc
  .record({
    resource: resourcePart,
    lessThan: epochCondition(true),
    greaterThan: epochCondition(false),
    ip: ipCondition,
    extraCondition: fc.boolean(),
    extraStatement: fc.boolean(),
    extraTop: fc.boolean(),
    statements: fc.constantFrom(0, 1, 1, 1, 2),
    array: fc.boolean(),
  })
  .map((d) => {
    const condition: Record<string, unknown> = {
      DateLessThan: d.lessThan.value,
      DateGreaterThan: d.greaterThan.value,
      IpAddress: d.ip.value,
    };
    if (d.extraCondition) condition.DateLessThanEquals = { 'AWS:EpochTime': 1 };
    const statement: Record<string, unknown> = { Resource: d.resource.value, Condition: condition };
    if (d.extraStatement) statement.Effect = 'Allow';
    const list = Array.from({ length: d.statements }, () => statement);
    const doc: Record<string, unknown> = { Statement: d.array ? list : statement };
    if (d.extraTop) doc.Version = '2012-10-17';
    const valid =
      d.resource.valid &&
      d.lessThan.valid &&
      d.greaterThan.valid &&
      d.ip.valid &&
      !d.extraCondition &&
      !d.extraStatement &&
      !d.extraTop &&
      d.array &&
      d.statements === 1;
    return { text: JSON.stringify(doc), valid };
  });

function expectWellFormed(policy: Policy): void {
  expect(policy.resource === undefined || typeof policy.resource === 'string').toBe(true);
  for (const seconds of [policy.dateLessThan, policy.dateGreaterThan ?? 0]) {
    expect(Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_EPOCH_SECONDS).toBe(true);
  }
  if (policy.sourceIp !== undefined) {
    const { network, prefix } = policy.sourceIp;
    expect(prefix >= 0 && prefix <= 32 && (network & ~maskOf(prefix)) === 0).toBe(true);
    expect(cidrText(policy.sourceIp)).toBe(`${dotted(network)}/${prefix}`);
  }
}

describe('parsePolicy', () => {
  it('never throws on any text, long or short', () => {
    const long = fc.tuple(anyText, fc.integer({ min: 8000, max: 9000 })).map(([t, n]) => t.padEnd(n, '['));
    fc.assert(
      fc.property(fc.oneof(anyText, long), (text) => {
        const policy = parsePolicy(text);
        if (policy !== undefined) expectWellFormed(policy);
      }),
      { numRuns: PARSER_RUNS * 2 },
    );
  });

  it('never throws on any JSON value, and returns only well-formed policies', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const policy = parsePolicy(JSON.stringify(value) ?? '');
        if (policy !== undefined) expectWellFormed(policy);
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('accepts a policy-shaped document exactly when every part of it is one CloudFront accepts', () => {
    fc.assert(
      fc.property(policyDocument, ({ text, valid }) => {
        const policy = parsePolicy(text);
        expect(policy !== undefined).toBe(valid);
        if (policy !== undefined) expectWellFormed(policy);
      }),
      { numRuns: PARSER_RUNS * 2 },
    );
  });

  it('reads back every canned policy with the same resource and expiry', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), epoch, (resource, expires) => {
        expect(parsePolicy(cannedPolicy(resource, expires))).toEqual({ resource, dateLessThan: expires });
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('reads back every custom policy with the same resource, times and IP range', () => {
    const sourceIp = fc
      .tuple(uint32, fc.integer({ min: 0, max: 32 }))
      .map(([address, prefix]) => parseIpv4Cidr(`${dotted(address)}/${prefix}`));
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: undefined }),
        epoch,
        fc.option(epoch, { nil: undefined }),
        fc.option(sourceIp, { nil: undefined }),
        (resource, dateLessThan, dateGreaterThan, ip) => {
          const policy: Policy = { resource, dateLessThan, dateGreaterThan, sourceIp: ip };
          expect(parsePolicy(customPolicy(policy))).toEqual(policy);
        },
      ),
      { numRuns: PARSER_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Cookie headers, query strings, IPs, resource patterns, times
// ---------------------------------------------------------------------------------------------

const cookieValue = fc.oneof(
  fc.string({ unit: chars(`${CF_ALPHABET}=.%"`), maxLength: 40 }).filter((v) => v.trim() === v),
  fc.string({ unit: chars(CF_ALPHABET), maxLength: 40 }).map((v) => `"${v}"`),
);
const cookieName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SIGNING_COOKIES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'cloudfront-policy',
      'CloudFront-Policyx',
      'xCloudFront-Signature',
      'session',
      'CloudFront',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: chars('abcXYZ019-_.'), minLength: 1, maxLength: 8 }) },
);
const separator = fc.constantFrom(';', '; ', ';  ', ';\t', ' ; ', ';;', '; ;');

describe('signingCookies', () => {
  it('never throws on any Cookie header or list of headers, and reports only CloudFront cookies', () => {
    const huge = fc
      .tuple(fc.constantFrom(...SIGNING_COOKIES), fc.integer({ min: 19000, max: 40000 }))
      .map(([name, size]) => `${name}=${'A'.repeat(size)}; ${name}=B`);
    const header = fc.oneof(
      anyText,
      huge,
      fc.array(fc.tuple(cookieName, anyText), { maxLength: 8 }).map((pairs) => pairs.map((p) => p.join('=')).join(';')),
    );
    fc.assert(
      fc.property(fc.oneof(header, fc.array(header, { maxLength: 4 }), fc.constant(undefined)), (input) => {
        const found = signingCookies(input);
        for (const [name, value] of Object.entries(found)) {
          expect(SIGNING_COOKIES).toContain(name);
          expect(typeof value).toBe('string');
          expect(value).not.toContain(';');
        }
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('reads the first value of each CloudFront cookie, whatever the separators, neighbours and header split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cookieName, cookieValue, separator), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        (pairs, cut) => {
          const pieces = pairs.map(([name, value]) => `${name}=${value}`);
          const text = pairs.map(([, , sep], i) => (i === 0 ? '' : sep) + pieces[i]).join('');
          const expected: Record<string, string> = {};
          for (const [name, value] of pairs) {
            if (!(SIGNING_COOKIES as readonly string[]).includes(name) || name in expected) continue;
            expected[name] =
              value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
          }
          expect(signingCookies(text)).toEqual(expected);
          const at = cut % pieces.length;
          const headers = [pieces.slice(0, at).join('; '), pieces.slice(at).join('; ')].filter((h) => h !== '');
          expect(signingCookies(headers)).toEqual(expected);
        },
      ),
      { numRuns: PARSER_RUNS },
    );
  });
});

const queryNames = fc.oneof(
  fc.constantFrom(...SIGNING_PARAMS),
  fc.constantFrom('expires', 'Signature2', 'XExpires', 'Key-Pair', 'Policy%3D', ''),
  fc.string({ unit: chars('abcXYZ%2=-'), maxLength: 6 }),
);
const queryText = fc.oneof(
  anyText,
  fc
    .array(fc.tuple(queryNames, fc.option(fc.string({ unit: chars('ab=%7E~&'), maxLength: 6 }))), { maxLength: 8 })
    .map((pieces) => pieces.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join('&')),
);

describe('splitSigningParams', () => {
  it('never throws, keeps every other piece in order, and takes the first value of each signing param', () => {
    const names = SIGNING_PARAMS as readonly string[];
    fc.assert(
      fc.property(queryText, (query) => {
        const split = splitSigningParams(query);
        const pieces = query.length === 0 ? [] : query.split('&');
        const nameOf = (piece: string) => (piece.includes('=') ? piece.slice(0, piece.indexOf('=')) : piece);
        const signing = pieces.filter((p) => names.includes(nameOf(p)));
        const signed = signing.some((p) => nameOf(p) !== 'Hash-Algorithm');
        expect(split.signed).toBe(signed);
        if (!signed) {
          expect(split.userQuery).toBe(query);
          expect(split.values).toEqual({});
          return;
        }
        expect(split.userQuery).toBe(pieces.filter((p) => !names.includes(nameOf(p))).join('&'));
        const expected: Record<string, string> = {};
        for (const piece of signing) expected[nameOf(piece)] ??= piece.slice(nameOf(piece).length + 1);
        expect(split.values).toEqual(expected);
      }),
      { numRuns: PARSER_RUNS * 2 },
    );
  });
});

describe('parseIpv4Cidr', () => {
  it('never throws, and returns only canonical blocks with the host bits cleared', () => {
    const ipish = fc.oneof(
      anyText,
      fc.string({ unit: chars('0123456789./:'), maxLength: 20 }),
      sourceIpText.map((t) => t.replace(/\d/, (d) => `0${d}`)),
    );
    fc.assert(
      fc.property(ipish, fc.boolean(), (text, strict) => {
        const cidr = parseIpv4Cidr(text, strict);
        if (cidr === undefined) return;
        expect(cidr.prefix >= 0 && cidr.prefix <= 32 && (cidr.network & ~maskOf(cidr.prefix)) === 0).toBe(true);
        expect(cidrText(cidr)).toBe(`${dotted(cidr.network)}/${cidr.prefix}`);
        expect(parseIpv4Cidr(cidrText(cidr), true)).toEqual(cidr);
      }),
      { numRuns: PARSER_RUNS * 2 },
    );
  });

  it('reads every dotted quad and prefix, clearing host bits unless strict, where it refuses them', () => {
    fc.assert(
      fc.property(uint32, fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const network = (address & maskOf(prefix)) >>> 0;
        const text = `${dotted(address)}/${prefix}`;
        expect(parseIpv4Cidr(text)).toEqual({ network, prefix });
        expect(parseIpv4Cidr(text, true)).toEqual(network === address ? parseIpv4Cidr(text) : undefined);
        expect(parseIpv4Cidr(dotted(address))).toEqual({ network: address, prefix: 32 });
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('refuses octets with leading zeros or above 255, and prefixes above 32', () => {
    const broken = fc
      .tuple(uint32, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 999 }))
      .map(([address, octet, how, n]) => {
        const parts = dotted(address).split('.');
        if (how === 2) return `${dotted(address)}/${32 + n}`;
        parts[octet] = how === 0 ? `0${parts[octet]}` : String(255 + n);
        return parts.join('.');
      });
    fc.assert(
      fc.property(broken, (text) => {
        expect(parseIpv4Cidr(text)).toBeUndefined();
      }),
      { numRuns: PARSER_RUNS },
    );
  });
});

describe('matchResource', () => {
  const wildText = (max: number) =>
    fc.oneof(
      fc.string({ unit: chars('*?/\\:.abh-'), maxLength: max }),
      fc.string({ unit: 'binary', maxLength: max }),
      fc
        .tuple(fc.constantFrom('', 'https://', '*://', 'http://h/', 'https://h/a/'), fc.string({ maxLength: max }))
        .map(([a, b]) => a + b),
    );

  it('never throws on any pattern and URL, and answers a boolean', () => {
    fc.assert(
      fc.property(wildText(24), wildText(48), (pattern, url) => {
        expect(typeof matchResource(pattern, url)).toBe('boolean');
      }),
      { numRuns: PARSER_RUNS * 2 },
    );
  });

  it('matches any plain URL (no * or ?) against itself', () => {
    const noWild = (unit: fc.Arbitrary<string> | 'binary', min: number) =>
      fc.string({ unit, minLength: min, maxLength: 30 }).filter((t) => !/[*?]/.test(t));
    const url = fc
      .tuple(
        fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 6 }),
        noWild('binary', 1).filter((host) => !host.includes('/')),
        noWild('binary', 0),
      )
      .map(([scheme, host, path]) => `${scheme}://${host}/${path}`);
    fc.assert(
      fc.property(url, (plain) => {
        expect(matchResource(plain, plain)).toBe(true);
      }),
      { numRuns: PARSER_RUNS },
    );
  });
});

describe('parseWhen', () => {
  const whenish = fc.oneof(
    anyText,
    fc.tuple(fc.stringMatching(/^\+\d{1,10}$/), chars('smhdwy')).map(([n, u]) => n + u),
    fc.stringMatching(/^\d{1,14}$/),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.stringMatching(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$/),
  );

  it('throws nothing but EdgepassError INVALID_TIME, whatever the text', () => {
    fc.assert(
      fc.property(whenish, fc.integer({ min: 0, max: MAX_EPOCH_SECONDS }), (text, now) => {
        try {
          expect(Number.isInteger(parseWhen(text, now))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(EdgepassError);
          expect((error as EdgepassError).code).toBe('INVALID_TIME');
        }
      }),
      { numRuns: PARSER_RUNS * 2 },
    );
  });

  it('reads +Ns, +Nm, +Nh and +Nd relative to now', () => {
    const UNIT = { s: 1, m: 60, h: 3600, d: 86400 } as const;
    fc.assert(
      fc.property(fc.constantFrom('s', 'm', 'h', 'd'), fc.nat(), (unit, pick) => {
        const n = pick % (Math.floor((MAX_EPOCH_SECONDS - NOW) / UNIT[unit]) + 1);
        expect(parseWhen(`+${n}${unit}`, NOW)).toBe(NOW + n * UNIT[unit]);
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('reads epoch seconds and ISO 8601 UTC for every second CloudFront accepts', () => {
    fc.assert(
      fc.property(epoch, fc.integer({ min: 0, max: 999 }), (seconds, ms) => {
        expect(parseWhen(String(seconds), NOW)).toBe(seconds);
        expect(parseWhen(` ${seconds}\n`, NOW)).toBe(seconds);
        expect(parseWhen(new Date(seconds * 1000 + ms).toISOString(), NOW)).toBe(seconds);
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('refuses epoch milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1e11, max: Number.MAX_SAFE_INTEGER }), (ms) => {
        expect(() => parseWhen(String(ms), NOW)).toThrow(expect.objectContaining({ code: 'INVALID_TIME' }));
      }),
      { numRuns: PARSER_RUNS },
    );
  });

  it('never returns a time CloudFront refuses (before 1970 or after 2038-01-19T03:14:07Z): it throws INVALID_TIME instead', () => {
    fc.assert(
      fc.property(whenish, (text) => {
        let seconds: number;
        try {
          seconds = parseWhen(text, NOW);
        } catch (error) {
          expect((error as EdgepassError).code).toBe('INVALID_TIME');
          return;
        }
        expect(seconds).toBeGreaterThanOrEqual(0);
        expect(seconds).toBeLessThanOrEqual(MAX_EPOCH_SECONDS);
      }),
      { numRuns: PARSER_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The verifier on arbitrary requests
// ---------------------------------------------------------------------------------------------

const rsa = rsaKeyPair();
const ec = ecKeyPair();
const keyGroup = createKeyGroup([
  { id: 'KRSAPARSE1', publicKey: rsa.publicPem },
  { id: 'KECPARSE2', publicKey: ec.publicPem },
]);
const base = { keyPairId: 'KRSAPARSE1', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW };
// Signed before each test of the verifier, not while the file loads: a signer that throws must fail
// tests (a file that fails to load fails none, and Stryker then counts the mutant as surviving).
let realUrls: string[] = [];
let realCookies: SignedCookies[] = [];
let realValues: string[] = [];
function signRealSamples(): void {
  realUrls = [
    signUrl('https://cdn.example.com/a.mp4?x=1', base),
    signUrl('https://cdn.example.com/b.mp4', { ...base, ipAddress: '10.0.0.0/8', hashAlgorithm: 'sha256' }),
    signUrl('https://cdn.example.com/c/d.ts', {
      ...base,
      keyPairId: 'KECPARSE2',
      privateKey: ec.privatePem,
      notBefore: NOW - 60,
    }),
  ];
  realCookies = [
    signCookies('https://cdn.example.com/videos/*', base),
    signCookies('https://cdn.example.com/videos/*', {
      ...base,
      keyPairId: 'KECPARSE2',
      privateKey: ec.privatePem,
      hashAlgorithm: 'sha256',
    }),
  ];
  realValues = [
    ...realUrls.flatMap((u) => (u.split('?')[1] ?? '').split('&').map((p) => p.slice(p.indexOf('=') + 1))),
    ...realCookies.flatMap((c) => Object.values(c)),
  ];
}
/** One of the signed samples, read when a value is generated (inside a test). */
const sampleOf = <T>(samples: () => readonly T[]) => fc.constant(null).chain(() => fc.constantFrom(...samples()));

const signingValue = fc.oneof(
  anyText,
  cfBase64ish,
  fc.uint8Array({ maxLength: 300 }).map(encodeCloudFrontBase64),
  policyDocument.map(({ text }) => encodeCloudFrontBase64(text)),
  sampleOf(() => realValues),
  fc.constantFrom('SHA1', 'SHA256', 'sha256', 'KRSAPARSE1', 'KECPARSE2', 'K%52SAPARSE1', '%', '%E0%A4%A', '1795867800'),
);
const urlText = fc.oneof(
  anyText,
  sampleOf(() => realUrls),
  fc
    .tuple(
      fc.constantFrom('https://cdn.example.com/a.mp4', 'https://cdn.example.com/videos/x.ts', 'http://h', ''),
      fc.array(fc.tuple(queryNames, fc.option(signingValue)), { maxLength: 6 }),
      fc.constantFrom('?', '?a=1&', '#?'),
    )
    .map(([path, pieces, sep]) => `${path}${sep}${pieces.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join('&')}`),
);
const cookieHeader = fc.oneof(
  fc.constant(undefined),
  anyText,
  sampleOf(() => realCookies.map((c) => Object.entries(c).map(([n, v]) => `${n}=${v}`))),
  fc
    .array(fc.tuple(cookieName, signingValue), { maxLength: 6 })
    .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('; ')),
);
const clientIp = fc.oneof(
  fc.constant(undefined),
  anyText,
  fc.ipV4(),
  fc.ipV4().map((ip) => `::ffff:${ip}`),
  fc.ipV6(),
  fc.constantFrom('10.1.2.3', '::ffff:10.1.2.3'),
);
const clock = fc.oneof(
  fc.integer({ min: NOW - 120, max: NOW + 1200 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, MAX_EPOCH_SECONDS, -1),
);
const REASONS: readonly string[] = [...DENIAL_REASONS, 'ok'];

describe('verifySignedRequest', () => {
  beforeEach(signRealSamples);

  it('never throws on arbitrary URLs, cookies, viewer IPs and clocks, and always names a known reason and code', () => {
    const cache = new VerifiedSignatureCache(64);
    fc.assert(
      fc.property(
        urlText,
        cookieHeader,
        clientIp,
        clock,
        fc.constantFrom('keys', 'cached', 'none'),
        (url, cookie, ip, now, mode) => {
          const decision = verifySignedRequest(
            { url, cookie, clientIp: ip },
            {
              now,
              keyGroup: mode === 'none' ? undefined : keyGroup,
              cache: mode === 'cached' ? cache : undefined,
            },
          );
          expect(REASONS).toContain(decision.reason);
          expect(decision.allowed).toBe(decision.reason === 'ok');
          expect(decision.code).toBe(decision.allowed ? 'OK' : cloudFrontCode(decision.reason as DenialReason));
          expect(typeof decision.resourceUrl).toBe('string');
          expect(typeof decision.userQuery).toBe('string');
          if (mode !== 'none' && decision.allowed) expect(decision.signatureChecked).toBe(true);
        },
      ),
      { numRuns: PARSER_RUNS * 2 },
    );
  });

  it('fails closed when the clock is not a number (NaN)', () => {
    // Every comparison with NaN is false, so neither the expiry nor the start time can deny.
    const expired = { url: realUrls[0] as string, clientIp: '10.1.2.3' };
    expect(verifySignedRequest(expired, { now: NOW + 3600, keyGroup }).reason).toBe('expired');
    expect(verifySignedRequest(expired, { now: Number.NaN, keyGroup }).allowed).toBe(false);
  });
});
