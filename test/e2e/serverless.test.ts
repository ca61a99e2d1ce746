import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSecretsManager, startSecretsManager } from '../fixtures/secrets-manager-server';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const SERVERLESS = join(ROOT, 'node_modules', '.bin', 'serverless');

/** Runs the Serverless CLI under `timeout`: after a load error `invoke local` can hang. */
async function serverless(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run('timeout', ['120', SERVERLESS, ...args], {
      cwd: ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `invoke local` prints the handler's log lines, then the result as indented JSON. */
function invokeOutput(stdout: string): { logs: Record<string, unknown>[]; result: Record<string, unknown> } {
  const lines = stdout.split('\n');
  const start = lines.indexOf('{');
  return {
    logs: lines
      .slice(0, start)
      .filter((line) => line.startsWith('{"'))
      .map((line) => JSON.parse(line)),
    result: JSON.parse(lines.slice(start).join('\n')),
  };
}

describe('serverless package', () => {
  const out = mkdtempSync(join(tmpdir(), 'edgepass-sls-'));
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

  beforeAll(async () => {
    const result = await serverless(['package', '--package', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  });

  it('produces a Lambda@Edge function within the viewer-request limits and without environment', () => {
    const fn = template.Resources.ViewerRequestLambdaFunction?.Properties ?? {};
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', MemorySize: 128, Timeout: 5 });
    expect(fn.Environment).toBeUndefined();
  });

  it('attaches a numbered version to the distribution as the viewer-request trigger', () => {
    const versions = Object.entries(template.Resources).filter(
      ([name, r]) => r.Type === 'AWS::Lambda::Version' && name.startsWith('ViewerRequest'),
    );
    expect(versions).toHaveLength(1);
    const distribution = template.Resources.CloudFrontDistribution?.Properties as {
      DistributionConfig: { DefaultCacheBehavior: { LambdaFunctionAssociations: unknown[] } };
    };
    expect(distribution.DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations).toEqual([
      { EventType: 'viewer-request', LambdaFunctionARN: { Ref: versions[0]?.[0] } },
    ]);
  });

  it('trusts edgelambda.amazonaws.com in the execution role and lets it read only the signing secret', () => {
    const role = JSON.stringify(template.Resources.IamRoleLambdaExecution?.Properties);
    expect(role).toContain('edgelambda.amazonaws.com');
    expect(role).toContain('secretsmanager:GetSecretValue');
    expect(role).toContain('edgepass/dev/signing-key-*');
  });

  it('routes the login and sign endpoints through an HTTP API, behind the distribution', () => {
    const routes = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual([
      'OPTIONS /api/sign',
      'OPTIONS /auth/{proxy+}',
      'POST /api/sign',
      'POST /auth/login',
      'POST /auth/logout',
      'POST /auth/refresh',
    ]);
    const distribution = template.Resources.CloudFrontDistribution?.Properties as {
      DistributionConfig: { CacheBehaviors: { PathPattern: string; TargetOriginId: string }[] };
    };
    expect(distribution.DistributionConfig.CacheBehaviors.map((b) => [b.PathPattern, b.TargetOriginId])).toEqual([
      ['/auth/*', 'edgepass-http-api'],
      ['/api/*', 'edgepass-http-api'],
    ]);
    for (const fn of ['LoginLambdaFunction', 'SignLambdaFunction']) {
      expect(template.Resources[fn]?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Environment: { Variables: { POWERTOOLS_METRICS_NAMESPACE: 'edgepass' } },
      });
    }
  });

  it('fails the build naming the field when the configuration is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-badcfg-'));
    const file = join(dir, 'edgepass.config.json');
    writeFileSync(file, JSON.stringify({ domains: ['Bad Host'], keyGroup: [], signingSecretId: 'x' }));
    const result = await serverless(['package', '--package', join(dir, 'out')], { EDGEPASS_CONFIG: file });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/domains\.0: expected a lowercase host name/);
    expect(result.stdout + result.stderr).toMatch(/keyGroup: /);
    // One line naming the field, never a stack trace.
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
  });

  it('tells a fresh clone packaging --stage prod which key file is missing and how to make it', async () => {
    const result = await serverless(['package', '--stage', 'prod', '--package', mkdtempSync(join(tmpdir(), 'sls-'))]);
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(
      /keyGroup\.0\.publicKeyFile: cannot read .*keys\/public\.pem \(ENOENT\); create it with `npx edgepass keys generate --out /,
    );
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('serverless invoke local: the login and sign functions', () => {
  let sm: LocalSecretsManager;
  let env: Record<string, string>;
  beforeAll(async () => {
    sm = await startSecretsManager();
    const privateKey = readFileSync(join(ROOT, 'events', 'sample-keys', 'private.pem'), 'utf8');
    sm.put('edgepass/dev/signing-key', JSON.stringify({ keyPairId: 'KSAMPLEEVENTS01', privateKey }));
    // The real SDK in the function talks to the local Secrets Manager through the standard override.
    env = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  });
  afterAll(() => sm.close());

  it.each<[string, string, (result: Record<string, unknown>, logs: Record<string, unknown>[]) => void]>([
    [
      'login',
      'login-bearer',
      (result, logs) => {
        expect(result.statusCode).toBe(200);
        // Six new cookies (two grants), after deleting the Paths login can set but did not this time.
        const cookies = result.cookies as string[];
        expect(cookies.filter((line) => !line.includes('; Max-Age=0; '))).toHaveLength(6);
        expect(cookies.filter((line) => line.includes('; Max-Age=0; '))).toHaveLength(15 - 6);
        expect(result.headers).toMatchObject({ 'access-control-allow-origin': 'http://localhost:5173' });
        // The EMF document flushed after the invocation (Powertools Metrics).
        expect(logs).toContainEqual(expect.objectContaining({ CookiesIssued: 2, service: 'edgepass-login' }));
      },
    ],
    [
      'login',
      'login-form-return-to',
      (result) => {
        expect(result).toMatchObject({ statusCode: 303, headers: { location: '/videos/free/intro.m3u8' } });
      },
    ],
    ['login', 'login-expired-token', (result) => expect(errorOf(result)).toEqual([401, 'TOKEN_EXPIRED'])],
    ['login', 'login-alg-none', (result) => expect(errorOf(result)).toEqual([401, 'TOKEN_INVALID'])],
    ['login', 'login-no-token', (result) => expect(errorOf(result)).toEqual([401, 'TOKEN_MISSING'])],
    ['login', 'login-preflight', (result) => expect(result.statusCode).toBe(204)],
    ['login', 'refresh', (result) => expect(result.statusCode).toBe(200)],
    // 5 cookie names × the 3 Paths the dev configuration can set (/, /videos/, /reports/).
    ['login', 'logout', (result) => expect(result.cookies).toHaveLength(15)],
    [
      'sign',
      'sign-batch',
      (result) => {
        expect(result.statusCode).toBe(200);
        expect(JSON.parse(String(result.body)).urls).toHaveLength(3);
      },
    ],
    ['sign', 'sign-custom-policy', (result) => expect(String(result.body)).toContain('Policy=')],
    ['sign', 'sign-outside-grants', (result) => expect(errorOf(result)).toEqual([403, 'FORBIDDEN_RESOURCE'])],
    ['sign', 'sign-path-traversal', (result) => expect(errorOf(result)).toEqual([400, 'BAD_REQUEST'])],
    ['sign', 'sign-wildcard-injection', (result) => expect(errorOf(result)).toEqual([400, 'BAD_REQUEST'])],
  ])('%s with events/%s.json', async (fn, name, check) => {
    const output = await serverless(['invoke', 'local', '-f', fn, '-p', `events/${name}.json`], env);
    expect(output.code, output.stdout + output.stderr).toBe(0);
    const { result, logs } = invokeOutput(output.stdout);
    check(result, logs);
  });
});

function errorOf(result: Record<string, unknown>): [unknown, unknown] {
  return [result.statusCode, JSON.parse(String(result.body)).error.code];
}

describe('serverless invoke local with the sample events', () => {
  // Sequential: every invocation rebuilds into the same .esbuild folder.
  it.each<[string, (output: ReturnType<typeof invokeOutput>) => void]>([
    [
      'viewer-request-no-credentials',
      ({ result, logs }) => {
        expect(result).toMatchObject({ status: '302' });
        expect(JSON.stringify(result)).toContain('/login?return_to=%2Fvideos%2F42%2Findex.m3u8');
        expect(logs[0]).toMatchObject({ decision: 'redirect', reason: 'missing-key-pair-id' });
      },
    ],
    [
      'viewer-request-valid-cookies',
      ({ result, logs }) => {
        expect(result).toMatchObject({ uri: '/videos/42/seg-001.ts', headers: { cookie: [{ value: 'theme=dark' }] } });
        expect(logs[0]).toMatchObject({ decision: 'allow', keyPairId: 'KSAMPLEEVENTS01' });
      },
    ],
    [
      'viewer-request-expired-cookies',
      ({ result, logs }) => {
        expect(result).toMatchObject({ status: '403' });
        expect(String(result.body)).toContain('<Code>AccessDenied</Code>');
        expect(logs[0]).toMatchObject({ decision: 'deny', reason: 'expired' });
      },
    ],
    [
      'viewer-request-signed-url',
      ({ result }) => {
        expect(result).toMatchObject({ uri: '/reports/q3.pdf', querystring: 'download=1' });
      },
    ],
    [
      'viewer-request-tampered-url',
      ({ result, logs }) => {
        expect(result).toMatchObject({ status: '403' });
        expect(logs[0]).toMatchObject({ decision: 'deny', reason: 'bad-signature' });
      },
    ],
    [
      'viewer-request-public-path',
      ({ result, logs }) => {
        expect(result).toMatchObject({ uri: '/videos/trailer.mp4', method: 'GET', querystring: 'lang=en' });
        expect((result as { headers: { cookie: unknown } }).headers.cookie).toEqual([
          { key: 'Cookie', value: 'theme=dark' },
        ]);
        expect(logs[0]).toMatchObject({ decision: 'pass', reason: 'public' });
      },
    ],
    [
      'viewer-request-dot-segment',
      ({ result, logs }) => {
        expect(result).toMatchObject({ status: '400' });
        expect(logs[0]).toMatchObject({ decision: 'reject', detail: 'dot-segment' });
      },
    ],
    [
      'viewer-request-malformed',
      ({ result }) => {
        expect(result).toMatchObject({ status: '400' });
      },
    ],
  ])('%s', async (name, check) => {
    const output = await serverless(['invoke', 'local', '-f', 'viewerRequest', '-p', `events/${name}.json`]);
    expect(output.code, output.stdout + output.stderr).toBe(0);
    check(invokeOutput(output.stdout));
  });
});
