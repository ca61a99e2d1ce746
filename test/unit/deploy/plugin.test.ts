// biome-ignore-all lint/suspicious/noExplicitAny: serverless's compiled template is plain JSON
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyValueStore, loadCloudFrontFunction } from '../../../dev/cloudfront-functions-runtime';
import { EdgepassPlugin } from '../../../scripts/deploy/plugin';
import { sessionKeyName } from '../../../shared/edge/session-token';
import {
  asEdgeResult,
  functionEventFor,
  loadBuiltFunction,
  newSessionKey,
  sessionCookie,
} from '../../fixtures/built-function';
import { DISTRIBUTION_HOST } from '../../fixtures/viewer-events';

const ROOT = join(__dirname, '..', '..', '..');

class ServerlessError extends Error {}

/** What serverless hands the plugin after compiling the functions and events, for the dev stage. */
function compiled(edge: Record<string, unknown> = {}, region = 'us-east-1') {
  const fn = (role: string, extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { MemorySize: 128, Timeout: 5, Role: { 'Fn::GetAtt': [role, 'Arn'] }, ...extra },
  });
  const template: { Resources: Record<string, any>; Outputs: Record<string, any> } = {
    Resources: {
      ViewerRequestLambdaFunction: fn('ViewerRequestRole', edge),
      ViewerRequestLambdaVersionAbc: {
        Type: 'AWS::Lambda::Version',
        Properties: { FunctionName: { Ref: 'ViewerRequestLambdaFunction' } },
      },
      LoginLambdaFunction: fn('LoginRole'),
      SignLambdaFunction: fn('SignRole'),
      HttpApi: { Type: 'AWS::ApiGatewayV2::Api', Properties: {} },
    },
    Outputs: {},
  };
  const serverless = {
    serviceDir: ROOT,
    classes: { Error: ServerlessError },
    service: {
      custom: { edgepass: { originUrl: '', logRetentionDays: 30 } },
      provider: { compiledCloudFormationTemplate: template },
      getFunction: (key: string) => ({ name: `edgepass-dev-${key}` }),
    },
    getProvider: () => ({
      getStage: () => 'dev',
      getRegion: () => region,
      naming: {
        getLambdaLogicalId: (key: string) => `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`,
        getStackName: () => 'edgepass-dev',
      },
    }),
  };
  const notices: string[] = [];
  const plugin = new EdgepassPlugin(
    serverless as any,
    {},
    { log: { notice: (m) => notices.push(m), warning: () => {} } },
  );
  return { template, run: () => plugin.hooks['after:package:compileEvents']?.(), notices };
}

describe('the edgepass serverless plugin', () => {
  it('strips any environment (a provider-level one leaks there) and VPC from the edge function, and keeps it on removal', () => {
    const { template, run } = compiled({
      Environment: { Variables: { LEAKED: 'from provider.environment' } },
      VpcConfig: {},
    });
    run();
    const edge = template.Resources.ViewerRequestLambdaFunction;
    expect(edge.Properties.Environment).toBeUndefined();
    expect(edge.Properties.VpcConfig).toBeUndefined();
    // Both, or cfn-lint warns (W3011): a replacement would delete the old function with its replicas.
    expect(edge).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(template.Resources.CloudFrontDistribution.Type).toBe('AWS::CloudFront::Distribution');
    expect(template.Outputs.KeyGroupId).toEqual({
      Description: expect.any(String),
      Value: { Ref: 'EdgepassKeyGroup' },
    });
  });

  it.each([
    [{ MemorySize: 256 }, 'us-east-1', /viewerRequest is a viewer-request function: at most 128 MB and 5 s/],
    [{ Timeout: 10 }, 'us-east-1', /at most 128 MB and 5 s/],
    [{ Architectures: ['arm64'] }, 'us-east-1', /no layers, x86_64 only/],
    [{ Role: 'arn:aws:iam::123456789012:role/shared' }, 'us-east-1', /must use its own role \(role: ViewerRequestRole/],
    [{}, 'eu-west-1', /Lambda@Edge functions are created in us-east-1 only/],
  ])('refuses an edge function with %j in %s, as one line', (edge, region, message) => {
    const { run } = compiled(edge, region);
    expect(run).toThrow(ServerlessError);
    expect(run).toThrow(message);
  });

  it('refuses a resource name serverless already uses rather than merging into it', () => {
    const { template, run } = compiled();
    template.Resources.ContentBucket = { Type: 'AWS::S3::Bucket', Properties: {} };
    expect(run).toThrow(/resource ContentBucket already exists in the template/);
  });

  describe('with functionGate', () => {
    const previous = process.env.EDGEPASS_CONFIG;
    afterEach(() => {
      if (previous === undefined) delete process.env.EDGEPASS_CONFIG;
      else process.env.EDGEPASS_CONFIG = previous;
    });

    /** The repository's configuration with the CloudFront Functions gate on /videos/free/*. */
    const withFunctionGate = (): string => {
      const file = join(mkdtempSync(join(tmpdir(), 'edgepass-plugin-')), 'edgepass.config.json');
      const repository = JSON.parse(readFileSync(join(ROOT, 'edgepass.config.json'), 'utf8'));
      const publicKeyFile = join(ROOT, repository.keyGroup[0].publicKeyFile);
      writeFileSync(
        file,
        JSON.stringify({
          ...repository,
          keyGroup: [{ ...repository.keyGroup[0], publicKeyFile }],
          functionGate: { paths: ['/videos/free/*'] },
        }),
      );
      process.env.EDGEPASS_CONFIG = file;
      return file;
    };

    it('carries the stage’s built CloudFront Function, which runs as the gate on its behaviour', async () => {
      const configFile = withFunctionGate();
      const { template, run, notices } = compiled();
      run();
      const fn = template.Resources.EdgepassGateFunction.Properties;
      // Byte for byte what `npm run build` writes for the same configuration and stage.
      expect(fn.FunctionCode).toBe(readFileSync(loadBuiltFunction(configFile, { stage: 'dev' }).outfile, 'utf8'));
      expect(fn.Name).toBe('edgepass-dev-gate');
      expect(template.Resources.EdgepassSessionKeyStore.Properties.Name).toBe('edgepass-dev-session-keys');
      const behaviour = template.Resources.CloudFrontDistribution.Properties.DistributionConfig.CacheBehaviors.find(
        (b: any) => b.PathPattern === '/videos/free/*',
      );
      expect(behaviour.FunctionAssociations).toEqual([
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['EdgepassGateFunction', 'FunctionARN'] } },
      ]);
      expect(behaviour.LambdaFunctionAssociations).toBeUndefined();
      expect(notices.join('\n')).toMatch(/put session-key:<sessionKeyId>.*SessionKeyStoreArn/);

      // The template's code is the gate: no session token → login redirect; a valid one → forwarded.
      const key = newSessionKey();
      const gate = loadCloudFrontFunction(fn.FunctionCode, createKeyValueStore({ [sessionKeyName('S1')]: key }));
      const now = Math.floor(Date.now() / 1000);
      const browse = (cookies: string[]) =>
        gate
          .run(functionEventFor({ uri: '/videos/free/a.mp4', accept: 'text/html', cookies }), now * 1000)
          .then((answer) => asEdgeResult(answer as Record<string, unknown>));
      expect((await browse([])).status).toBe('302');
      const granted = await browse([sessionCookie(`https://${DISTRIBUTION_HOST}/videos/*`, now + 600, 'S1', key)]);
      expect(granted.status).toBeUndefined();
      expect(granted.uri).toBe('/videos/free/a.mp4');
      // Only the behaviours of functionGate.paths run it.
      const associated = [
        ...template.Resources.CloudFrontDistribution.Properties.DistributionConfig.CacheBehaviors,
        template.Resources.CloudFrontDistribution.Properties.DistributionConfig.DefaultCacheBehavior,
      ].filter((b: any) => b.FunctionAssociations !== undefined);
      expect(associated.map((b: any) => b.PathPattern)).toEqual(['/videos/free/*']);
    });

    it('adds no function and no store without functionGate', () => {
      const { template, run } = compiled();
      run();
      const types = Object.values(template.Resources).map((r: any) => r.Type);
      expect(types).not.toContain('AWS::CloudFront::Function');
      expect(types).not.toContain('AWS::CloudFront::KeyValueStore');
      expect(types).toContain('AWS::CloudFront::Distribution');
    });
  });
});
