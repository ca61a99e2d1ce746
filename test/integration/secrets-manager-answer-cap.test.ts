import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginHandler } from '../../functions/login/create-handler';
import { configDefines } from '../../shared/config/build-defines';
import type { EdgepassConfigInput } from '../../shared/config/schema';
import { createSecretsManagerClient, MAX_SECRETS_MANAGER_ANSWER_BYTES } from '../../shared/regional/runtime';
import { type HostileAnswer, type HostileServer, startHostileServer } from '../fixtures/hostile-http-server';
import { createTestIdentityProvider, type TestIdentityProvider } from '../fixtures/identity-provider';
import { rsaKeyPair } from '../fixtures/keys';
import { httpApiEvent, type RegionalFixture, SECRET_ID, startRegionalFixture } from '../fixtures/regional';
import { ROOT } from '../fixtures/run-cli';

/**
 * The outside review's finding F2: a Secrets Manager endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, a
 * proxy) that answers GetSecretValue with hundreds of MB made the SDK buffer and JSON-parse all of it,
 * and the function died of a fatal out-of-memory error. Replayed here against the login Lambda as it
 * deploys (built with the deployment's esbuild options, the configuration baked in), in a child Node
 * process whose heap is 64 MB: the answer must be a 503 SIGNING_KEY_UNAVAILABLE, the process must
 * live, and the server must see the client hang up long before the body ends.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const require = createRequire(import.meta.url);
const { bundleOptions } = require('../../esbuild.config.cjs') as { bundleOptions: Record<string, unknown> };

const MiB = 1024 * 1024;
/** What each hostile answer would send if nobody hung up: a quarter of the child's whole heap. */
const BODY_BYTES = 64 * MiB;
/** Far below BODY_BYTES: what the socket buffers take before the client gives up, and then some. */
const MOST_SENT_BYTES = 16 * MiB;
/** A generous bound for "answers, never hangs": the key source's own deadline is 3 s. */
const CHILD_KILL_AFTER_MS = 30_000;

/** One well-formed GetSecretValue answer whose SecretString is the whole stream. */
const SECRET_JSON = { prefix: '{"Name":"edgepass/test/signing-key","VersionId":"v1","SecretString":"', suffix: '"}' };
/** One well-formed error answer whose message is the whole stream. */
const ERROR_JSON = { prefix: '{"__type":"InternalServiceError","message":"', suffix: '"}' };

/**
 * The hostile answers of the review: well-formed JSON streamed (a client that buffers it must parse it
 * to the end, as the SDK did), and answers whose Content-Length lies.
 */
const HUGE_ANSWERS: readonly (readonly [string, Extract<HostileAnswer, { kind: 'endless-body' }>])[] = [
  ['a 64 MiB secret streamed without Content-Length', { kind: 'endless-body', limit: BODY_BYTES, ...SECRET_JSON }],
  [
    'an error (HTTP 400) with a 64 MiB message streamed without Content-Length',
    { kind: 'endless-body', status: 400, limit: BODY_BYTES, ...ERROR_JSON },
  ],
  [
    'a Content-Length of 4 GiB (refused at the headers)',
    { kind: 'endless-body', limit: BODY_BYTES, contentLength: 4 * 1024 * MiB, ...SECRET_JSON },
  ],
  [
    'a Content-Length of 1 KiB followed by 64 MiB',
    { kind: 'endless-body', limit: BODY_BYTES, contentLength: 1024, ...SECRET_JSON },
  ],
];

interface ChildReport {
  readonly results: { statusCode: number; body: string }[];
  /** Peak resident set size of the child, KiB (`process.resourceUsage().maxRSS`). */
  readonly maxRssKiB: number;
}

let dir: string;
let loginBundle: string;
let idp: TestIdentityProvider;
let token: string;
const servers: HostileServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgepass-sm-cap-'));
  // The bundled runtime verifies tokens against the real clock: mint on it.
  idp = await createTestIdentityProvider({ alg: 'ES256', now: Math.floor(Date.now() / 1000) });
  token = await idp.mint({ sub: 'ada', groups: ['premium'] });
  const signing = rsaKeyPair();
  const config: EdgepassConfigInput = {
    domains: ['media.example.com'],
    keyGroup: [{ id: 'K2JCJMDEHXQW5F', publicKey: signing.publicPem }],
    signingSecretId: SECRET_ID,
    identityProviders: [idp.config],
    accessRules: [
      {
        name: 'premium',
        when: [{ claim: 'groups', includes: 'premium' }],
        grants: [{ path: '/videos/*', maxTtlSeconds: 3600 }],
      },
    ],
  };
  const configFile = join(dir, 'edgepass.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  loginBundle = join(dir, 'login.js');
  buildSync({
    ...bundleOptions,
    define: configDefines(configFile).define,
    entryPoints: [join(ROOT, 'functions/login/handler.ts')],
    outfile: loginBundle,
  });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/**
 * Loads the built login Lambda in a fresh `node --max-old-space-size=64` with its Secrets Manager at
 * `endpoint`, sends it `invocations` logins one after the other, and reports the answers.
 */
function invokeBuiltLogin(endpoint: string, invocations: number): Promise<ChildReport> {
  const event = httpApiEvent({
    path: '/auth/login',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  const script = `
    const { handler } = require(process.argv[1]);
    const event = JSON.parse(process.argv[2]);
    (async () => {
      const results = [];
      for (let i = 0; i < ${invocations}; i += 1) results.push(await handler(event));
      process.stdout.write('\\nREPORT ' + JSON.stringify({ results, maxRssKiB: process.resourceUsage().maxRSS }) + '\\n');
    })();`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--max-old-space-size=64', '-e', script, loginBundle, JSON.stringify(event)],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        timeout: CHILD_KILL_AFTER_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 4 * MiB,
      },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((each) => each.startsWith('REPORT '));
        if (error !== null || line === undefined) {
          reject(
            new Error(`the login Lambda's process failed (${error?.message ?? 'no report'}): ${stderr.slice(-2000)}`),
          );
          return;
        }
        resolve(JSON.parse(line.slice('REPORT '.length)) as ChildReport);
      },
    );
  });
}

const errorCode = (body: string): unknown => (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;

describe('the built login Lambda against a Secrets Manager that answers 64 MiB (64 MB heap)', () => {
  it.each(HUGE_ANSWERS)(
    'answers 503 SIGNING_KEY_UNAVAILABLE to %s, hangs up early and backs off',
    async (_, answer) => {
      const server = await startHostileServer(answer);
      servers.push(server);

      const report = await invokeBuiltLogin(server.endpoint, 2);

      expect(report.results.map((result) => [result.statusCode, errorCode(result.body)])).toEqual([
        [503, 'SIGNING_KEY_UNAVAILABLE'],
        [503, 'SIGNING_KEY_UNAVAILABLE'],
      ]);
      // One GetSecretValue request, not retried by the SDK; the second login falls in the back-off.
      expect(server.requests()).toBe(1);
      expect(server.abandoned()).toBe(1);
      expect(server.bytesSent()).toBeLessThan(MOST_SENT_BYTES);
      console.log(
        `${answer.contentLength ?? 'chunked'}/${answer.status ?? 200}: child peak RSS ${Math.round(report.maxRssKiB / 1024)} MB, server sent ${server.bytesSent()} B`,
      );
    },
  );
});

describe('the Lambda Secrets Manager client (createSecretsManagerClient) in process', () => {
  let fx: RegionalFixture;
  beforeAll(async () => {
    fx = await startRegionalFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  /** A premium login through the real handler whose Secrets Manager client talks to `endpoint`. */
  async function loginThrough(endpoint: string) {
    const client = createSecretsManagerClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const deps = fx.dependencies({}, { keys: { client } });
      const token = await fx.idp.mint({ sub: 'ada', groups: ['premium'] });
      const result = await createLoginHandler(deps)(
        httpApiEvent({ path: '/auth/login', headers: { authorization: `Bearer ${token}` } }),
      );
      return { result, logs: deps.telemetry.logs };
    } finally {
      client.destroy();
    }
  }

  it('reads a real answer: the cap is far above what a signing secret needs', async () => {
    const { result } = await loginThrough(fx.sm.endpoint);
    expect(result.statusCode).toBe(200);
    expect(MAX_SECRETS_MANAGER_ANSWER_BYTES).toBe(256 * 1024);
  });

  it('logs what to fix when the answer passes the cap, naming the secret and the cap', async () => {
    const server = await startHostileServer({ kind: 'endless-body', limit: BODY_BYTES, ...SECRET_JSON });
    servers.push(server);
    const { result, logs } = await loginThrough(server.endpoint);
    expect([result.statusCode, errorCode(result.body)]).toEqual([503, 'SIGNING_KEY_UNAVAILABLE']);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: `Secrets Manager's answer for secret ${SECRET_ID} is larger than 262144 bytes, more than any secret (64 KiB at most); it was not read further: check that the endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, a proxy) is Secrets Manager`,
      }),
    );
  });
});
