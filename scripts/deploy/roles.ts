import type { EdgepassConfig } from '../../shared/config/schema';
import { type Json, policyDocument, type Resources, sub } from './cloudformation';
import type { DeploySettings } from './settings';

/**
 * One execution role per function (serverless.yml names them with `role:`), each allowed what its
 * function does and nothing else:
 * - the edge gate: trusted by lambda.amazonaws.com and edgelambda.amazonaws.com (replication), writes
 *   its logs in whichever region ran it (`/aws/lambda/us-east-1.<name>`), reads nothing;
 * - login and URL issuer: write their own log group, `secretsmanager:GetSecretValue` on the signing
 *   secret only (its ARN, or its name with Secrets Manager's 6-character suffix), and `kms:Decrypt`
 *   through Secrets Manager when a customer-managed key is named.
 */

export const ROLES = { edge: 'ViewerRequestRole', login: 'LoginRole', sign: 'SignRole' } as const;

/** Where the replicas of the edge function log in us-east-1 (other regions: same name, see docs). */
export const EDGE_REPLICA_LOG_GROUP = 'ViewerRequestReplicaLogGroup';

function role(services: string[], statements: Json[], description: string): Resources[string] {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: description,
      AssumeRolePolicyDocument: policyDocument([
        { Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' },
      ]),
      Policies: [{ PolicyName: 'edgepass', PolicyDocument: policyDocument(statements) }],
    },
  };
}

/** The signing secret as an IAM resource: the ARN given, or its name with the random suffix. */
export function signingSecretResource(config: Pick<EdgepassConfig, 'signingSecretId'>, settings: DeploySettings): Json {
  if (settings.signingSecretArn !== undefined) return settings.signingSecretArn;
  if (config.signingSecretId.startsWith('arn:')) return config.signingSecretId;
  // `??????`: Secrets Manager appends a hyphen and six characters to the name in the ARN; a bare `*`
  // would also match a secret named `<name>-anything`.
  return sub(
    `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${config.signingSecretId}-??????`,
  );
}

export function roleResources(
  config: Pick<EdgepassConfig, 'signingSecretId'>,
  settings: DeploySettings,
  functions: { readonly edge: string; readonly login: string; readonly sign: string },
): Resources {
  const logGroup = (name: string, region: string) =>
    sub(`arn:\${AWS::Partition}:logs:${region}:\${AWS::AccountId}:log-group:${name}:*`);
  const regional = (name: string, description: string) =>
    role(
      ['lambda.amazonaws.com'],
      [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: logGroup(`/aws/lambda/${name}`, '${AWS::Region}'),
        },
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: signingSecretResource(config, settings) },
        ...(settings.signingSecretKmsKeyArn === undefined
          ? []
          : [
              {
                Effect: 'Allow',
                Action: 'kms:Decrypt',
                Resource: settings.signingSecretKmsKeyArn,
                Condition: { StringEquals: { 'kms:ViaService': sub('secretsmanager.${AWS::Region}.amazonaws.com') } },
              },
            ]),
      ],
      description,
    );
  return {
    [ROLES.edge]: role(
      ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'],
      [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          // Replicas log in the region nearest the viewer, under the us-east-1. prefix.
          Resource: [
            logGroup(`/aws/lambda/us-east-1.${functions.edge}`, '*'),
            logGroup(`/aws/lambda/${functions.edge}`, '*'),
          ],
        },
      ],
      'edgepass edge gate (Lambda@Edge): logs only',
    ),
    [ROLES.login]: regional(functions.login, 'edgepass login: its logs and the signing secret'),
    [ROLES.sign]: regional(functions.sign, 'edgepass URL issuer: its logs and the signing secret'),
  };
}

/** The us-east-1 log group of the edge function's replicas, with the stage's retention. */
export function edgeReplicaLogGroup(edgeFunctionName: string, retentionDays: number): Resources {
  return {
    [EDGE_REPLICA_LOG_GROUP]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: `/aws/lambda/us-east-1.${edgeFunctionName}`, RetentionInDays: retentionDays },
    },
  };
}
