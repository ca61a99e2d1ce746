import { request } from 'node:http';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSecretsManager, MAX_REQUEST_BYTES, startSecretsManager } from '../../../dev/secrets-manager';

/**
 * The local Secrets Manager runs inside `npm start` for hours: what anyone on the machine posts to it
 * must not pile up in its memory.
 */

let sm: LocalSecretsManager;
beforeAll(async () => {
  sm = await startSecretsManager({ keepCalls: 3 });
});
afterAll(() => sm.close());

/** A raw POST as any local program could send it (no SigV4), answered status and body. */
function post(body: Buffer | string, target = 'secretsmanager.GetSecretValue') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${sm.endpoint}/`,
      { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local Secrets Manager under hostile posts', () => {
  it('answers a body over 256 KiB with 413 and keeps none of it', async () => {
    const answer = await post(Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    expect(sm.calls().at(-1)).toMatchObject({ status: 413, body: {} });
    // Within the limit, an unsigned request is refused as the real service refuses it.
    expect((await post('{}')).status).toBe(400);
  });

  it('keeps only the last calls it was asked to keep, while counting all of them', async () => {
    const before = sm.calls().length;
    expect(before).toBeLessThanOrEqual(3);
    const counted = sm.waitForCalls(12);
    for (let i = 0; i < 10; i++) await post('{}');
    await counted;
    expect(sm.calls()).toHaveLength(3);
  });

  it('refuses a secret value over 64 KiB from the real client, as Secrets Manager does', async () => {
    const client = new SecretsManagerClient({
      endpoint: sm.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    await expect(
      client.send(new CreateSecretCommand({ Name: 'big', SecretString: 'x'.repeat(65_537) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await client.send(new CreateSecretCommand({ Name: 'fits', SecretString: 'x'.repeat(65_536) }));
    expect(sm.current('fits')?.value).toHaveLength(65_536);
    client.destroy();
  });
});
