import type { KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { EdgepassError, isEdgepassError, isKeyPairId, loadPublicKey, loadSigningKey, type SigningKey } from '../shared';
import { UsageError } from './usage-error';

/** A PEM key is a few KB; anything larger is the wrong file (a video, a log) and is not read whole. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

function describeReadError(file: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return `cannot read ${file}: no such file`;
  if (code === 'EACCES' || code === 'EPERM') return `cannot read ${file}: permission denied`;
  if (code === 'EISDIR') return `cannot read ${file}: it is a directory`;
  return `cannot read ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
}

/**
 * Reads a key file as text, refusing directories, missing or unreadable files and files too large to
 * be a PEM key.
 *
 * @example
 * readKeyFile('keys/public.pem') // '-----BEGIN PUBLIC KEY-----\n…'
 */
export function readKeyFile(file: string): string {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
    if (stats.size > MAX_KEY_FILE_BYTES) {
      throw new UsageError(
        `${file} is ${stats.size} bytes, too large for a PEM key (at most ${MAX_KEY_FILE_BYTES}): is it the right file?`,
      );
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(describeReadError(file, error), { cause: error });
  }
}

/** The core's key errors are user-facing already; naming the file tells which of several is wrong. */
function inFile(file: string, error: unknown, extra = ''): never {
  if (isEdgepassError(error)) {
    throw new EdgepassError(error.code, `${file}: ${error.message}${extra}`, { cause: error });
  }
  throw error;
}

/**
 * Loads the private key to sign with from a PEM file (RSA-2048 or ECDSA P-256, optionally encrypted).
 *
 * @example
 * const key = readSigningKey('keys/private.pem', process.env.EDGEPASS_KEY_PASSPHRASE);
 */
export function readSigningKey(file: string, passphrase: string | undefined): SigningKey {
  const pem = readKeyFile(file);
  try {
    return loadSigningKey(pem, passphrase);
  } catch (error) {
    const hint =
      isEdgepassError(error) && error.code === 'KEY_PASSPHRASE_REQUIRED'
        ? ' (--passphrase or EDGEPASS_KEY_PASSPHRASE)'
        : '';
    return inFile(file, error, hint);
  }
}

/** One `--public-key ID=FILE` value, parsed and loaded. */
export interface PublicKeyOption {
  readonly id: string;
  readonly file: string;
  readonly keyObject: KeyObject;
}

/**
 * Reads `ID=FILE` (a CloudFront public key id, then a PEM public key or the private key it belongs
 * to) and loads the key.
 *
 * @example
 * readPublicKeyOption('K2JCJMDEHXQW5F=keys/public.pem')
 */
export function readPublicKeyOption(text: string): PublicKeyOption {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) {
    throw new UsageError(`--public-key takes ID=FILE (e.g. K2JCJMDEHXQW5F=public.pem), got ${JSON.stringify(text)}`);
  }
  const id = text.slice(0, eq);
  const file = text.slice(eq + 1);
  if (!isKeyPairId(id)) {
    throw new UsageError(`--public-key: ${JSON.stringify(id)} is not a CloudFront public key id (letters and digits)`);
  }
  const pem = readKeyFile(file);
  try {
    return { id, file, keyObject: loadPublicKey(pem).keyObject };
  } catch (error) {
    return inFile(file, error);
  }
}
