/** Specifies how edgepass bounds the cost of opening a passphrase-protected key before OpenSSL runs it. */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdgepassError, type EdgepassErrorCode, loadSigningKey } from '../../../shared';
import {
  checkEncryptedPrivateKeyInfo,
  MAX_PBKDF2_ITERATIONS,
  MAX_SCRYPT_MEMORY_BYTES,
  MAX_SCRYPT_WORK,
} from '../../../shared/cloudfront/encrypted-private-key';
import {
  integer,
  OIDS,
  octetString,
  oid,
  pbeInfo,
  pbkdf2Info,
  pem,
  pemDer,
  scryptInfo,
  sequence,
  tlv,
  withIterations,
} from '../../fixtures/encrypted-keys';

const PASSPHRASE = 'correct horse';
const { privateKey: rsaKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const { privateKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const encrypted = (key = rsaKey) =>
  key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }).toString();
const rsaEncrypted = encrypted();
const rsaPlain = rsaKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function failure(action: () => unknown): { code: EdgepassErrorCode; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof EdgepassError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an EdgepassError');
}

const refusal = (der: Uint8Array) => failure(() => checkEncryptedPrivateKeyInfo(der));
const RE_ENCRYPT = 're-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc';

describe('checkEncryptedPrivateKeyInfo', () => {
  it('reads what Node writes: PBES2, PBKDF2 with 2048 iterations of HMAC-SHA-256, AES-256-CBC', () => {
    expect(checkEncryptedPrivateKeyInfo(pemDer(rsaEncrypted))).toEqual({
      kdf: 'pbkdf2',
      iterations: 2048,
      prf: 'hmacWithSHA256',
      cipher: 'aes-256-cbc',
    });
  });

  it('takes HMAC-SHA-1 when the PRF is absent, and a keyLength that matches the cipher', () => {
    expect(checkEncryptedPrivateKeyInfo(pbkdf2Info(2048, { keyLength: 32 }))).toMatchObject({ prf: 'hmacWithSHA1' });
  });

  it(`accepts ${MAX_PBKDF2_ITERATIONS} PBKDF2 iterations and refuses one more, naming both numbers`, () => {
    expect(checkEncryptedPrivateKeyInfo(pbkdf2Info(MAX_PBKDF2_ITERATIONS))).toMatchObject({
      iterations: MAX_PBKDF2_ITERATIONS,
    });
    expect(refusal(pbkdf2Info(MAX_PBKDF2_ITERATIONS + 1))).toEqual({
      code: 'INVALID_KEY',
      message: `PBKDF2 iteration count ${MAX_PBKDF2_ITERATIONS + 1} exceeds ${MAX_PBKDF2_ITERATIONS}; ${RE_ENCRYPT}`,
    });
  });

  it.each([
    ['2^31−1', 2 ** 31 - 1],
    ['10^9', 1_000_000_000],
    ['2^64', 2n ** 64n],
    ['a 63-byte number', 2n ** 500n],
  ])('refuses %s iterations in a real key, patched', (_name, iterations) => {
    expect(refusal(pemDer(withIterations(rsaEncrypted, iterations))).message).toBe(
      `PBKDF2 iteration count ${iterations} exceeds ${MAX_PBKDF2_ITERATIONS}; ${RE_ENCRYPT}`,
    );
  });

  it('refuses zero iterations and a keyLength that does not match the cipher', () => {
    expect(refusal(pbkdf2Info(0)).message).toBe(
      'the encrypted private key is malformed: PBKDF2 iteration count is 0, below 1',
    );
    expect(refusal(pbkdf2Info(2048, { keyLength: 64 })).message).toMatch(
      /keyLength 64 does not match aes-256-cbc's 32-byte key/,
    );
  });

  it("reads openssl's scrypt default (N=16384, r=8, p=1) and up to 16 times its work", () => {
    expect(checkEncryptedPrivateKeyInfo(scryptInfo(16384, 8, 1))).toEqual({
      kdf: 'scrypt',
      n: 16384,
      r: 8,
      p: 1,
      cipher: 'aes-256-cbc',
    });
    expect(checkEncryptedPrivateKeyInfo(scryptInfo(16384, 8, 16))).toMatchObject({ p: 16 });
    expect(16384 * 8 * 16).toBe(MAX_SCRYPT_WORK);
  });

  it('refuses scrypt work over the cap (a small N with a huge p) and memory over what OpenSSL allows', () => {
    expect(refusal(scryptInfo(16384, 8, 17)).message).toBe(
      `scrypt work N·r·p = 16384·8·17 = 2228224 exceeds ${MAX_SCRYPT_WORK}; ${RE_ENCRYPT}`,
    );
    expect(refusal(scryptInfo(16384, 8, 16000)).message).toMatch(/^scrypt work N·r·p = 16384·8·16000 = /);
    expect(refusal(scryptInfo(2 ** 20, 8, 1)).message).toBe(
      `scrypt N=1048576, r=8, p=1 needs 1073744896 bytes of memory, over OpenSSL's limit of ${MAX_SCRYPT_MEMORY_BYTES}; ${RE_ENCRYPT}`,
    );
    expect(refusal(scryptInfo(2 ** 15, 8, 1)).message).toMatch(/needs 33557504 bytes of memory/);
  });

  it('refuses a scrypt N that is not a power of two above 1', () => {
    expect(refusal(scryptInfo(1000, 8, 1)).message).toMatch(/scrypt N 1000 is not a power of two/);
    expect(refusal(scryptInfo(1, 8, 1)).message).toMatch(/scrypt N is 1, below 2/);
  });

  it('reads PKCS#12 3DES (openssl pkcs8 -v1 PBE-SHA1-3DES) under the same iteration cap', () => {
    expect(checkEncryptedPrivateKeyInfo(pbeInfo(OIDS.pbeWithSHAAnd3KeyTripleDES, 2048))).toEqual({
      kdf: 'pkcs12',
      iterations: 2048,
      cipher: 'pbeWithSHAAnd3-KeyTripleDES-CBC',
    });
    expect(refusal(pbeInfo(OIDS.pbeWithSHAAnd3KeyTripleDES, 2 ** 31 - 1)).message).toBe(
      `pbeWithSHAAnd3-KeyTripleDES-CBC iteration count 2147483647 exceeds ${MAX_PBKDF2_ITERATIONS}; ${RE_ENCRYPT}`,
    );
  });

  it('refuses PKCS#12 RC4 and PBES1 schemes by name, and unknown algorithms by OID', () => {
    expect(refusal(pbeInfo(OIDS.pbeWithSHAAnd128BitRC4, 2048)).message).toBe(
      `the private key is encrypted with pbeWithSHAAnd128BitRC4 (PKCS#12), which edgepass does not read; ${RE_ENCRYPT}`,
    );
    expect(refusal(pbeInfo(OIDS.pbeWithMD5AndDES, 2048)).message).toMatch(/pbeWithMD5AndDES-CBC \(PBES1\)/);
    expect(refusal(pbeInfo('1.2.3.4', 2048)).message).toMatch(
      /^the private key is encrypted with an unknown encryption algorithm \(OID 1\.2\.3\.4\)/,
    );
    expect(refusal(pbkdf2Info(2048, { prf: '1.2.840.113549.2.12' })).message).toMatch(
      /an unknown PBKDF2 PRF \(OID 1\.2\.840\.113549\.2\.12\)/,
    );
    expect(
      refusal(pbkdf2Info(2048, { cipher: sequence(oid('2.16.840.1.101.3.4.1.46'), octetString(Buffer.alloc(12))) }))
        .message,
    ).toMatch(/an unknown cipher \(OID 2\.16\.840\.1\.101\.3\.4\.1\.46\)/);
  });

  it('refuses lengths DER forbids or the bytes cannot hold, without trusting them', () => {
    const cases: [string, Buffer, RegExp][] = [
      ['a length field claiming 2^32 bytes', Buffer.from('30850100000000', 'hex'), /length field of 5 bytes at byte 1/],
      [
        'a length of 2^32−1',
        Buffer.from('3084ffffffff3000', 'hex'),
        /length at byte 1 claims 4294967295 bytes, only 2 are left/,
      ],
      [
        'a child claiming more than its parent',
        sequence(Buffer.from('30830fffff', 'hex')),
        /length at byte 3 claims 1048575 bytes, only 0 are left/,
      ],
      ['an indefinite length', Buffer.from('30800000', 'hex'), /indefinite length/],
      ['a non-minimal length', Buffer.from('3081023000', 'hex'), /non-minimal length/],
      ['a multi-byte tag', Buffer.from('1f8100', 'hex'), /multi-byte tag/],
      ['a byte after the structure', Buffer.concat([pemDer(rsaEncrypted), Buffer.from([0])]), /1 bytes after the end/],
      [
        'a SEQUENCE of many empty elements',
        sequence(...Array.from({ length: 1000 }, () => Buffer.from('0500', 'hex'))),
        /more than 2 elements/,
      ],
      ['a negative iteration count', pbkdf2InfoRaw(Buffer.from('0201ff', 'hex')), /PBKDF2 iteration count is negative/],
      [
        'a non-minimal iteration count',
        pbkdf2InfoRaw(Buffer.from('02020001', 'hex')),
        /iteration count has a non-minimal/,
      ],
      [
        'an iteration count of no bytes',
        pbkdf2InfoRaw(Buffer.from('0200', 'hex')),
        /iteration count is an empty INTEGER/,
      ],
      [
        'an iteration count longer than it says',
        pbkdf2InfoRaw(Buffer.from('020208', 'hex')),
        /claims 2 bytes, only 1 are left/,
      ],
      ['text', Buffer.from('not a key at all'), /is tag 0x6e at byte 0, expected SEQUENCE|claims 111 bytes/],
      ['a salt that is a SEQUENCE', pbkdf2InfoRawSalt(), /PBKDF2 salt is SEQUENCE at byte \d+, expected OCTET STRING/],
      ['nothing', Buffer.alloc(0), /truncated at byte 0/],
    ];
    for (const [name, der, message] of cases) {
      const { code, message: text } = refusal(der);
      expect(code, name).toBe('INVALID_KEY');
      expect(text, name).toMatch(/^the encrypted private key is malformed: /);
      expect(text, name).toMatch(message);
    }
  });

  it('refuses every truncation of a real key', () => {
    const der = pemDer(rsaEncrypted);
    for (let length = 0; length < der.length; length += 1) {
      expect(refusal(der.subarray(0, length)).code).toBe('INVALID_KEY');
    }
  });

  it('never lets a mutated key through over the caps, and fails only with INVALID_KEY', () => {
    const bases = [pemDer(rsaEncrypted), scryptInfo(16384, 8, 1), pbeInfo(OIDS.pbeWithSHAAnd3KeyTripleDES, 2048)];
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (base, edits) => {
          const der = Buffer.from(base);
          for (const [at, byte] of edits) der[at % der.length] = byte;
          let result: ReturnType<typeof checkEncryptedPrivateKeyInfo>;
          try {
            result = checkEncryptedPrivateKeyInfo(der);
          } catch (error) {
            expect(error).toBeInstanceOf(EdgepassError);
            expect((error as EdgepassError).code).toBe('INVALID_KEY');
            return;
          }
          if (result.kdf === 'scrypt') expect(result.n * result.r * result.p).toBeLessThanOrEqual(MAX_SCRYPT_WORK);
          else expect(result.iterations).toBeLessThanOrEqual(MAX_PBKDF2_ITERATIONS);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** A PBES2/PBKDF2 info whose salt is PBKDF2's `otherSource` choice, which OpenSSL does not read. */
function pbkdf2InfoRawSalt(): Buffer {
  const kdf = sequence(oid(OIDS.pbkdf2), sequence(sequence(oid('1.2.3.4')), integer(2048)));
  const scheme = sequence(oid(OIDS.aes256cbc), octetString(Buffer.alloc(16)));
  return sequence(sequence(oid(OIDS.pbes2), sequence(kdf, scheme)), octetString(Buffer.alloc(16)));
}

/** A PBES2/PBKDF2 info whose iteration element is the raw bytes given. */
function pbkdf2InfoRaw(iterationElement: Buffer): Buffer {
  const kdf = sequence(oid(OIDS.pbkdf2), sequence(octetString(Buffer.alloc(8)), iterationElement));
  const scheme = sequence(oid(OIDS.aes256cbc), octetString(Buffer.alloc(16)));
  return sequence(sequence(oid(OIDS.pbes2), sequence(kdf, scheme)), octetString(Buffer.alloc(16)));
}

describe('loadSigningKey with a passphrase', () => {
  // Over-cap keys here are just over the cap: were the check gone, OpenSSL would spend a second or two
  // and fail with "bad decrypt", so the test fails instead of hanging. The CLI tests run the real bombs.
  const justOver = withIterations(rsaEncrypted, MAX_PBKDF2_ITERATIONS + 1);

  it('opens PKCS#8 keys Node encrypts, RSA and EC', () => {
    expect(loadSigningKey(rsaEncrypted, PASSPHRASE).type).toBe('rsa');
    expect(loadSigningKey(encrypted(ecKey), PASSPHRASE).type).toBe('ecdsa');
  });

  it('opens traditional PEM encryption (Proc-Type: 4,ENCRYPTED), RSA and EC', () => {
    const rsaLegacy = rsaKey
      .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE })
      .toString();
    const ecLegacy = ecKey
      .export({ type: 'sec1', format: 'pem', cipher: 'aes-128-cbc', passphrase: PASSPHRASE })
      .toString();
    expect(rsaLegacy).toContain('Proc-Type: 4,ENCRYPTED');
    expect(loadSigningKey(rsaLegacy, PASSPHRASE).type).toBe('rsa');
    expect(loadSigningKey(ecLegacy, PASSPHRASE).type).toBe('ecdsa');
    expect(failure(() => loadSigningKey(rsaLegacy, 'wrong')).message).toMatch(/wrong passphrase|not a PEM private key/);
  });

  it('opens an unencrypted key given a passphrase anyway, with text and other blocks around it', () => {
    const ecSec1 = ecKey.export({ type: 'sec1', format: 'pem' }).toString();
    const withParameters = `Bag Attributes\n    localKeyID: 01\n${pem('EC PARAMETERS', Buffer.from('06082a8648ce3d030107', 'hex'))}${ecSec1}`;
    expect(loadSigningKey(rsaPlain, PASSPHRASE).type).toBe('rsa');
    expect(loadSigningKey(withParameters, PASSPHRASE).type).toBe('ecdsa');
  });

  it('reports a wrong passphrase as such', () => {
    expect(failure(() => loadSigningKey(encrypted(), 'wrong'))).toMatchObject({
      code: 'INVALID_KEY',
      message: 'wrong passphrase for the encrypted private key',
    });
  });

  it('refuses a key over the iteration cap before OpenSSL runs it, the empty passphrase included', () => {
    for (const passphrase of [PASSPHRASE, '']) {
      expect(failure(() => loadSigningKey(justOver, passphrase))).toEqual({
        code: 'INVALID_KEY',
        message: `PBKDF2 iteration count ${MAX_PBKDF2_ITERATIONS + 1} exceeds ${MAX_PBKDF2_ITERATIONS}; ${RE_ENCRYPT}`,
      });
    }
  });

  it('without a passphrase, asks for one (OpenSSL derives nothing without it)', () => {
    expect(failure(() => loadSigningKey(justOver)).code).toBe('KEY_PASSPHRASE_REQUIRED');
  });

  it('checks the key block even after a block OpenSSL would skip (a certificate, a garbage key)', () => {
    expect(
      failure(() => loadSigningKey(`${pem('CERTIFICATE', Buffer.from('hello'))}${justOver}`, PASSPHRASE)).message,
    ).toMatch(/^PBKDF2 iteration count 2000001 exceeds/);
    expect(
      failure(() => loadSigningKey(`${pem('PRIVATE KEY', Buffer.from('3000', 'hex'))}${justOver}`, PASSPHRASE)).message,
    ).toBe('the PEM holds 2 private key blocks; keep only the key to sign with');
  });

  it('opens an encrypted key with Windows line ends', () => {
    expect(loadSigningKey(rsaEncrypted.replaceAll('\n', '\r\n'), PASSPHRASE).type).toBe('rsa');
  });

  it('opens a block labelled unencrypted without the passphrase, so OpenSSL derives nothing for a bomb inside', () => {
    // Had OpenSSL derived the key, the failure would be "wrong passphrase" after a second or two.
    for (const label of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']) {
      expect(failure(() => loadSigningKey(pem(label, pemDer(justOver)), PASSPHRASE)).message, label).toMatch(
        /^not a PEM private key/,
      );
    }
  });

  it('refuses PEM headers in a PKCS#8 block: OpenSSL would decrypt them into a second, unchecked key', () => {
    const headers = ['Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF'];
    expect(
      failure(() => loadSigningKey(pem('ENCRYPTED PRIVATE KEY', pbkdf2Info(2048), headers), PASSPHRASE)).message,
    ).toBe('the ENCRYPTED PRIVATE KEY PEM block has headers; PKCS#8 keys carry their encryption inside');
    expect(failure(() => loadSigningKey(pem('PRIVATE KEY', pbkdf2Info(2048), headers), PASSPHRASE)).message).toMatch(
      /^the PRIVATE KEY PEM block has headers edgepass does not read/,
    );
  });

  it('refuses bad base64, a block without its END line, and key types it does not read', () => {
    const body = rsaEncrypted.split('\n').slice(1, -2).join('\n');
    expect(
      failure(() =>
        loadSigningKey(
          `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}!\n-----END ENCRYPTED PRIVATE KEY-----\n`,
          PASSPHRASE,
        ),
      ).message,
    ).toBe('the ENCRYPTED PRIVATE KEY PEM block is not valid base64');
    expect(
      failure(() => loadSigningKey(`-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}\n`, PASSPHRASE)).message,
    ).toMatch(/has no -----END ENCRYPTED PRIVATE KEY----- line/);
    expect(failure(() => loadSigningKey(pem('OPENSSH PRIVATE KEY', Buffer.from('x')), PASSPHRASE)).message).toMatch(
      /"OPENSSH PRIVATE KEY" PEM block is not a key edgepass reads/,
    );
    expect(failure(() => loadSigningKey('not a key', PASSPHRASE)).message).toMatch(/^not a PEM private key/);
  });

  it('refuses a malformed encrypted key with what is wrong', () => {
    expect(
      failure(() =>
        loadSigningKey(pem('ENCRYPTED PRIVATE KEY', tlv(0x30, Buffer.from('3084ffffffff', 'hex'))), PASSPHRASE),
      ).message,
    ).toMatch(/^the encrypted private key is malformed: length at byte 3 claims 4294967295 bytes/);
  });
});
