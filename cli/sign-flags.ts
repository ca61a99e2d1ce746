import { isEdgepassError, isKeyPairId, type SignOptions } from '../shared';
import { oneOf, requireOption } from './args';
import type { CliIo } from './io';
import { readSigningKey } from './key-file';
import { utcTime } from './relative-time';
import { quoteInput } from './terminal-text';
import { UsageError } from './usage-error';
import { whenFlag } from './when-flag';

/** Flags shared by `sign-url` and `sign-cookies`. */
export const SIGN_FLAGS = {
  'key-pair-id': { type: 'string' },
  'private-key': { type: 'string' },
  passphrase: { type: 'string' },
  expires: { type: 'string' },
  'not-before': { type: 'string' },
  ip: { type: 'string' },
  hash: { type: 'string' },
  'allow-broad-resource': { type: 'boolean' },
} as const;

/** Values of the shared signing flags as parseArgs returns them. */
export interface SignFlagValues {
  readonly 'key-pair-id'?: string | undefined;
  readonly 'private-key'?: string | undefined;
  readonly passphrase?: string | undefined;
  readonly expires?: string | undefined;
  readonly 'not-before'?: string | undefined;
  readonly ip?: string | undefined;
  readonly hash?: string | undefined;
  readonly 'allow-broad-resource'?: boolean | undefined;
}

/** Expiry when `--expires` is not given. */
export const DEFAULT_EXPIRES = '+1h';

/** A WHEN flag as the user wrote it and as the time it means, for messages. */
function shown(text: string, seconds: number): string {
  return `${text.trim()} (${utcTime(seconds)})`;
}

/**
 * The checks the core makes on key id and times, made first here so the message names the flag
 * (`--expires`, not the library's `expires`) and echoes at most a prefix of a long value.
 */
function checkSignFlags(
  keyPairId: string,
  times: { expires: number; notBefore: number | undefined; now: number },
  values: SignFlagValues,
): void {
  if (!isKeyPairId(keyPairId)) {
    throw new UsageError(
      `--key-pair-id ${quoteInput(keyPairId)} is not a CloudFront public key id (1 to 128 letters and digits, e.g. K2JCJMDEHXQW5F)`,
    );
  }
  const expiresText = values.expires ?? DEFAULT_EXPIRES;
  if (times.expires <= times.now) {
    throw new UsageError(`--expires ${shown(expiresText, times.expires)} is not in the future`);
  }
  if (times.notBefore !== undefined && times.notBefore >= times.expires) {
    throw new UsageError(
      `--not-before ${shown(values['not-before'] ?? '', times.notBefore)} must be earlier than --expires ${shown(expiresText, times.expires)}`,
    );
  }
}

/**
 * Turns the shared signing flags into the core's sign options: times through `whenFlag` (relative
 * to one `now`), the key loaded once from its file, the passphrase from `--passphrase` or
 * `EDGEPASS_KEY_PASSPHRASE`. Key id and times are checked here too, so messages name the flags;
 * the rest (IPv4 only, resource patterns) is the core's to check.
 */
export function readSignFlags(values: SignFlagValues, io: CliIo): SignOptions {
  const keyPairId = requireOption(values['key-pair-id'], 'key-pair-id');
  const keyFile = requireOption(values['private-key'], 'private-key');
  const now = io.now();
  const expires = whenFlag('expires', values.expires ?? DEFAULT_EXPIRES, now);
  const notBefore = values['not-before'] === undefined ? undefined : whenFlag('not-before', values['not-before'], now);
  checkSignFlags(keyPairId, { expires, notBefore, now }, values);
  const hashAlgorithm = values.hash === undefined ? undefined : oneOf(values.hash, ['sha1', 'sha256'], 'hash');
  const envPassphrase = io.env.EDGEPASS_KEY_PASSPHRASE;
  const passphrase = values.passphrase ?? (envPassphrase === '' ? undefined : envPassphrase);
  return {
    keyPairId,
    privateKey: readSigningKey(keyFile, passphrase),
    expires,
    notBefore,
    ipAddress: values.ip,
    hashAlgorithm,
    allowBroadResource: values['allow-broad-resource'] === true,
    now,
  };
}

/**
 * Runs a core signing call, naming the flag in the refusals the core reports by code (its IP
 * messages speak of the address, not of `--ip`).
 *
 * @example
 * const url = inFlagTerms(() => signUrl(url, options));
 */
export function inFlagTerms<T>(sign: () => T): T {
  try {
    return sign();
  } catch (error) {
    if (isEdgepassError(error) && error.code === 'INVALID_IP') {
      throw new UsageError(`--ip ${error.message}`, { cause: error });
    }
    throw error;
  }
}
