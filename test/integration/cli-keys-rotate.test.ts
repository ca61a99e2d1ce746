import { verify } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannedPolicy, decodeCloudFrontBase64, loadPublicKey, loadSigningKey, signPolicy } from '../../shared';
import { isSessionKeyId } from '../../shared/edge/session-token';
import { parseSigningSecret } from '../../shared/regional/signing-key-source';
import { type CliResult, runCliWithLocalAws } from '../fixtures/run-cli';
import { type LocalSecretsManager, startSecretsManager } from '../fixtures/secrets-manager-server';

/**
 * `edgepass keys rotate`, run as a user would against the local Secrets Manager: the first step writes
 * the next key pair and session key and prints the runbook; the second stores them as the signing
 * secret's new version, which the functions' own parser accepts.
 */

let sm: LocalSecretsManager;
const root = mkdtempSync(join(tmpdir(), 'edgepass-rotate-'));

function edgepass(args: readonly string[]): Promise<CliResult> {
  return runCliWithLocalAws(args, sm.endpoint, root);
}

beforeAll(async () => {
  sm = await startSecretsManager();
});
afterAll(() => sm.close());

describe('edgepass keys rotate', () => {
  it('writes the next ECDSA pair and session key, prints the runbook, then stores both as a new version', async () => {
    const dir = join(root, 'next');
    const first = await edgepass(['keys', 'rotate', '--out', dir, '--type', 'ecdsa', '--session']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const session = JSON.parse(readFileSync(join(dir, 'session-key.json'), 'utf8')) as { keyId: string; key: string };
    expect(isSessionKeyId(session.keyId)).toBe(true);
    expect(Buffer.from(session.key, 'base64url')).toHaveLength(32);
    expect(statSync(join(dir, 'session-key.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'private.pem')).mode & 0o777).toBe(0o600);
    // The runbook: the keyGroup entry to add, the KeyValueStore key, the second step, the removal.
    expect(first.stdout).toContain(`{ "id": "<new public key id>", "publicKeyFile": "${join(dir, 'public.pem')}" }`);
    expect(first.stdout).toContain(`session-key:${session.keyId}`);
    expect(first.stdout).toContain(`edgepass keys rotate --out ${dir} --key-pair-id <new public key id>`);
    expect(first.stdout).toMatch(/maxTtlSeconds/);
    expect(first.stdout).not.toContain(session.key);

    sm.put('edgepass/rotating', JSON.stringify({ keyPairId: 'KOLD', privateKey: 'old' }));
    const second = await edgepass([
      'keys',
      'rotate',
      '--out',
      dir,
      '--key-pair-id',
      'KNEW2026',
      '--secret-id',
      'edgepass/rotating',
    ]);
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(
      new RegExp(`^stored KNEW2026 and session key ${session.keyId} in edgepass/rotating \\(version [^)]+\\)\\n$`),
    );
    const stored = parseSigningSecret(sm.current('edgepass/rotating')?.value as string, 'edgepass/rotating');
    expect(stored).toMatchObject({ keyPairId: 'KNEW2026', session: { keyId: session.keyId, key: session.key } });
    // The stored private key is the new pair's: it signs what public.pem verifies.
    const policy = cannedPolicy('https://cdn.example.com/a.mp4', 2_000_000_000);
    const signature = decodeCloudFrontBase64(signPolicy(policy, loadSigningKey(stored.privateKey))) as Buffer;
    const publicKey = loadPublicKey(readFileSync(join(dir, 'public.pem'), 'utf8')).keyObject;
    expect(verify('sha1', Buffer.from(policy), publicKey, signature)).toBe(true);
  });

  it('refuses to overwrite a session key or a pair without --force, and mixing the two steps', async () => {
    const dir = join(root, 'twice');
    expect((await edgepass(['keys', 'rotate', '--out', dir, '--session'])).status).toBe(0);
    const again = await edgepass(['keys', 'rotate', '--out', dir, '--session']);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/session-key\.json already exists; pass --force/);
    const mixed = await edgepass([
      'keys',
      'rotate',
      '--out',
      dir,
      '--session',
      '--key-pair-id',
      'K1',
      '--secret-id',
      's',
    ]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/belong to the first step/);
    const missing = await edgepass([
      'keys',
      'rotate',
      '--out',
      join(root, 'none'),
      '--key-pair-id',
      'K1',
      '--secret-id',
      's',
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/private\.pem does not exist/);
  });
});
