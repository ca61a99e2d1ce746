import type { KeyObject } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { EdgepassError, isEdgepassError, isKeyPairId, loadPublicKey, loadSigningKey, type SigningKey } from '../shared';
import { quoteInput } from './terminal-text';
import { UsageError } from './usage-error';

/** A PEM key is a few KB; anything larger is the wrong file (a video, a log) and is not read whole. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

type FileKind = Pick<
  Stats,
  'size' | 'isFile' | 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'
>;

/** The file operations `readKeyFile` uses; tests pass their own to play a file that changes underneath. */
export interface KeyFileSystem {
  readonly statSync: (file: string) => FileKind;
  readonly openSync: (file: string, flags: number) => number;
  readonly fstatSync: (fd: number) => FileKind;
  readonly readSync: (fd: number, buffer: Buffer, offset: number, length: number) => number;
  readonly closeSync: (fd: number) => void;
}

const NODE_FILE_SYSTEM: KeyFileSystem = {
  statSync: (file) => statSync(file),
  openSync: (file, flags) => openSync(file, flags),
  fstatSync: (fd) => fstatSync(fd),
  readSync: (fd, buffer, offset, length) => readSync(fd, buffer, offset, length, null),
  closeSync: (fd) => closeSync(fd),
};

// Non-blocking, so a FIFO swapped in after the check cannot make open() wait for a writer; no
// controlling terminal, should a terminal device be swapped in.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function describeReadError(file: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return `cannot read ${file}: no such file`;
  if (code === 'EACCES' || code === 'EPERM') return `cannot read ${file}: permission denied`;
  if (code === 'EISDIR') return `cannot read ${file}: it is a directory`;
  return `cannot read ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
}

/** Refuses anything but a regular file: a device or pipe may never end, or never start. */
function checkRegularFile(file: string, kind: FileKind): void {
  if (kind.isFile()) return;
  if (kind.isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
  const what = kind.isFIFO()
    ? 'a named pipe (FIFO)'
    : kind.isSocket()
      ? 'a socket'
      : kind.isCharacterDevice()
        ? 'a character device'
        : kind.isBlockDevice()
          ? 'a block device'
          : 'not a regular file';
  throw new UsageError(
    `${file} is ${what}, not a key file: pass a regular PEM file (a pipe such as <(…) cannot be read safely)`,
  );
}

function tooLarge(file: string, size: number): UsageError {
  return new UsageError(
    `${file} is ${size} bytes, too large for a PEM key (at most ${MAX_KEY_FILE_BYTES}): is it the right file?`,
  );
}

/** Reads at most `limit` bytes from an open file, whatever its size said. */
function readAtMost(fs: KeyFileSystem, fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let filled = 0;
  while (filled < limit) {
    const read = fs.readSync(fd, buffer, filled, limit - filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

function readRegularFile(file: string, fs: KeyFileSystem): string {
  const checked = fs.statSync(file);
  checkRegularFile(file, checked);
  if (checked.size > MAX_KEY_FILE_BYTES) throw tooLarge(file, checked.size);
  const fd = fs.openSync(file, OPEN_FLAGS);
  try {
    // What was opened may not be what was checked (a rename in between): check the descriptor too.
    checkRegularFile(file, fs.fstatSync(fd));
    // One byte more than allowed tells a file that grew after the check from one that fits.
    const bytes = readAtMost(fs, fd, MAX_KEY_FILE_BYTES + 1);
    if (bytes.length > MAX_KEY_FILE_BYTES) {
      throw new UsageError(
        `${file} holds more than ${MAX_KEY_FILE_BYTES} bytes, too large for a PEM key: is it the right file?`,
      );
    }
    return bytes.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a key file as text. Only a regular file is read, through one descriptor and never more than
 * 64 KiB + 1 bytes: directories, devices (`/dev/zero` never ends), named pipes (opening one waits
 * for a writer) and sockets are refused with what they are, and so is a file too large to be a PEM
 * key, even one that grew after its size was checked.
 *
 * @example
 * readKeyFile('keys/public.pem') // '-----BEGIN PUBLIC KEY-----\n…'
 */
export function readKeyFile(file: string, fs: KeyFileSystem = NODE_FILE_SYSTEM): string {
  try {
    return readRegularFile(file, fs);
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
    throw new UsageError(`--public-key takes ID=FILE (e.g. K2JCJMDEHXQW5F=public.pem), got ${quoteInput(text)}`);
  }
  const id = text.slice(0, eq);
  const file = text.slice(eq + 1);
  if (!isKeyPairId(id)) {
    throw new UsageError(`--public-key: ${quoteInput(id)} is not a CloudFront public key id (letters and digits)`);
  }
  const pem = readKeyFile(file);
  try {
    return { id, file, keyObject: loadPublicKey(pem).keyObject };
  } catch (error) {
    return inFile(file, error);
  }
}
