import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './http-api-event';

/**
 * The local stack's Secrets Manager (and the tests' stand-in for it): it speaks AWS Secrets Manager's
 * JSON 1.1 protocol closely enough for the real `SecretsManagerClient`: `POST /`, `x-amz-target: secretsmanager.<Operation>`,
 * `content-type: application/x-amz-json-1.1`, SigV4 `Authorization`; errors are JSON
 * `{"__type": "<ExceptionName>", "message": …}` that the SDK turns into its exception classes.
 *
 * It refuses (HTTP 400) any request that does not look like the SDK's, so a test that passes against it
 * proves the client really spoke the protocol rather than being mocked in-process.
 */

/** Operations the server answers. */
export type Operation = 'GetSecretValue' | 'PutSecretValue' | 'CreateSecret' | 'DescribeSecret';

const OPERATIONS: readonly Operation[] = ['GetSecretValue', 'PutSecretValue', 'CreateSecret', 'DescribeSecret'];

/**
 * A scripted failure for the next calls:
 * - `not-found`: 400 ResourceNotFoundException (the SDK throws `ResourceNotFoundException`)
 * - `access-denied`: 400 AccessDeniedException (an IAM policy without secretsmanager:GetSecretValue)
 * - `decryption-failure`: 400 DecryptionFailure (the role may not use the secret's KMS key)
 * - `throttling`: 400 ThrottlingException (the SDK retries it as throttling)
 * - `internal-error`: 500 InternalServiceError (the SDK retries it as transient)
 * - `close`: the socket is destroyed without an answer (ECONNRESET / "socket hang up")
 * - `silent`: the connection is accepted and the request read, and nothing is ever answered (until `close()`)
 * - `{ hang: ms }`: no answer for `ms` milliseconds, then the normal answer
 * - `{ until: promise }`: no answer until `promise` settles, then the normal answer (a test decides when)
 * - `{ drip: ms }`: the normal answer's status and headers at once, then its body one byte every `ms`
 *   milliseconds (a client timeout that stops at the headers never fires)
 * - `{ error, message, status }`: an error answer of this exception name, message and status (default 400)
 */
export type Fault =
  | 'not-found'
  | 'access-denied'
  | 'decryption-failure'
  | 'throttling'
  | 'internal-error'
  | 'close'
  | 'silent'
  | { readonly hang: number }
  | { readonly until: Promise<unknown> }
  | { readonly drip: number }
  | { readonly error: string; readonly message: string; readonly status?: number };

/** A secret value as stored: text (SecretString) or bytes (SecretBinary). */
export type SecretValue = string | { readonly binary: Uint8Array };

/** One request the server received, valid or not. */
export interface RecordedCall {
  /** The operation named by `x-amz-target`, or the raw header when it is not one. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (`{}` when it was not JSON). */
  readonly body: Readonly<Record<string, unknown>>;
  /** The HTTP status answered, or `undefined` when the socket was closed or the server hung. */
  readonly status: number | undefined;
  /** Why the request was refused as not speaking the protocol, if it was. */
  readonly protocolError: string | undefined;
}

/** The scriptable local Secrets Manager. */
export interface LocalSecretsManager {
  /** Base URL for the client's `endpoint` or `AWS_ENDPOINT_URL_SECRETS_MANAGER`, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Creates the secret or stores a new current version of it; returns the new VersionId. */
  put(id: string, value: SecretValue): string;
  /** Stores a new current version of an existing secret (the old one becomes AWSPREVIOUS); returns its VersionId. */
  rotate(id: string, value: SecretValue): string;
  /** The current value of a secret (`undefined` when it does not exist), as the server holds it. */
  current(id: string): { readonly versionId: string; readonly value: SecretValue } | undefined;
  /** Makes the next `count` (default 1) well-formed calls fail with `fault`. */
  failNext(fault: Fault, count?: number): void;
  /** Forgets the faults not used yet: the next calls are answered normally. */
  clearFaults(): void;
  /** Requests received so far (the last `keepCalls` of them), optionally only those for one operation. */
  calls(target?: Operation): readonly RecordedCall[];
  /** Resolves once `count` requests (optionally of one operation) have been received, answered or not. */
  waitForCalls(count: number, target?: Operation): Promise<void>;
  /** Stops the server, dropping any request it is holding. */
  close(): Promise<void>;
}

interface Version {
  readonly versionId: string;
  readonly value: SecretValue;
  readonly createdDate: number;
  stages: string[];
}

interface Secret {
  readonly name: string;
  readonly arn: string;
  readonly createdDate: number;
  description: string | undefined;
  readonly versions: Version[];
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const JSON_1_1 = 'application/x-amz-json-1.1';
const ACCOUNT = '000000000000';

function epochSeconds(): number {
  return Date.now() / 1000;
}

/** Secrets Manager appends six random characters to a secret's name in its ARN. */
function arnFor(name: string, region: string): string {
  const suffix = randomBytes(6)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x')
    .slice(0, 6);
  return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${suffix}`;
}

/** What the SDK's SigV4 signer always sends; anything else means the client was not the real one. */
function protocolError(req: IncomingMessage, rawBody: Buffer): string | undefined {
  if (req.method !== 'POST') return `method ${req.method} (expected POST)`;
  if (req.url !== '/') return `path ${req.url} (expected /)`;
  if (req.headers['content-type'] !== JSON_1_1)
    return `content-type ${req.headers['content-type']} (expected ${JSON_1_1})`;
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.startsWith('secretsmanager.')) return `x-amz-target ${target}`;
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256 ')) return 'Authorization is not AWS4-HMAC-SHA256';
  // A real one is a few hundred bytes; every pattern below is bounded, so no header costs more than a scan.
  if (auth.length > MAX_AUTHORIZATION) return 'Authorization is too long';
  if (!/Credential=[^/,]{1,128}\/\d{8}\/[a-z0-9-]{1,32}\/secretsmanager\/aws4_request/.test(auth)) {
    return 'Authorization credential scope is not …/secretsmanager/aws4_request';
  }
  const signed = /SignedHeaders=([^,]{1,1024})/.exec(auth)?.[1]?.split(';') ?? [];
  for (const header of ['host', 'x-amz-date', 'x-amz-target']) {
    if (!signed.includes(header)) return `SignedHeaders lacks ${header}`;
  }
  if (!/Signature=[0-9a-f]{64}$/.test(auth)) return 'Authorization has no hex Signature';
  if (!/^\d{8}T\d{6}Z$/.test(String(req.headers['x-amz-date']))) return 'x-amz-date missing or malformed';
  const contentHash = req.headers['x-amz-content-sha256'];
  if (contentHash !== undefined && contentHash !== createHash('sha256').update(rawBody).digest('hex')) {
    return 'x-amz-content-sha256 does not match the body';
  }
  return undefined;
}

function regionOf(req: IncomingMessage): string {
  const auth = String(req.headers.authorization).slice(0, MAX_AUTHORIZATION);
  return /Credential=[^/,]{1,128}\/\d{8}\/([a-z0-9-]{1,32})\//.exec(auth)?.[1] ?? 'us-east-1';
}

/** Longest Authorization header read. */
const MAX_AUTHORIZATION = 2048;
/** All secret values held together (a long-running stack must not grow without bound). */
const MAX_STORED_BYTES = 16 * 1024 * 1024;

/** Largest request body read (the Lambdas accept answers up to this size too); more is a 413. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** Largest secret value, as Secrets Manager's own limit. */
export const MAX_SECRET_BYTES = 65_536;
/** Versions kept per secret (Secrets Manager keeps about 100; the oldest unlabelled ones go). */
const MAX_VERSIONS = 100;
/** Secrets held at once. */
const MAX_SECRETS = 1000;

function parseJsonObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8') || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_1_1,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  res.end(text);
}

/** Like `send`, but the body goes out one byte every `everyMs` milliseconds after the headers. */
function drip(res: ServerResponse, status: number, body: unknown, everyMs: number, timers: Set<NodeJS.Timeout>): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': JSON_1_1,
    'content-length': bytes.length,
    'x-amzn-requestid': randomUUID(),
  });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return;
    res.write(bytes.subarray(sent, sent + 1));
    sent += 1;
    if (sent === bytes.length) {
      stop();
      res.end();
    }
  }, everyMs);
  const stop = (): void => {
    clearInterval(timer);
    timers.delete(timer);
  };
  timers.add(timer);
  res.once('close', stop);
}

function requestValue(body: Record<string, unknown>): SecretValue {
  const value =
    typeof body.SecretString === 'string'
      ? body.SecretString
      : typeof body.SecretBinary === 'string'
        ? { binary: Buffer.from(body.SecretBinary, 'base64') }
        : undefined;
  if (value === undefined) {
    throw new ServiceError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
  }
  const bytes = valueBytes(value);
  if (bytes > MAX_SECRET_BYTES) {
    throw new ServiceError('ValidationException', `The secret value is ${bytes} bytes; at most ${MAX_SECRET_BYTES}.`);
  }
  return value;
}

function valueBytes(value: SecretValue): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.binary.length;
}

function sameValue(a: SecretValue, b: SecretValue): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return Buffer.from(a.binary).equals(Buffer.from(b.binary));
}

function faultError(fault: Fault): ServiceError | undefined {
  switch (fault) {
    case 'not-found':
      return new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    case 'access-denied':
      return new ServiceError(
        'AccessDeniedException',
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/edgepass-login/edgepass-login is not authorized to perform: secretsmanager:GetSecretValue`,
      );
    case 'decryption-failure':
      return new ServiceError(
        'DecryptionFailure',
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
      );
    case 'throttling':
      return new ServiceError('ThrottlingException', 'Rate exceeded');
    case 'internal-error':
      return new ServiceError('InternalServiceError', 'An error occurred on the server side.', 500);
    default:
      return typeof fault === 'object' && 'error' in fault
        ? new ServiceError(fault.error, fault.message, fault.status ?? 400)
        : undefined;
  }
}

/**
 * Starts a local Secrets Manager on 127.0.0.1 (`port` 0, the default, picks a free one).
 *
 * @example
 * const sm = await startSecretsManager();
 * sm.put('edgepass/signing-key', JSON.stringify({ keyPairId: 'K2JCJMDEHXQW5F', privateKey: pem }));
 * const client = new SecretsManagerClient({ endpoint: sm.endpoint, region: 'us-east-1',
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 */
export async function startSecretsManager(
  options: {
    readonly port?: number;
    readonly host?: string;
    /** Calls kept for `calls()` (default: all, for tests); a long-running stack keeps a few. */
    readonly keepCalls?: number;
  } = {},
): Promise<LocalSecretsManager> {
  const secrets = new Map<string, Secret>();
  let storedBytes = 0;
  const faults: Fault[] = [];
  // Calls are kept for `calls()` up to `keepCalls` (the oldest go first); counts are kept for all.
  const keepCalls = options.keepCalls ?? Number.POSITIVE_INFINITY;
  const recorded: RecordedCall[] = [];
  const counts = new Map<string | undefined, number>();
  const waiters: { count: number; target: Operation | undefined; resolve: () => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const countOf = (target: Operation | undefined): number => counts.get(target) ?? 0;

  function wakeWaiters(): void {
    for (const waiter of [...waiters]) {
      if (countOf(waiter.target) >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  function find(id: unknown): Secret | undefined {
    if (typeof id !== 'string') return undefined;
    return secrets.get(id) ?? [...secrets.values()].find((secret) => secret.arn === id);
  }

  function mustFind(id: unknown): Secret {
    const secret = find(id);
    if (secret === undefined) {
      throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return secret;
  }

  function currentVersion(secret: Secret): Version | undefined {
    return secret.versions.find((version) => version.stages.includes('AWSCURRENT'));
  }

  function addVersion(secret: Secret, value: SecretValue, versionId: string = randomUUID()): Version {
    const existing = secret.versions.find((version) => version.versionId === versionId);
    if (existing !== undefined) {
      // Secrets Manager's idempotency: the same token with the same value is the same version.
      if (sameValue(existing.value, value)) return existing;
      throw new ServiceError(
        'ResourceExistsException',
        `You can't modify an existing version, you can only create a new version. VersionId: ${versionId}`,
      );
    }
    for (const version of secret.versions) {
      version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
      if (version.stages.includes('AWSCURRENT')) version.stages = ['AWSPREVIOUS'];
    }
    const bytes = valueBytes(value);
    if (storedBytes + bytes > MAX_STORED_BYTES) {
      throw new ServiceError(
        'LimitExceededException',
        `This local Secrets Manager holds at most ${MAX_STORED_BYTES} bytes of secret values.`,
      );
    }
    const version: Version = { versionId, value, createdDate: epochSeconds(), stages: ['AWSCURRENT'] };
    secret.versions.push(version);
    storedBytes += bytes;
    if (secret.versions.length > MAX_VERSIONS) {
      const oldest = secret.versions.findIndex((candidate) => candidate.stages.length === 0);
      if (oldest !== -1) storedBytes -= valueBytes((secret.versions.splice(oldest, 1)[0] as Version).value);
    }
    return version;
  }

  function createSecret(name: string, region: string, description?: string): Secret {
    if (secrets.has(name)) {
      throw new ServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    if (secrets.size >= MAX_SECRETS) {
      throw new ServiceError(
        'LimitExceededException',
        `This local Secrets Manager holds at most ${MAX_SECRETS} secrets.`,
      );
    }
    const secret: Secret = {
      name,
      arn: arnFor(name, region),
      createdDate: epochSeconds(),
      description,
      versions: [],
    };
    secrets.set(name, secret);
    return secret;
  }

  function answer(operation: Operation, body: Record<string, unknown>, region: string): unknown {
    switch (operation) {
      case 'GetSecretValue': {
        const secret = mustFind(body.SecretId);
        const version =
          typeof body.VersionId === 'string'
            ? secret.versions.find((candidate) => candidate.versionId === body.VersionId)
            : secret.versions.find((candidate) =>
                candidate.stages.includes(typeof body.VersionStage === 'string' ? body.VersionStage : 'AWSCURRENT'),
              );
        if (version === undefined) {
          throw new ServiceError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          VersionStages: version.stages,
          CreatedDate: version.createdDate,
          ...(typeof version.value === 'string'
            ? { SecretString: version.value }
            : { SecretBinary: Buffer.from(version.value.binary).toString('base64') }),
        };
      }
      case 'PutSecretValue': {
        const secret = mustFind(body.SecretId);
        const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
        const version = addVersion(secret, requestValue(body), token);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
      }
      case 'CreateSecret': {
        if (typeof body.Name !== 'string' || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(body.Name)) {
          throw new ServiceError(
            'ValidationException',
            'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
          );
        }
        const value = requestValue(body);
        const secret = createSecret(
          body.Name,
          region,
          typeof body.Description === 'string' ? body.Description : undefined,
        );
        const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
        const version = addVersion(secret, value, token);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId };
      }
      case 'DescribeSecret': {
        const secret = mustFind(body.SecretId);
        const last = secret.versions.at(-1);
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.description === undefined ? {} : { Description: secret.description }),
          CreatedDate: secret.createdDate,
          LastChangedDate: last?.createdDate ?? secret.createdDate,
          VersionIdsToStages: Object.fromEntries(secret.versions.map((version) => [version.versionId, version.stages])),
        };
      }
    }
  }

  /** `host:port` names this server answers to (set once it listens). */
  let ownHosts: readonly string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A web page on another name that resolves here (DNS rebinding) must not read or replace keys.
    if (!ownHosts.includes(String(req.headers.host).toLowerCase())) {
      res.setHeader('connection', 'close');
      send(res, 400, { __type: 'InvalidRequestException', message: 'unknown Host' }, 'InvalidRequestException');
      return;
    }
    const raw = await readBody(req, MAX_REQUEST_BYTES);
    const header = String(req.headers['x-amz-target'] ?? '');
    const operation = OPERATIONS.find((name) => header === `secretsmanager.${name}`);
    const body = raw === undefined ? undefined : parseJsonObject(raw);
    const record = (status: number | undefined, problem?: string): void => {
      recorded.push({
        target: operation ?? header.slice(0, 100),
        headers: req.headers,
        body: body ?? {},
        status,
        protocolError: problem,
      });
      if (recorded.length > keepCalls) recorded.shift();
      counts.set(undefined, countOf(undefined) + 1);
      if (operation !== undefined) counts.set(operation, countOf(operation) + 1);
      wakeWaiters();
    };
    if (raw === undefined) {
      record(413, `body over ${MAX_REQUEST_BYTES} bytes`);
      res.setHeader('connection', 'close');
      send(
        res,
        413,
        { __type: 'RequestEntityTooLargeException', message: `Request body over ${MAX_REQUEST_BYTES} bytes.` },
        'RequestEntityTooLargeException',
      );
      return;
    }

    const problem =
      protocolError(req, raw) ??
      (operation === undefined ? `unknown operation ${header}` : undefined) ??
      (body === undefined ? 'body is not a JSON object' : undefined);
    if (problem !== undefined || operation === undefined || body === undefined) {
      record(400, problem);
      const type = problem?.startsWith('unknown operation')
        ? 'UnknownOperationException'
        : problem?.startsWith('body')
          ? 'SerializationException'
          : 'IncompleteSignatureException';
      send(res, 400, { __type: type, message: `edgepass test server refused the request: ${problem}` }, type);
      return;
    }

    const fault = faults.shift();
    if (fault === 'close') {
      record(undefined);
      req.socket.destroy();
      return;
    }
    if (fault === 'silent') {
      // Never answered: close() destroys the socket.
      record(undefined);
      return;
    }
    // A held answer is recorded on arrival (status unknown), so tests can see the call in flight.
    const held = typeof fault === 'object' && ('hang' in fault || 'until' in fault);
    if (typeof fault === 'object' && 'hang' in fault) {
      record(undefined);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, fault.hang);
        timers.add(timer);
      });
      if (res.destroyed) return;
    }
    if (typeof fault === 'object' && 'until' in fault) {
      record(undefined);
      await fault.until.catch(() => undefined);
      if (res.destroyed) return;
    }
    try {
      const injected = fault === undefined ? undefined : faultError(fault);
      if (injected !== undefined) throw injected;
      const result = answer(operation, body, regionOf(req));
      if (!held) record(200);
      if (typeof fault === 'object' && 'drip' in fault) drip(res, 200, result, fault.drip, timers);
      else send(res, 200, result);
    } catch (error) {
      const failure =
        error instanceof ServiceError ? error : new ServiceError('InternalServiceError', String(error), 500);
      if (!held) record(failure.status);
      send(res, failure.status, { __type: failure.type, message: failure.message }, failure.type);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, { __type: 'InternalServiceError', message: 'local Secrets Manager failure' });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  ownHosts = [`${host}:${port}`, `localhost:${port}`];

  return {
    endpoint: `http://${host}:${port}`,
    put(id, value) {
      const secret = secrets.get(id) ?? createSecret(id, 'us-east-1');
      return addVersion(secret, value).versionId;
    },
    rotate(id, value) {
      const secret = secrets.get(id);
      if (secret === undefined) throw new Error(`rotate: no secret ${id}; put it first`);
      return addVersion(secret, value).versionId;
    },
    current(id) {
      const secret = find(id);
      const version = secret === undefined ? undefined : currentVersion(secret);
      return version === undefined ? undefined : { versionId: version.versionId, value: version.value };
    },
    failNext(fault, count = 1) {
      for (let i = 0; i < count; i += 1) faults.push(fault);
    },
    clearFaults() {
      faults.length = 0;
    },
    calls(target) {
      return target === undefined ? [...recorded] : recorded.filter((call) => call.target === target);
    },
    waitForCalls(count, target) {
      return new Promise((resolve) => {
        waiters.push({ count, target, resolve });
        wakeWaiters();
      });
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
