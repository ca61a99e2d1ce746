import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessionKeyName } from '../shared/edge/session-token';
import { oneOf, parseCommandArgs, requireOption } from './args';
import type { CliIo } from './io';
import { type KeyFileWrite, writeKeyPair } from './keys-generate';
import { secretPut } from './secret-put';
import { quoteInput } from './terminal-text';
import { UsageError } from './usage-error';

const FLAGS = {
  out: { type: 'string' },
  type: { type: 'string' },
  session: { type: 'boolean' },
  force: { type: 'boolean' },
  'key-pair-id': { type: 'string' },
  'secret-id': { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  create: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/** The session key file beside the key pair: `{"keyId","key"}`, mode 0600. */
export const SESSION_KEY_FILE = 'session-key.json';

/** A session key id from the clock (`S` + UTC yyyymmddhhmmss): sortable, and new at every rotation. */
function sessionKeyId(now: Date): string {
  return `S${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

function writeSessionKey(file: string, keyId: string, force: boolean): void {
  try {
    // 32 random bytes as base64url: the KeyValueStore value and the Lambda's HMAC key text.
    writeFileSync(file, `${JSON.stringify({ keyId, key: randomBytes(32).toString('base64url') })}\n`, {
      mode: 0o600,
      flag: force ? 'w' : 'wx',
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      code === 'EEXIST' ? `${file} already exists; pass --force to overwrite it` : `cannot write ${file}`,
      { cause: error },
    );
  }
}

/** The runbook the first step prints: what to upload, what to change in the configuration, and when. */
function plan(dir: string, session: string | undefined): string {
  const steps = [
    `1. Upload ${join(dir, 'public.pem')} to CloudFront as a public key (console: Key management > Public keys, or\n` +
      '   `aws cloudfront create-public-key`) and add it to the key group the cache behaviors trust, beside the\n' +
      '   current key (a key group holds up to 5).',
    '2. Trust both keys at the edge: add the new key to keyGroup in edgepass.config.json, keep the old one, and\n' +
      '   deploy (the Lambda@Edge gate bakes its key group in at build):\n' +
      `     { "id": "<new public key id>", "publicKeyFile": "${join(dir, 'public.pem')}" }`,
  ];
  if (session !== undefined) {
    steps.push(
      `3. Put the session key in the CloudFront Function's KeyValueStore, keeping the old one: key\n` +
        `   ${sessionKeyName(session)}, value the "key" of ${join(dir, SESSION_KEY_FILE)}\n` +
        '   (`aws cloudfront-keyvaluestore put-key`).',
    );
  }
  steps.push(
    `${steps.length + 1}. Sign with the new key${session === undefined ? '' : 's'}: write the signing secret's new version (login and sign pick it\n` +
      '   up within 5 minutes, no redeploy):\n' +
      `     edgepass keys rotate --out ${dir} --key-pair-id <new public key id> --secret-id <signingSecretId>`,
    `${steps.length + 2}. Once the longest grant (maxTtlSeconds) has passed, remove the old key from keyGroup (deploy) and from the\n` +
      `   key group${session === undefined ? '' : ', and its session-key:<old id> from the KeyValueStore'}: what it signed is then denied (unknown-key).`,
  );
  return `\nZero-downtime rotation (docs/key-rotation.md):\n${steps.join('\n')}\n`;
}

/**
 * `edgepass keys rotate --out DIR [--type rsa|ecdsa] [--session] [--force]` writes the next key pair
 * (and with `--session` the next session-token HMAC key, `DIR/session-key.json`) and prints the
 * rotation runbook: upload, trust both keys, switch the signer, remove the old key after the longest
 * grant. `edgepass keys rotate --out DIR --key-pair-id ID --secret-id ID [--region R] [--endpoint URL]
 * [--create] [--timeout S]`, once CloudFront has given the public key its id, writes the signing
 * secret's new version from DIR's private key (and session key, if there is one) — `secret put`'s
 * checks and output.
 *
 * @example
 * keysRotate(['--out', 'keys/2026-12', '--type', 'ecdsa', '--session'], io) // 0, prints the runbook
 */
export function keysRotate(
  args: readonly string[],
  io: CliIo,
  options: { readonly now?: Date; readonly write?: KeyFileWrite } = {},
): number | Promise<number> {
  const { values, positionals } = parseCommandArgs('keys rotate', args, FLAGS);
  if (positionals[0] !== undefined) {
    throw new UsageError(`keys rotate takes no arguments, got ${quoteInput(positionals[0])}`);
  }
  const dir = requireOption(values.out, 'out');
  const keyPairId = values['key-pair-id'];
  const secretId = values['secret-id'];
  if (keyPairId !== undefined || secretId !== undefined) {
    if (values.type !== undefined || values.session === true || values.force === true) {
      throw new UsageError(
        '--type, --session and --force belong to the first step (writing the keys), not to --key-pair-id',
      );
    }
    const privateFile = join(dir, 'private.pem');
    if (!existsSync(privateFile)) {
      throw new UsageError(`${privateFile} does not exist: run edgepass keys rotate --out ${dir} first`);
    }
    const sessionFile = join(dir, SESSION_KEY_FILE);
    const passed = (['region', 'endpoint', 'timeout'] as const).flatMap((flag) => {
      const value = values[flag];
      return value === undefined ? [] : [`--${flag}`, value];
    });
    return secretPut(
      [
        '--secret-id',
        requireOption(secretId, 'secret-id'),
        '--key-pair-id',
        requireOption(keyPairId, 'key-pair-id'),
        '--private-key',
        privateFile,
        ...(existsSync(sessionFile) ? ['--session-key', sessionFile] : []),
        ...(values.create === true ? ['--create'] : []),
        ...passed,
      ],
      io,
    );
  }
  for (const flag of ['region', 'endpoint', 'timeout', 'create'] as const) {
    if (values[flag] !== undefined)
      throw new UsageError(`--${flag} goes with --key-pair-id and --secret-id (the second step)`);
  }
  const type = oneOf(values.type ?? 'rsa', ['rsa', 'ecdsa'], 'type');
  const force = values.force === true;
  const session = values.session === true ? sessionKeyId(options.now ?? new Date()) : undefined;
  const sessionFile = join(dir, SESSION_KEY_FILE);
  // Refuse before writing anything, so a refusal never leaves a new key pair beside an old session key.
  if (session !== undefined && !force && existsSync(sessionFile)) {
    throw new UsageError(`${sessionFile} already exists; pass --force to overwrite it`);
  }
  const { privateFile, publicFile, label } = writeKeyPair(type, dir, force, options.write);
  if (session !== undefined) writeSessionKey(sessionFile, session, force);
  io.stdout(
    `Wrote ${privateFile} (${label} private key, PKCS#8, mode 0600: keep it secret, never commit it)\n` +
      `Wrote ${publicFile} (public key, SPKI)\n` +
      (session === undefined
        ? ''
        : `Wrote ${sessionFile} (session token HMAC key ${session}, mode 0600: keep it secret)\n`) +
      plan(dir, session),
  );
  return 0;
}
