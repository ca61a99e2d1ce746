import { createPublicKey, type JsonWebKey, sign, verify } from 'node:crypto';
import { createLoginHandler } from '../functions/login/create-handler';
import { createSignHandler } from '../functions/sign/create-handler';
import { parseConfig } from '../shared/config/parse';
import { createTokenVerifier } from '../shared/identity/token-verifier';
import {
  cannedPolicy,
  createKeyGroup,
  decodeCloudFrontBase64,
  epochSeconds,
  type KeyGroup,
  verifySignedRequest,
} from '../shared/index';
import type { HttpResult } from '../shared/regional/http-api';
import { createSecretsManagerKeySource } from '../shared/regional/signing-key-source';
import { recordingTelemetry } from '../shared/regional/telemetry';
// A real HTTP server speaking Secrets Manager's JSON protocol (node:http only, no test framework):
// it refuses anything that is not SigV4-signed by the real SDK client.
import { localSecretsManagerClient, startSecretsManager } from '../test/fixtures/secrets-manager-server';
import { measureInterleavedAsync } from './async-harness';
import { rsaKeyPair } from './fixtures';
import { cycle } from './harness';
import { benchIdentityProvider, httpApiEvent } from './regional';
import type { Row, Section } from './section';

/** Distinct JWTs (one per viewer), handed out round-robin. */
const TOKENS = 16;
/** Paths in one `POST /api/sign`: the default `limits.maxPathsPerRequest`. */
const BATCH = 100;
const CONTENT_HOST = 'media.example.com';
const SECRET_ID = 'edgepass/bench/signing-key';
const GRANTS = [
  { path: '/videos/*', maxTtlSeconds: 3600 },
  { path: '/reports/*', maxTtlSeconds: 600 },
] as const;
/** Three cookies (Policy, Signature, Key-Pair-Id) per grant. */
const COOKIES = 3 * GRANTS.length;

/** The Cookie header a browser sends for `path`, from Set-Cookie lines (most specific Path first). */
function browserCookie(setCookies: readonly string[], path: string): string {
  return setCookies
    .map((line) => {
      const [pair = '', ...attributes] = line.split('; ');
      return { pair, cookiePath: attributes.find((a) => a.startsWith('Path='))?.slice(5) ?? '/' };
    })
    .filter(({ cookiePath }) => path.startsWith(cookiePath))
    .sort((a, b) => b.cookiePath.length - a.cookiePath.length)
    .map(({ pair }) => pair)
    .join('; ');
}

function cookieValue(setCookies: readonly string[], name: string, cookiePath: string): string {
  const line = setCookies.find((c) => c.startsWith(`${name}=`) && c.includes(`; Path=${cookiePath};`));
  if (line === undefined) throw new Error(`login set no ${name} for Path=${cookiePath}: ${setCookies.join(' | ')}`);
  return line.slice(name.length + 1, line.indexOf(';'));
}

function decoded(value: string): Buffer {
  const bytes = decodeCloudFrontBase64(value);
  if (bytes === undefined) throw new Error(`${value} is not CloudFront base64`);
  return bytes;
}

/** The cookies a login answer sets: it first deletes the cookie Paths it does not set again. */
function issuedCookies(result: { cookies?: string[] }): string[] {
  return (result.cookies ?? []).filter((line) => !line.includes('; Max-Age=0; '));
}

/**
 * A full check of one login answer: 200, six cookies set (besides the deletions), each set accepted by the shared verifier
 * inside its grant and refused outside; returns the policy and signature bytes of both sets.
 */
function checkLogin(result: HttpResult, keyGroup: KeyGroup, now: number): { policy: Buffer; signature: Buffer }[] {
  const cookies = issuedCookies(result);
  if (result.statusCode !== 200 || cookies.length !== COOKIES) {
    throw new Error(`login answered ${result.statusCode} with ${cookies.length} cookies: ${result.body}`);
  }
  const decide = (path: string) =>
    verifySignedRequest(
      { url: `https://${CONTENT_HOST}${path}`, cookie: browserCookie(cookies, path) },
      { now: now + 1, keyGroup },
    );
  for (const path of ['/videos/42/seg-001.ts', '/reports/q3.pdf']) {
    const decision = decide(path);
    if (!decision.allowed) throw new Error(`login cookies refused for ${path}: ${decision.reason}`);
  }
  if (decide('/admin/secrets').allowed) throw new Error('login cookies allowed a path outside the grants');
  return ['/videos/', '/reports/'].map((cookiePath) => ({
    policy: decoded(cookieValue(cookies, 'CloudFront-Policy', cookiePath)),
    signature: decoded(cookieValue(cookies, 'CloudFront-Signature', cookiePath)),
  }));
}

interface SignedUrlOut {
  readonly path: string;
  readonly url: string;
  readonly expiresAt: number;
}

function signedUrls(result: HttpResult): SignedUrlOut[] {
  if (result.statusCode !== 200) throw new Error(`sign answered ${result.statusCode}: ${result.body}`);
  const { urls } = JSON.parse(result.body) as { urls?: SignedUrlOut[] };
  if (urls?.length !== BATCH) throw new Error(`sign answered ${urls?.length} URLs, expected ${BATCH}`);
  return urls;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;

/**
 * The regional Lambdas' handlers in process, as `functions/*\/handler.ts` wires them but with
 * recorded telemetry and a local Secrets Manager: a login (JWT → two signed cookie sets) and a
 * 100-URL sign request, next to the raw crypto they cannot beat. The handlers are async (jose
 * verifies on WebCrypto), so they are timed by async-harness.ts, each call awaited.
 */
export const loginSection: Section = {
  id: 'login',
  title:
    'Regional handlers in process: real ES256 JWT (jose, static JWKS), RSA-2048 key from a local Secrets Manager ' +
    'over HTTP (fetched once, cached), each request awaited before the next (timed by bench/async-harness.ts)',
  async run(options) {
    const rsa = rsaKeyPair();
    const now = epochSeconds();
    const idp = await benchIdentityProvider(now);
    const sm = await startSecretsManager();
    sm.put(SECRET_ID, JSON.stringify({ keyPairId: rsa.id, privateKey: rsa.privatePem }));
    // The SDK warns on Node 20 about its future minimum; that is noise in a benchmark report.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const client = localSecretsManagerClient(sm.endpoint);
    try {
      const config = parseConfig({
        domains: [CONTENT_HOST],
        keyGroup: [{ id: rsa.id, publicKey: rsa.publicPem }],
        signingSecretId: SECRET_ID,
        identityProviders: [idp.config],
        accessRules: [{ name: 'premium', when: [{ claim: 'groups', includes: 'premium' }], grants: [...GRANTS] }],
      });
      const telemetry = recordingTelemetry();
      const tokens = createTokenVerifier(config.identityProviders, {
        now: () => now,
        maxTokenBytes: config.limits.maxTokenBytes,
      });
      const keys = createSecretsManagerKeySource({ secretId: config.signingSecretId, client });
      const deps = { config, telemetry, tokens, keys, now: () => now };
      const login = createLoginHandler(deps);
      const signUrlsHandler = createSignHandler(deps);
      const keyGroup = createKeyGroup([{ id: rsa.id, publicKey: rsa.publicPem }]);

      const jwts = await Promise.all(
        Array.from({ length: TOKENS }, (_, i) => idp.mint({ sub: `viewer-${i}`, groups: ['premium'] }, 7200)),
      );
      const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
      const loginEvents = jwts.map((jwt, i) =>
        httpApiEvent({ path: '/auth/login', headers: bearer(jwt), requestId: `login-${i}` }),
      );
      const paths = Array.from({ length: BATCH }, (_, i) => `/videos/42/seg-${String(i).padStart(3, '0')}.ts`);
      const signEvents = jwts.map((jwt, i) =>
        httpApiEvent({
          path: '/api/sign',
          headers: { ...bearer(jwt), 'content-type': 'application/json' },
          body: JSON.stringify({ paths }),
          requestId: `sign-${i}`,
        }),
      );

      // Every request of both pools answered and checked in full before anything is timed.
      let loginSets: { policy: Buffer; signature: Buffer }[] = [];
      let batchUrls: SignedUrlOut[] = [];
      for (let i = 0; i < TOKENS; i++) {
        loginSets = checkLogin(await login(loginEvents[i]), keyGroup, now);
        batchUrls = signedUrls(await signUrlsHandler(signEvents[i]));
        for (const { url } of batchUrls) {
          const decision = verifySignedRequest({ url }, { now: now + 1, keyGroup });
          if (!decision.allowed) throw new Error(`${url} does not verify: ${decision.reason}`);
        }
      }
      if (telemetry.logs.some((line) => line.message !== 'cookies issued' && line.message !== 'urls signed')) {
        throw new Error(`unexpected log lines: ${JSON.stringify(telemetry.logs)}`);
      }
      const [videos, reports] = loginSets;
      if (videos === undefined || reports === undefined) throw new Error('login did not sign two cookie sets');
      // The floors sign exactly the bytes the handlers signed (RSA PKCS#1 v1.5 is deterministic).
      const sameBytes = (policy: Buffer, signature: Buffer) => sign('sha1', policy, rsa.privateKey).equals(signature);
      if (!sameBytes(videos.policy, videos.signature) || !sameBytes(reports.policy, reports.signature)) {
        throw new Error('raw crypto.sign of the login policies differs from the cookie signatures');
      }
      const cannedBytes = batchUrls.map(({ path, expiresAt }) =>
        Buffer.from(cannedPolicy(`https://${CONTENT_HOST}${path}`, expiresAt), 'utf8'),
      );
      batchUrls.forEach(({ url }, i) => {
        const signature = decoded(new URL(url).searchParams.get('Signature') ?? '');
        if (!sameBytes(cannedBytes[i] ?? Buffer.alloc(0), signature)) {
          throw new Error(`raw crypto.sign of the canned policy differs from ${url}`);
        }
      });

      // The JWT's own ES256 signature, checked by node:crypto directly (what jose does on WebCrypto).
      const jwk = idp.config.jwks?.keys[0];
      if (jwk === undefined) throw new Error('the identity provider has no JWK');
      const idpKey = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      const jws = jwts.map((jwt) => {
        const dot = jwt.lastIndexOf('.');
        return { input: Buffer.from(jwt.slice(0, dot)), signature: Buffer.from(jwt.slice(dot + 1), 'base64url') };
      });
      const es256 = (s: { input: Buffer; signature: Buffer }) =>
        verify('sha256', s.input, { key: idpKey, dsaEncoding: 'ieee-p1363' }, s.signature);
      if (!jws.every(es256)) throw new Error('raw ES256 verify refused a minted JWT');

      const nextLogin = cycle(loginEvents);
      const nextSign = cycle(signEvents);
      const nextJwt = cycle(jwts);
      const nextJws = cycle(jws);
      const fetchesBefore = sm.calls('GetSecretValue').length;

      const m = await measureInterleavedAsync(
        [
          {
            id: 'raw2',
            fn: async () => [sign('sha1', videos.policy, rsa.privateKey), sign('sha1', reports.policy, rsa.privateKey)],
          },
          {
            id: 'es256',
            fn: async () => {
              if (!es256(nextJws())) throw new Error('raw ES256 verify failed');
              return true;
            },
          },
          {
            id: 'jwt',
            fn: async () => {
              const verified = await tokens.verify(nextJwt());
              if (verified.provider !== 'bench-idp') throw new Error(`token verified for ${verified.provider}`);
              return verified;
            },
          },
          {
            id: 'login',
            fn: async () => {
              const result = await login(nextLogin());
              if (result.statusCode !== 200 || issuedCookies(result).length !== COOKIES) {
                throw new Error(`login answered ${result.statusCode}: ${result.body}`);
              }
              // Recorded telemetry would otherwise grow by two entries per request for the whole run.
              telemetry.logs.length = 0;
              telemetry.counts.length = 0;
              return result;
            },
          },
        ],
        options,
      );
      const b = await measureInterleavedAsync(
        [
          { id: 'raw100', fn: async () => cannedBytes.map((bytes) => sign('sha1', bytes, rsa.privateKey)) },
          {
            id: 'batch',
            fn: async () => {
              const result = await signUrlsHandler(nextSign());
              if (result.statusCode !== 200) throw new Error(`sign answered ${result.statusCode}: ${result.body}`);
              const urls = (JSON.parse(result.body) as { urls: unknown[] }).urls;
              if (urls.length !== BATCH) throw new Error(`sign answered ${urls.length} URLs`);
              telemetry.logs.length = 0;
              telemetry.counts.length = 0;
              return urls;
            },
          },
        ],
        options,
      );
      const fetches = sm.calls('GetSecretValue');
      if (fetches.length !== fetchesBefore || fetches.some((call) => call.protocolError !== undefined)) {
        throw new Error(`Secrets Manager was called while timing (${fetches.length - fetchesBefore} times)`);
      }

      const batchHz = b.get('batch').hz;
      const rows: Row[] = [
        {
          id: 'raw2',
          short: 'raw 2×sign',
          label:
            'RSA-2048: 2 × raw `crypto.sign` (SHA-1) of the login’s two cookie policies, cached KeyObject; ' +
            'one op = both signatures (floor for a two-grant login)',
          measurement: m.get('raw2'),
        },
        {
          id: 'es256',
          short: 'raw ES256 verify',
          label: 'ES256: raw synchronous `crypto.verify` of the JWT’s signature, cached KeyObject (floor for the JWT)',
          measurement: m.get('es256'),
        },
        {
          id: 'jwt',
          short: 'JWT verify',
          label:
            '`tokens.verify(jwt)`: jose `jwtVerify` ES256 on WebCrypto (thread pool), static JWKS, claims checked ' +
            `(${ms(m.wallMsPerOp('jwt'))} wall per call)`,
          measurement: m.get('jwt'),
          ratios: [{ to: 'es256' }],
        },
        {
          id: 'login',
          short: 'login',
          label:
            'Login: `await handler(event)` from `createLoginHandler`, `POST /auth/login` with Bearer JWT → 200, ' +
            `${COOKIES} cookies (2 grants: ${GRANTS.map((g) => `\`${g.path}\` ${g.maxTtlSeconds} s`).join(', ')}); ` +
            `requests/s (${ms(m.wallMsPerOp('login'))} wall per request)`,
          measurement: m.get('login'),
          ratios: [{ to: 'raw2' }, { to: 'jwt' }],
        },
        {
          id: 'raw100',
          short: `raw sign ×${BATCH}`,
          label: `RSA-2048: ${BATCH} × raw \`crypto.sign\` (SHA-1) of the batch’s canned policies, cached KeyObject (floor)`,
          measurement: b.get('raw100'),
        },
        {
          id: 'batch',
          short: 'sign batch',
          label:
            `Sign: \`await handler(event)\` from \`createSignHandler\`, one \`POST /api/sign\` of ${BATCH} paths ` +
            `\`/videos/42/seg-NNN.ts\` → 200, ${BATCH} canned URLs; one op = the batch, ` +
            `≈ ${Math.round(batchHz * BATCH).toLocaleString('en-US')} URLs/s (${ms(b.wallMsPerOp('batch'))} wall per batch; ` +
            '`signUrls` alone: Batch section)',
          measurement: b.get('batch'),
          ratios: [{ to: 'raw100' }],
        },
      ];
      return rows;
    } finally {
      client.destroy();
      await sm.close();
    }
  },
};
