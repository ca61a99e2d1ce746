// biome-ignore-all lint/suspicious/noExplicitAny: mistakes are planted in an untyped template
import { beforeAll, describe, expect, it } from 'vitest';
import { lintTemplate, resourceSpec } from '../../fixtures/cloudformation-lint';
import { testTemplate } from '../../fixtures/deploy-stack';

/**
 * The linter the packaged template is checked with (test/e2e/serverless.test.ts) finds what it claims
 * to: each planted mistake below is one a hand-written template could carry.
 */

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> } & Record<string, any>;

const distribution = (template: Template) => template.Resources.CloudFrontDistribution?.Properties.DistributionConfig;

beforeAll(() => {
  resourceSpec();
}, 30_000);

describe('lintTemplate (AWS resource spec)', () => {
  it('finds nothing wrong with the generated stack', () => {
    expect(lintTemplate(testTemplate())).toEqual([]);
  });

  it.each<[string, (template: Template) => void, string, RegExp]>([
    [
      'a misspelt property deep in a cache behaviour',
      (t) => {
        const behaviour = distribution(t).CacheBehaviors.find((b: any) => b.TrustedKeyGroups !== undefined);
        behaviour.TrustedKeyGroup = behaviour.TrustedKeyGroups;
        delete behaviour.TrustedKeyGroups;
      },
      'E3002',
      /CacheBehaviors\[\d+\]\.TrustedKeyGroup: unknown property TrustedKeyGroup \(did you mean TrustedKeyGroups\?\)/,
    ],
    [
      'a missing required property',
      (t) => {
        delete t.Resources.ContentOriginAccessControl?.Properties.OriginAccessControlConfig.SigningProtocol;
      },
      'E3003',
      /OriginAccessControlConfig\.SigningProtocol: required property SigningProtocol is missing/,
    ],
    [
      'a value of the wrong type',
      (t) => {
        distribution(t).Enabled = 'yes';
      },
      'E3012',
      /DistributionConfig\.Enabled: expected a boolean/,
    ],
    [
      'a list where an object goes',
      (t) => {
        distribution(t).ViewerCertificate = [distribution(t).ViewerCertificate];
      },
      'E3012',
      /ViewerCertificate: expected an object/,
    ],
    [
      'a value outside the allowed set',
      (t) => {
        (t.Resources.ViewerRequestReplicaLogGroup as any).Properties.RetentionInDays = 31;
      },
      'E3030',
      /RetentionInDays: 31 is not one of 1, 3, 5/,
    ],
    [
      'an unknown resource type',
      (t) => {
        (t.Resources.EdgepassKeyGroup as any).Type = 'AWS::CloudFront::KeyGroups';
      },
      'E3001',
      /unknown resource type "AWS::CloudFront::KeyGroups"/,
    ],
    [
      'a GetAtt of an attribute the resource does not have',
      (t) => {
        t.Resources.CloudFrontDistribution = {
          ...t.Resources.CloudFrontDistribution,
        } as any;
        distribution(t).Origins[0].DomainName = { 'Fn::GetAtt': ['ContentBucket', 'RegionalDomain'] };
      },
      'E1010',
      /AWS::S3::Bucket has no attribute "RegionalDomain"/,
    ],
    [
      'a Ref to nothing',
      (t) => {
        (t.Resources.EdgepassKeyGroup as any).Properties.KeyGroupConfig.Items.push({ Ref: 'EdgepassPublicKeyGone' });
      },
      'E1012',
      /Ref to "EdgepassPublicKeyGone"/,
    ],
    [
      'a Fn::Sub naming a missing resource',
      (t) => {
        (t.Resources.ContentOriginAccessControl as any).Properties.OriginAccessControlConfig.Name = {
          'Fn::Sub': '${ContentBuckett}-oac',
        };
      },
      'E1019',
      /Fn::Sub refers to \$\{ContentBuckett\}/,
    ],
    [
      'a DependsOn on nothing',
      (t) => {
        (t.Resources.LoginLambdaFunction as any).DependsOn = ['LoginRoles'];
      },
      'E3005',
      /depends on "LoginRoles"/,
    ],
  ])('catches %s', (_name, plant, rule, message) => {
    const template = structuredClone(testTemplate()) as Template;
    plant(template);
    const errors = lintTemplate(template);
    expect(errors.map((e) => e.rule)).toContain(rule);
    expect(errors.map((e) => `${e.path}: ${e.message}`).join('\n')).toMatch(message);
  });
});
