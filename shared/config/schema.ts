import { z } from 'zod';
import { MAX_MIDDLE_CHUNK } from '../cloudfront/glob';
import { isKeyPairId } from '../cloudfront/key-group';
import { pathProblem } from '../edge/canonical-path';

/**
 * The one configuration of a deployment: its schema and types (parsing and checks beyond the
 * schema are in parse.ts). Read by the edge build (baked into the bundle), the regional
 * Lambdas, serverless.yml and the local stack. Validated once; a mistake names the field. Never holds
 * a secret: the private key lives in Secrets Manager under `signingSecretId`.
 */

const host = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/, {
  message: 'expected a lowercase host name such as cdn.example.com (optionally :port)',
});

/** Names what makes a path pattern non-canonical, or undefined (`*` is allowed as a wildcard). */
function canonicalPatternIssue(pattern: string): string | undefined {
  const problem = pathProblem(pattern);
  return problem === undefined
    ? undefined
    : `not a canonical path (${problem}): use / then A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) + , = : @, %XX escapes and * for any run of characters`;
}

/**
 * Longest path pattern and most `*` it may hold: patterns are matched at the edge on every request
 * (public paths) or on every cookie (grants), so their cost is bounded here, once.
 */
export const MAX_PATTERN_LENGTH = 256;
export const MAX_PATTERN_WILDCARDS = 8;

function patternSizeIssue(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  const chunks = pattern.split('*');
  if (chunks.length - 1 > MAX_PATTERN_WILDCARDS) return `more than ${MAX_PATTERN_WILDCARDS} wildcards (*)`;
  return chunks.slice(1, -1).some((chunk) => chunk.length > MAX_MIDDLE_CHUNK)
    ? `more than ${MAX_MIDDLE_CHUNK} characters between two wildcards (*): the gate never matches that`
    : undefined;
}

const pathPattern = z.string().superRefine((pattern, ctx) => {
  const issue = patternSizeIssue(pattern) ?? canonicalPatternIssue(pattern);
  if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue });
});

/**
 * What CloudFront accepts as a cache behaviour's path pattern: a leading `/`, then A-Z a-z 0-9 and
 * `_ - . * $ / ~ " ' @ : + &` (CloudFront Developer Guide, "Path pattern"), at most 255 characters.
 * `/` alone is the same as an empty pattern to CloudFront, so it is not a behaviour of its own.
 */
export function isCloudFrontPathPattern(pattern: string): boolean {
  return pattern !== '/' && pattern.length <= 255 && /^\/[A-Za-z0-9_.*$/~"'@:+&-]*$/.test(pattern);
}

const keyGroupPathPattern = pathPattern.superRefine((pattern, ctx) => {
  if (!isCloudFrontPathPattern(pattern) || pattern.startsWith('/*')) {
    ctx.addIssue({
      code: 'custom',
      message: `not a CloudFront path pattern of its own (a / then A-Z a-z 0-9 _ - . * $ ~ " ' @ : + &, starting with a named segment such as /downloads/*)`,
    });
  }
});

const loginUrl = z.string().refine(
  (value) => {
    if (/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return true;
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
    } catch {
      return false;
    }
  },
  { message: 'expected a same-site path such as /login, or an https:// URL' },
);

const publicKey = z
  .strictObject({
    id: z.string().refine(isKeyPairId, { message: 'expected a CloudFront public key id such as K2JCJMDEHXQW5F' }),
    publicKey: z.string().includes('-----BEGIN PUBLIC KEY-----', { message: 'expected a PEM public key' }).optional(),
    publicKeyFile: z.string().min(1).optional(),
  })
  .refine((key) => (key.publicKey === undefined) !== (key.publicKeyFile === undefined), {
    message: 'give exactly one of publicKey (PEM text) or publicKeyFile (path)',
  });

const edge = z.strictObject({
  /** Verified signatures remembered per edge instance (0 turns the cache off). */
  verifyCacheSize: z.number().int().min(0).max(10_000).default(1024),
});

/**
 * The CloudFront Functions gate (a viewer-request function checking edgepass's session token) on some
 * behaviours instead of the Lambda@Edge gate. With it, login sets the session token beside the
 * CloudFront cookies, MAC'd with the signing secret's `sessionKey`.
 */
const functionGate = z.strictObject({
  /**
   * Path patterns of the cache behaviours the function guards (the deploy and the local stack read
   * them): each is a behaviour of its own, so CloudFront must be able to express it.
   */
  paths: z
    .array(
      pathPattern.refine(isCloudFrontPathPattern, {
        message: `not a CloudFront path pattern (a / then A-Z a-z 0-9 _ - . * $ ~ " ' @ : + &, at most 255 characters)`,
      }),
    )
    .min(1)
    .max(64),
});

/** JWT algorithms accepted from identity providers; `none` can never be listed. */
export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'HS256',
] as const;

const claimName = z.string().regex(/^[\x21-\x7e]{1,256}$/, { message: 'expected a claim name (printable ASCII)' });

const httpsUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && /^(localhost|127\.0\.0\.1)$/.test(url.hostname));
    } catch {
      return false;
    }
  },
  { message: 'expected an https:// URL (http:// only for localhost)' },
);

const identityProvider = z
  .strictObject({
    /** Shown in logs and metrics. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    /** Exact `iss` value; tokens are routed to the provider whose issuer they name. */
    issuer: z.string().min(1).max(512),
    /** Accepted `aud` value(s). */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Remote key set: cached, refreshed in the background, kept through an outage (identity/remote-key-set.ts). */
    jwksUrl: httpsUrl.optional(),
    /** Static key set (`{"keys":[…]}`), e.g. for a provider that rotates rarely or for tests. */
    jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    /** Static PEM public key (SPKI). */
    publicKey: z.string().includes('-----BEGIN PUBLIC KEY-----', { message: 'expected a PEM public key' }).optional(),
    /** DEVELOPMENT ONLY: name of an environment variable holding an HS256 shared secret. */
    hs256SecretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    /** Allowed `alg` values; HS256 only together with `hs256SecretEnv` and never mixed with others. */
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['RS256']),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    /** Claims every token must carry (besides iss, aud, exp). */
    requiredClaims: z.array(claimName).default([]),
  })
  .refine(
    (p) => [p.jwksUrl, p.jwks, p.publicKey, p.hs256SecretEnv].filter((source) => source !== undefined).length === 1,
    { message: 'give exactly one key source: jwksUrl, jwks, publicKey or hs256SecretEnv' },
  )
  .refine((p) => p.algorithms.includes('HS256') === (p.hs256SecretEnv !== undefined), {
    message: 'HS256 needs hs256SecretEnv (and hs256SecretEnv needs algorithms ["HS256"])',
  })
  .refine((p) => !p.algorithms.includes('HS256') || p.algorithms.length === 1, {
    message: 'never mix HS256 with asymmetric algorithms (algorithm confusion)',
  });

/** Conditions on verified claims; all conditions of a rule must hold. */
const claimCondition = z.union([
  z.strictObject({ claim: claimName, equals: z.union([z.string(), z.number(), z.boolean()]) }),
  /** The claim is an array containing the value, or a space-separated string (OAuth `scope`) containing it. */
  z.strictObject({ claim: claimName, includes: z.string().min(1) }),
  z.strictObject({ claim: claimName, exists: z.literal(true) }),
]);

/** A path the caller may fetch: `*` wildcards and `{claim}` templates (values are escaped). */
const grantPath = z
  .string()
  .refine((path) => /^[^{}]*(\{[A-Za-z0-9_:.-]+\}[^{}]*)*$/.test(path), {
    message: 'templates are {claim} with a plain claim name',
  })
  .refine((path) => !path.includes(','), { message: 'no comma in a grant (it would split the cookie)' })
  .superRefine((path, ctx) => {
    // A template stands for one percent-encoded segment part: check the rest of the path around it.
    const issue = patternSizeIssue(path) ?? canonicalPatternIssue(path.replace(/\{[^}]*\}/g, 'x'));
    if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue });
  });

const grant = z.strictObject({
  path: grantPath,
  /** Longest lifetime of cookies or URLs issued for this grant. */
  maxTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86400),
});

const accessRule = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  when: z.array(claimCondition).default([]),
  grants: z.array(grant).min(1).max(10),
});

const cookie = z.strictObject({
  /** `Domain` attribute; omitted means the host that answers /auth/login. */
  domain: host.optional(),
  /** `Path` when one cookie set covers every grant; several grants get their own prefixes. */
  path: pathPattern.refine((p) => !p.includes('*'), { message: 'a cookie Path has no wildcard' }).default('/'),
  /** Lax by default: Strict breaks the return from an identity provider; None only for real cross-site use. */
  sameSite: z.enum(['Lax', 'Strict', 'None']).default('Lax'),
  /** Session cookies (no Max-Age/Expires) instead of cookies that expire with the policy. */
  session: z.boolean().default(false),
});

const cors = z.strictObject({
  /** Exact origins (`https://app.example.com`) allowed to call /auth/* and /api/* with credentials. */
  origins: z
    .array(httpsUrl.refine((value) => new URL(value).origin === value, { message: 'expected a bare origin' }))
    .default([]),
  maxAgeSeconds: z.number().int().min(0).max(86400).default(600),
});

const limits = z.strictObject({
  maxPathsPerRequest: z.number().int().min(1).max(1000).default(100),
  defaultExpiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86400)
    .default(3600),
  maxExpiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86400)
    .default(86400),
  maxBodyBytes: z.number().int().min(1024).max(1_048_576).default(65_536),
  maxTokenBytes: z.number().int().min(512).max(65_536).default(16_384),
});

const baseShape = {
  /** Host names viewers use for the protected content (alternate domain names or *.cloudfront.net). */
  domains: z.array(host).min(1),
  /** Scheme viewers use; signed resources are matched against `scheme://host/path`. */
  scheme: z.enum(['https', 'http']).default('https'),
  /** Paths the gate protects (`*` matches any run of characters, `/` included). */
  protectedPaths: z.array(pathPattern).min(1).max(64).default(['/*']),
  /** Paths that pass untouched even inside a protected pattern (the login page, assets). */
  publicPaths: z.array(pathPattern).max(64).default([]),
  /**
   * Paths CloudFront itself checks against the key group (TrustedKeyGroups on their own behaviours)
   * instead of the gate: no Lambda@Edge cost, no login redirect (CloudFront's 403). For API clients
   * with signed URLs; needs the private S3 origin (its keys are read literally).
   */
  trustedKeyGroupPaths: z.array(keyGroupPathPattern).max(16).default([]),
  /** Where unauthenticated browsers are sent; `return_to` is appended. */
  loginUrl: loginUrl.default('/login'),
  /** Extra hosts a `return_to` may point at, besides `domains`. */
  returnHosts: z.array(host).default([]),
  /** The trusted key group: public key ids with their keys, several during a rotation (CloudFront allows 5). */
  keyGroup: z.array(publicKey).min(1).max(5),
  /** Secrets Manager secret holding `{"keyPairId","privateKey"}` for the signing Lambdas. */
  signingSecretId: z.string().min(1).max(512),
  edge: edge.default({ verifyCacheSize: 1024 }),
  /** `null` turns it off (a stage that does not want the top level's). */
  functionGate: functionGate
    .nullable()
    .optional()
    .transform((value) => value ?? undefined),
  /** OIDC providers whose JWTs the login and sign functions accept. */
  identityProviders: z.array(identityProvider).max(10).default([]),
  /** Claims → grants; the first rule whose conditions hold wins; no match → 403. */
  accessRules: z.array(accessRule).max(100).default([]),
  cookie: cookie.default({ path: '/', sameSite: 'Lax', session: false }),
  cors: cors.default({ origins: [], maxAgeSeconds: 600 }),
  limits: limits.default({
    maxPathsPerRequest: 100,
    defaultExpiresInSeconds: 3600,
    maxExpiresInSeconds: 86400,
    maxBodyBytes: 65_536,
    maxTokenBytes: 16_384,
  }),
};

/** One stage's configuration after its overrides are merged (no `stages` of its own). */
export const stageSchema = z.strictObject(baseShape);

export const configSchema = z.strictObject({
  ...baseShape,
  /** Per-stage overrides, shallow-merged over the top level (`stages.prod.domains`, …). */
  stages: z.record(z.string().regex(/^[a-zA-Z0-9-]+$/), z.record(z.string(), z.unknown())).default({}),
});

export type EdgepassConfig = Omit<z.output<typeof configSchema>, 'stages'>;
export type IdentityProviderConfig = z.output<typeof identityProvider>;
export type AccessRuleConfig = z.output<typeof accessRule>;
export type ClaimCondition = z.output<typeof claimCondition>;
export type CookieConfig = z.output<typeof cookie>;
export type EdgepassConfigInput = z.input<typeof configSchema>;
