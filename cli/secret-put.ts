import { readFileSync } from 'node:fs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isEdgepassError, isKeyPairId, loadSigningKey, type SigningKey } from '../shared';
import type { SessionKey } from '../shared/identity/signing-key-source';
import { BoundedHttpHandler, ResponseTooLarge } from '../shared/regional/bounded-http-handler';
import { parseSigningSecret } from '../shared/regional/signing-key-source';
import { parseCommandArgs, requireOption } from './args';
import type { CliIo } from './io';
import { readKeyFile } from './key-file';
import { cleanServerText, errorLine, quoteInput } from './terminal-text';
import { UsageError } from './usage-error';

const FLAGS = {
  'secret-id': { type: 'string' },
  'key-pair-id': { type: 'string' },
  'private-key': { type: 'string' },
  'session-key': { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  create: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

const DEFAULT_REGION = 'us-east-1';
/** Seconds for all the network work of one command: every attempt, retry delay and answer body. */
export const DEFAULT_TIMEOUT_SECONDS = 20;
const MAX_TIMEOUT_SECONDS = 600;
/** A Secrets Manager answer is a few hundred bytes; a bigger one is not read. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const DESCRIPTION = 'edgepass CloudFront signing key: {"keyPairId","privateKey"} (written by edgepass secret put)';

/** A Secrets Manager name (1–512 of these characters) or a secret ARN. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** AWS answered, or could not be reached: exit 1, unlike the caller's own mistakes (exit 2). */
class ServiceFailure extends Error {}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function readSecretId(value: string | undefined): string {
  const id = requireOption(value, 'secret-id');
  if (!SECRET_NAME.test(id) && !SECRET_ARN.test(id)) {
    throw new UsageError(
      `--secret-id ${quoteInput(id)} is not a secret name (letters, digits and /_+=.@-, e.g. edgepass/signing-key) or a secret ARN`,
    );
  }
  return id;
}

function readKeyPairId(value: string | undefined): string {
  const id = requireOption(value, 'key-pair-id');
  if (!isKeyPairId(id)) {
    throw new UsageError(
      `--key-pair-id ${quoteInput(id)} is not a CloudFront public key id (letters and digits, e.g. K2JCJMDEHXQW5F)`,
    );
  }
  return id;
}

function readEndpoint(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--endpoint ${quoteInput(value)} is not a URL (e.g. http://127.0.0.1:4566)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoint must be an http:// or https:// URL, got ${quoteInput(value)}`);
  }
  return value;
}

function readTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`--timeout must be whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}, got ${quoteInput(value)}`);
  }
  return seconds;
}

function readRegion(value: string | undefined, io: CliIo): string {
  const region = value ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new UsageError(`region ${quoteInput(region)} is not an AWS region (e.g. us-east-1)`);
  }
  return region;
}

/**
 * The key the Lambda will load, checked the way it will be: unencrypted (the Lambda has no passphrase)
 * and of a type and size CloudFront accepts.
 */
function readPrivateKey(file: string): SigningKey {
  const pem = readKeyFile(file);
  if (!/PRIVATE KEY-----/.test(pem) && /-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(pem)) {
    throw new UsageError(`${file} is a public key; --private-key needs the private key (private.pem)`);
  }
  try {
    return loadSigningKey(pem);
  } catch (error) {
    if (isEdgepassError(error) && error.code === 'KEY_PASSPHRASE_REQUIRED') {
      throw new UsageError(
        `${file} is encrypted, and the functions read the key without a passphrase: store an unencrypted copy ` +
          `(openssl pkey -in ${file} -out plain.pem); Secrets Manager encrypts it at rest with KMS`,
        { cause: error },
      );
    }
    if (isEdgepassError(error)) throw new UsageError(`${file}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * A session key file as `edgepass keys rotate --session` writes it: `{"keyId":"S…","key":"<base64url>"}`.
 * Its shape is checked with the secret (`parseSigningSecret`); only the key id is ever printed.
 */
function readSessionKeyFile(file: string): SessionKey {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `${file} is not a session key file ({"keyId","key"}, written by edgepass keys rotate --session)`,
      {
        cause: error,
      },
    );
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof fields.keyId !== 'string' || typeof fields.key !== 'string') {
    throw new UsageError(`${file} is not a session key file: it needs "keyId" and "key" strings`);
  }
  return { keyId: fields.keyId, key: fields.key };
}

/**
 * The signing secret in its one documented format (docs/deploy.md): one JSON object, the key as PKCS#8
 * PEM, and the session token's HMAC key when given.
 */
function secretText(keyPairId: string, key: SigningKey, secretId: string, session?: SessionKey): string {
  const privateKey = key.keyObject.export({ type: 'pkcs8', format: 'pem' }).toString();
  const text = JSON.stringify(
    session === undefined
      ? { keyPairId, privateKey }
      : { keyPairId, privateKey, sessionKeyId: session.keyId, sessionKey: session.key },
  );
  // The same parser the functions use: what is stored here is what they accept.
  try {
    parseSigningSecret(text, secretId);
  } catch (error) {
    // Only the session fields can fail here (the key was checked): say so without quoting them.
    if (isEdgepassError(error))
      throw new UsageError(error.message.replace(/^secret \S+ is not/, 'the session key file is not'), {
        cause: error,
      });
    throw error;
  }
  return text;
}

/** The first line of a server-provided message, cleaned: the SDK appends hints on later lines. */
function firstLine(text: unknown): string {
  if (typeof text !== 'string') return cleanServerText(text);
  const newline = text.indexOf('\n');
  return cleanServerText(newline === -1 ? text : text.slice(0, newline));
}

/** Explains an SDK failure in one line that says what to do next; every server-chosen string is cleaned. */
function describeFailure(
  error: unknown,
  context: { secretId: string; region: string; where: string; timeoutSeconds: number; timedOut: boolean },
): string {
  if (context.timedOut) {
    return (
      `no complete answer from Secrets Manager at ${context.where} within ${context.timeoutSeconds}s (retries ` +
      'included): check --endpoint / AWS_ENDPOINT_URL_SECRETS_MANAGER, --region and the network, or raise --timeout'
    );
  }
  if (error instanceof ResponseTooLarge) {
    return (
      `Secrets Manager at ${context.where} sent an answer larger than 1 MiB; stopped reading it ` +
      '(is --endpoint / AWS_ENDPOINT_URL_SECRETS_MANAGER a Secrets Manager endpoint?)'
    );
  }
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  // An error name is a type name; a long one is not a real one.
  const name = cleanServerText(failure.name ?? 'Error', 100);
  const detail = firstLine(failure.message);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
    return (
      'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for ' +
      'temporary ones), or AWS_PROFILE after `aws configure` / `aws sso login`'
    );
  }
  switch (name) {
    case 'AccessDeniedException':
      return `not allowed to write secret ${context.secretId} (needs secretsmanager:PutSecretValue, and secretsmanager:CreateSecret with --create): ${detail}`;
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return `AWS refused the credentials (${name}): ${detail}; check AWS_ACCESS_KEY_ID / AWS_PROFILE, or refresh the session`;
    case 'EncryptionFailure':
      return `Secrets Manager cannot encrypt secret ${context.secretId} with its KMS key (kms:GenerateDataKey): ${detail}`;
    case 'InvalidRequestException':
      return `Secrets Manager refused to store secret ${context.secretId}: ${detail}`;
  }
  const code = cleanServerText(failure.code ?? '');
  if (/^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE)$/.test(code)) {
    return `cannot reach Secrets Manager at ${context.where} (${code}): check --endpoint / AWS_ENDPOINT_URL_SECRETS_MANAGER, --region and the network`;
  }
  const status = failure.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || name === 'ThrottlingException') {
    return `Secrets Manager failed at ${context.where} (${name}${detail ? `: ${detail}` : ''}); try again`;
  }
  return `Secrets Manager refused to store secret ${context.secretId}: ${name}${detail ? `: ${detail}` : ''}`;
}

function isNotFound(error: unknown): boolean {
  return (error as SdkError | undefined)?.name === 'ResourceNotFoundException';
}

async function store(
  client: SecretsManagerClient,
  options: { secretId: string; text: string; create: boolean; region: string; abortSignal: AbortSignal },
): Promise<string | undefined> {
  // Loaded here, not at the top: the other commands never pay for the SDK.
  const { CreateSecretCommand, PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const sendOptions = { abortSignal: options.abortSignal };
  try {
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: options.secretId, SecretString: options.text }),
      sendOptions,
    );
    return put.VersionId;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (!options.create) {
      throw new ServiceFailure(
        `secret ${options.secretId} does not exist in ${options.region}: pass --create to create it (or check --region)`,
      );
    }
    if (SECRET_ARN.test(options.secretId)) {
      throw new UsageError(`secret ${options.secretId} does not exist, and --create needs a name, not an ARN`);
    }
  }
  const created = await client.send(
    new CreateSecretCommand({ Name: options.secretId, SecretString: options.text, Description: DESCRIPTION }),
    sendOptions,
  );
  return created.VersionId;
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts: the deadline holds even for a step of the
 * SDK that does not watch the signal (a credential provider, a retry delay).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * `edgepass secret put --secret-id ID --key-pair-id ID --private-key FILE [--region R] [--endpoint URL]
 * [--create] [--timeout SECONDS]`: stores the signing secret `{"keyPairId":"…","privateKey":"-----BEGIN PRIVATE KEY-----…"}`
 * as a new version of a Secrets Manager secret (PutSecretValue; with `--create`, a missing secret is
 * created with CreateSecret). The key is checked first: unencrypted, RSA-2048 or ECDSA P-256. Prints
 * `stored <keyPairId> in <secretId> (version <VersionId>)`, never the key.
 *
 * Endpoint: `--endpoint`, else the SDK's own `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `AWS_ENDPOINT_URL`.
 * Region: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, else us-east-1. Credentials: the SDK's chain.
 * Bounded against any endpoint: one deadline (`--timeout`, default 20 s) covers every attempt, retry
 * and answer body; an answer over 1 MiB is not read; server text is cleaned and cut before printing.
 *
 * @example
 * await secretPut(['--secret-id', 'edgepass/signing-key', '--key-pair-id', 'K2JCJMDEHXQW5F', '--private-key', 'private.pem'], io) // 0
 */
export async function secretPut(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('secret put', args, FLAGS);
  if (positionals[0] !== undefined) {
    throw new UsageError(`secret put takes no arguments, got ${quoteInput(positionals[0])}`);
  }
  const secretId = readSecretId(values['secret-id']);
  const keyPairId = readKeyPairId(values['key-pair-id']);
  const keyFile = requireOption(values['private-key'], 'private-key');
  const region = readRegion(values.region, io);
  const endpoint = readEndpoint(values.endpoint);
  const timeoutSeconds = readTimeout(values.timeout);
  const sessionFile = values['session-key'];
  const session = sessionFile === undefined ? undefined : readSessionKeyFile(sessionFile);
  const text = secretText(keyPairId, readPrivateKey(keyFile), secretId, session);

  const where =
    endpoint ??
    io.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ??
    io.env.AWS_ENDPOINT_URL ??
    `secretsmanager.${region}.amazonaws.com`;
  // A multi-line notice about future Node versions would break the one-line output contract.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    region,
    ...(endpoint === undefined ? {} : { endpoint }),
    maxAttempts: 3,
    requestHandler: new BoundedHttpHandler(
      { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true },
      MAX_RESPONSE_BYTES,
    ),
  });
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('deadline')), timeoutSeconds * 1000);
  try {
    const versionId = await untilAborted(
      store(client, { secretId, text, create: values.create === true, region, abortSignal: deadline.signal }),
      deadline.signal,
    );
    const stored = session === undefined ? keyPairId : `${keyPairId} and session key ${session.keyId}`;
    io.stdout(`stored ${stored} in ${secretId} (version ${cleanServerText(versionId ?? 'unknown')})\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || isEdgepassError(error)) throw error;
    const message =
      error instanceof ServiceFailure
        ? error.message
        : describeFailure(error, { secretId, region, where, timeoutSeconds, timedOut: deadline.signal.aborted });
    io.stderr(`edgepass: ${errorLine(message)}\n`);
    return 1;
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
