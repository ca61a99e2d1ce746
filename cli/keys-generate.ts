import { generateKeyPairSync } from 'node:crypto';
import { closeSync, fchmodSync, lstatSync, mkdirSync, openSync, rmSync, type Stats, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyType } from '../shared';
import { oneOf, parseCommandArgs, requireOption } from './args';
import type { CliIo } from './io';
import { UsageError } from './usage-error';

const FLAGS = {
  type: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
} as const;

function generatePems(type: KeyType): { privatePem: string; publicPem: string } {
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding, publicKeyEncoding })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding, publicKeyEncoding });
  return { privatePem: pair.privateKey, publicPem: pair.publicKey };
}

/** Whether a key file is already there; something other than a file there is never replaced. */
function exists(file: string): boolean {
  let stats: Stats;
  try {
    stats = lstatSync(file);
  } catch {
    return false;
  }
  if (!stats.isFile()) throw new UsageError(`${file} exists and is not a file; choose another --out`);
  return true;
}

function systemMessage(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/**
 * Creates the file exclusively with its final mode, so a private key is never readable by others,
 * not even for the moment between writing and a later chmod.
 */
function writeNewFile(file: string, text: string, mode: number): void {
  try {
    const fd = openSync(file, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${systemMessage(error)}`, { cause: error });
  }
}

/**
 * `edgepass keys generate [--type rsa|ecdsa] --out DIR [--force]`: writes a new key pair CloudFront
 * accepts, `DIR/private.pem` (PKCS#8, mode 0600) and `DIR/public.pem` (SPKI). Existing files are
 * kept unless `--force`.
 *
 * @example
 * keysGenerate(['--type', 'ecdsa', '--out', 'keys'], io) // 0
 */
export function keysGenerate(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('keys generate', args, FLAGS);
  if (positionals.length > 0) throw new UsageError(`keys generate takes no arguments, got ${positionals[0]}`);
  const type = oneOf(values.type ?? 'rsa', ['rsa', 'ecdsa'], 'type');
  const dir = requireOption(values.out, 'out');
  const privateFile = join(dir, 'private.pem');
  const publicFile = join(dir, 'public.pem');

  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UsageError(`cannot create ${dir}: ${systemMessage(error)}`, { cause: error });
  }
  // Check both before writing either, so a refusal never leaves a new private key beside an old public one.
  for (const file of [privateFile, publicFile]) {
    if (exists(file) && values.force !== true) {
      throw new UsageError(`${file} already exists; pass --force to overwrite it`);
    }
  }
  const { privatePem, publicPem } = generatePems(type);
  if (values.force === true) {
    rmSync(privateFile, { force: true });
    rmSync(publicFile, { force: true });
  }
  writeNewFile(privateFile, privatePem, 0o600);
  writeNewFile(publicFile, publicPem, 0o644);

  const label = type === 'rsa' ? 'RSA-2048' : 'ECDSA P-256';
  io.stdout(
    `Wrote ${privateFile} (${label} private key, PKCS#8, mode 0600: keep it secret, never commit it)\n` +
      `Wrote ${publicFile} (public key, SPKI)\n` +
      'Next: upload public.pem to CloudFront as a public key (console: Key management > Public keys, or\n' +
      '`aws cloudfront create-public-key`), add it to the key group your cache behavior trusts, and sign\n' +
      'with the public key id CloudFront assigns (e.g. K2JCJMDEHXQW5F) as --key-pair-id.\n',
  );
  return 0;
}
