// biome-ignore-all lint/suspicious/noExplicitAny: serverless's compiled template is plain JSON
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdgepassPlugin } from '../../../scripts/deploy/plugin';

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
      naming: { getLambdaLogicalId: (key: string) => `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction` },
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
});
