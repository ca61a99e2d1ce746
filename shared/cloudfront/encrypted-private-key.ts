/** Bounds what opening a passphrase-protected PKCS#8 key may cost, read from the key's own parameters before OpenSSL runs them. */
import {
  type DerElement,
  DerError,
  expectNull,
  readOctetString,
  readOid,
  readSequence,
  readTopElement,
  readUnsignedInteger,
} from './der-reader';
import { EdgepassError } from './errors';

/**
 * Most PBKDF2 (or PKCS#12 PBE) iterations edgepass lets OpenSSL run. OpenSSL (`openssl pkcs8 -topk8
 * -v2 aes-256-cbc`, `genpkey -aes256`) and Node (`KeyObject.export` with a cipher) write 2,048; OWASP
 * (2023) asks for 600,000 with HMAC-SHA-256 and 1,300,000 with HMAC-SHA-1. 2,000,000 leaves room above
 * all of them and costs 0.6–1.5 s with HMAC-SHA-256, up to about 4 s with HMAC-SHA-512, on a busy 2-core
 * machine; nothing in the file caps it otherwise, and 2^31−1 iterations is half an hour in one
 * synchronous call.
 */
export const MAX_PBKDF2_ITERATIONS = 2_000_000;

/**
 * Most scrypt work N·r·p edgepass lets OpenSSL run: 16 times `openssl pkcs8 -topk8 -scrypt`'s default
 * (N = 16384, r = 8, p = 1, about 0.13 s here), so p ≤ 16 at the default N and r (about 2 s).
 */
export const MAX_SCRYPT_WORK = 2 ** 21;

/**
 * scrypt memory, 128·r·(N + p + 2) bytes, that OpenSSL itself allows (its default `maxmem`, 32 MiB):
 * beyond it OpenSSL refuses the key anyway, so edgepass refuses it first, with the reason.
 */
export const MAX_SCRYPT_MEMORY_BYTES = 32 * 1024 * 1024;

const RE_ENCRYPT = 're-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc';

/** How a key is encrypted, once its parameters passed the checks. */
export type KeyEncryption =
  | { readonly kdf: 'pbkdf2'; readonly iterations: number; readonly prf: string; readonly cipher: string }
  | { readonly kdf: 'scrypt'; readonly n: number; readonly r: number; readonly p: number; readonly cipher: string }
  | { readonly kdf: 'pkcs12'; readonly iterations: number; readonly cipher: string };

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const SCRYPT = '1.3.6.1.4.1.11591.4.11';

/** The PBKDF2 PRFs of RFC 8018 that OpenSSL writes (`-v2prf`); the default, when absent, is HMAC-SHA-1. */
const PRFS: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.7': 'hmacWithSHA1',
  '1.2.840.113549.2.8': 'hmacWithSHA224',
  '1.2.840.113549.2.9': 'hmacWithSHA256',
  '1.2.840.113549.2.10': 'hmacWithSHA384',
  '1.2.840.113549.2.11': 'hmacWithSHA512',
};

/**
 * PBES2 ciphers read. Their keys are at most 32 bytes, so PBKDF2 computes at most two blocks and the
 * iteration cap bounds the cost; a cipher with a longer key would multiply it.
 */
const CIPHERS: Readonly<
  Record<string, { readonly name: string; readonly keyBytes: number; readonly ivBytes: number }>
> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyBytes: 16, ivBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyBytes: 24, ivBytes: 16 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyBytes: 32, ivBytes: 16 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyBytes: 24, ivBytes: 8 },
};

/** PKCS#12 PBE schemes OpenSSL 3 decrypts without its legacy provider (`openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES`). */
const PKCS12_PBE: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.12.1.3': 'pbeWithSHAAnd3-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.4': 'pbeWithSHAAnd2-KeyTripleDES-CBC',
};

/** Schemes refused by name: OpenSSL 3 needs its legacy provider for them, and some run the KDF before finding that out. */
const REFUSED: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4 (PKCS#12)',
  '1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4 (PKCS#12)',
  '1.2.840.113549.1.12.1.5': 'pbeWithSHAAnd128BitRC2-CBC (PKCS#12)',
  '1.2.840.113549.1.12.1.6': 'pbeWithSHAAnd40BitRC2-CBC (PKCS#12)',
  '1.2.840.113549.1.5.1': 'pbeWithMD2AndDES-CBC (PBES1)',
  '1.2.840.113549.1.5.3': 'pbeWithMD5AndDES-CBC (PBES1)',
  '1.2.840.113549.1.5.4': 'pbeWithMD2AndRC2-CBC (PBES1)',
  '1.2.840.113549.1.5.6': 'pbeWithMD5AndRC2-CBC (PBES1)',
  '1.2.840.113549.1.5.10': 'pbeWithSHA1AndDES-CBC (PBES1)',
  '1.2.840.113549.1.5.11': 'pbeWithSHA1AndRC2-CBC (PBES1)',
};

function unsupported(what: string, oid: string): EdgepassError {
  const name = REFUSED[oid] ?? `an unknown ${what} (OID ${oid})`;
  return new EdgepassError(
    'INVALID_KEY',
    `the private key is encrypted with ${name}, which edgepass does not read; ${RE_ENCRYPT}`,
  );
}

function overCap(message: string): EdgepassError {
  return new EdgepassError('INVALID_KEY', `${message}; ${RE_ENCRYPT}`);
}

interface Algorithm {
  readonly oid: string;
  readonly parameters: DerElement | undefined;
}

function readAlgorithm(der: Uint8Array, element: DerElement, what: string): Algorithm {
  const [oid, parameters] = readSequence(der, element, what, 1, 2);
  return { oid: readOid(der, oid as DerElement), parameters };
}

function requireParameters(parameters: DerElement | undefined, what: string): DerElement {
  if (parameters === undefined) throw new DerError(`${what} are missing`);
  return parameters;
}

/** A count that must be at least `min`; the caller compares it with its cap while it is still a bigint. */
function readCount(der: Uint8Array, element: DerElement | undefined, what: string, min = 1n): bigint {
  if (element === undefined) throw new DerError(`${what} is missing`);
  const value = readUnsignedInteger(der, element, what);
  if (value < min) throw new DerError(`${what} is ${value}, below ${min}`);
  return value;
}

function checkKeyLength(der: Uint8Array, element: DerElement, cipher: { name: string; keyBytes: number }): void {
  const keyLength = readUnsignedInteger(der, element, 'keyLength');
  if (keyLength !== BigInt(cipher.keyBytes)) {
    throw new DerError(`keyLength ${keyLength} does not match ${cipher.name}'s ${cipher.keyBytes}-byte key`);
  }
}

function readPbkdf2(der: Uint8Array, parameters: DerElement, cipher: { name: string; keyBytes: number }) {
  const [salt, count, ...rest] = readSequence(der, parameters, 'PBKDF2 parameters', 2, 4);
  readOctetString(der, salt as DerElement, 'PBKDF2 salt');
  const iterations = readCount(der, count, 'PBKDF2 iteration count');
  if (iterations > BigInt(MAX_PBKDF2_ITERATIONS)) {
    throw overCap(`PBKDF2 iteration count ${iterations} exceeds ${MAX_PBKDF2_ITERATIONS}`);
  }
  let prf = 'hmacWithSHA1';
  let next = rest.shift();
  if (next?.tag === 0x02) {
    checkKeyLength(der, next, cipher);
    next = rest.shift();
  }
  if (next !== undefined) {
    const algorithm = readAlgorithm(der, next, 'PBKDF2 PRF');
    const name = PRFS[algorithm.oid];
    if (name === undefined) throw unsupported('PBKDF2 PRF', algorithm.oid);
    if (algorithm.parameters !== undefined) expectNull(algorithm.parameters, 'PRF parameters');
    prf = name;
  }
  if (rest.length > 0) throw new DerError('PBKDF2 parameters hold more than salt, iteration count, keyLength and PRF');
  return { iterations: Number(iterations), prf };
}

function readScrypt(der: Uint8Array, parameters: DerElement, cipher: { name: string; keyBytes: number }) {
  const [salt, costElement, blockElement, parallelElement, keyLength] = readSequence(
    der,
    parameters,
    'scrypt parameters',
    4,
    5,
  );
  readOctetString(der, salt as DerElement, 'scrypt salt');
  const n = readCount(der, costElement, 'scrypt N', 2n);
  const r = readCount(der, blockElement, 'scrypt r');
  const p = readCount(der, parallelElement, 'scrypt p');
  if ((n & (n - 1n)) !== 0n) throw new DerError(`scrypt N ${n} is not a power of two`);
  if (keyLength !== undefined) checkKeyLength(der, keyLength, cipher);
  const memory = 128n * r * (n + p + 2n);
  if (memory > BigInt(MAX_SCRYPT_MEMORY_BYTES)) {
    throw overCap(
      `scrypt N=${n}, r=${r}, p=${p} needs ${memory} bytes of memory, over OpenSSL's limit of ${MAX_SCRYPT_MEMORY_BYTES}`,
    );
  }
  const work = n * r * p;
  if (work > BigInt(MAX_SCRYPT_WORK)) {
    throw overCap(`scrypt work N·r·p = ${n}·${r}·${p} = ${work} exceeds ${MAX_SCRYPT_WORK}`);
  }
  return { n: Number(n), r: Number(r), p: Number(p) };
}

function readPbes2(der: Uint8Array, parameters: DerElement): KeyEncryption {
  const [kdfElement, schemeElement] = readSequence(der, parameters, 'PBES2 parameters', 2, 2);
  const scheme = readAlgorithm(der, schemeElement as DerElement, 'PBES2 encryption scheme');
  const cipher = CIPHERS[scheme.oid];
  if (cipher === undefined) throw unsupported('cipher', scheme.oid);
  const iv = readOctetString(
    der,
    requireParameters(scheme.parameters, `${cipher.name} parameters`),
    `${cipher.name} IV`,
  );
  if (iv.length !== cipher.ivBytes)
    throw new DerError(`${cipher.name} IV is ${iv.length} bytes, not ${cipher.ivBytes}`);
  const kdf = readAlgorithm(der, kdfElement as DerElement, 'PBES2 key derivation function');
  if (kdf.oid === PBKDF2) {
    const { iterations, prf } = readPbkdf2(der, requireParameters(kdf.parameters, 'PBKDF2 parameters'), cipher);
    return { kdf: 'pbkdf2', iterations, prf, cipher: cipher.name };
  }
  if (kdf.oid === SCRYPT) {
    return {
      kdf: 'scrypt',
      ...readScrypt(der, requireParameters(kdf.parameters, 'scrypt parameters'), cipher),
      cipher: cipher.name,
    };
  }
  throw unsupported('key derivation function', kdf.oid);
}

function readPkcs12Pbe(der: Uint8Array, parameters: DerElement, name: string): KeyEncryption {
  const [salt, count] = readSequence(der, parameters, `${name} parameters`, 2, 2);
  readOctetString(der, salt as DerElement, `${name} salt`);
  const iterations = readCount(der, count, `${name} iteration count`);
  if (iterations > BigInt(MAX_PBKDF2_ITERATIONS)) {
    throw overCap(`${name} iteration count ${iterations} exceeds ${MAX_PBKDF2_ITERATIONS}`);
  }
  return { kdf: 'pkcs12', iterations: Number(iterations), cipher: name };
}

function readEncryption(der: Uint8Array): KeyEncryption {
  const [algorithmElement, data] = readSequence(der, readTopElement(der), 'EncryptedPrivateKeyInfo', 2, 2);
  readOctetString(der, data as DerElement, 'encryptedData');
  const algorithm = readAlgorithm(der, algorithmElement as DerElement, 'encryptionAlgorithm');
  if (algorithm.oid === PBES2) return readPbes2(der, requireParameters(algorithm.parameters, 'PBES2 parameters'));
  const pkcs12 = PKCS12_PBE[algorithm.oid];
  if (pkcs12 !== undefined) {
    return readPkcs12Pbe(der, requireParameters(algorithm.parameters, `${pkcs12} parameters`), pkcs12);
  }
  throw unsupported('encryption algorithm', algorithm.oid);
}

/**
 * Reads a PKCS#8 `EncryptedPrivateKeyInfo` (the DER inside `-----BEGIN ENCRYPTED PRIVATE KEY-----`) and
 * checks that decrypting it is bounded, without decrypting anything: PBES2 with PBKDF2 (at most
 * {@link MAX_PBKDF2_ITERATIONS} iterations; PRF HMAC-SHA-1/224/256/384/512) or scrypt (N·r·p at most
 * {@link MAX_SCRYPT_WORK}, memory at most {@link MAX_SCRYPT_MEMORY_BYTES}), with AES-CBC or 3DES-CBC;
 * or PKCS#12 PBE with 3DES, capped like PBKDF2. Anything malformed, unknown or over a cap is an
 * `INVALID_KEY` error that says which, never a call into OpenSSL. Linear in the input, no recursion.
 *
 * @example
 * checkEncryptedPrivateKeyInfo(der) // { kdf: 'pbkdf2', iterations: 2048, prf: 'hmacWithSHA256', cipher: 'aes-256-cbc' }
 */
export function checkEncryptedPrivateKeyInfo(der: Uint8Array): KeyEncryption {
  try {
    return readEncryption(der);
  } catch (error) {
    if (error instanceof DerError) {
      throw new EdgepassError('INVALID_KEY', `the encrypted private key is malformed: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
