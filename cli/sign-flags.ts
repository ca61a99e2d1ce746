import type { SignOptions } from '../shared';
import { oneOf, requireOption } from './args';
import type { CliIo } from './io';
import { readSigningKey } from './key-file';
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

/**
 * Turns the shared signing flags into the core's sign options: times through `parseWhen` (relative
 * to one `now`), the key loaded once from its file, the passphrase from `--passphrase` or
 * `EDGEPASS_KEY_PASSPHRASE`. Everything else (key id shape, IPv4 only, expiry in the future) is the
 * core's to check.
 */
export function readSignFlags(values: SignFlagValues, io: CliIo): SignOptions {
  const keyPairId = requireOption(values['key-pair-id'], 'key-pair-id');
  const keyFile = requireOption(values['private-key'], 'private-key');
  const now = io.now();
  const expires = whenFlag('expires', values.expires ?? DEFAULT_EXPIRES, now);
  const notBefore = values['not-before'] === undefined ? undefined : whenFlag('not-before', values['not-before'], now);
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
