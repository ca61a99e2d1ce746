import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfigFile } from '../shared/config/file';
import type { EdgepassConfig } from '../shared/config/schema';

/**
 * The local stack's configuration: the `local` stage of the repository's edgepass.config.json (the
 * only stage that trusts the dev identity provider and the dev signing key), with `localhost:3000`
 * and `localhost:3001` moved to the chosen ports, and the keys it names generated on first start into
 * the git-ignored `.edgepass/local/`. Stacks on different ports may start at the same time (the test
 * suites do): the keys are created once, atomically, and each port builds into its own folder.
 */

/** The stage the local stack runs; no deployment uses it. */
export const LOCAL_STAGE = 'local';

export interface LocalFiles {
  /** `.edgepass/local/port-<PORT>/`, git-ignored: this port's configuration and built bundles. */
  readonly dir: string;
  /** The configuration written for this start (ports substituted, key paths absolute). */
  readonly configFile: string;
  readonly config: EdgepassConfig;
  /** The dev CloudFront signing key (ECDSA P-256: small cookies, fast signing). */
  readonly signingKeyPem: string;
  /** The dev identity provider's ES256 key. */
  readonly idpKeyPem: string;
}

/** Writes `file` whole or not at all (a temporary file renamed over it). */
function writeAtomically(file: string, text: string, mode?: number): string {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, mode === undefined ? {} : { mode });
  return temporary;
}

/**
 * The key pair `<name>private.pem` / `<name>public.pem` in `dir`, generated on first use. The private
 * key is published with a hard link, which fails if another process got there first (then its key is
 * used); the public key is always derived from the private key that won.
 */
function keyPair(dir: string, name: string): { privatePem: string; publicPem: string } {
  const privateFile = join(dir, `${name}private.pem`);
  const publicFile = join(dir, `${name}public.pem`);
  if (!existsSync(privateFile)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const temporary = writeAtomically(
      privateFile,
      privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      0o600,
    );
    try {
      linkSync(temporary, privateFile);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
  }
  const privatePem = readFileSync(privateFile, 'utf8');
  const publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }) as string;
  if (!existsSync(publicFile) || readFileSync(publicFile, 'utf8') !== publicPem) {
    renameSync(writeAtomically(publicFile, publicPem), publicFile);
  }
  return { privatePem, publicPem };
}

/**
 * Prepares `.edgepass/local/` under `root` for a stack on `port` (its frontend on `port + 1`):
 * generates the keys once, writes the port-specific configuration and validates it. A configuration
 * mistake throws `INVALID_CONFIG` naming the field.
 */
export function prepareLocalFiles(root: string, port: number): LocalFiles {
  const keys = join(root, '.edgepass', 'local');
  const dir = join(keys, `port-${port}`);
  mkdirSync(dir, { recursive: true });
  const signing = keyPair(keys, '');
  const idp = keyPair(keys, 'idp-');
  const configPath = join(root, 'edgepass.config.json');
  let raw: { stages?: Record<string, unknown> };
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new Error(`${configPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const stage = raw.stages?.[LOCAL_STAGE];
  if (stage === undefined)
    throw new Error(`edgepass.config.json has no stages.${LOCAL_STAGE}: the local stack needs it`);
  // The local stage names localhost:3000 (the stack) and localhost:3001 (the frontend); follow PORT.
  const moved = JSON.parse(
    JSON.stringify(stage)
      .replaceAll('localhost:3001', `localhost:${port + 1}`)
      .replaceAll('localhost:3000', `localhost:${port}`)
      .replaceAll('".edgepass/local/', `"${resolve(keys)}/`),
  );
  // Sample-key paths of the top level stay relative to the repository.
  const top = JSON.parse(
    JSON.stringify(raw).replaceAll('"events/sample-keys/', `"${resolve(root, 'events/sample-keys')}/`),
  );
  const configFile = join(dir, 'edgepass.config.json');
  writeFileSync(configFile, JSON.stringify({ ...top, stages: { ...top.stages, [LOCAL_STAGE]: moved } }, null, 2));
  const config = loadConfigFile(configFile, LOCAL_STAGE);
  return { dir, configFile, config, signingKeyPem: signing.privatePem, idpKeyPem: idp.privatePem };
}
