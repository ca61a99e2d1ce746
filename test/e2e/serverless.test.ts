// biome-ignore-all lint/suspicious/noExplicitAny: the packaged template is read as plain JSON
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmMetrics } from '../../scripts/deploy/alarms';
import { distributionBehaviours } from '../../shared/config/behaviours';
import { loadConfigFile } from '../../shared/config/file';
import type { EdgepassConfig } from '../../shared/config/schema';
import { type CfnLintFinding, cfnLint, cfnLintVersion } from '../fixtures/cfn-lint';
import { lintTemplate } from '../fixtures/cloudformation-lint';
import { ecKeyPair } from '../fixtures/keys';
import { type LocalSecretsManager, startSecretsManager } from '../fixtures/secrets-manager-server';
import { zipEntries } from '../fixtures/zip-entries';

const { buildEdgeBundle } = createRequire(import.meta.url)(
  '../../scripts/edge-bundle.cjs',
) as typeof import('../../scripts/edge-bundle.cjs');

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

/** EMF documents the login and sign functions printed in the invocations below (the alarms' check reads them). */
const emitted: Record<string, unknown>[] = [];
let packaged: Template | undefined;
/** The sample events invoked below, to hold against the events/ folder. */
const invoked: string[] = [];

type Template = { Resources: Record<string, { Type: string; Properties: any }>; Outputs: Record<string, unknown> };

describe('npm run package (serverless package, no AWS credentials)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepass-sls-'));
  const out = join(dir, 'out');
  // The repository's dev configuration during a rotation (a second key), with a download path that
  // CloudFront checks itself and the CloudFront Functions gate on /videos/free/*.
  const configFile = join(dir, 'edgepass.config.json');
  let template: Template;
  let config: EdgepassConfig;
  let output = '';

  beforeAll(async () => {
    writeFileSync(join(dir, 'next.pem'), ecKeyPair().publicPem);
    const repository = JSON.parse(readFileSync(join(ROOT, 'edgepass.config.json'), 'utf8'));
    writeFileSync(
      configFile,
      JSON.stringify({
        ...repository,
        keyGroup: [
          { id: 'KSAMPLEEVENTS01', publicKeyFile: join(ROOT, 'events', 'sample-keys', 'public.pem') },
          { id: 'KNEXTSAMPLE001', publicKeyFile: 'next.pem' },
        ],
        trustedKeyGroupPaths: ['/downloads/*'],
        functionGate: { paths: ['/videos/free/*'] },
      }),
    );
    config = loadConfigFile(configFile, 'dev');
    // No credentials anywhere: no AWS_* variables, no ~/.aws, no instance metadata.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    const started = performance.now();
    try {
      const result = await run(
        'timeout',
        ['180', 'npm', 'run', 'package', '--', '--package', out, '--param=alarmEmail=ops@example.com'],
        {
          cwd: ROOT,
          env: {
            ...env,
            HOME: mkdtempSync(join(tmpdir(), 'edgepass-home-')),
            AWS_CONFIG_FILE: join(dir, 'none'),
            AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
            AWS_EC2_METADATA_DISABLED: 'true',
            EDGEPASS_CONFIG: configFile,
            SLS_TELEMETRY_DISABLED: '1',
            SLS_NOTIFICATIONS_MODE: 'off',
          },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      output = result.stdout + result.stderr;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run package failed:\n${failed.stdout}${failed.stderr}`);
    }
    console.log(`npm run package: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
    packaged = template;
  });

  const resource = (id: string) => template.Resources[id]?.Properties;
  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const distribution = () => resource('CloudFrontDistribution').DistributionConfig;

  it('passes the CloudFormation linter (AWS resource spec) without an error', () => {
    expect(lintTemplate(template).map((e) => `${e.rule} ${e.path}: ${e.message}`)).toEqual([]);
  });

  it('passes AWS’s cfn-lint with no error, and no warning on anything edgepass adds', async () => {
    // The linter is live: a planted mistake (a cache behaviour without its origin) is an error.
    const planted = structuredClone(template);
    delete planted.Resources.CloudFrontDistribution?.Properties.DistributionConfig.DefaultCacheBehavior.TargetOriginId;
    writeFileSync(join(dir, 'planted.json'), JSON.stringify(planted));
    const [findings, plantedFindings] = await Promise.all([
      cfnLint(join(out, 'cloudformation-template-update-stack.json')),
      cfnLint(join(dir, 'planted.json')),
    ]);
    expect(plantedFindings.filter((f) => f.Level === 'Error').map((f) => f.Rule.Id)).toContain('E3003');
    // serverless itself writes DependsOn beside a GetAtt/Ref on its functions and routes (W3005): redundant,
    // harmless, not ours to change. Everything else is reported.
    const serverlessOwn = (f: CfnLintFinding) => f.Rule.Id === 'W3005' && f.Location.Path[2] === 'DependsOn';
    console.log(
      `cfn-lint ${cfnLintVersion()}: ${findings.length} finding(s), ${findings.filter(serverlessOwn).length} W3005 on serverless's own DependsOn`,
    );
    expect(
      findings
        .filter((f) => !serverlessOwn(f))
        .map((f) => `${f.Level} ${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`),
    ).toEqual([]);
  });

  it('gives the edge function no environment, the viewer-request limits and its own role trusted by edgelambda', () => {
    const fn = resource('ViewerRequestLambdaFunction');
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', MemorySize: 128, Timeout: 5 });
    expect(fn.Environment).toBeUndefined();
    expect(fn.Role).toEqual({ 'Fn::GetAtt': ['ViewerRequestRole', 'Arn'] });
    expect(resource('ViewerRequestRole').AssumeRolePolicyDocument.Statement[0].Principal.Service).toEqual([
      'lambda.amazonaws.com',
      'edgelambda.amazonaws.com',
    ]);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    for (const [fnId, role] of [
      ['LoginLambdaFunction', 'LoginRole'],
      ['SignLambdaFunction', 'SignRole'],
    ]) {
      expect(resource(fnId as string)).toMatchObject({
        Runtime: 'nodejs22.x',
        Role: { 'Fn::GetAtt': [role, 'Arn'] },
        Environment: { Variables: { POWERTOOLS_METRICS_NAMESPACE: 'edgepass' } },
      });
    }
  });

  it('has the behaviours of the configuration: the gate by version ARN, public paths without it, a key-group path, a function path', () => {
    const versions = ofType('AWS::Lambda::Version').filter(([name]) => name.startsWith('ViewerRequest'));
    expect(versions).toHaveLength(1);
    const expected = distributionBehaviours(config);
    const actual = [...distribution().CacheBehaviors, { PathPattern: '*', ...distribution().DefaultCacheBehavior }];
    const shape = (b: any) => [
      b.PathPattern,
      b.TargetOriginId,
      b.LambdaFunctionAssociations?.[0]?.LambdaFunctionARN.Ref ??
        b.FunctionAssociations?.[0]?.FunctionARN['Fn::GetAtt'][0] ??
        '-',
      b.TrustedKeyGroups === undefined ? '-' : 'key-group',
    ];
    expect(actual.map(shape)).toEqual(
      expected.map((b) => [
        b.pathPattern,
        b.target === 'api' ? 'edgepass-http-api' : 'edgepass-content',
        b.gate === 'lambda-edge' ? versions[0]?.[0] : b.gate === 'cloudfront-function' ? 'EdgepassGateFunction' : '-',
        b.trustedKeyGroup ? 'key-group' : '-',
      ]),
    );
    expect(actual.map((b: any) => b.PathPattern)).toEqual([
      '/auth/*',
      '/api/*',
      '/login',
      '/videos/trailer.mp4',
      '/downloads/*',
      '/videos/free/*',
      '/videos/*',
      '/reports/*',
      '*',
    ]);
  });

  it('routes /auth/* and /api/* to the HTTP API, whose routes are the handlers’', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual([
      'OPTIONS /api/sign',
      'OPTIONS /auth/{proxy+}',
      'POST /api/sign',
      'POST /auth/login',
      'POST /auth/logout',
      'POST /auth/refresh',
    ]);
    expect(distribution().Origins[1]).toMatchObject({
      Id: 'edgepass-http-api',
      DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] }] }] },
    });
  });

  it('puts the content in a private bucket that only this distribution reads, through OAC', () => {
    expect(distribution().Origins[0]).toMatchObject({
      Id: 'edgepass-content',
      OriginAccessControlId: { 'Fn::GetAtt': ['ContentOriginAccessControl', 'Id'] },
    });
    expect(resource('ContentBucket').PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const statements = resource('ContentBucketPolicy').PolicyDocument.Statement;
    expect(statements.filter((s: any) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(JSON.stringify(statements)).toContain('{"Ref":"CloudFrontDistribution"}');
  });

  describe('read as an attacker would', () => {
    const behaviours = () => [
      ...distribution().CacheBehaviors,
      { PathPattern: '*', ...distribution().DefaultCacheBehavior },
    ];
    const references = (id: string) =>
      Object.entries(template.Resources)
        .filter(([, r]) => JSON.stringify(r).match(new RegExp(`\\{"Ref":"${id}"\\}|"Fn::GetAtt":\\["${id}"`)))
        .map(([name]) => name);

    it('lets no content path past the gate but the configured public and key-group paths; the default is gated', () => {
      const version = ofType('AWS::Lambda::Version').find(([name]) => name.startsWith('ViewerRequest'))?.[0];
      expect(distribution().Origins.map((o: any) => o.Id)).toEqual(['edgepass-content', 'edgepass-http-api']);
      for (const b of behaviours()) {
        expect(b.ViewerProtocolPolicy, b.PathPattern).not.toBe('allow-all');
        if (b.FunctionAssociations !== undefined) {
          // The CloudFront Functions gate, only where functionGate.paths put it, alone on the viewer request.
          expect(config.functionGate?.paths, b.PathPattern).toContain(b.PathPattern);
          expect(b.FunctionAssociations).toEqual([
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['EdgepassGateFunction', 'FunctionARN'] } },
          ]);
          expect(b.LambdaFunctionAssociations, b.PathPattern).toBeUndefined();
          expect(b.TargetOriginId).toBe('edgepass-content');
          expect(b.AllowedMethods, b.PathPattern).toEqual(['GET', 'HEAD']);
          continue;
        }
        if (b.TargetOriginId === 'edgepass-http-api') {
          expect(['/auth/*', '/api/*']).toContain(b.PathPattern);
          expect(b.LambdaFunctionAssociations, b.PathPattern).toBeUndefined();
          continue;
        }
        expect(b.TargetOriginId).toBe('edgepass-content');
        // Reads only: with OAC, CloudFront signs whatever method it forwards to the bucket.
        expect(b.AllowedMethods, b.PathPattern).toEqual(['GET', 'HEAD']);
        const gated =
          JSON.stringify(b.LambdaFunctionAssociations) ===
          JSON.stringify([{ EventType: 'viewer-request', LambdaFunctionARN: { Ref: version } }]);
        if (gated) continue;
        expect(b.LambdaFunctionAssociations, b.PathPattern).toBeUndefined();
        if (b.TrustedKeyGroups !== undefined) {
          expect(config.trustedKeyGroupPaths, b.PathPattern).toContain(b.PathPattern);
          expect(b.TrustedKeyGroups).toEqual([{ Ref: 'EdgepassKeyGroup' }]);
        } else {
          expect(config.publicPaths, `${b.PathPattern} reaches the bucket unchecked`).toContain(b.PathPattern);
        }
      }
      expect(distribution().DefaultCacheBehavior.LambdaFunctionAssociations).toEqual([
        { EventType: 'viewer-request', LambdaFunctionARN: { Ref: version } },
      ]);
    });

    it('reaches the bucket only through this distribution: no website, no ACL, no other grant or origin identity', () => {
      const bucket = resource('ContentBucket');
      expect(Object.keys(bucket).sort()).toEqual([
        'BucketEncryption',
        'OwnershipControls',
        'PublicAccessBlockConfiguration',
      ]);
      expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(ofType('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
      expect(references('ContentBucket').sort()).toEqual(['CloudFrontDistribution', 'ContentBucketPolicy']);
      const allows = resource('ContentBucketPolicy').PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow');
      expect(allows).toEqual([
        {
          Sid: 'OnlyThisDistributionReads',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ContentBucket', 'Arn'] }, '/*']] },
          Condition: {
            StringEquals: {
              'AWS:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':cloudfront::',
                    { Ref: 'AWS::AccountId' },
                    ':distribution/',
                    { Ref: 'CloudFrontDistribution' },
                  ],
                ],
              },
            },
          },
        },
      ]);
    });

    it('gives the edge function nothing to read: no environment, no secret, CloudFront alone may invoke it', () => {
      const fn = template.Resources.ViewerRequestLambdaFunction as any;
      expect(Object.keys(fn.Properties)).not.toEqual(expect.arrayContaining(['Environment']));
      expect(fn.Properties.VpcConfig ?? fn.Properties.Layers).toBeUndefined();
      expect(JSON.stringify(resource('ViewerRequestRole'))).not.toMatch(/secretsmanager|kms:/);
      const invokers = ofType('AWS::Lambda::Permission').filter(([, p]) =>
        JSON.stringify(p.Properties.FunctionName).includes('ViewerRequest'),
      );
      expect(invokers.map(([, p]) => [p.Properties.Principal, JSON.stringify(p.Properties.SourceArn)])).toEqual([
        ['edgelambda.amazonaws.com', expect.stringContaining('{"Ref":"CloudFrontDistribution"}')],
      ]);
    });

    it('grants no wildcard action or resource in any IAM policy, and the secret only to login and sign', () => {
      const iam = Object.entries(template.Resources).filter(([, r]) => r.Type.startsWith('AWS::IAM::'));
      expect(iam.map(([id, r]) => `${id} ${r.Type}`).sort()).toEqual([
        'LoginRole AWS::IAM::Role',
        'SessionKeyStoreReadDeny AWS::IAM::ManagedPolicy',
        'SignRole AWS::IAM::Role',
        'ViewerRequestRole AWS::IAM::Role',
      ]);
      // The one managed policy denies, and only reading the session key store (for the operator to attach).
      expect(resource('SessionKeyStoreReadDeny').PolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Deny',
          Action: ['cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:ListKeys'],
          Resource: { 'Fn::GetAtt': ['EdgepassSessionKeyStore', 'Arn'] },
        }),
      ]);
      for (const [id, role] of iam.filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
        expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
        for (const statement of role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)) {
          expect(statement.Effect, id).toBe('Allow');
          for (const action of [statement.Action].flat()) expect(action, id).not.toMatch(/^\*$|:\*$/);
          for (const target of [statement.Resource].flat()) expect(target, id).not.toBe('*');
          if (JSON.stringify(statement).includes('secretsmanager')) {
            expect(['LoginRole', 'SignRole']).toContain(id);
            expect(statement.Action).toBe('secretsmanager:GetSecretValue');
          }
        }
      }
    });
  });

  it('creates a public key for each of the two configured keys, in one key group', () => {
    const keys = ofType('AWS::CloudFront::PublicKey');
    expect(keys).toHaveLength(2);
    expect(keys.map(([, key]) => key.Properties.PublicKeyConfig.EncodedKey)).toEqual(
      config.keyGroup.map((key) => (key.publicKey as string).trim()),
    );
    const groups = ofType('AWS::CloudFront::KeyGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].Properties.KeyGroupConfig.Items).toEqual(keys.map(([id]) => ({ Ref: id })));
  });

  it('scopes GetSecretValue to the signing secret, for login and the URL issuer only', () => {
    const grants = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .flatMap(([id, r]) =>
        r.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)
          .filter((s: any) => JSON.stringify(s.Action).includes('secretsmanager'))
          .map((s: any) => [id, s.Action, s.Resource]),
      );
    const secret = {
      'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:edgepass/dev/signing-key-??????`,
    };
    expect(grants).toEqual([
      ['LoginRole', 'secretsmanager:GetSecretValue', secret],
      ['SignRole', 'secretsmanager:GetSecretValue', secret],
    ]);
  });

  it('keeps every function’s logs for the stage’s retention, the edge replicas’ us-east-1 group included', () => {
    const groups = ofType('AWS::Logs::LogGroup').map(([, g]) => [
      g.Properties.LogGroupName,
      g.Properties.RetentionInDays,
    ]);
    expect(groups).toEqual(
      expect.arrayContaining([
        ['/aws/lambda/edgepass-dev-viewerRequest', 30],
        ['/aws/lambda/us-east-1.edgepass-dev-viewerRequest', 30],
        ['/aws/lambda/edgepass-dev-login', 30],
        ['/aws/lambda/edgepass-dev-sign', 30],
      ]),
    );
  });

  it('has the alarms, mailing the SNS topic given by --param, and the outputs an operator needs', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.map(([id]) => id).sort()).toEqual([
      'Distribution4xxAlarm',
      'Distribution5xxAlarm',
      'LoginDenialsAlarm',
      'SigningErrorsAlarm',
      'SigningKeyFallbackAlarm',
    ]);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(resource('AlarmTopic').Subscription).toEqual([{ Protocol: 'email', Endpoint: 'ops@example.com' }]);
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining([
        'CloudFrontDistributionDomainName',
        'HttpApiUrl',
        'KeyGroupId',
        'PublicKeyIds',
        'ContentBucketName',
      ]),
    );
    // The key-group path needs CloudFront's ids in the configuration: said once, at packaging.
    expect(output).toContain('edgepass: trustedKeyGroupPaths: CloudFront checks Key-Pair-Id');
  });

  it('keeps the zips within budget: the edge bundle is the budgeted one (≤ 16 KiB of code); each regional zip reported', () => {
    const [edge, ...others] = zipEntries(join(out, 'viewerRequest.zip'));
    expect(others).toEqual([]);
    const bundle = buildEdgeBundle({ configFile, stage: 'dev', outfile: join(dir, 'edge.js') });
    expect(edge?.bytes).toBe(bundle.bytes);
    const code = bundle.bytes - bundle.configBytes;
    const rows = [
      `viewerRequest.zip ${statSync(join(out, 'viewerRequest.zip')).size} B (code ${code} B + config ${bundle.configBytes} B)`,
    ];
    for (const name of ['login', 'sign']) {
      const entries = zipEntries(join(out, `${name}.zip`));
      rows.push(
        `${name}.zip ${statSync(join(out, `${name}.zip`)).size} B (${entries.reduce((n, e) => n + e.bytes, 0)} B unzipped)`,
      );
      // Regional: the 50 MB zip limit is far; the handler bundles the SDK client and Powertools.
      expect(statSync(join(out, `${name}.zip`)).size).toBeLessThan(1024 * 1024);
    }
    console.log(`deployment packages:\n  ${rows.join('\n  ')}`);
    expect(code).toBeLessThanOrEqual(16 * 1024);
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

  it('refuses --stage prod with one line when its alternate domain has no certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-prod-'));
    const repository = JSON.parse(readFileSync(join(ROOT, 'edgepass.config.json'), 'utf8'));
    const sampleKey = join(ROOT, 'events', 'sample-keys', 'public.pem');
    repository.stages.prod.keyGroup = [{ id: 'K2JCJMDEHXQW5F', publicKeyFile: sampleKey }];
    writeFileSync(join(dir, 'edgepass.config.json'), JSON.stringify(repository));
    const result = await serverless(['package', '--stage', 'prod', '--package', join(dir, 'out')], {
      EDGEPASS_CONFIG: join(dir, 'edgepass.config.json'),
    });
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(
      /edgepass deploy: domains name media\.example\.com, an alternate domain name: pass --param="certificateArn=/,
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
    invoked.push(name);
    const output = await serverless(['invoke', 'local', '-f', fn, '-p', `events/${name}.json`], env);
    expect(output.code, output.stdout + output.stderr).toBe(0);
    const { result, logs } = invokeOutput(output.stdout);
    emitted.push(...logs.filter((line) => '_aws' in line));
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
    invoked.push(name);
    const output = await serverless(['invoke', 'local', '-f', 'viewerRequest', '-p', `events/${name}.json`]);
    expect(output.code, output.stdout + output.stderr).toBe(0);
    check(invokeOutput(output.stdout));
  });
});

describe('the sample events', () => {
  it('were all invoked above, every file in events/', () => {
    const files = readdirSync(join(ROOT, 'events')).filter((file) => file.endsWith('.json'));
    expect([...invoked].sort()).toEqual(files.map((file) => file.replace(/\.json$/, '')).sort());
  });
});

describe('the alarms, against what the functions emitted above', () => {
  it('read metrics the handlers emit: namespace, name, dimension names and service names', () => {
    const documents = emitted.flatMap((doc) =>
      (
        doc._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }
      ).CloudWatchMetrics.map((metrics) => ({
        namespace: metrics.Namespace,
        dimensions: metrics.Dimensions,
        names: metrics.Metrics.map((metric) => metric.Name),
        service: doc.service,
      })),
    );
    // login-expired-token and sign-outside-grants above were refused: Denials by service and reason.
    expect(documents).toContainEqual({
      namespace: 'edgepass',
      dimensions: [['service', 'reason']],
      names: ['Denials'],
      service: 'edgepass-login',
    });
    expect(documents).toContainEqual({
      namespace: 'edgepass',
      dimensions: [['service', 'reason']],
      names: ['Denials'],
      service: 'edgepass-sign',
    });
    const services = new Set(documents.map((doc) => doc.service));
    const metrics = alarmMetrics({ login: 'LoginLambdaFunction', sign: 'SignLambdaFunction' });
    for (const metric of Object.values(metrics)
      .flat()
      .filter((m) => m.namespace === 'edgepass')) {
      expect(services).toContain(metric.dimensions.service);
      const names = Object.keys(metric.dimensions);
      // A plain count (SigningKeyFallback, as keySourceLog makes it) carries the service dimension only.
      expect(documents.map((doc) => JSON.stringify(doc.dimensions))).toContain(JSON.stringify([names]));
    }
    // And the packaged alarms read exactly these metrics.
    for (const [id, list] of Object.entries(metrics)) {
      const stats = ((packaged?.Resources[id]?.Properties.Metrics ?? []) as { MetricStat?: { Metric: unknown } }[])
        .filter((m) => m.MetricStat !== undefined)
        .map((m) => m.MetricStat?.Metric);
      expect(stats, id).toEqual(
        list.map((m) => ({
          Namespace: m.namespace,
          MetricName: m.name,
          Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
        })),
      );
    }
  });
});
