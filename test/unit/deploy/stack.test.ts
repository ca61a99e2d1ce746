// biome-ignore-all lint/suspicious/noExplicitAny: the generated template is read as plain JSON
import { describe, expect, it } from 'vitest';
import { alarmMetrics, LOGIN_DENIAL_REASONS, SIGNING_ERROR_REASONS } from '../../../scripts/deploy/alarms';
import { API_FORWARDED_COOKIE, API_FORWARDED_HEADERS } from '../../../scripts/deploy/distribution';
import { keyFingerprint } from '../../../scripts/deploy/keys';
import { parseDeploySettings } from '../../../scripts/deploy/settings';
import { edgepassStack } from '../../../scripts/deploy/stack';
import { distributionBehaviours } from '../../../shared/config/behaviours';
import { CONTEXT, CURRENT, NEXT, testConfig, testStack } from '../../fixtures/deploy-stack';

const resourcesOf = (stack = testStack()) => stack.resources as Record<string, { Type: string; Properties: any }>;
const distributionOf = (stack = testStack()) =>
  resourcesOf(stack).CloudFrontDistribution?.Properties.DistributionConfig;
const ofType = (stack: ReturnType<typeof testStack>, type: string) =>
  Object.entries(resourcesOf(stack)).filter(([, resource]) => resource.Type === type);

describe('the distribution', () => {
  const distribution = distributionOf();

  it('has one cache behaviour per configured behaviour, in the same order, the gate by version ARN', () => {
    const expected = distributionBehaviours(testConfig());
    const behaviours = [...distribution.CacheBehaviors, { PathPattern: '*', ...distribution.DefaultCacheBehavior }];
    expect(behaviours.map((b: any) => b.PathPattern)).toEqual(expected.map((b) => b.pathPattern));
    behaviours.forEach((behaviour: any, index: number) => {
      const want = expected[index];
      expect(behaviour.LambdaFunctionAssociations, behaviour.PathPattern).toEqual(
        want?.gate === 'lambda-edge'
          ? [{ EventType: 'viewer-request', LambdaFunctionARN: { Ref: CONTEXT.edge.versionLogicalId } }]
          : undefined,
      );
      expect(behaviour.TrustedKeyGroups, behaviour.PathPattern).toEqual(
        want?.trustedKeyGroup ? [{ Ref: 'EdgepassKeyGroup' }] : undefined,
      );
      expect(behaviour.TargetOriginId).toBe(want?.target === 'api' ? 'edgepass-http-api' : 'edgepass-content');
    });
  });

  it('serves HTTP/2 and HTTP/3, redirects content to HTTPS and takes the API over HTTPS only', () => {
    expect(distribution.HttpVersion).toBe('http2and3');
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const api = distribution.CacheBehaviors.find((b: any) => b.PathPattern === '/auth/*');
    expect(api.ViewerProtocolPolicy).toBe('https-only');
  });

  it('caches nothing on the API and forwards only Authorization, the headers the handlers read and no viewer cookie', () => {
    const resources = resourcesOf();
    const cache = resources.ApiCachePolicy?.Properties.CachePolicyConfig;
    expect(cache).toMatchObject({ MinTTL: 0, DefaultTTL: 0, MaxTTL: 1 });
    expect(cache.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
    const origin = resources.ApiOriginRequestPolicy?.Properties.OriginRequestPolicyConfig;
    expect(origin.HeadersConfig).toEqual({ HeaderBehavior: 'whitelist', Headers: API_FORWARDED_HEADERS });
    expect(API_FORWARDED_HEADERS).not.toContain('Authorization'); // CloudFront refuses it there (HTTP 400)
    // A cookie allowlist, so Set-Cookie comes back; one name nothing sets, so CloudFront-* never go.
    expect(origin.CookiesConfig).toEqual({ CookieBehavior: 'whitelist', Cookies: [API_FORWARDED_COOKIE] });
    expect(API_FORWARDED_COOKIE.startsWith('CloudFront-')).toBe(false);
  });

  it('adds HSTS and nosniff everywhere, CORS with credentials for cors.origins on the content only', () => {
    const resources = resourcesOf();
    const content = resources.ContentResponseHeadersPolicy?.Properties.ResponseHeadersPolicyConfig;
    const api = resources.ApiResponseHeadersPolicy?.Properties.ResponseHeadersPolicyConfig;
    for (const policy of [content, api]) {
      expect(policy.SecurityHeadersConfig.StrictTransportSecurity).toMatchObject({ Override: true });
      expect(policy.SecurityHeadersConfig.ContentTypeOptions).toEqual({ Override: true });
    }
    expect(content.CorsConfig).toMatchObject({
      AccessControlAllowCredentials: true,
      AccessControlAllowOrigins: { Items: ['https://app.example.com'] },
    });
    expect(api.CorsConfig).toBeUndefined();
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: 'ContentResponseHeadersPolicy' });
    const noCors = resourcesOf(testStack(testConfig({ cors: { origins: [] } })));
    expect(noCors.ContentResponseHeadersPolicy?.Properties.ResponseHeadersPolicyConfig.CorsConfig).toBeUndefined();
  });

  it('attaches an alternate domain with its certificate (TLS 1.2, SNI), a WAF web ACL and IPv6 when asked', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const webAclArn =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edgepass/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const custom = distributionOf(
      testStack(testConfig({ domains: ['media.example.com', 'localhost:3000'] }), {
        certificateArn,
        webAclArn,
        ipv6: 'true',
      }),
    );
    expect(custom.Aliases).toEqual(['media.example.com']);
    expect(custom.ViewerCertificate).toEqual({
      AcmCertificateArn: certificateArn,
      SslSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
    expect(custom.WebACLId).toBe(webAclArn);
    expect(custom.IPV6Enabled).toBe(true);
    expect(distribution.Aliases).toBeUndefined();
    expect(distribution.ViewerCertificate).toEqual({ CloudFrontDefaultCertificate: true });
    expect(distribution.IPV6Enabled).toBe(false);
  });
});

describe('the content origin', () => {
  it('is a private, encrypted bucket that only this distribution reads, over TLS, through OAC', () => {
    const resources = resourcesOf();
    const bucket = resources.ContentBucket?.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
    const [allow, deny] = (resources.ContentBucketPolicy as any).Properties.PolicyDocument.Statement;
    expect(allow).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
    });
    expect(JSON.stringify(allow.Condition.StringEquals['AWS:SourceArn'])).toContain('{"Ref":"CloudFrontDistribution"}');
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(resources.ContentOriginAccessControl?.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(distributionOf().Origins[0]).toMatchObject({
      S3OriginConfig: { OriginAccessIdentity: '' },
      OriginAccessControlId: { 'Fn::GetAtt': ['ContentOriginAccessControl', 'Id'] },
    });
  });

  it('is an existing HTTPS origin by stage parameter, with every public path behind the gate', () => {
    const stack = testStack(testConfig({ trustedKeyGroupPaths: [] }), { originUrl: 'https://origin.example.com/site' });
    expect(resourcesOf(stack).ContentBucket).toBeUndefined();
    expect(distributionOf(stack).Origins[0]).toEqual({
      Id: 'edgepass-content',
      DomainName: 'origin.example.com',
      OriginPath: '/site',
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
    const content = distributionOf(stack).CacheBehaviors.filter((b: any) => b.TargetOriginId === 'edgepass-content');
    expect(content.every((b: any) => b.LambdaFunctionAssociations !== undefined)).toBe(true);
  });
});

describe('the key group', () => {
  it('holds one public key per configured key, named by fingerprint so a configured id can change', () => {
    const stack = testStack();
    const keys = ofType(stack, 'AWS::CloudFront::PublicKey');
    expect(keys).toHaveLength(2);
    expect(keys.map(([, key]) => key.Properties.PublicKeyConfig.EncodedKey)).toEqual([
      CURRENT.publicPem.trim(),
      NEXT.publicPem.trim(),
    ]);
    expect(keys.map(([id]) => id)).toEqual([
      `EdgepassPublicKey${keyFingerprint(CURRENT.publicPem).toUpperCase()}`,
      `EdgepassPublicKey${keyFingerprint(NEXT.publicPem).toUpperCase()}`,
    ]);
    const [group] = ofType(stack, 'AWS::CloudFront::KeyGroup');
    expect(group?.[1].Properties.KeyGroupConfig.Items).toEqual(keys.map(([id]) => ({ Ref: id })));
    const renamed = testStack(
      testConfig({ keyGroup: [{ id: 'KASSIGNED0001', publicKey: CURRENT.publicPem.replace(/\n/g, '\r\n') }] }),
    );
    expect(ofType(renamed, 'AWS::CloudFront::PublicKey').map(([id]) => id)).toEqual([keys[0]?.[0]]);
  });
});

describe('the roles', () => {
  const resources = resourcesOf();
  const statements = (role: string) => resources[role]?.Properties.Policies[0].PolicyDocument.Statement as any[];

  it('gives the edge function its own role, trusted by edgelambda, allowed only to write its logs', () => {
    const edge = resources.ViewerRequestRole?.Properties;
    expect(edge.AssumeRolePolicyDocument.Statement[0].Principal.Service).toEqual([
      'lambda.amazonaws.com',
      'edgelambda.amazonaws.com',
    ]);
    expect(statements('ViewerRequestRole').flatMap((s) => s.Action)).toEqual([
      'logs:CreateLogGroup',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('lets login and the URL issuer read the signing secret and nothing else', () => {
    for (const role of ['LoginRole', 'SignRole']) {
      expect(resources[role]?.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service).toEqual([
        'lambda.amazonaws.com',
      ]);
      const secret = statements(role).find((s) => s.Action === 'secretsmanager:GetSecretValue');
      expect(secret.Resource).toEqual({
        'Fn::Sub':
          'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:edgepass/test/signing-key-??????',
      });
      expect(JSON.stringify(statements(role))).not.toMatch(/"(\*|secretsmanager:\*|kms:\*)"/);
    }
  });

  it('scopes GetSecretValue to the ARN given, and adds kms:Decrypt via Secrets Manager for a customer key', () => {
    const signingSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:edgepass/test/signing-key-AbCdEf';
    const signingSecretKmsKeyArn = 'arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const stack = testStack(testConfig(), { signingSecretArn, signingSecretKmsKeyArn });
    const policy = resourcesOf(stack).SignRole?.Properties.Policies[0].PolicyDocument.Statement as any[];
    expect(policy.find((s) => s.Action === 'secretsmanager:GetSecretValue').Resource).toBe(signingSecretArn);
    expect(policy.find((s) => s.Action === 'kms:Decrypt')).toMatchObject({
      Resource: signingSecretKmsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } } },
    });
    expect(() => testStack(testConfig(), { signingSecretArn: signingSecretArn.replace('test', 'prod') })).toThrow(
      /signingSecretArn .* is not the secret the functions read \(signingSecretId edgepass\/test\/signing-key\)/,
    );
  });
});

describe('the alarms', () => {
  const alarms = ofType(testStack(), 'AWS::CloudWatch::Alarm');

  it('watch the distribution’s 4xx and 5xx rates, login denials, signing errors and the key fallback', () => {
    expect(alarms.map(([id]) => id)).toEqual([
      'Distribution4xxAlarm',
      'Distribution5xxAlarm',
      'LoginDenialsAlarm',
      'SigningErrorsAlarm',
      'SigningKeyFallbackAlarm',
    ]);
    const rate = Object.fromEntries(alarms).Distribution4xxAlarm?.Properties;
    expect(rate).toMatchObject({ Namespace: 'AWS/CloudFront', MetricName: '4xxErrorRate', Threshold: 10 });
    expect(rate.Dimensions).toContainEqual({ Name: 'Region', Value: 'Global' });
  });

  it('sum at most 10 metrics each (CloudWatch’s limit), named as the handlers emit them', () => {
    const metrics = alarmMetrics({ login: 'LoginLambdaFunction', sign: 'SignLambdaFunction' });
    for (const [id, list] of Object.entries(metrics)) {
      expect(list.length, id).toBeLessThanOrEqual(10);
      const alarm = Object.fromEntries(alarms)[id]?.Properties;
      expect(alarm.Metrics.filter((m: any) => m.MetricStat !== undefined)).toHaveLength(list.length);
    }
    expect(metrics.LoginDenialsAlarm?.map((m) => m.dimensions.reason)).toEqual(LOGIN_DENIAL_REASONS);
    expect(metrics.SigningErrorsAlarm?.filter((m) => m.namespace === 'edgepass')).toHaveLength(
      2 * SIGNING_ERROR_REASONS.length,
    );
  });

  it('mail an SNS topic when alarmEmail is set, and act on nothing otherwise', () => {
    expect(alarms.every(([, alarm]) => alarm.Properties.AlarmActions.length === 0)).toBe(true);
    const mailed = testStack(testConfig(), { alarmEmail: 'ops@example.com' });
    expect(resourcesOf(mailed).AlarmTopic?.Properties.Subscription).toEqual([
      { Protocol: 'email', Endpoint: 'ops@example.com' },
    ]);
    expect(
      ofType(mailed, 'AWS::CloudWatch::Alarm').every(
        ([, alarm]) => JSON.stringify(alarm.Properties.AlarmActions) === '[{"Ref":"AlarmTopic"}]',
      ),
    ).toBe(true);
  });
});

describe('the CloudFront Functions gate', () => {
  const CODE = 'async function handler(event) { return event.request; }';
  const config = testConfig({ functionGate: { paths: ['/videos/free/*', '/reports/*'] } });
  const stackWith = (code: string | undefined, context: Partial<typeof CONTEXT> = {}) =>
    edgepassStack(config, parseDeploySettings({}), { ...CONTEXT, ...context, cloudFrontFunctionCode: code });

  it('is a published cloudfront-js-2.0 function with the built code and its KeyValueStore', () => {
    const stack = stackWith(CODE);
    expect(resourcesOf(stack).EdgepassSessionKeyStore).toEqual({
      Type: 'AWS::CloudFront::KeyValueStore',
      Properties: { Name: 'edgepass-test-session-keys', Comment: expect.stringContaining('session-key:<id>') },
    });
    expect(resourcesOf(stack).EdgepassGateFunction).toEqual({
      Type: 'AWS::CloudFront::Function',
      Properties: {
        Name: 'edgepass-test-gate',
        AutoPublish: true,
        FunctionCode: CODE,
        FunctionConfig: {
          Comment: expect.any(String),
          Runtime: 'cloudfront-js-2.0',
          KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': ['EdgepassSessionKeyStore', 'Arn'] } }],
        },
      },
    });
    expect(stack.outputs.SessionKeyStoreArn?.Value).toEqual({ 'Fn::GetAtt': ['EdgepassSessionKeyStore', 'Arn'] });
    // Anyone who can read the store can forge tokens: a policy to deny exactly those reads on it.
    expect(resourcesOf(stack).SessionKeyStoreReadDeny?.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'NoSessionKeyReads',
        Effect: 'Deny',
        Action: ['cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:ListKeys'],
        Resource: { 'Fn::GetAtt': ['EdgepassSessionKeyStore', 'Arn'] },
      },
    ]);
    expect(stack.outputs.SessionKeyStoreReadDenyPolicyArn?.Value).toEqual({ Ref: 'SessionKeyStoreReadDeny' });
    expect(stack.notices.join('\n')).toContain('denies every request (unknown-key) until its KeyValueStore holds');
  });

  it('runs on the behaviours of functionGate.paths instead of the Lambda@Edge gate, and nowhere else', () => {
    const distribution = distributionOf(stackWith(CODE));
    const behaviours = [...distribution.CacheBehaviors, { PathPattern: '*', ...distribution.DefaultCacheBehavior }];
    const expected = distributionBehaviours(config);
    expect(behaviours.map((b: any) => b.PathPattern)).toEqual(expected.map((b) => b.pathPattern));
    behaviours.forEach((behaviour: any, index: number) => {
      const gate = expected[index]?.gate;
      expect(behaviour.FunctionAssociations, behaviour.PathPattern).toEqual(
        gate === 'cloudfront-function'
          ? [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['EdgepassGateFunction', 'FunctionARN'] } }]
          : undefined,
      );
      expect(behaviour.LambdaFunctionAssociations === undefined, behaviour.PathPattern).toBe(gate !== 'lambda-edge');
    });
    expect(expected.filter((b) => b.gate === 'cloudfront-function').map((b) => b.pathPattern)).toEqual([
      '/videos/free/*',
      '/reports/*',
    ]);
  });

  it('adds nothing without functionGate, and no CloudFront Function association anywhere', () => {
    const stack = testStack();
    expect(ofType(stack, 'AWS::CloudFront::Function')).toEqual([]);
    expect(ofType(stack, 'AWS::CloudFront::KeyValueStore')).toEqual([]);
    expect(ofType(stack, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    expect(JSON.stringify(distributionOf(stack))).not.toContain('"FunctionAssociations"');
  });

  it.each([
    [undefined, {}, /functionGate is set but no CloudFront Function was built/],
    ['', {}, /the CloudFront Function is 0 bytes; CloudFront takes 1 to 10240/],
    ['x'.repeat(10 * 1024 + 1), {}, /is 10241 bytes; CloudFront takes 1 to 10240/],
    [
      CODE,
      { stackName: `edgepass-${'s'.repeat(50)}` },
      /named after the stack \(edgepass-s+-session-keys\).*1-64 letters/,
    ],
    [CODE, { stackName: 'edgepass-dev.1' }, /named after the stack/],
  ])('refuses code %#, naming the cause', (code, context, message) => {
    expect(() => stackWith(code, context)).toThrow(message);
  });

  it('warns when the behaviours pass CloudFront’s default quota of 75, and not below it', () => {
    const paths = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `/${prefix}${i}/*`);
    const quota = (config: ReturnType<typeof testConfig>) =>
      edgepassStack(config, parseDeploySettings({}), { ...CONTEXT, cloudFrontFunctionCode: CODE }).notices.filter(
        (notice) => notice.includes('quota'),
      );
    // The API's two, the public two, the key-group one, the default: 6 besides these.
    const at = (protectedCount: number) =>
      testConfig({ functionGate: { paths: paths('f', 40) }, protectedPaths: paths('p', protectedCount) });
    expect(quota(at(29))).toEqual([]);
    expect(quota(at(31))).toEqual([expect.stringContaining('has 77 cache behaviours, over CloudFront')]);
  });

  it('refuses a built function without functionGate (a stale build would deploy a gate nothing configures)', () => {
    expect(() =>
      edgepassStack(testConfig(), parseDeploySettings({}), { ...CONTEXT, cloudFrontFunctionCode: CODE }),
    ).toThrow(/a CloudFront Function was built but functionGate is not set/);
  });
});

describe('what could not work once deployed', () => {
  it.each<[string, Parameters<typeof testConfig>[0], Record<string, unknown>, RegExp]>([
    ['an http scheme', { scheme: 'http' }, {}, /scheme is http: that is for the local stack/],
    [
      'an alternate domain without a certificate',
      { domains: ['media.example.com'] },
      {},
      /domains name media\.example\.com, an alternate domain name: pass --param="certificateArn=/,
    ],
    [
      'a certificate without an alternate domain',
      {},
      { certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' },
      /certificateArn is set but domains name no alternate domain name/,
    ],
    [
      'key-group paths in front of an HTTPS origin',
      {},
      { originUrl: 'https://origin.example.com' },
      /trustedKeyGroupPaths need the private S3 origin/,
    ],
  ])('refuses %s, naming the setting', (_name, config, settings, message) => {
    expect(() => testStack(testConfig(config), settings)).toThrow(message);
  });

  it.each([
    'edgepass/*',
    'edgepass/prod/signing-key?',
    'edgepass/${AWS::AccountId}',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:*',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:edgepass/prod-??????',
  ])('refuses a signingSecretId that would widen the IAM grant beyond one secret: %s', (signingSecretId) => {
    expect(() => testStack(testConfig({ signingSecretId }))).toThrow(
      /signingSecretId .*: expected a Secrets Manager secret name \(letters, digits and \/_\+=\.@-\) or its ARN/,
    );
  });

  it('grants GetSecretValue on a signingSecretId given as a full ARN, exactly', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:edgepass/prod/signing-key-AbCdEf';
    const policy = resourcesOf(testStack(testConfig({ signingSecretId: arn }))).LoginRole?.Properties.Policies[0]
      .PolicyDocument.Statement as any[];
    expect(policy.find((s) => s.Action === 'secretsmanager:GetSecretValue').Resource).toBe(arn);
  });

  it.each([
    [{ originUrl: 'http://origin.example.com' }, /originUrl: expected an https:\/\/ origin URL/],
    [{ logRetentionDays: '31' }, /logRetentionDays: expected one of CloudWatch Logs' retention values/],
    [{ ipv6: 'yes' }, /ipv6: expected true or false/],
    [{ signingSecretArn: 'edgepass/prod/signing-key' }, /signingSecretArn: expected the secret ARN/],
    [{ colour: 'blue' }, /edgepass stage parameters: .*colour/],
  ])('refuses the stage parameters %j', (settings, message) => {
    expect(() => parseDeploySettings(settings)).toThrow(message);
  });

  it('reads parameters given as strings (--param) and as YAML values alike', () => {
    expect(parseDeploySettings({ logRetentionDays: '90', ipv6: true, alarm5xxRatePercent: '2.5' })).toMatchObject({
      logRetentionDays: 90,
      ipv6: true,
      alarm5xxRatePercent: 2.5,
    });
  });

  it('is deterministic: the same configuration and parameters give the same resources', () => {
    expect(JSON.stringify(testStack())).toBe(JSON.stringify(testStack()));
  });
});
