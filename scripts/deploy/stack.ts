import { EdgepassError } from '../../shared/cloudfront/errors';
import { distributionBehaviours } from '../../shared/config/behaviours';
import type { EdgepassConfig } from '../../shared/config/schema';
import { alarmResources } from './alarms';
import { getAtt, join, type Output, type Resources, ref } from './cloudformation';
import { cloudFrontFunctionResources } from './cloudfront-function';
import { alternateDomainNames, DISTRIBUTION, distributionResources } from './distribution';
import { keyGroupResources } from './keys';
import { BUCKET, bucketResources } from './origins';
import { edgeReplicaLogGroup, roleResources } from './roles';
import type { DeploySettings } from './settings';

/**
 * Everything `serverless deploy` adds to the functions and the HTTP API that serverless compiles: the
 * content origin, the distribution and its policies, the key group, one role per function, alarms and
 * outputs — computed from the validated configuration and the stage parameters only, so `serverless
 * package` stays offline and its template deterministic.
 */

/** What the plugin found in serverless's compiled template. */
export interface StackContext {
  readonly stage: string;
  /** The CloudFormation stack's name (`<service>-<stage>`): the CloudFront Function and its store are named after it. */
  readonly stackName: string;
  /** Logical id of the HTTP API serverless creates for the `httpApi` events. */
  readonly httpApi: string;
  readonly edge: { readonly functionLogicalId: string; readonly versionLogicalId: string; readonly name: string };
  readonly login: { readonly functionLogicalId: string; readonly name: string };
  readonly sign: { readonly functionLogicalId: string; readonly name: string };
  /** The CloudFront Function built for the stage, when `functionGate` is configured. */
  readonly cloudFrontFunctionCode?: string | undefined;
}

export interface EdgepassStack {
  readonly resources: Resources;
  readonly outputs: Record<string, Output>;
  /** Things to do after deploying, said once at packaging. */
  readonly notices: string[];
}

/** A secret's name as Secrets Manager allows it, and a secret's ARN: no wildcard can get through. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

function fail(message: string): never {
  throw new EdgepassError('INVALID_CONFIG', `edgepass deploy: ${message}`);
}

/** Refuses what could not work once deployed, naming the setting to change. */
function check(config: EdgepassConfig, settings: DeploySettings): void {
  if (config.scheme !== 'https') {
    fail('scheme is http: that is for the local stack; a deployed stage is served over https (set "scheme": "https")');
  }
  const aliases = alternateDomainNames(config.domains);
  if (aliases.length > 0 && settings.certificateArn === undefined) {
    fail(
      `domains name ${aliases.join(', ')}, an alternate domain name: pass --param="certificateArn=<ACM certificate in us-east-1 covering it>", or list only the distribution's *.cloudfront.net name`,
    );
  }
  if (aliases.length === 0 && settings.certificateArn !== undefined) {
    fail('certificateArn is set but domains name no alternate domain name to use it for');
  }
  if (config.trustedKeyGroupPaths.length > 0 && settings.originUrl !== undefined) {
    fail(
      'trustedKeyGroupPaths need the private S3 origin: CloudFront matches signed resources on a path an HTTPS origin may read differently (dot segments); drop originUrl or the paths',
    );
  }
  // The IAM grant is built from this id: a `*` or `?` (or a `${…}` for Fn::Sub) would widen it to
  // other secrets. Secrets Manager's names use only these characters anyway.
  if (!SECRET_NAME.test(config.signingSecretId) && !SECRET_ARN.test(config.signingSecretId)) {
    fail(
      `signingSecretId ${JSON.stringify(config.signingSecretId)}: expected a Secrets Manager secret name (letters, digits and /_+=.@-) or its ARN; GetSecretValue is granted on exactly that secret`,
    );
  }
  const arn = settings.signingSecretArn;
  if (
    arn !== undefined &&
    !config.signingSecretId.startsWith('arn:') &&
    !arn.includes(`:secret:${config.signingSecretId}-`)
  ) {
    fail(`signingSecretArn ${arn} is not the secret the functions read (signingSecretId ${config.signingSecretId})`);
  }
}

/** CloudFront's default quota of cache behaviours per distribution (adjustable on request). */
const BEHAVIOURS_QUOTA = 75;

function notices(config: EdgepassConfig, settings: DeploySettings): string[] {
  const out: string[] = [];
  const behaviours = distributionBehaviours(config, settings.originUrl === undefined ? 's3' : 'https').length;
  if (behaviours > BEHAVIOURS_QUOTA) {
    out.push(
      `the distribution has ${behaviours} cache behaviours, over CloudFront's default quota of ${BEHAVIOURS_QUOTA}: the deploy fails unless the quota was raised (Service Quotas, "Cache behaviors per distribution"); fewer publicPaths, protectedPaths or functionGate.paths patterns (wildcards) avoid it`,
    );
  }
  if (config.trustedKeyGroupPaths.length > 0) {
    out.push(
      'trustedKeyGroupPaths: CloudFront checks Key-Pair-Id against the public key ids it assigns; after deploying, make keyGroup ids (and the secret’s keyPairId) the ones in the PublicKeyIds output',
    );
  }
  if (config.functionGate !== undefined) {
    out.push(
      'functionGate: the CloudFront Function denies every request (unknown-key) until its KeyValueStore holds the session key: after deploying, put session-key:<sessionKeyId> from the signing secret into the SessionKeyStoreArn output (docs/deploy.md, "The CloudFront Functions gate")',
    );
  }
  if (
    !config.domains.some((host) => host.endsWith('.cloudfront.net')) &&
    alternateDomainNames(config.domains).length === 0
  ) {
    out.push(
      'domains name no host of this distribution: add the CloudFrontDistributionDomainName output to domains and deploy again',
    );
  }
  return out;
}

/** The CloudFront Functions gate and its KeyValueStore, with `functionGate`; nothing without it. */
function functionGateResources(
  config: EdgepassConfig,
  context: StackContext,
): { resources: Resources; outputs: Record<string, Output> } {
  if (config.functionGate === undefined) {
    if (context.cloudFrontFunctionCode !== undefined)
      fail('a CloudFront Function was built but functionGate is not set');
    return { resources: {}, outputs: {} };
  }
  if (context.cloudFrontFunctionCode === undefined) fail('functionGate is set but no CloudFront Function was built');
  return cloudFrontFunctionResources(context.cloudFrontFunctionCode, context);
}

export function edgepassStack(config: EdgepassConfig, settings: DeploySettings, context: StackContext): EdgepassStack {
  check(config, settings);
  const keys = keyGroupResources(config);
  const gateFunction = functionGateResources(config, context);
  const bucket = settings.originUrl === undefined;
  const resources: Resources = {
    ...(bucket ? bucketResources(DISTRIBUTION) : {}),
    ...distributionResources(config, settings, {
      edgeVersion: context.edge.versionLogicalId,
      httpApi: context.httpApi,
      stage: context.stage,
    }),
    ...keys.resources,
    ...gateFunction.resources,
    ...roleResources(config, settings, { edge: context.edge.name, login: context.login.name, sign: context.sign.name }),
    ...edgeReplicaLogGroup(context.edge.name, settings.logRetentionDays),
    // What serverless adds for a cloudFront event: CloudFront may invoke the version it replicates.
    ViewerRequestEdgePermission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: ref(context.edge.versionLogicalId),
        Action: 'lambda:InvokeFunction',
        Principal: 'edgelambda.amazonaws.com',
        SourceArn: join('', [
          'arn:',
          ref('AWS::Partition'),
          ':cloudfront::',
          ref('AWS::AccountId'),
          ':distribution/',
          ref(DISTRIBUTION),
        ]),
      },
    },
    ...alarmResources(settings, {
      distribution: DISTRIBUTION,
      login: context.login.functionLogicalId,
      sign: context.sign.functionLogicalId,
    }),
  };
  const outputs: Record<string, Output> = {
    CloudFrontDistribution: { Description: 'CloudFront distribution id', Value: ref(DISTRIBUTION) },
    CloudFrontDistributionDomainName: {
      Description: 'the distribution’s own host name (put it in domains unless an alternate domain is used)',
      Value: getAtt(DISTRIBUTION, 'DomainName'),
    },
    ...keys.outputs,
    ...gateFunction.outputs,
    ...(bucket
      ? {
          ContentBucketName: {
            Description: 'the private content bucket (upload with aws s3 sync)',
            Value: ref(BUCKET),
          },
        }
      : {}),
  };
  return { resources, outputs, notices: notices(config, settings) };
}
