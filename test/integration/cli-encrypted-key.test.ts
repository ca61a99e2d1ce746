/** The built CLI with passphrase-protected keys: real ones open and sign; crafted ones are refused at once, never run. */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyGroup, epochSeconds, verifySignedRequest } from '../../shared';
import {
  OIDS,
  pbeInfo,
  pbkdf2Info,
  pem,
  pemDer,
  scryptInfo,
  sequence,
  withIterations,
} from '../fixtures/encrypted-keys';
import { ecKeyPair, rsaKeyPair } from '../fixtures/keys';
import { type CliResult, runCli } from '../fixtures/run-cli';

const HOST = 'https://d111111abcdef8.cloudfront.net';
const URL_TO_SIGN = `${HOST}/videos/a.mp4`;
const FAR_FUTURE = '2000000000';
const PASSPHRASE = 'open sesame';
const CAP = 2_000_000;
const RE_ENCRYPT = 're-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc';
const rsa = rsaKeyPair();
const ec = ecKeyPair();
const keyGroup = createKeyGroup([
  { id: 'KRSA', publicKey: rsa.publicPem },
  { id: 'KEC', publicKey: ec.publicPem },
]);

/** Whether the `openssl` command is here to write keys the way users do. */
const OPENSSL = spawnSync('openssl', ['version']).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'edgepass-encrypted-key-'));
const file = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the built CLI with no passphrase from the test's environment. A CLI still running after 20 s is
 * killed (status null): a key that makes OpenSSL derive for half an hour fails the test, not the suite.
 */
function edgepass(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { EDGEPASS_KEY_PASSPHRASE: _ignored, ...base } = process.env;
  return runCli(args, { ...base, ...env }, { killAfterMs: 20_000 });
}

const signUrlArgs = (keyFile: string, keyPairId = 'KRSA') => [
  'sign-url',
  URL_TO_SIGN,
  '--key-pair-id',
  keyPairId,
  '--private-key',
  keyFile,
  '--expires',
  FAR_FUTURE,
];

function openssl(args: readonly string[], out: string): void {
  execFileSync('openssl', [...args, '-out', file(out)], { stdio: ['ignore', 'ignore', 'pipe'] });
}

const rsaNode = () =>
  rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }).toString();

/** Crafted key files, each refused with exit 2 and this message after the file name. */
const BOMBS: readonly (readonly [name: string, text: () => string, message: string | RegExp])[] = [
  [
    'PBKDF2 with 2^31−1 iterations',
    () => withIterations(rsaNode(), 2 ** 31 - 1),
    `PBKDF2 iteration count 2147483647 exceeds ${CAP}; ${RE_ENCRYPT}`,
  ],
  [
    'PBKDF2 with 10^9 iterations',
    () => withIterations(rsaNode(), 1_000_000_000),
    `PBKDF2 iteration count 1000000000 exceeds ${CAP}; ${RE_ENCRYPT}`,
  ],
  [
    'scrypt with a huge N',
    () => pem('ENCRYPTED PRIVATE KEY', scryptInfo(2 ** 20, 8, 1)),
    /^scrypt N=1048576, r=8, p=1 needs 1073744896 bytes of memory, over OpenSSL's limit of 33554432; re-encrypt/,
  ],
  [
    'scrypt with a huge p (little memory, half an hour)',
    () => pem('ENCRYPTED PRIVATE KEY', scryptInfo(16384, 8, 16000)),
    /^scrypt work N·r·p = 16384·8·16000 = 2097152000 exceeds 2097152; re-encrypt/,
  ],
  [
    'PKCS#12 3DES with 2^31−1 iterations',
    () => pem('ENCRYPTED PRIVATE KEY', pbeInfo(OIDS.pbeWithSHAAnd3KeyTripleDES, 2 ** 31 - 1)),
    /^pbeWithSHAAnd3-KeyTripleDES-CBC iteration count 2147483647 exceeds 2000000/,
  ],
  [
    'PKCS#12 RC4 (OpenSSL derives the key before finding it has no RC4)',
    () => pem('ENCRYPTED PRIVATE KEY', pbeInfo(OIDS.pbeWithSHAAnd128BitRC4, 2 ** 31 - 1)),
    /^the private key is encrypted with pbeWithSHAAnd128BitRC4 \(PKCS#12\), which edgepass does not read/,
  ],
  [
    'an unknown encryption OID',
    () => pem('ENCRYPTED PRIVATE KEY', pbeInfo('1.3.6.1.4.1.99999.1', 2048)),
    /^the private key is encrypted with an unknown encryption algorithm \(OID 1\.3\.6\.1\.4\.1\.99999\.1\)/,
  ],
  [
    'truncated DER',
    () => pem('ENCRYPTED PRIVATE KEY', pemDer(rsaNode()).subarray(0, 100)),
    /^the encrypted private key is malformed: length at byte 1 claims \d+ bytes, only 96 are left$/,
  ],
  [
    'garbage DER',
    () => pem('ENCRYPTED PRIVATE KEY', Buffer.from('this is no DER at all, just bytes')),
    /^the encrypted private key is malformed: /,
  ],
  [
    'garbage base64',
    () => '-----BEGIN ENCRYPTED PRIVATE KEY-----\nnot*base64\n-----END ENCRYPTED PRIVATE KEY-----\n',
    'the ENCRYPTED PRIVATE KEY PEM block is not valid base64',
  ],
  [
    'a length field claiming 2^32 bytes',
    () => pem('ENCRYPTED PRIVATE KEY', Buffer.from('30850100000000', 'hex')),
    'the encrypted private key is malformed: length field of 5 bytes at byte 1 (at most 4)',
  ],
  [
    'a nested length claiming 2^32−1 bytes',
    () => pem('ENCRYPTED PRIVATE KEY', sequence(Buffer.from('3084ffffffff', 'hex'))),
    'the encrypted private key is malformed: length at byte 3 claims 4294967295 bytes, only 0 are left',
  ],
  [
    'PEM encryption headers around a PKCS#8 bomb',
    () =>
      pem('ENCRYPTED PRIVATE KEY', pbkdf2Info(2 ** 31 - 1), [
        'Proc-Type: 4,ENCRYPTED',
        'DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF',
      ]),
    'the ENCRYPTED PRIVATE KEY PEM block has headers; PKCS#8 keys carry their encryption inside',
  ],
  [
    'a bomb after a garbage key block OpenSSL would skip',
    () => `${pem('PRIVATE KEY', Buffer.from('3000', 'hex'))}${withIterations(rsaNode(), 2 ** 31 - 1)}`,
    'the PEM holds 2 private key blocks; keep only the key to sign with',
  ],
  [
    'a bomb after a certificate block OpenSSL would skip',
    () => `${pem('CERTIFICATE', Buffer.from('3000', 'hex'))}${withIterations(rsaNode(), 2 ** 31 - 1)}`,
    `PBKDF2 iteration count 2147483647 exceeds ${CAP}; ${RE_ENCRYPT}`,
  ],
];

const bombFile = (index: number) => file(`bomb-${index}.pem`);

beforeAll(() => {
  writeFileSync(file('rsa.pem'), rsa.privatePem, { mode: 0o600 });
  writeFileSync(file('rsa-node.pem'), rsaNode(), { mode: 0o600 });
  writeFileSync(
    file('ec-node.pem'),
    ec.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }),
  );
  writeFileSync(
    file('rsa-traditional.pem'),
    rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }),
  );
  BOMBS.forEach(([, text], index) => {
    writeFileSync(bombFile(index), text());
  });
  if (OPENSSL) {
    const pass = `pass:${PASSPHRASE}`;
    const topk8 = ['pkcs8', '-topk8', '-in', file('rsa.pem'), '-passout', pass];
    openssl([...topk8, '-v2', 'aes-256-cbc'], 'openssl-aes256.pem');
    openssl([...topk8, '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA512', '-iter', '100000'], 'openssl-sha512.pem');
    openssl([...topk8, '-v2', 'des3'], 'openssl-des3.pem');
    openssl([...topk8, '-scrypt'], 'openssl-scrypt.pem');
    openssl([...topk8, '-v1', 'PBE-SHA1-3DES'], 'openssl-pkcs12-3des.pem');
    openssl(['pkey', '-in', file('rsa.pem'), '-aes256', '-passout', pass, '-traditional'], 'openssl-traditional.pem');
    openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-aes256', '-pass', pass],
      'openssl-genpkey-ec.pem',
    );
  }
});

describe.concurrent('edgepass with an encrypted key it can open', () => {
  it('signs with a key Node encrypted exactly what the unencrypted key signs (RSA signatures are deterministic)', async () => {
    const plain = await edgepass(signUrlArgs(file('rsa.pem')));
    expect(plain.status).toBe(0);
    const viaFlag = await edgepass([...signUrlArgs(file('rsa-node.pem')), '--passphrase', PASSPHRASE]);
    expect(viaFlag).toEqual({ status: 0, stdout: plain.stdout, stderr: '' });
    const viaEnv = await edgepass(signUrlArgs(file('rsa-traditional.pem')), { EDGEPASS_KEY_PASSPHRASE: PASSPHRASE });
    expect(viaEnv).toEqual({ status: 0, stdout: plain.stdout, stderr: '' });
  });

  it('signs cookies with an encrypted EC key, verified by the same verifier the gate runs', async () => {
    const result = await edgepass(
      ['sign-cookies', `${HOST}/videos/*`, '--key-pair-id', 'KEC', '--private-key', file('ec-node.pem'), '--json'],
      { EDGEPASS_KEY_PASSPHRASE: PASSPHRASE },
    );
    expect(result.status).toBe(0);
    const cookies = JSON.parse(result.stdout) as Record<string, string>;
    const cookie = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    expect(verifySignedRequest({ url: URL_TO_SIGN, cookie }, { now: epochSeconds(), keyGroup }).allowed).toBe(true);
  });

  it('signs with an unencrypted key when a passphrase is given anyway', async () => {
    const result = await edgepass([...signUrlArgs(file('rsa.pem')), '--passphrase', PASSPHRASE]);
    expect(result.status).toBe(0);
    expect(verifySignedRequest({ url: result.stdout.trim() }, { now: epochSeconds(), keyGroup }).allowed).toBe(true);
  });
});

describe.runIf(OPENSSL)('edgepass with keys the openssl command encrypted', { concurrent: true }, () => {
  it.each([
    ['pkcs8 -topk8 -v2 aes-256-cbc', 'openssl-aes256.pem'],
    ['pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA512 -iter 100000', 'openssl-sha512.pem'],
    ['pkcs8 -topk8 -v2 des3', 'openssl-des3.pem'],
    ['pkcs8 -topk8 -scrypt', 'openssl-scrypt.pem'],
    ['pkcs8 -topk8 -v1 PBE-SHA1-3DES', 'openssl-pkcs12-3des.pem'],
    ['pkey -aes256 -traditional', 'openssl-traditional.pem'],
  ])('signs with a key from openssl %s exactly what the unencrypted key signs', async (_how, name) => {
    const plain = await edgepass(signUrlArgs(file('rsa.pem')));
    const encrypted = await edgepass([...signUrlArgs(file(name)), '--passphrase', PASSPHRASE]);
    expect(encrypted).toEqual({ status: 0, stdout: plain.stdout, stderr: '' });
  });

  it('signs with an EC key from openssl genpkey -aes256, verified with its public key', async () => {
    const result = await edgepass([...signUrlArgs(file('openssl-genpkey-ec.pem'), 'KNEW'), '--passphrase', PASSPHRASE]);
    expect(result.status).toBe(0);
    const pemText = readFileSync(file('openssl-genpkey-ec.pem'), 'utf8');
    const publicKey = createPublicKey(createPrivateKey({ key: pemText, passphrase: PASSPHRASE }));
    const group = createKeyGroup([{ id: 'KNEW', publicKey }]);
    expect(verifySignedRequest({ url: result.stdout.trim() }, { now: epochSeconds(), keyGroup: group }).allowed).toBe(
      true,
    );
  });
});

function expectRefused(result: CliResult, keyFile: string, message: string | RegExp): void {
  // A kill after 20 s (status null) means OpenSSL ran the key derivation.
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^edgepass: [^\n]+\n$/);
  expect(result.stderr).not.toContain('    at ');
  const prefix = `edgepass: ${keyFile}: `;
  expect(result.stderr.startsWith(prefix)).toBe(true);
  const text = result.stderr.slice(prefix.length, -1);
  if (typeof message === 'string') expect(text).toBe(message);
  else expect(text).toMatch(message);
}

describe.concurrent('edgepass refuses a crafted encrypted key at once, with exit 2 and what is wrong', () => {
  it.each(BOMBS.map(([name, , message], index) => [name, index, message] as const))(
    'sign-url --passphrase: %s',
    async (_name, index, message) => {
      const result = await edgepass([...signUrlArgs(bombFile(index)), '--passphrase', PASSPHRASE]);
      expectRefused(result, bombFile(index), message);
    },
  );

  it('sign-cookies with EDGEPASS_KEY_PASSPHRASE, and an empty --passphrase, refuse 2^31−1 iterations too', async () => {
    const bomb = bombFile(0);
    const message = `PBKDF2 iteration count 2147483647 exceeds ${CAP}; ${RE_ENCRYPT}`;
    const cookieArgs = ['sign-cookies', `${HOST}/videos/*`, '--key-pair-id', 'KRSA', '--private-key', bomb];
    expectRefused(await edgepass(cookieArgs, { EDGEPASS_KEY_PASSPHRASE: PASSPHRASE }), bomb, message);
    expectRefused(await edgepass([...signUrlArgs(bomb), '--passphrase', '']), bomb, message);
  });

  it('asks for the passphrase of a bomb given none (OpenSSL derives nothing without one)', async () => {
    const result = await edgepass(signUrlArgs(bombFile(0)));
    expectRefused(result, bombFile(0), /^the private key is encrypted: give its passphrase/);
  });

  it('inspect --public-key never opens a private key with a passphrase, even with one in the environment', async () => {
    const signed = await edgepass(signUrlArgs(file('rsa.pem')));
    const result = await edgepass(['inspect', signed.stdout.trim(), '--public-key', `KRSA=${bombFile(0)}`], {
      EDGEPASS_KEY_PASSPHRASE: PASSPHRASE,
    });
    expectRefused(result, bombFile(0), /^not a PEM public key/);
  });
});
