import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { EdgepassError } from './errors';
import { privateKeyInput } from './private-key-input';

/** The two key types CloudFront trusts: RSA-2048 and ECDSA P-256. */
export type KeyType = 'rsa' | 'ecdsa';

/** A private key parsed once, ready for signing. */
export interface SigningKey {
  readonly keyObject: KeyObject;
  readonly type: KeyType;
}

/** Checks a parsed key is one CloudFront accepts and names its type, or explains why not. */
export function cloudFrontKeyType(key: KeyObject): KeyType {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    if (details?.modulusLength !== 2048) {
      throw new EdgepassError(
        'INVALID_KEY',
        `CloudFront accepts RSA keys of exactly 2048 bits; this one has ${details?.modulusLength ?? 'an unknown number of'} bits`,
      );
    }
    return 'rsa';
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve !== 'prime256v1') {
      throw new EdgepassError(
        'INVALID_KEY',
        `CloudFront accepts ECDSA keys on P-256 (prime256v1) only; this one is on ${details?.namedCurve ?? 'an unknown curve'}`,
      );
    }
    return 'ecdsa';
  }
  throw new EdgepassError(
    'INVALID_KEY',
    `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}: CloudFront accepts RSA-2048 or ECDSA P-256`,
  );
}

const cache = new Map<string, SigningKey>();
const MAX_CACHED_KEYS = 16;

/**
 * Parses a PEM private key (PKCS#1, PKCS#8 or SEC1; encrypted with `passphrase`) once and caches the
 * result by its text, so repeated calls with the same PEM cost a map lookup instead of a parse.
 * With a passphrase, OpenSSL gets only the key block `privateKeyInput` read, and an encrypted PKCS#8
 * key only once its key derivation is bounded (at most 2,000,000 PBKDF2 iterations, scrypt N·r·p at
 * most 2^21): a file cannot make the call run for minutes.
 *
 * @example
 * const key = loadSigningKey(fs.readFileSync('private.pem', 'utf8'));
 */
export function loadSigningKey(pem: string | KeyObject, passphrase?: string): SigningKey {
  if (typeof pem !== 'string') {
    if (pem.type !== 'private') throw new EdgepassError('INVALID_KEY', 'a private key is needed to sign');
    return { keyObject: pem, type: cloudFrontKeyType(pem) };
  }
  const cacheKey = passphrase === undefined ? pem : `${passphrase}\u0000${pem}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  // Checked before OpenSSL runs anything: its refusals are user-facing already.
  const input = passphrase === undefined ? pem : privateKeyInput(pem, passphrase);
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(input);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Node reports a missing passphrase differently by key format (PKCS#8 vs traditional PEM).
    const encrypted = pem.includes('ENCRYPTED');
    if (passphrase === undefined && (encrypted || code === 'ERR_MISSING_PASSPHRASE')) {
      throw new EdgepassError('KEY_PASSPHRASE_REQUIRED', 'the private key is encrypted: give its passphrase', {
        cause: error,
      });
    }
    // A wrong passphrase mostly fails the cipher's padding check (BAD_DECRYPT), but about one in 256
    // decrypts to bytes that then fail to parse: for an encrypted key either means the passphrase.
    if (passphrase !== undefined && (encrypted || /BAD_DECRYPT|bad decrypt/i.test(String(code) + String(error)))) {
      throw new EdgepassError('INVALID_KEY', 'wrong passphrase for the encrypted private key', { cause: error });
    }
    throw new EdgepassError('INVALID_KEY', 'not a PEM private key (expected -----BEGIN … PRIVATE KEY-----)', {
      cause: error,
    });
  }
  const key: SigningKey = { keyObject, type: cloudFrontKeyType(keyObject) };
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(cacheKey, key);
  return key;
}

/** Parses a PEM public key (or derives it from a private one) and checks CloudFront accepts it. */
export function loadPublicKey(pem: string | KeyObject): { keyObject: KeyObject; type: KeyType } {
  let keyObject: KeyObject;
  try {
    keyObject = typeof pem === 'string' ? createPublicKey(pem) : pem.type === 'public' ? pem : createPublicKey(pem);
  } catch (error) {
    throw new EdgepassError('INVALID_KEY', 'not a PEM public key (expected -----BEGIN PUBLIC KEY-----)', {
      cause: error,
    });
  }
  return { keyObject, type: cloudFrontKeyType(keyObject) };
}
