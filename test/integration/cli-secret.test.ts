import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cannedPolicy, decodeCloudFrontBase64, loadSigningKey, signPolicy } from '../../shared';
import { parseSigningSecret } from '../../shared/regional/signing-key-source';
import { type HostileAnswer, type HostileServer, startHostileServer } from '../fixtures/hostile-http-server';
import { ecKeyPair, rsaKeyPair, type TestKeyPair } from '../fixtures/keys';
import { type CliResult, runCliWithLocalAws } from '../fixtures/run-cli';
import { type LocalSecretsManager, startSecretsManager } from '../fixtures/secrets-manager-server';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const rsa = rsaKeyPair();
const ec = ecKeyPair();

let sm: LocalSecretsManager;
/** Created when the file loads: the bad-input table names files in it. */
const dir = mkdtempSync(join(tmpdir(), 'edgepass-secret-'));
let secretNumber = 0;
const file = (name: string) => join(dir, name);

/** The built CLI against this file's local Secrets Manager, isolated from the machine's AWS settings. */
function edgepass(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCliWithLocalAws(args, sm.endpoint, dir, env);
}

function putArgs(secretId: string, keyFile = file('rsa.pem')): string[] {
  return ['secret', 'put', '--secret-id', secretId, '--key-pair-id', KEY_PAIR_ID, '--private-key', keyFile];
}

/** A secret id no other test uses, so tests never see each other's versions. */
function newSecretId(): string {
  secretNumber += 1;
  return `edgepass/signing-key-${secretNumber}`;
}

/** The stored secret, read back from the server and checked the way the functions will check it. */
function storedSecret(secretId: string, keyPair: TestKeyPair): { keyPairId: string; privateKey: string } {
  const value = sm.current(secretId)?.value;
  if (typeof value !== 'string') throw new Error(`${secretId} holds no SecretString`);
  expect(Object.keys(JSON.parse(value) as object)).toEqual(['keyPairId', 'privateKey']);
  const secret = parseSigningSecret(value, secretId);
  const policy = cannedPolicy('https://cdn.example.com/videos/a.mp4', 2_000_000_000);
  const signature = decodeCloudFrontBase64(signPolicy(policy, loadSigningKey(secret.privateKey)));
  expect(verify('sha1', Buffer.from(policy), keyPair.publicKey, signature ?? Buffer.alloc(0))).toBe(true);
  return secret;
}

function expectOneErrorLine(result: CliResult, status: 1 | 2, message: string | RegExp): void {
  expect(result.status).toBe(status);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^edgepass: [^\n]+\n$/);
  if (typeof message === 'string') expect(result.stderr).toBe(`edgepass: ${message}\n`);
  else expect(result.stderr).toMatch(message);
}

function expectNoKeyIn(result: CliResult): void {
  for (const pem of [rsa.privatePem, ec.privatePem]) {
    expect(result.stdout + result.stderr).not.toContain(pem.split('\n')[2]);
  }
}

/** A port nothing listens on: Secrets Manager "down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

beforeAll(async () => {
  sm = await startSecretsManager();
  writeFileSync(file('rsa.pem'), rsa.privatePem, { mode: 0o600 });
  writeFileSync(file('rsa-pkcs1.pem'), rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(file('ec-sec1.pem'), ec.privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(file('rsa.pub.pem'), rsa.publicPem);
  writeFileSync(
    file('rsa-encrypted.pem'),
    rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' }),
  );
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  writeFileSync(file('rsa1024.pem'), small.privateKey.export({ type: 'pkcs8', format: 'pem' }));
});

afterAll(async () => {
  await sm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('edgepass secret put', () => {
  it('stores {"keyPairId","privateKey"} as a new version of the secret and prints only the version', async () => {
    const secretId = newSecretId();
    const placeholder = sm.put(secretId, '{}');

    const result = await edgepass(putArgs(secretId));

    const current = sm.current(secretId);
    expect(current?.versionId).not.toBe(placeholder);
    expect(result).toEqual({
      status: 0,
      stdout: `stored ${KEY_PAIR_ID} in ${secretId} (version ${current?.versionId})\n`,
      stderr: '',
    });
    expect(storedSecret(secretId, rsa)).toEqual({ keyPairId: KEY_PAIR_ID, privateKey: rsa.privatePem });
    const [put, ...others] = sm.calls().filter((call) => call.body.SecretId === secretId);
    expect(others).toEqual([]);
    expect(put).toMatchObject({ target: 'PutSecretValue', status: 200, protocolError: undefined });
    expect(put?.headers.authorization).toMatch(/Credential=test\/\d{8}\/us-east-1\/secretsmanager\/aws4_request/);
  });

  it('stores PKCS#1 and SEC1 keys as PKCS#8 PEM', async () => {
    for (const [keyFile, keyPair] of [
      ['rsa-pkcs1.pem', rsa],
      ['ec-sec1.pem', ec],
    ] as const) {
      const secretId = newSecretId();
      sm.put(secretId, '{}');
      expect((await edgepass(putArgs(secretId, file(keyFile)))).status).toBe(0);
      const { privateKey } = storedSecret(secretId, keyPair);
      expect(privateKey).toBe(keyPair.privatePem);
      expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    }
  });

  it('tells the user to pass --create when the secret does not exist, and creates nothing', async () => {
    const secretId = newSecretId();

    const result = await edgepass(putArgs(secretId));

    expectOneErrorLine(
      result,
      1,
      `secret ${secretId} does not exist in us-east-1: pass --create to create it (or check --region)`,
    );
    expect(sm.calls('CreateSecret')).toEqual([]);
    expect(sm.current(secretId)).toBeUndefined();
  });

  it('creates a missing secret with --create', async () => {
    const secretId = newSecretId();

    const result = await edgepass([...putArgs(secretId), '--create']);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`stored ${KEY_PAIR_ID} in ${secretId} (version ${sm.current(secretId)?.versionId})\n`);
    storedSecret(secretId, rsa);
    const targets = sm.calls().filter((call) => [call.body.SecretId, call.body.Name].includes(secretId));
    expect(targets.map((call) => call.target)).toEqual(['PutSecretValue', 'CreateSecret']);
    expect(targets[1]?.body).toMatchObject({ Name: secretId, Description: expect.stringContaining('edgepass') });
  });

  it('only adds a version to an existing secret with --create', async () => {
    const secretId = newSecretId();
    sm.put(secretId, '{}');
    const creates = sm.calls('CreateSecret').length;

    expect((await edgepass([...putArgs(secretId), '--create'])).status).toBe(0);
    expect(sm.calls('CreateSecret')).toHaveLength(creates);
  });

  it('uses --endpoint and --region over the environment', async () => {
    const secretId = newSecretId();
    sm.put(secretId, '{}');

    const result = await edgepass([...putArgs(secretId), '--endpoint', sm.endpoint, '--region', 'eu-west-1'], {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: undefined,
      AWS_REGION: 'ap-southeast-2',
    });

    expect(result.status).toBe(0);
    expect(sm.calls('PutSecretValue').at(-1)?.headers.authorization).toContain('/eu-west-1/secretsmanager/');
  });

  it('takes the region from AWS_REGION when --region is not given', async () => {
    const secretId = newSecretId();
    sm.put(secretId, '{}');

    expect((await edgepass(putArgs(secretId), { AWS_REGION: 'eu-central-1' })).status).toBe(0);
    expect(sm.calls('PutSecretValue').at(-1)?.headers.authorization).toContain('/eu-central-1/secretsmanager/');
  });

  it('lists secret put in the command overview and explains it with --help', async () => {
    expect((await edgepass(['--help'])).stdout).toContain('secret put');
    const help = await edgepass(['secret', 'put', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: edgepass secret put --secret-id ID --key-pair-id ID --private-key FILE/);
  });
});

describe.concurrent('edgepass secret put refuses bad input before calling AWS (exit 2)', () => {
  const cases: { name: string; args: () => string[]; message: string | RegExp }[] = [
    {
      name: 'a missing subcommand',
      args: () => ['secret'],
      message: 'secret needs a subcommand: edgepass secret put --secret-id ID --key-pair-id ID --private-key FILE',
    },
    {
      name: 'an unknown subcommand',
      args: () => ['secret', 'get'],
      message: 'unknown secret subcommand "get"; the only one is put',
    },
    {
      name: 'a missing --secret-id',
      args: () => ['secret', 'put', '--key-pair-id', KEY_PAIR_ID, '--private-key', file('rsa.pem')],
      message: '--secret-id is required',
    },
    {
      name: 'a missing --key-pair-id',
      args: () => ['secret', 'put', '--secret-id', 'edgepass/k', '--private-key', file('rsa.pem')],
      message: '--key-pair-id is required',
    },
    {
      name: 'a missing --private-key',
      args: () => ['secret', 'put', '--secret-id', 'edgepass/k', '--key-pair-id', KEY_PAIR_ID],
      message: '--private-key is required',
    },
    {
      name: 'a key pair id that is not a CloudFront id',
      args: () => [...putArgs('edgepass/k').slice(0, 4), '--key-pair-id', 'K-1 2', '--private-key', file('rsa.pem')],
      message: '--key-pair-id "K-1 2" is not a CloudFront public key id (letters and digits, e.g. K2JCJMDEHXQW5F)',
    },
    {
      name: 'a secret id with spaces',
      args: () => putArgs('my signing key'),
      message: /^edgepass: --secret-id "my signing key" is not a secret name/,
    },
    {
      name: 'an unreadable key file',
      args: () => putArgs('edgepass/k', file('missing.pem')),
      message: `cannot read ${file('missing.pem')}: no such file`,
    },
    {
      name: 'a public key',
      args: () => putArgs('edgepass/k', file('rsa.pub.pem')),
      message: `${file('rsa.pub.pem')} is a public key; --private-key needs the private key (private.pem)`,
    },
    {
      name: 'an encrypted key (the functions have no passphrase)',
      args: () => putArgs('edgepass/k', file('rsa-encrypted.pem')),
      message: `${file('rsa-encrypted.pem')} is encrypted, and the functions read the key without a passphrase: store an unencrypted copy (openssl pkey -in ${file('rsa-encrypted.pem')} -out plain.pem); Secrets Manager encrypts it at rest with KMS`,
    },
    {
      name: 'an RSA-1024 key',
      args: () => putArgs('edgepass/k', file('rsa1024.pem')),
      message: `${file('rsa1024.pem')}: CloudFront accepts RSA keys of exactly 2048 bits; this one has 1024 bits`,
    },
    {
      name: 'a --timeout that is not whole seconds from 1 to 600',
      args: () => [...putArgs('edgepass/k'), '--timeout', '0.5'],
      message: '--timeout must be whole seconds from 1 to 600, got "0.5"',
    },
    {
      name: 'an --endpoint that is not a URL',
      args: () => [...putArgs('edgepass/k'), '--endpoint', 'localhost:4566'],
      message: '--endpoint must be an http:// or https:// URL, got "localhost:4566"',
    },
  ];

  it.each(cases)('such as $name', async ({ args, message }) => {
    const calls = sm.calls().length;
    const result = await edgepass(args());
    expectOneErrorLine(result, 2, message);
    expectNoKeyIn(result);
    expect(sm.calls()).toHaveLength(calls);
  });
});

describe('edgepass secret put reports AWS failures in one line (exit 1)', () => {
  let secretId: string;
  beforeEach(() => {
    secretId = newSecretId();
    sm.put(secretId, '{}');
  });

  it('when Secrets Manager cannot be reached', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await edgepass([...putArgs(secretId), '--endpoint', endpoint]);
    expectOneErrorLine(
      result,
      1,
      `cannot reach Secrets Manager at ${endpoint} (ECONNREFUSED): check --endpoint / AWS_ENDPOINT_URL_SECRETS_MANAGER, --region and the network`,
    );
  });

  it('when Secrets Manager keeps failing with 500 after the SDK retries', async () => {
    sm.failNext('internal-error', 3);
    const result = await edgepass(putArgs(secretId));
    expectOneErrorLine(
      result,
      1,
      `Secrets Manager failed at ${sm.endpoint} (InternalServiceError: An error occurred on the server side.); try again`,
    );
    expect(
      sm
        .calls('PutSecretValue')
        .slice(-3)
        .map((call) => call.status),
    ).toEqual([500, 500, 500]);
  });

  it('when the caller may not write the secret', async () => {
    sm.failNext('access-denied');
    const result = await edgepass(putArgs(secretId));
    expectOneErrorLine(
      result,
      1,
      /^edgepass: not allowed to write secret edgepass\/signing-key-\d+ \(needs secretsmanager:PutSecretValue, and secretsmanager:CreateSecret with --create\): User: /,
    );
    expectNoKeyIn(result);
  });

  it('when there are no AWS credentials, saying how to provide them', async () => {
    const result = await edgepass(putArgs(secretId), {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    expectOneErrorLine(
      result,
      1,
      'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), or AWS_PROFILE after `aws configure` / `aws sso login`',
    );
  });
});

/** Control, format and line-separator characters: what can move the cursor or reorder a terminal line. */
const TERMINAL_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

describe.concurrent('edgepass secret put against a hostile endpoint stays bounded (exit 1, one clean line)', () => {
  const servers: HostileServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  async function putAgainst(answer: HostileAnswer, extra: readonly string[] = []) {
    const server = await startHostileServer(answer);
    servers.push(server);
    const started = performance.now();
    const result = await edgepass([...putArgs('edgepass/k'), '--endpoint', server.endpoint, ...extra]);
    return { server, result, seconds: (performance.now() - started) / 1000 };
  }

  function expectCleanLine(text: string, maxLength: number): void {
    expect(text).toMatch(/^[^\n]+\n$/);
    expect(text.slice(0, -1)).not.toMatch(TERMINAL_UNSAFE);
    expect(text.length).toBeLessThan(maxLength);
  }

  it('stops reading an answer that grows past 1 MiB instead of buffering it', async () => {
    const { server, result } = await putAgainst({ kind: 'endless-body', limit: 256 * 1024 * 1024 });
    expectOneErrorLine(result, 1, /sent an answer larger than 1 MiB/);
    expect(server.bytesSent()).toBeLessThan(32 * 1024 * 1024);
  });

  it('refuses an answer that announces 4 GB without reading it', async () => {
    const { server, result } = await putAgainst({
      kind: 'endless-body',
      status: 400,
      contentLength: 4 * 1024 * 1024 * 1024,
      limit: 256 * 1024 * 1024,
    });
    expectOneErrorLine(result, 1, /sent an answer larger than 1 MiB/);
    expect(server.bytesSent()).toBeLessThan(32 * 1024 * 1024);
  });

  it('gives up on a body dripped byte by byte at the --timeout deadline', async () => {
    const { result, seconds } = await putAgainst({ kind: 'drip', everyMs: 50 }, ['--timeout', '2']);
    expectOneErrorLine(result, 1, /^edgepass: no complete answer from Secrets Manager at \S+ within 2s/);
    expect(seconds).toBeLessThan(15);
  });

  it('gives up on a silent server at the default 20 s deadline, retries included', async () => {
    const { server, result, seconds } = await putAgainst({ kind: 'silent' });
    expectOneErrorLine(result, 1, /^edgepass: no complete answer from Secrets Manager at \S+ within 20s/);
    expect(server.requests()).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThan(35);
  });

  it('cuts a long error message from the server to 200 characters and drops its control characters', async () => {
    const message = `\u001b[2K\r\u001b[31mUser: mallory\u202e is not authorized\t${'x'.repeat(100_000)}\nline 2`;
    const { result } = await putAgainst({
      kind: 'json',
      status: 400,
      body: { __type: 'AccessDeniedException', message },
      headers: { 'x-amzn-errortype': 'AccessDeniedException' },
    });
    expectOneErrorLine(
      result,
      1,
      /^edgepass: not allowed to write secret edgepass\/k .*: User: mallory is not authorized x+…\n$/,
    );
    expectCleanLine(result.stderr, 600);
  });

  it('cleans an error name chosen by the server', async () => {
    const name = `Evil\u001b]0;pwned\u0007Exception${'y'.repeat(1000)}`;
    const { result } = await putAgainst({ kind: 'json', status: 400, body: { __type: name, message: 'no' } });
    expectOneErrorLine(result, 1, /^edgepass: Secrets Manager refused to store secret edgepass\/k: Evil/);
    expectCleanLine(result.stderr, 800);
  });

  it('cleans the version id of an answer that succeeded', async () => {
    const { result } = await putAgainst({
      kind: 'json',
      status: 200,
      body: { ARN: 'arn', Name: 'edgepass/k', VersionId: `\u001b[2J\u001b[H${'v'.repeat(5000)}` },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^stored K2JCJMDEHXQW5F in edgepass\/k \(version v+…\)\n$/);
    expectCleanLine(result.stdout, 400);
  });
});
