import { z } from 'zod';
import { EdgepassError } from './errors';
import { isKeyPairId } from './key-group';
import { loadPublicKey } from './signing-key';

/**
 * The one configuration of a deployment. Read by the edge build (baked into the bundle), the regional
 * Lambdas, serverless.yml and the local stack. Validated once; a mistake names the field. Never holds
 * a secret: the private key lives in Secrets Manager under `signingSecretId`.
 */

const host = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/, {
  message: 'expected a lowercase host name such as cdn.example.com (optionally :port)',
});

const pathPattern = z.string().regex(/^\/[\x21-\x7e]*$/, {
  message: 'expected a path pattern starting with / (printable ASCII, * for any run of characters)',
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
  verifyCacheSize: z.number().int().min(0).max(100_000).default(1024),
});

const baseShape = {
  /** Host names viewers use for the protected content (alternate domain names or *.cloudfront.net). */
  domains: z.array(host).min(1),
  /** Scheme viewers use; signed resources are matched against `scheme://host/path`. */
  scheme: z.enum(['https', 'http']).default('https'),
  /** Paths the gate protects (`*` matches any run of characters, `/` included). */
  protectedPaths: z.array(pathPattern).min(1).default(['/*']),
  /** Paths that pass untouched even inside a protected pattern (the login page, assets). */
  publicPaths: z.array(pathPattern).default([]),
  /** Where unauthenticated browsers are sent; `return_to` is appended. */
  loginUrl: loginUrl.default('/login'),
  /** Extra hosts a `return_to` may point at, besides `domains`. */
  returnHosts: z.array(host).default([]),
  /** The trusted key group: public key ids with their keys, several during a rotation (CloudFront allows 5). */
  keyGroup: z.array(publicKey).min(1).max(5),
  /** Secrets Manager secret holding `{"keyPairId","privateKey"}` for the signing Lambdas. */
  signingSecretId: z.string().min(1).max(512),
  edge: edge.default({ verifyCacheSize: 1024 }),
};

const configSchema = z.strictObject({
  ...baseShape,
  /** Per-stage overrides, shallow-merged over the top level (`stages.prod.domains`, …). */
  stages: z.record(z.string().regex(/^[a-zA-Z0-9-]+$/), z.record(z.string(), z.unknown())).default({}),
});

export type EdgepassConfig = Omit<z.output<typeof configSchema>, 'stages'>;
export type EdgepassConfigInput = z.input<typeof configSchema>;

/** The part of the configuration baked into the edge bundle: plain JSON, keys as PEM text. */
export interface EdgeConfig {
  readonly domains: readonly string[];
  readonly scheme: 'https' | 'http';
  readonly protectedPaths: readonly string[];
  readonly publicPaths: readonly string[];
  readonly loginUrl: string;
  readonly returnHosts: readonly string[];
  readonly keys: readonly { readonly id: string; readonly publicKey: string }[];
  readonly verifyCacheSize: number;
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.')}: ${issue.message}`)
    .join('; ');
}

/** Reads a `publicKeyFile` (the file loader passes one; pure callers give PEM text instead). */
export type KeyFileReader = (file: string) => string;

/**
 * Validates a configuration object for a stage and returns it with defaults filled in and every
 * public key as PEM text, parsed once to prove CloudFront accepts it. `readKeyFile` resolves
 * `publicKeyFile` entries of the selected stage only (see `loadConfigFile`).
 *
 * @example
 * const config = parseConfig(JSON.parse(text), 'prod');
 */
export function parseConfig(input: unknown, stage?: string, readKeyFile?: KeyFileReader): EdgepassConfig {
  const first = configSchema.safeParse(input);
  if (!first.success) throw new EdgepassError('INVALID_CONFIG', `edgepass config: ${formatIssues(first.error)}`);
  const { stages, ...base } = first.data;
  let config: EdgepassConfig = base;
  const where = stage !== undefined && stages[stage] !== undefined ? ` (stage ${stage})` : '';
  const fail = (message: string): never => {
    throw new EdgepassError('INVALID_CONFIG', `edgepass config${where}: ${message}`);
  };
  if (where !== '') {
    const { stages: _all, ...top } = input as Record<string, unknown>;
    const merged = z.strictObject(baseShape).safeParse({ ...top, ...stages[stage as string] });
    if (!merged.success) fail(formatIssues(merged.error));
    config = merged.data as EdgepassConfig;
  }
  const keyGroup = config.keyGroup.map((key, index) => {
    let pem = key.publicKey;
    if (pem === undefined) {
      if (readKeyFile === undefined) return fail(`keyGroup.${index}.publicKeyFile: no file reader; give publicKey`);
      try {
        pem = readKeyFile(key.publicKeyFile as string);
      } catch (error) {
        return fail(`keyGroup.${index}.publicKeyFile: ${(error as Error).message}`);
      }
    }
    try {
      loadPublicKey(pem);
    } catch (error) {
      return fail(`keyGroup.${index}: ${(error as Error).message}`);
    }
    return { id: key.id, publicKey: pem };
  });
  const ids = keyGroup.map((key) => key.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) fail(`keyGroup: key id ${duplicate} appears twice`);
  return { ...config, keyGroup };
}

/** The subset the edge gate needs, as plain JSON for baking into the bundle. */
export function toEdgeConfig(config: EdgepassConfig): EdgeConfig {
  return {
    domains: config.domains,
    scheme: config.scheme,
    protectedPaths: config.protectedPaths,
    publicPaths: config.publicPaths,
    loginUrl: config.loginUrl,
    returnHosts: config.returnHosts,
    keys: config.keyGroup.map((key) => ({ id: key.id, publicKey: key.publicKey as string })),
    verifyCacheSize: config.edge.verifyCacheSize,
  };
}
