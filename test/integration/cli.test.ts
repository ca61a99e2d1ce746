import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cannedPolicy,
  createKeyGroup,
  decodeCloudFrontBase64,
  encodeCloudFrontBase64,
  epochSeconds,
  loadSigningKey,
  signCookies,
  signPolicy,
  signUrl,
  verifySignedRequest,
} from '../../shared';
import { ecKeyPair, NOW, rsaKeyPair } from '../fixtures/keys';
import { type CliResult, ROOT, runCli } from '../fixtures/run-cli';

const HOST = 'https://d111111abcdef8.cloudfront.net';
const FAR_FUTURE = 2_000_000_000; // 2033-05-18: a fixed expiry the real clock has not reached
const rsa = rsaKeyPair();
const ec = ecKeyPair();
const stranger = rsaKeyPair();
const keyGroup = createKeyGroup([
  { id: 'KRSA', publicKey: rsa.publicPem },
  { id: 'KEC', publicKey: ec.publicPem },
]);

let dir: string;
const file = (name: string) => join(dir, name);

type Result = CliResult;

/**
 * Runs the built CLI as a user would, with no passphrase leaking in from the test's environment. A CLI
 * still running after 50 s (a hang) is killed, so the test fails rather than leaves a process behind.
 */
function edgepass(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  const { EDGEPASS_KEY_PASSPHRASE: _ignored, ...base } = process.env;
  return runCli(args, { ...base, ...env }, { killAfterMs: 50_000 });
}

async function inspectJson(args: readonly string[]): Promise<{ status: number | null; json: Record<string, unknown> }> {
  const result = await edgepass(['inspect', ...args, '--json']);
  expect(result.stderr).toBe('');
  return { status: result.status, json: JSON.parse(result.stdout) as Record<string, unknown> };
}

function param(url: string, name: string): string {
  const match = new RegExp(`[?&]${name}=([^&]*)`).exec(url);
  if (match?.[1] === undefined) throw new Error(`no ${name} in ${url}`);
  return match[1];
}

function signatureBytes(text: string): Buffer {
  const bytes = decodeCloudFrontBase64(text);
  if (bytes === undefined) throw new Error(`not CloudFront base64: ${text}`);
  return bytes;
}

function spkiDer(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

function expectUsageError(result: Result, message: RegExp): void {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^edgepass: [^\n]+\n$/);
  expect(result.stderr).not.toContain('    at ');
  expect(result.stderr).toMatch(message);
}

const rsaKeyArgs = () => ['--key-pair-id', 'KRSA', '--private-key', file('rsa.pem')];
const rsaPublic = () => `KRSA=${file('rsa.pub.pem')}`;
const ecPublic = () => `KEC=${file('ec.pub.pem')}`;

/** A Unix socket where a key file could be: `--private-key` must refuse it. */
let socketServer: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgepass-cli-'));
  writeFileSync(file('rsa.pem'), rsa.privatePem, { mode: 0o600 });
  writeFileSync(file('rsa.pub.pem'), rsa.publicPem);
  writeFileSync(file('ec.pem'), ec.privatePem, { mode: 0o600 });
  writeFileSync(file('ec.pub.pem'), ec.publicPem);
  writeFileSync(file('stranger.pub.pem'), stranger.publicPem);
  writeFileSync(
    file('rsa-encrypted.pem'),
    rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' }),
  );
  const ed = generateKeyPairSync('ed25519');
  writeFileSync(file('ed25519.pem'), ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  writeFileSync(file('rsa1024.pem'), small.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(file('garbage.pem'), 'this is not a key\n');
  writeFileSync(file('huge.pem'), 'A'.repeat(70_000));
  mkdirSync(file('a-directory'));
  expect(spawnSync('mkfifo', [file('key.fifo')]).status).toBe(0);
  socketServer = createServer();
  await new Promise<void>((listening) => socketServer.listen(file('key.sock'), listening));
});

afterAll(async () => {
  await new Promise((closed) => socketServer.close(closed));
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('edgepass --help and --version', () => {
  it('prints the command overview with exit 0', async () => {
    const result = await edgepass(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: edgepass <command>/);
    for (const command of ['keys generate', 'sign-url', 'sign-cookies', 'inspect', 'secret put']) {
      expect(result.stdout).toContain(command);
    }
    expect(result.stdout).not.toMatch(/edgepass dev/);
  });

  it('prints one command usage for `<command> --help` even when other flags are missing', async () => {
    for (const command of [['sign-url'], ['sign-cookies'], ['inspect'], ['keys', 'generate']]) {
      const result = await edgepass([...command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`Usage: edgepass ${command.join(' ')}`);
    }
  });

  it('prints the package version, also through bin/edgepass.cjs', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await edgepass(['--version'])).stdout).toBe(`${version}\n`);
    const viaBin = spawnSync(process.execPath, [join(ROOT, 'bin/edgepass.cjs'), '--version'], { encoding: 'utf8' });
    expect(viaBin.status).toBe(0);
    expect(viaBin.stdout).toBe(`${version}\n`);
  });
});

describe.concurrent('edgepass keys generate', () => {
  it('writes an RSA-2048 pair by default: PKCS#8 private key with mode 0600, SPKI public key, and a next-step hint', async () => {
    const out = file('gen-rsa');
    const result = await edgepass(['keys', 'generate', '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(join(out, 'private.pem'));
    expect(result.stdout).toContain(join(out, 'public.pem'));
    expect(result.stdout).toMatch(/upload public\.pem to CloudFront as a public key/);
    expect(result.stdout).toMatch(/key group/);
    const privatePem = readFileSync(join(out, 'private.pem'), 'utf8');
    const publicPem = readFileSync(join(out, 'public.pem'), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const privateKey = createPrivateKey(privatePem);
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(spkiDer(createPublicKey(publicPem))).toBe(spkiDer(createPublicKey(privateKey)));
    expect(statSync(join(out, 'private.pem')).mode & 0o777).toBe(0o600);
  });

  it('writes an ECDSA P-256 pair with --type ecdsa whose keys sign and verify through the CLI', async () => {
    const out = file('gen-ec');
    expect((await edgepass(['keys', 'generate', '--type', 'ecdsa', '--out', out])).status).toBe(0);
    const privateKey = createPrivateKey(readFileSync(join(out, 'private.pem'), 'utf8'));
    expect(privateKey.asymmetricKeyType).toBe('ec');
    expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(statSync(join(out, 'private.pem')).mode & 0o777).toBe(0o600);

    const url = `${HOST}/reports/q3.pdf`;
    const signed = await edgepass([
      'sign-url',
      url,
      '--key-pair-id',
      'KNEW',
      '--private-key',
      join(out, 'private.pem'),
    ]);
    expect(signed.status).toBe(0);
    const inspected = await edgepass([
      'inspect',
      signed.stdout.trim(),
      '--public-key',
      `KNEW=${join(out, 'public.pem')}`,
    ]);
    expect(inspected.status).toBe(0);
    expect(inspected.stdout).toContain('ALLOWED');
  });

  it('refuses to overwrite existing key files and leaves them untouched, unless --force', async () => {
    const out = file('gen-twice');
    expect((await edgepass(['keys', 'generate', '--type', 'ecdsa', '--out', out])).status).toBe(0);
    const before = readFileSync(join(out, 'private.pem'), 'utf8');
    expectUsageError(await edgepass(['keys', 'generate', '--type', 'ecdsa', '--out', out]), /already exists.*--force/);
    expect(readFileSync(join(out, 'private.pem'), 'utf8')).toBe(before);

    expect((await edgepass(['keys', 'generate', '--type', 'ecdsa', '--out', out, '--force'])).status).toBe(0);
    expect(readFileSync(join(out, 'private.pem'), 'utf8')).not.toBe(before);
    expect(statSync(join(out, 'private.pem')).mode & 0o777).toBe(0o600);
  });

  it('refuses when only public.pem exists, writing nothing', async () => {
    const out = file('gen-half');
    mkdirSync(out);
    writeFileSync(join(out, 'public.pem'), 'keep me');
    expectUsageError(await edgepass(['keys', 'generate', '--out', out]), /public\.pem already exists/);
    expect(() => statSync(join(out, 'private.pem'))).toThrow();
    expect(readFileSync(join(out, 'public.pem'), 'utf8')).toBe('keep me');
  });
  it('never replaces something that is not a file', async () => {
    const out = file('gen-dir-in-the-way');
    mkdirSync(join(out, 'private.pem'), { recursive: true });
    expectUsageError(
      await edgepass(['keys', 'generate', '--out', out, '--force']),
      /private\.pem exists and is not a file/,
    );
    expect(statSync(join(out, 'private.pem')).isDirectory()).toBe(true);
  });
});

describe.concurrent('edgepass sign-url', () => {
  it('prints only a canned URL whose signature verifies over the exact canned policy bytes', async () => {
    const url = `${HOST}/videos/42.mp4?quality=hd`;
    const result = await edgepass(['sign-url', url, ...rsaKeyArgs(), '--expires', String(FAR_FUTURE)]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const signed = result.stdout.trimEnd();
    expect(result.stdout).toBe(`${signed}\n`);
    expect(signed).toMatch(
      new RegExp(`^${url.replace(/[.?]/g, '\\$&')}&Expires=${FAR_FUTURE}&Signature=[A-Za-z0-9~_-]+&Key-Pair-Id=KRSA$`),
    );
    const policy = cannedPolicy(url, FAR_FUTURE);
    expect(policy).toBe(
      `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":${FAR_FUTURE}}}}]}`,
    );
    expect(verify('sha1', Buffer.from(policy), rsa.publicKey, signatureBytes(param(signed, 'Signature')))).toBe(true);
    expect(verifySignedRequest({ url: signed }, { now: NOW, keyGroup })).toMatchObject({
      allowed: true,
      canned: true,
      signatureChecked: true,
    });
  });

  it('expires one hour from now by default', async () => {
    const before = epochSeconds();
    const result = await edgepass(['sign-url', `${HOST}/a.mp4`, ...rsaKeyArgs()]);
    const after = epochSeconds();
    const expires = Number(param(result.stdout.trim(), 'Expires'));
    expect(expires).toBeGreaterThanOrEqual(before + 3600);
    expect(expires).toBeLessThanOrEqual(after + 3600);
  });

  it('signs a custom policy with ECDSA and SHA-256 for --resource, --not-before and --ip', async () => {
    const url = `${HOST}/videos/42/seg-001.ts`;
    const result = await edgepass([
      'sign-url',
      url,
      '--key-pair-id',
      'KEC',
      '--private-key',
      file('ec.pem'),
      '--expires',
      '2033-05-18T03:33:20Z',
      '--not-before',
      '1795867200',
      '--ip',
      '203.0.113.0/24',
      '--resource',
      `${HOST}/videos/42/*`,
      '--hash',
      'sha256',
    ]);
    expect(result.status).toBe(0);
    const signed = result.stdout.trim();
    expect(signed.startsWith(`${url}?Policy=`)).toBe(true);
    expect(signed.endsWith('&Key-Pair-Id=KEC&Hash-Algorithm=SHA256')).toBe(true);
    const policyBytes = signatureBytes(param(signed, 'Policy'));
    expect(JSON.parse(policyBytes.toString('utf8'))).toEqual({
      Statement: [
        {
          Resource: `${HOST}/videos/42/*`,
          Condition: {
            DateLessThan: { 'AWS:EpochTime': FAR_FUTURE },
            DateGreaterThan: { 'AWS:EpochTime': 1795867200 },
            IpAddress: { 'AWS:SourceIp': '203.0.113.0/24' },
          },
        },
      ],
    });
    expect(verify('sha256', policyBytes, ec.publicKey, signatureBytes(param(signed, 'Signature')))).toBe(true);
    expect(verifySignedRequest({ url: signed, clientIp: '203.0.113.9' }, { now: NOW + 1, keyGroup }).allowed).toBe(
      true,
    );
  });

  it('reads the passphrase of an encrypted key from --passphrase or EDGEPASS_KEY_PASSPHRASE', async () => {
    const args = ['sign-url', `${HOST}/a.mp4`, '--key-pair-id', 'KRSA', '--private-key', file('rsa-encrypted.pem')];
    const viaFlag = await edgepass([...args, '--passphrase', 'open sesame']);
    expect(viaFlag.status).toBe(0);
    expect(verifySignedRequest({ url: viaFlag.stdout.trim() }, { now: epochSeconds(), keyGroup }).allowed).toBe(true);
    const viaEnv = await edgepass(args, { EDGEPASS_KEY_PASSPHRASE: 'open sesame' });
    expect(viaEnv.status).toBe(0);
    expect(viaEnv.stdout).toContain('&Key-Pair-Id=KRSA');
  });

  it('signs a resource granting every host only with --allow-broad-resource', async () => {
    const args = ['sign-url', `${HOST}/a.mp4`, ...rsaKeyArgs(), '--resource', 'https://*/a.mp4'];
    expectUsageError(await edgepass(args), /every host/);
    const allowed = await edgepass([...args, '--allow-broad-resource']);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('?Policy=');
  });
});

describe.concurrent('edgepass sign-cookies', () => {
  const resource = `${HOST}/videos/*`;

  function cookieHeader(lines: string): string {
    return lines
      .trim()
      .split('\n')
      .map((line) => line.replace(/^Set-Cookie: /, '').split(';')[0])
      .join('; ');
  }

  it('prints Set-Cookie lines with Secure, HttpOnly, SameSite=Lax, Path, Domain and the policy expiry', async () => {
    const result = await edgepass([
      'sign-cookies',
      resource,
      ...rsaKeyArgs(),
      '--expires',
      String(FAR_FUTURE),
      '--domain',
      'media.example.com',
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((line) => /^Set-Cookie: ([^=]+)=/.exec(line)?.[1])).toEqual([
      'CloudFront-Policy',
      'CloudFront-Signature',
      'CloudFront-Key-Pair-Id',
    ]);
    const expires = new Date(FAR_FUTURE * 1000).toUTCString();
    for (const line of lines) {
      expect(line).toMatch(
        new RegExp(
          `^Set-Cookie: CloudFront-[A-Za-z-]+=[A-Za-z0-9~_-]+; Domain=media\\.example\\.com; Path=/; Expires=${expires}; Secure; HttpOnly; SameSite=Lax$`,
        ),
      );
    }
    const cookie = cookieHeader(result.stdout);
    expect(verifySignedRequest({ url: `${HOST}/videos/42/seg-7.ts`, cookie }, { now: NOW, keyGroup })).toMatchObject({
      allowed: true,
      source: 'cookie',
    });
    expect(verifySignedRequest({ url: `${HOST}/reports/q3.pdf`, cookie }, { now: NOW, keyGroup }).reason).toBe(
      'resource-mismatch',
    );
  });

  it('prints a JSON object of cookie name to value with --json, verifiable with crypto.verify', async () => {
    const result = await edgepass([
      'sign-cookies',
      resource,
      ...rsaKeyArgs(),
      '--expires',
      String(FAR_FUTURE),
      '--json',
    ]);
    expect(result.status).toBe(0);
    const cookies = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.keys(cookies)).toEqual(['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']);
    expect(cookies['CloudFront-Key-Pair-Id']).toBe('KRSA');
    const policy = signatureBytes(cookies['CloudFront-Policy'] ?? '');
    expect(policy.toString('utf8')).toBe(
      `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${FAR_FUTURE}}}}]}`,
    );
    expect(verify('sha1', policy, rsa.publicKey, signatureBytes(cookies['CloudFront-Signature'] ?? ''))).toBe(true);
  });

  it('honours --path and adds CloudFront-Hash-Algorithm for --hash sha256', async () => {
    const result = await edgepass(['sign-cookies', resource, ...rsaKeyArgs(), '--path', '/videos', '--hash', 'SHA256']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Set-Cookie: CloudFront-Hash-Algorithm=SHA256; Path=\/videos; Expires=/m);
    expect(result.stdout).not.toContain('Domain=');
    const decision = verifySignedRequest(
      { url: `${HOST}/videos/a.mp4`, cookie: cookieHeader(result.stdout) },
      { now: epochSeconds(), keyGroup },
    );
    expect(decision).toMatchObject({ allowed: true, hashAlgorithm: 'sha256' });
  });

  it('refuses cookies a browser would drop (a Set-Cookie over 4096 bytes), naming the cookie and its size', async () => {
    const result = await edgepass(['sign-cookies', `${HOST}/videos/${'a'.repeat(100_000)}/*`, ...rsaKeyArgs()]);
    expectUsageError(
      result,
      /^edgepass: CloudFront-Policy would be a \d{6}-byte Set-Cookie \(over the 4096 bytes browsers keep\): .*--force/,
    );
  });

  it('prints oversized cookies anyway with --force', async () => {
    const result = await edgepass(['sign-cookies', `${HOST}/videos/${'a'.repeat(5000)}/*`, ...rsaKeyArgs(), '--force']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(Buffer.byteLength(lines[0] ?? '')).toBeGreaterThan(4096);
  });

  it('gives canned cookies for a plain URL and notes on stderr that they cover that URL only', async () => {
    const result = await edgepass(['sign-cookies', `${HOST}/videos/a.mp4`, ...rsaKeyArgs(), '--json']);
    expect(result.status).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual([
      'CloudFront-Expires',
      'CloudFront-Signature',
      'CloudFront-Key-Pair-Id',
    ]);
    expect(result.stderr).toMatch(/^edgepass: note: .*exact URL only/);
  });
});

describe.concurrent('edgepass sign-cookies output goes straight into inspect --cookie', () => {
  const resource = `${HOST}/videos/*`;
  const signArgs = () => [
    'sign-cookies',
    resource,
    ...rsaKeyArgs(),
    '--expires',
    String(FAR_FUTURE),
    '--domain',
    'cdn.example',
  ];

  /** As a shell passes `"$(edgepass sign-cookies …)"`: the output without its trailing newlines. */
  async function signedOutput(extra: readonly string[]): Promise<string> {
    const result = await edgepass([...signArgs(), ...extra]);
    expect(result.status).toBe(0);
    return result.stdout.replace(/\n+$/, '');
  }

  async function inspectCookies(cookies: readonly string[]) {
    return inspectJson([
      `${HOST}/videos/42/seg-7.ts`,
      ...cookies.flatMap((cookie) => ['--cookie', cookie]),
      '--public-key',
      rsaPublic(),
    ]);
  }

  it('prints one Cookie header value with --format cookie-header', async () => {
    const header = await signedOutput(['--format', 'cookie-header']);
    expect(header).toMatch(
      /^CloudFront-Policy=[A-Za-z0-9~_-]+; CloudFront-Signature=[A-Za-z0-9~_-]+; CloudFront-Key-Pair-Id=KRSA$/,
    );
  });

  it.each([
    ['the default Set-Cookie lines', []],
    ['--format set-cookie', ['--format', 'set-cookie']],
    ['--format cookie-header', ['--format', 'cookie-header']],
    ['--json', ['--json']],
  ])('is allowed by inspect when given %s as one --cookie', async (_format, extra) => {
    const { status, json } = await inspectCookies([await signedOutput(extra)]);
    expect(json).toMatchObject({ allowed: true, source: 'cookie', signatureChecked: true });
    expect(status).toBe(0);
  });

  it('is allowed by inspect with each Set-Cookie line as its own --cookie, attributes ignored', async () => {
    const lines = (await signedOutput([])).split('\n');
    expect(lines).toHaveLength(3);
    const { status, json } = await inspectCookies(lines);
    expect(json).toMatchObject({ allowed: true, source: 'cookie', signatureChecked: true });
    expect(status).toBe(0);
  });

  it('is allowed by inspect as a pasted "Cookie: a=b; c=d" line', async () => {
    const { status } = await inspectCookies([
      `Cookie: theme=dark; ${await signedOutput(['--format', 'cookie-header'])}`,
    ]);
    expect(status).toBe(0);
  });

  it('refuses an unknown --format, and --json with another --format', async () => {
    expectUsageError(
      await edgepass([...signArgs(), '--format', 'yaml']),
      /--format must be set-cookie or cookie-header or json, got "yaml"/,
    );
    expectUsageError(
      await edgepass([...signArgs(), '--format', 'cookie-header', '--json']),
      /--json is --format json: give one of them/,
    );
  });
});

describe.concurrent('edgepass inspect --json', () => {
  const url = `${HOST}/videos/42.mp4?quality=hd`;
  const canned = () => signUrl(url, { keyPairId: 'KRSA', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW });
  const at = ['--at', String(NOW)];
  const bothKeys = () => ['--public-key', rsaPublic(), '--public-key', ecPublic()];

  it('allows a valid canned URL: exit 0 and the contract fields first', async () => {
    const { status, json } = await inspectJson([canned(), ...bothKeys(), ...at]);
    expect(status).toBe(0);
    expect(Object.keys(json).slice(0, 5)).toEqual(['allowed', 'code', 'reason', 'policy', 'keyPairId']);
    expect(json).toMatchObject({
      allowed: true,
      code: 'OK',
      reason: 'ok',
      policy: { resource: url, dateLessThan: NOW + 600 },
      keyPairId: 'KRSA',
      signatureChecked: true,
      source: 'url',
      resourceUrl: url,
      canned: true,
      hashAlgorithm: 'sha1',
      at: NOW,
    });
  });

  it('denies an expired URL: exit 1, AccessDenied/expired', async () => {
    const { status, json } = await inspectJson([canned(), ...bothKeys(), '--at', String(NOW + 600)]);
    expect(status).toBe(1);
    expect(json).toMatchObject({ allowed: false, code: 'AccessDenied', reason: 'expired', signatureChecked: true });
  });

  it('denies a key id outside the given keys as InvalidKey, still decoding the policy', async () => {
    const { status, json } = await inspectJson([canned(), '--public-key', ecPublic(), ...at]);
    expect(status).toBe(1);
    expect(json).toMatchObject({
      allowed: false,
      code: 'InvalidKey',
      reason: 'unknown-key',
      keyPairId: 'KRSA',
      policy: { dateLessThan: NOW + 600 },
      otherChecks: { allowed: true, reason: 'ok' },
    });
  });

  it('denies a canned URL whose path changed after signing as bad-signature', async () => {
    const tampered = canned().replace('/videos/42.mp4', '/videos/43.mp4');
    const { status, json } = await inspectJson([tampered, ...bothKeys(), ...at]);
    expect(status).toBe(1);
    expect(json).toMatchObject({ code: 'AccessDenied', reason: 'bad-signature', signatureChecked: true });
  });

  it('denies a URL verified against the wrong public key as bad-signature', async () => {
    const { status, json } = await inspectJson([canned(), '--public-key', `KRSA=${file('stranger.pub.pem')}`, ...at]);
    expect(status).toBe(1);
    expect(json.reason).toBe('bad-signature');
  });

  it('denies before --not-before as not-yet-valid', async () => {
    const early = signUrl(url, { ...signOptions(), notBefore: NOW + 60 });
    const { status, json } = await inspectJson([early, ...bothKeys(), ...at]);
    expect(status).toBe(1);
    expect(json).toMatchObject({
      reason: 'not-yet-valid',
      canned: false,
      policy: { resource: url, dateGreaterThan: NOW + 60 },
    });
  });

  it('denies a viewer outside the IP range as ip-mismatch, and allows one inside', async () => {
    const limited = signUrl(url, { ...signOptions(), ipAddress: '203.0.113.0/24' });
    const outside = await inspectJson([limited, ...bothKeys(), ...at, '--client-ip', '198.51.100.7']);
    expect(outside.status).toBe(1);
    expect(outside.json).toMatchObject({ reason: 'ip-mismatch', policy: { sourceIp: '203.0.113.0/24' } });
    const inside = await inspectJson([limited, ...bothKeys(), ...at, '--client-ip', '203.0.113.7']);
    expect(inside.status).toBe(0);
  });

  it('denies a URL the policy resource does not cover as resource-mismatch', async () => {
    const signed = signUrl(`${HOST}/videos/a.mp4`, { ...signOptions(), resource: `${HOST}/videos/*.mp4` });
    const moved = signed.replace('/videos/a.mp4', '/reports/a.mp4');
    const { status, json } = await inspectJson([moved, ...bothKeys(), ...at]);
    expect(status).toBe(1);
    expect(json).toMatchObject({ reason: 'resource-mismatch', resourceUrl: `${HOST}/reports/a.mp4` });
  });

  it('denies a standard-base64 signature as MalformedSignature', async () => {
    const mangled = canned().replace(/Signature=[^&]+/, 'Signature=ab+/cd==');
    const { status, json } = await inspectJson([mangled, ...bothKeys(), ...at]);
    expect(status).toBe(1);
    expect(json).toMatchObject({ code: 'MalformedSignature', reason: 'malformed-signature' });
  });

  it('denies a URL without Key-Pair-Id as MissingKey with a null key id', async () => {
    const keyless = canned().replace('&Key-Pair-Id=KRSA', '');
    const { status, json } = await inspectJson([keyless, ...bothKeys(), ...at]);
    expect(status).toBe(1);
    expect(json).toMatchObject({ code: 'MissingKey', reason: 'missing-key-pair-id', keyPairId: null, policy: null });
  });

  it('without --public-key checks time, IP and resource but reports signatureChecked false', async () => {
    const tampered = canned().replace('/videos/42.mp4', '/videos/43.mp4');
    const unchecked = await inspectJson([tampered, ...at]);
    expect(unchecked.status).toBe(0);
    expect(unchecked.json).toMatchObject({
      allowed: true,
      signatureChecked: false,
      hint: expect.stringMatching(/not checked/),
    });
    const late = await inspectJson([canned(), '--at', String(NOW + 3600)]);
    expect(late.status).toBe(1);
    expect(late.json).toMatchObject({ reason: 'expired', signatureChecked: false });
  });

  it('reads signed cookies from --cookie, also as a pasted "Cookie:" header line', async () => {
    const cookies = signCookies(`${HOST}/videos/*`, signOptions());
    const header = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const { status, json } = await inspectJson([
      `${HOST}/videos/1.ts`,
      '--cookie',
      `Cookie: theme=dark; ${header}`,
      ...bothKeys(),
      ...at,
    ]);
    expect(status).toBe(0);
    expect(json).toMatchObject({ allowed: true, source: 'cookie', canned: false, signatureChecked: true });
  });

  it('decodes signing values that arrive percent-encoded, as some signers send them', async () => {
    // An RSA-2048 signature is 256 bytes, so its CloudFront base64 always ends in the padding "__".
    const encoded = canned().replace(/__&Key-Pair-Id=/, '%5F%5F&Key-Pair-Id=');
    expect(encoded).not.toBe(canned());
    const { status, json } = await inspectJson([encoded, ...bothKeys(), ...at]);
    expect(status).toBe(0);
    expect(json).toMatchObject({ allowed: true, signatureChecked: true });
  });

  it('allows a URL just signed by the CLI, checked at the real time', async () => {
    const signed = (await edgepass(['sign-url', url, ...rsaKeyArgs(), '--expires', '+5m'])).stdout.trim();
    const { status, json } = await inspectJson([signed, '--public-key', rsaPublic()]);
    expect(status).toBe(0);
    expect(json).toMatchObject({ allowed: true, signatureChecked: true });
  });

  function signOptions() {
    return { keyPairId: 'KRSA', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW };
  }
});

describe.concurrent('edgepass inspect (human report)', () => {
  const url = `${HOST}/videos/42.mp4`;
  const options = { keyPairId: 'KRSA', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW };
  const canned = () => signUrl(url, options);

  it('shows source, key, policy kind, hash, policy JSON and times in UTC and relative to the check time', async () => {
    const result = await edgepass(['inspect', canned(), '--public-key', rsaPublic(), '--at', '2026-11-28T12:00:00Z']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Source +signed URL/m);
    expect(result.stdout).toMatch(/^Key pair id +KRSA$/m);
    expect(result.stdout).toMatch(/^Policy +canned/m);
    expect(result.stdout).toMatch(/^Hash algorithm +SHA-1$/m);
    expect(result.stdout).toContain(cannedPolicy(url, NOW + 600));
    expect(result.stdout).toMatch(/^Expires +2026-11-28T12:10:00Z \(in 10m\)$/m);
    expect(result.stdout).toMatch(/^Signature +valid for key KRSA$/m);
    expect(result.stdout).toMatch(/^ALLOWED: CloudFront would serve this request\.$/m);
  });

  it('explains an expired URL with its reason, how long ago, and the clock/milliseconds fix', async () => {
    const result = await edgepass(['inspect', canned(), '--public-key', rsaPublic(), '--at', String(NOW + 2 * 86400)]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^DENIED: expired \(CloudFront 403 AccessDenied\)$/m);
    expect(result.stdout).toMatch(/Fix: .*clock.*milliseconds/);
    expect(result.stdout).toMatch(/^Expires +2026-11-28T12:10:00Z \(1d 23h ago\)$/m);
  });

  it('explains a canned URL fetched over http instead of https: any byte change breaks the signature', async () => {
    const changed = await edgepass([
      'inspect',
      canned().replace('https://', 'http://'),
      '--public-key',
      rsaPublic(),
      '--at',
      String(NOW),
    ]);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain('DENIED: bad-signature');
    expect(changed.stdout).toMatch(
      /Note: The signature is valid for https: request the URL with the scheme it was signed for\./,
    );
    expect(changed.stdout).toMatch(/Note: This is a canned policy: .*any byte change/);
    expect(changed.stdout).toMatch(/Fix: .*http vs https/);
    expect(changed.stdout).toMatch(/^Signature +INVALID for key KRSA$/m);
  });

  it('denies a canned URL with a param added after signing', async () => {
    const result = await edgepass([
      'inspect',
      `${canned()}&utm_source=mail`,
      '--public-key',
      rsaPublic(),
      '--at',
      String(NOW),
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^Resource URL +https:\/\/\S+\/videos\/42\.mp4\?utm_source=mail$/m);
    expect(result.stdout).toContain('DENIED: bad-signature');
    expect(result.stdout).toMatch(/Fix: .*no param added after signing/);
  });

  it('says plainly that the signature was NOT checked without --public-key', async () => {
    const result = await edgepass(['inspect', canned(), '--at', String(NOW)]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Signature +NOT checked: no --public-key given$/m);
    expect(result.stdout).toMatch(/signature was NOT checked/);
  });

  it('points at a key group id used as Key-Pair-Id', async () => {
    const groupId = 'a1b2c3d4-5678-90ab-cdef-1234567890ab';
    const wrongId = signUrl(url, options).replace('Key-Pair-Id=KRSA', `Key-Pair-Id=${groupId}`);
    const result = await edgepass(['inspect', wrongId, '--public-key', rsaPublic(), '--at', String(NOW)]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DENIED: unknown-key (CloudFront 403 InvalidKey)');
    expect(result.stdout).toMatch(/looks like a key group id/);
  });

  it('points at the query when a wildcard covers the path only', async () => {
    const signed = signUrl(`${HOST}/videos/a.mp4`, { ...options, resource: `${HOST}/videos/*.mp4` });
    const withQuery = signed.replace('/videos/a.mp4?', '/videos/a.mp4?start=10&');
    const result = await edgepass(['inspect', withQuery, '--public-key', rsaPublic(), '--at', String(NOW)]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DENIED: resource-mismatch');
    expect(result.stdout).toMatch(/^Resource +https:\/\/\S+\/videos\/\*\.mp4 +does NOT match/m);
    expect(result.stdout).toMatch(/covers the path but not the query \?start=10/);
  });

  it('explains a missing cookie when the URL is unsigned and no cookies were given', async () => {
    const result = await edgepass(['inspect', url, '--at', String(NOW)]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DENIED: missing-key-pair-id (CloudFront 403 MissingKey)');
    expect(result.stdout).toMatch(/no --cookie was given/);
    expect(result.stdout).toMatch(/Fix: .*Domain/);
  });

  it('notes an IPv6 viewer against an IPv4 policy', async () => {
    const limited = signUrl(url, { ...options, ipAddress: '203.0.113.0/24' });
    const result = await edgepass(['inspect', limited, '--client-ip', '2001:db8::1', '--at', String(NOW)]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DENIED: ip-mismatch');
    expect(result.stdout).toMatch(/2001:db8::1 is IPv6/);
    expect(result.stdout).toMatch(/^IP condition +203\.0\.113\.0\/24 +client 2001:db8::1 is OUTSIDE$/m);
  });
});

/** Control, format and line-separator characters: what can move the cursor or reorder a terminal line. */
const TERMINAL_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

describe.concurrent('edgepass inspect prints decoded input escaped, so it cannot draw on the terminal', () => {
  // A line that would erase itself and pretend the request is allowed, in a policy signed with a real key.
  const fake = '\r\u001b[2KALLOWED: CloudFront would serve this request.\u202e';
  const resource = `${HOST}/videos/*${fake}`;
  const hostilePolicyUrl = () => {
    const policy = JSON.stringify({
      Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 600 } } }],
    });
    const signature = signPolicy(policy, loadSigningKey(rsa.privatePem));
    return `${HOST}/videos/a.mp4?Policy=${encodeCloudFrontBase64(policy)}&Signature=${signature}&Key-Pair-Id=KRSA`;
  };

  function expectNoRawControl(stdout: string): void {
    expect(stdout.replaceAll('\n', '')).not.toMatch(TERMINAL_UNSAFE);
  }

  it('shows an escape sequence and a carriage return in the policy Resource as \\x1b and \\r', async () => {
    const result = await edgepass(['inspect', hostilePolicyUrl(), '--public-key', rsaPublic(), '--at', String(NOW)]);
    expect(result.status).toBe(1);
    expectNoRawControl(result.stdout);
    expect(result.stdout).toMatch(/^DENIED: resource-mismatch/m);
    expect(result.stdout).not.toMatch(/^ALLOWED/m);
    expect(result.stdout).toMatch(
      /^Resource +https:\/\/\S+\/videos\/\*\\r\\x1b\[2KALLOWED: CloudFront would serve this request\.\\u202e +does NOT match/m,
    );
    expect(result.stdout).toContain('/videos/*\\r\\u001b[2KALLOWED: CloudFront would serve this request.\\u202e"');
  });

  it('escapes a Key-Pair-Id and a URL that hold control characters', async () => {
    const url = `${HOST}/videos/a\u001b[8m.mp4?Expires=${NOW + 600}&Signature=abc&Key-Pair-Id=K%0D%1B%5B2K`;
    const result = await edgepass(['inspect', url, '--public-key', rsaPublic(), '--at', String(NOW)]);
    expect(result.status).toBe(1);
    expectNoRawControl(result.stdout);
    expect(result.stdout).toMatch(/^Resource URL +https:\/\/\S+\/videos\/a\\x1b\[8m\.mp4$/m);
    expect(result.stdout).toMatch(/^Key pair id +K\\r\\x1b\[2K$/m);
  });

  it('writes DEL, C1, bidi and line-separator characters in --json as \\u escapes that parse back exactly', async () => {
    const unsafe = [
      0x7f,
      ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
      0x061c,
      0x200e,
      0x200f,
      ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e],
      ...[0x2066, 0x2067, 0x2068, 0x2069],
      0x2028,
      0x2029,
    ].map((code) => String.fromCodePoint(code));
    const text = unsafe.join('');
    const resource = `${HOST}/videos/*${text}`;
    // Not last: a cookie value is trimmed, and U+2028/U+2029 are white space to trim().
    const keyPairId = `K${text}K`;
    const policy = JSON.stringify({
      Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 600 } } }],
    });
    const policyParam = encodeCloudFrontBase64(policy);
    const signature = signPolicy(policy, loadSigningKey(rsa.privatePem));
    const url = `${HOST}/videos/a.mp4?Policy=${policyParam}&Signature=${signature}&Key-Pair-Id=${encodeURIComponent(keyPairId)}`;
    // CloudFront decodes signing values in a query, never in a cookie: the cookie carries them raw.
    const cookie = `CloudFront-Policy=${policyParam}; CloudFront-Signature=${signature}; CloudFront-Key-Pair-Id=${keyPairId}`;
    for (const args of [[url], [`${HOST}/videos/a.mp4`, '--cookie', cookie]]) {
      const result = await edgepass(['inspect', ...args, '--public-key', rsaPublic(), '--at', String(NOW), '--json']);
      expect(result.status).toBe(1);
      for (const char of unsafe) expect(result.stdout).not.toContain(char);
      expect(result.stdout).toContain('\\u009b');
      expect(result.stdout).toContain('\\u202e');
      expect(result.stdout.replaceAll('\n', '')).not.toMatch(TERMINAL_UNSAFE);
      const json = JSON.parse(result.stdout) as { policy: { resource: string }; keyPairId: string };
      expect(json.policy.resource).toBe(resource);
      expect(json.keyPairId).toBe(keyPairId);
    }
  });

  it('keeps --json exact: the decoded Resource comes back byte for byte', async () => {
    const { status, json } = await inspectJson([hostilePolicyUrl(), '--public-key', rsaPublic(), '--at', String(NOW)]);
    expect(status).toBe(1);
    expect(json).toMatchObject({ reason: 'resource-mismatch', policy: { resource } });
  });
});

describe.concurrent('edgepass messages speak in the CLI flags and say what to do', () => {
  const url = `${HOST}/a.mp4`;

  it('names --not-before and --expires when the start is not before the end', async () => {
    const result = await edgepass(['sign-url', url, ...rsaKeyArgs(), '--not-before', '+3h', '--expires', '+2h']);
    expectUsageError(result, /^edgepass: --not-before \+3h \(\S+Z\) must be earlier than --expires \+2h \(\S+Z\)\n$/);
    expect(result.stderr).not.toMatch(/notBefore/);
  });

  it('names --expires when it is not in the future', async () => {
    expectUsageError(
      await edgepass(['sign-url', url, ...rsaKeyArgs(), '--expires', '2020-01-01T00:00:00Z']),
      /^edgepass: --expires 2020-01-01T00:00:00Z \(2020-01-01T00:00:00Z\) is not in the future\n$/,
    );
  });

  it.each([
    ['sign-url', () => ['sign-url', url, ...rsaKeyArgs(), '--resource', '*']],
    ['sign-cookies', () => ['sign-cookies', '*', ...rsaKeyArgs()]],
  ])('names --allow-broad-resource when %s refuses a resource of every host', async (_command, args) => {
    expectUsageError(await edgepass(args()), /every host.*pass --allow-broad-resource/);
  });

  it('suggests --expires=-1h for a value starting with "-", and that spelling reads as an hour ago', async () => {
    const spaced = await edgepass(['sign-url', url, ...rsaKeyArgs(), '--expires', '-1h']);
    expectUsageError(spaced, /write it as --expires=-1h/);
    const joined = await edgepass(['sign-url', url, ...rsaKeyArgs(), '--expires=-1h']);
    expectUsageError(joined, /^edgepass: --expires -1h \(\S+Z\) is not in the future\n$/);
  });

  it('reads --at=-2d as two days ago', async () => {
    const before = epochSeconds();
    const { json } = await inspectJson([url, '--at=-2d']);
    expect(json.at).toBeGreaterThanOrEqual(before - 2 * 86400);
    expect(json.at).toBeLessThanOrEqual(epochSeconds() - 2 * 86400);
  });

  it('tells a URL with user:password@ to drop it, never echoing the password', async () => {
    const result = await edgepass(['sign-url', 'https://alice:s3cret@cdn.example.com/a.mp4', ...rsaKeyArgs()]);
    expectUsageError(
      result,
      /user info \(user:password@\).*never sent to CloudFront.*remove it: https:\/\/cdn\.example\.com\/a\.mp4\n$/,
    );
    expect(result.stderr).not.toContain('s3cret');
  });

  it.each([
    [
      'sign-url',
      () => ['sign-url', 'https://bücher.example/a.mp4', ...rsaKeyArgs()],
      'https://xn--bcher-kva.example/a.mp4',
    ],
    [
      'sign-cookies',
      () => ['sign-cookies', 'https://bücher.example/videos/*', ...rsaKeyArgs()],
      'https://xn--bcher-kva.example/videos/*',
    ],
  ])('tells %s that a non-ASCII host is sent as punycode, showing the xn-- form', async (_command, args, ascii) => {
    const result = await edgepass(args());
    expectUsageError(result, /host "bücher\.example" is not ASCII: .*punycode/);
    expect(result.stderr).toContain(`sign ${ascii} instead`);
  });
});

describe.concurrent('edgepass never echoes long input whole: a prefix and the length', () => {
  const url = `${HOST}/a.mp4`;
  const long = 'A'.repeat(9000);
  const cases: [string, () => string[], RegExp][] = [
    [
      'a 9,000-character --key-pair-id',
      () => ['sign-url', url, '--key-pair-id', long, '--private-key', file('rsa.pem')],
      /^edgepass: --key-pair-id "A{100}…" \(9000 characters\) is not a CloudFront public key id/,
    ],
    [
      'a long --expires',
      () => ['sign-url', url, ...rsaKeyArgs(), '--expires', long],
      /--expires "A{100}…" \(9000 characters\)/,
    ],
    ['a long --hash', () => ['sign-url', url, ...rsaKeyArgs(), '--hash', long], /got "A{100}…" \(9000 characters\)/],
    ['a long command name', () => [long], /unknown command "A{100}…" \(9000 characters\)/],
    ['a long option name', () => ['sign-url', url, `--${long}`], /unknown option --A{98}… \(9002 characters\)/],
    ['a long URL', () => ['sign-url', `ftp://${long}`, ...rsaKeyArgs()], /\(9006 characters\)/],
    ['a long --client-ip', () => ['inspect', url, '--client-ip', long], /--client-ip "A{100}…" \(9000 characters\)/],
    [
      'a long --public-key id',
      () => ['inspect', url, '--public-key', `${long}=${file('rsa.pub.pem')}`],
      /--public-key: "A{100}…" \(9000 characters\) is not/,
    ],
    [
      'a long --domain',
      () => ['sign-cookies', `${HOST}/videos/*`, ...rsaKeyArgs(), '--domain', long],
      /got "A{100}…" \(9000 characters\)/,
    ],
    [
      'a long --secret-id',
      () => ['secret', 'put', '--secret-id', long, '--key-pair-id', 'KRSA', '--private-key', file('rsa.pem')],
      /--secret-id "A{100}…" \(9000 characters\) is not a secret name/,
    ],
  ];

  it.each(cases)('such as %s', async (_name, args, message) => {
    const result = await edgepass(args());
    expectUsageError(result, message);
    expect(result.stderr.length).toBeLessThan(500);
  });
});

describe.concurrent('edgepass usage and input errors: one line on stderr, exit 2, no stack trace', () => {
  const url = `${HOST}/a.mp4`;
  const signed = () => signUrl(url, { keyPairId: 'KRSA', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW });
  const cases: [string, () => string[], RegExp][] = [
    ['no command', () => [], /missing command/],
    ['an unknown command', () => ['serve'], /unknown command "serve"/],
    ['an unknown top-level option', () => ['--frobnicate'], /unknown option --frobnicate/],
    [
      'an unknown flag',
      () => ['sign-url', url, ...rsaKeyArgs(), '--frobnicate'],
      /unknown option --frobnicate for sign-url/,
    ],
    ['a flag without its value', () => ['sign-url', url, ...rsaKeyArgs(), '--expires'], /--expires needs a value/],
    [
      'a repeated flag',
      () => ['sign-url', url, ...rsaKeyArgs(), '--expires', '+1h', '--expires', '+2h'],
      /--expires is given twice/,
    ],
    ['a missing --key-pair-id', () => ['sign-url', url, '--private-key', file('rsa.pem')], /--key-pair-id is required/],
    ['a missing --private-key', () => ['sign-url', url, '--key-pair-id', 'KRSA'], /--private-key is required/],
    ['a missing URL', () => ['sign-url', ...rsaKeyArgs()], /sign-url needs a URL/],
    ['two URLs', () => ['sign-url', url, url, ...rsaKeyArgs()], /takes one URL, got 2/],
    ['keys generate without --out', () => ['keys', 'generate'], /--out is required/],
    ['keys without a subcommand', () => ['keys'], /keys needs a subcommand/],
    [
      'an unknown --type',
      () => ['keys', 'generate', '--type', 'dsa', '--out', file('x')],
      /--type must be rsa or ecdsa/,
    ],
    [
      'an unreadable WHEN',
      () => ['sign-url', url, ...rsaKeyArgs(), '--expires', 'tomorrow'],
      /--expires: cannot read time "tomorrow"/,
    ],
    ['epoch milliseconds', () => ['sign-url', url, ...rsaKeyArgs(), '--expires', '2000000000000'], /milliseconds/],
    [
      'an expiry in the past',
      () => ['sign-url', url, ...rsaKeyArgs(), '--expires', '2020-01-01T00:00:00Z'],
      /not in the future/,
    ],
    ['a bad --at', () => ['inspect', signed(), '--at', 'yesterday'], /--at: cannot read time/],
    [
      'a missing key file',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('nope.pem')],
      /cannot read .*nope\.pem: no such file/,
    ],
    [
      'a directory as key file',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('a-directory')],
      /a-directory: it is a directory/,
    ],
    [
      'a character device as key file (read whole, /dev/zero never ends)',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', '/dev/zero'],
      /^edgepass: \/dev\/zero is a character device, not a key file/,
    ],
    [
      'a named pipe as key file (opening it would wait for a writer forever)',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('key.fifo')],
      /key\.fifo is a named pipe \(FIFO\), not a key file/,
    ],
    [
      'a socket as key file',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('key.sock')],
      /key\.sock is a socket, not a key file/,
    ],
    [
      'a character device as --public-key file',
      () => ['inspect', signed(), '--public-key', 'KRSA=/dev/zero'],
      /^edgepass: \/dev\/zero is a character device, not a key file/,
    ],
    [
      'a key file too large to be a key',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('huge.pem')],
      /huge\.pem is 70000 bytes, too large/,
    ],
    [
      'a malformed PEM',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('garbage.pem')],
      /garbage\.pem: not a PEM private key/,
    ],
    [
      'a public key given as private key',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('rsa.pub.pem')],
      /rsa\.pub\.pem: not a PEM private key/,
    ],
    [
      'an Ed25519 key',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('ed25519.pem')],
      /ed25519\.pem: unsupported key type ed25519/,
    ],
    [
      'an RSA-1024 key',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('rsa1024.pem')],
      /exactly 2048 bits; this one has 1024/,
    ],
    [
      'an encrypted key without passphrase',
      () => ['sign-url', url, '--key-pair-id', 'KRSA', '--private-key', file('rsa-encrypted.pem')],
      /encrypted.*EDGEPASS_KEY_PASSPHRASE/,
    ],
    [
      'a wrong passphrase',
      () => [
        'sign-url',
        url,
        '--key-pair-id',
        'KRSA',
        '--private-key',
        file('rsa-encrypted.pem'),
        '--passphrase',
        'nope',
      ],
      /wrong passphrase/,
    ],
    [
      'a bad key pair id',
      () => ['sign-url', url, '--key-pair-id', 'not-an-id', '--private-key', file('rsa.pem')],
      /not a CloudFront public key id/,
    ],
    [
      'an IPv6 --ip',
      () => ['sign-url', url, ...rsaKeyArgs(), '--ip', '2001:db8::/32'],
      /IPv6: CloudFront policies accept IPv4/,
    ],
    [
      'an --ip with host bits set',
      () => ['sign-url', url, ...rsaKeyArgs(), '--ip', '10.0.0.1/8'],
      /did you mean 10\.0\.0\.0\/8/,
    ],
    [
      'a URL that is not http(s)',
      () => ['sign-url', 'ftp://example.com/a.mp4', ...rsaKeyArgs()],
      /not an absolute http/,
    ],
    ['a URL already signed', () => ['sign-url', signed(), ...rsaKeyArgs()], /already holds Expires/],
    [
      'an oversized URL to sign',
      () => ['sign-url', `${url}?pad=${'x'.repeat(9000)}`, ...rsaKeyArgs()],
      /CloudFront refuses URLs over 8192/,
    ],
    [
      'a resource that does not cover the URL',
      () => ['sign-url', url, ...rsaKeyArgs(), '--resource', `${HOST}/videos/*`],
      /not covered by the resource/,
    ],
    [
      'a bad --hash',
      () => ['sign-url', url, ...rsaKeyArgs(), '--hash', 'md5'],
      /--hash must be sha1 or sha256, got "md5"/,
    ],
    [
      'a bad --domain',
      () => ['sign-cookies', `${HOST}/videos/*`, ...rsaKeyArgs(), '--domain', 'a.com; Secure'],
      /--domain must be a host name/,
    ],
    [
      'a bad --path',
      () => ['sign-cookies', `${HOST}/videos/*`, ...rsaKeyArgs(), '--path', 'videos'],
      /--path must start with \//,
    ],
    [
      'a sign-cookies resource that is not a pattern',
      () => ['sign-cookies', 'videos/*', ...rsaKeyArgs()],
      /not a resource pattern/,
    ],
    ['an inspect URL that is not http(s)', () => ['inspect', '/videos/a.mp4'], /not an absolute http/],
    [
      'an oversized inspect URL',
      () => ['inspect', `${signed()}&pad=${'x'.repeat(9000)}`],
      /CloudFront refuses URLs over 8192/,
    ],
    [
      'an oversized --cookie',
      () => ['inspect', url, '--cookie', `a=${'x'.repeat(21000)}`],
      /--cookie is \d+ bytes; CloudFront refuses/,
    ],
    [
      '--public-key without =',
      () => ['inspect', signed(), '--public-key', file('rsa.pub.pem')],
      /--public-key takes ID=FILE/,
    ],
    ['--public-key without a file', () => ['inspect', signed(), '--public-key', 'KRSA='], /--public-key takes ID=FILE/],
    [
      '--public-key with a bad id',
      () => ['inspect', signed(), '--public-key', `K-1=${file('rsa.pub.pem')}`],
      /"K-1" is not a CloudFront public key id/,
    ],
    [
      '--public-key with a malformed PEM',
      () => ['inspect', signed(), '--public-key', `KRSA=${file('garbage.pem')}`],
      /garbage\.pem: not a PEM public key/,
    ],
    [
      '--public-key with a missing file',
      () => ['inspect', signed(), '--public-key', `KRSA=${file('nope.pem')}`],
      /no such file/,
    ],
    [
      'the same --public-key id twice',
      () => ['inspect', signed(), '--public-key', rsaPublic(), '--public-key', `KRSA=${file('ec.pub.pem')}`],
      /KRSA appears twice/,
    ],
    [
      'a bad --client-ip',
      () => ['inspect', signed(), '--client-ip', '300.1.2.3'],
      /--client-ip "300\.1\.2\.3" is not an IPv4 or IPv6 address/,
    ],
  ];

  it.each(cases)('rejects %s', async (_name, args, message) => {
    expectUsageError(await edgepass(args()), message);
  });

  it('keeps a multi-line message from a flag parser on one line', async () => {
    expectUsageError(await edgepass(['sign-url', url, ...rsaKeyArgs(), '--ip', '-5']), /--ip=-5/);
  });

  it('never writes a key when generation is refused for a bad --type', async () => {
    expectUsageError(await edgepass(['keys', 'generate', '--type', 'ed25519', '--out', file('gen-bad')]), /--type/);
    expect(() => statSync(file('gen-bad'))).toThrow();
  });
});
