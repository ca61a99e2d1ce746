import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  type Stats,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { KeyType } from '../shared';
import { oneOf, parseCommandArgs, requireOption } from './args';
import type { CliIo } from './io';
import { quoteInput } from './terminal-text';
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

/** Writes all of `text` to an open file; tests pass one that fails like a full disk. */
export type KeyFileWrite = (fd: number, text: string) => void;

const writeAll: KeyFileWrite = (fd, text) => writeFileSync(fd, text);

/** One key file to write: where it ends up, what it holds, its mode. */
interface KeyFile {
  readonly file: string;
  readonly text: string;
  readonly mode: number;
}

/**
 * Writes the file under a temporary name beside its final one, created exclusively with its final
 * mode (a private key is never readable by others, not even for a moment) and flushed to disk, so a
 * full disk fails here rather than after the old key was replaced. Returns the temporary name.
 */
function writeTemporary({ file, text, mode }: KeyFile, write: KeyFileWrite): string {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', mode);
    fchmodSync(fd, mode);
    write(fd, text);
    fsyncSync(fd);
  } catch (error) {
    if (fd !== undefined) rmSync(temporary, { force: true });
    throw new UsageError(`cannot write ${file}: ${systemMessage(error)}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return temporary;
}

/**
 * Moves a finished temporary file into place: over the old one with `--force` (rename replaces it
 * in one step), else only if the name is still free (a hard link fails when it exists).
 */
function install(temporary: string, file: string, force: boolean): void {
  try {
    if (force) {
      renameSync(temporary, file);
      return;
    }
    linkSync(temporary, file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      code === 'EEXIST'
        ? `${file} already exists; pass --force to overwrite it`
        : `cannot write ${file}: ${systemMessage(error)}`,
      { cause: error },
    );
  }
  rmSync(temporary, { force: true });
}

/**
 * Writes both key files beside the old ones under temporary names, and moves them into place only
 * once both are complete. Any failure removes the temporaries and leaves the old pair as it was.
 */
function writePair(
  files: readonly [KeyFile, KeyFile],
  options: { readonly force: boolean; readonly replacing: boolean },
  write: KeyFileWrite,
): void {
  const { force, replacing } = options;
  const temporaries: string[] = [];
  const installed: string[] = [];
  try {
    for (const file of files) temporaries.push(writeTemporary(file, write));
    for (const [index, file] of files.entries()) {
      install(temporaries[index] as string, file.file, force);
      installed.push(file.file);
    }
  } catch (error) {
    for (const temporary of temporaries) rmSync(temporary, { force: true });
    // Without --force, a file installed before a later one failed is new: remove it, not an old key.
    if (!force) for (const file of installed) rmSync(file, { force: true });
    if (error instanceof UsageError && replacing && installed.length === 0) {
      throw new UsageError(`${error.message}; the old key pair is unchanged`, { cause: error.cause });
    }
    throw error;
  }
}

/**
 * `edgepass keys generate [--type rsa|ecdsa] --out DIR [--force]`: writes a new key pair CloudFront
 * accepts, `DIR/private.pem` (PKCS#8, mode 0600) and `DIR/public.pem` (SPKI). Existing files are
 * kept unless `--force`, and even then until the new pair is completely written: a full disk leaves
 * the old pair as it was. `write` is for tests.
 *
 * @example
 * keysGenerate(['--type', 'ecdsa', '--out', 'keys'], io) // 0
 */
export function keysGenerate(args: readonly string[], io: CliIo, write: KeyFileWrite = writeAll): number {
  const { values, positionals } = parseCommandArgs('keys generate', args, FLAGS);
  if (positionals[0] !== undefined) {
    throw new UsageError(`keys generate takes no arguments, got ${quoteInput(positionals[0])}`);
  }
  const type = oneOf(values.type ?? 'rsa', ['rsa', 'ecdsa'], 'type');
  const dir = requireOption(values.out, 'out');
  const { privateFile, publicFile, label } = writeKeyPair(type, dir, values.force === true, write);
  io.stdout(
    `Wrote ${privateFile} (${label} private key, PKCS#8, mode 0600: keep it secret, never commit it)\n` +
      `Wrote ${publicFile} (public key, SPKI)\n` +
      'Next: upload public.pem to CloudFront as a public key (console: Key management > Public keys, or\n' +
      '`aws cloudfront create-public-key`), add it to the key group your cache behavior trusts, and sign\n' +
      'with the public key id CloudFront assigns (e.g. K2JCJMDEHXQW5F) as --key-pair-id.\n',
  );
  return 0;
}

/**
 * Writes a new key pair CloudFront accepts to `DIR/private.pem` and `DIR/public.pem` (see
 * `keysGenerate`, which `keys rotate` shares it with): existing files kept unless `force`, and even
 * then until the new pair is completely written.
 */
export function writeKeyPair(
  type: KeyType,
  dir: string,
  force: boolean,
  write: KeyFileWrite = writeAll,
): { privateFile: string; publicFile: string; label: string } {
  const privateFile = join(dir, 'private.pem');
  const publicFile = join(dir, 'public.pem');

  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UsageError(`cannot create ${dir}: ${systemMessage(error)}`, { cause: error });
  }
  // Check both before writing either, so a refusal never leaves a new private key beside an old public one.
  const existing = [privateFile, publicFile].filter(exists);
  if (existing[0] !== undefined && !force) {
    throw new UsageError(`${existing[0]} already exists; pass --force to overwrite it`);
  }
  const { privatePem, publicPem } = generatePems(type);
  writePair(
    [
      { file: privateFile, text: privatePem, mode: 0o600 },
      { file: publicFile, text: publicPem, mode: 0o644 },
    ],
    { force, replacing: existing.length > 0 },
    write,
  );

  return { privateFile, publicFile, label: type === 'rsa' ? 'RSA-2048' : 'ECDSA P-256' };
}
