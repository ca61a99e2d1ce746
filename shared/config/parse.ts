import type { z } from 'zod';
import { EdgepassError } from '../cloudfront/errors';
import { loadPublicKey } from '../cloudfront/signing-key';
import type { EdgeConfig } from '../edge/edge-config';
import type { GateRules } from '../edge/gate-decision';
import { checkCookieConfig } from '../identity/login-cookies';
import { API_PATTERNS } from './behaviours';
import { configSchema, type EdgepassConfig, stageSchema } from './schema';

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.')}: ${issue.message}`)
    .join('; ');
}

/** The stage the top level of the file describes. */
export const DEV_STAGE = 'dev';
/** What a stage other than dev must set itself: who may sign in, which keys are trusted, which key signs. */
const TRUST_FIELDS = ['keyGroup', 'identityProviders', 'signingSecretId'] as const;

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
  // The top level is the `dev` stage (the Serverless default, the sample events): its keys and identity
  // provider are the committed samples. Any other stage names its own trust, never inherits it.
  if (stage !== undefined && stage !== DEV_STAGE) {
    const own = stages[stage] as Record<string, unknown> | undefined;
    if (own === undefined) {
      throw new EdgepassError(
        'INVALID_CONFIG',
        `edgepass config: no stage ${stage} in stages; add it with its own ${TRUST_FIELDS.join(', ')} (the top level is the dev stage, whose keys are samples anyone can read)`,
      );
    }
    const inherited = TRUST_FIELDS.filter((field) => own[field] === undefined);
    if (inherited.length > 0) {
      fail(
        `set ${inherited.join(', ')} in stages.${stage}: a stage never inherits them from the top level (the dev stage, whose keys are samples anyone can read)`,
      );
    }
  }
  if (where !== '') {
    const { stages: _all, ...top } = input as Record<string, unknown>;
    const merged = stageSchema.safeParse({ ...top, ...stages[stage as string] });
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
  const unique = (field: string, what: string, values: readonly string[]) => {
    const repeated = values.find((value, index) => values.indexOf(value) !== index);
    if (repeated !== undefined) fail(`${field}: ${what} ${repeated} appears twice`);
  };
  unique(
    'keyGroup',
    'key id',
    keyGroup.map((key) => key.id),
  );
  unique(
    'identityProviders',
    'issuer',
    config.identityProviders.map((p) => p.issuer),
  );
  unique(
    'identityProviders',
    'name',
    config.identityProviders.map((p) => p.name),
  );
  unique(
    'accessRules',
    'rule name',
    config.accessRules.map((r) => r.name),
  );
  const functionPaths = config.functionGate?.paths ?? [];
  unique('functionGate.paths', 'path', functionPaths);
  functionPaths.forEach((path, index) => {
    // Those behaviours come first (behaviours.ts): the function would be deployed and never run there.
    const owner = (API_PATTERNS as readonly string[]).includes(path)
      ? 'an HTTP API route'
      : config.publicPaths.includes(path)
        ? 'in publicPaths'
        : config.trustedKeyGroupPaths.includes(path)
          ? 'in trustedKeyGroupPaths'
          : undefined;
    if (owner !== undefined) fail(`functionGate.paths.${index}: ${path} is ${owner}, whose behaviour comes first`);
  });
  try {
    // Cookies that could not work (over 4 KB, two grants on one Path) fail the build, not a login.
    checkCookieConfig(config.accessRules, config.cookie, config.scheme, config.domains);
  } catch (error) {
    fail((error as Error).message.replace(/^edgepass config: /, ''));
  }
  return { ...config, keyGroup };
}

/** What the CloudFront Function's gate needs (the rules, no keys: its HMAC keys are in a KeyValueStore). */
export function toFunctionConfig(config: EdgepassConfig): GateRules {
  return { domains: config.domains, scheme: config.scheme, publicPaths: config.publicPaths, loginUrl: config.loginUrl };
}

/** The subset the edge gate needs, as plain JSON for baking into the bundle. */
export function toEdgeConfig(config: EdgepassConfig): EdgeConfig {
  return {
    domains: config.domains,
    scheme: config.scheme,
    publicPaths: config.publicPaths,
    loginUrl: config.loginUrl,
    keys: config.keyGroup.map((key) => ({ id: key.id, publicKey: key.publicKey as string })),
    verifyCacheSize: config.edge.verifyCacheSize,
  };
}
