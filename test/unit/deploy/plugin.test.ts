// biome-ignore-all lint/suspicious/noExplicitAny: serverless's compiled template is plain JSON
import { describe, expect, it } from 'vitest';
import { compiled, ServerlessError } from '../../fixtures/serverless-plugin';

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

  it('adds no function and no store without functionGate', () => {
    const { template, run } = compiled();
    run();
    const types = Object.values(template.Resources).map((r: any) => r.Type);
    expect(types).not.toContain('AWS::CloudFront::Function');
    expect(types).not.toContain('AWS::CloudFront::KeyValueStore');
    expect(types).toContain('AWS::CloudFront::Distribution');
  });
});
