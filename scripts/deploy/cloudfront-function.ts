import { EdgepassError } from '../../shared/cloudfront/errors';
import { getAtt, type Output, policyDocument, type Resources, ref } from './cloudformation';

/**
 * The CloudFront Functions gate (docs/cloudfront-function.md), when `functionGate` is configured: the
 * built script as an `AWS::CloudFront::Function` (cloudfront-js-2.0, published with the stack) and
 * the `AWS::CloudFront::KeyValueStore` it reads its session keys from. The distribution associates the
 * function with the behaviours of `functionGate.paths` (distribution.ts). The store is created empty:
 * the session key goes in with `aws cloudfront-keyvaluestore put-key`, never through the template
 * (which is stored in S3 and shown in the console), and until then the function denies (`unknown-key`).
 *
 * A store's values are readable by any principal allowed `cloudfront-keyvaluestore:GetKey`/`ListKeys`,
 * and AWS's managed CloudFrontReadOnlyAccess allows both on every store: whoever reads the session
 * key can MAC a token for anything the function guards. No resource policy exists for a store, so the
 * stack adds a managed policy denying those reads on this one, for the operator to attach to every
 * role, user or group that reads CloudFront but must not read content (docs/security.md).
 */

export const GATE_FUNCTION = 'EdgepassGateFunction';
export const SESSION_KEY_STORE = 'EdgepassSessionKeyStore';
export const SESSION_KEY_READ_DENY = 'SessionKeyStoreReadDeny';

/** The KeyValueStore API calls that return values: whoever may call them can forge session tokens. */
export const SESSION_KEY_READ_ACTIONS = ['cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:ListKeys'];

/** CloudFront Functions' limit on a function's code, and the names CloudFront accepts for it and for a store. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function fail(message: string): never {
  throw new EdgepassError('INVALID_CONFIG', `edgepass deploy: ${message}`);
}

/** A name CloudFront accepts, from the stack's: `<stack>-<suffix>`, refused (naming the cause) when too long. */
function resourceName(stackName: string, suffix: string): string {
  const name = `${stackName}-${suffix}`;
  if (!NAME.test(name)) {
    fail(
      `the CloudFront Function and its KeyValueStore are named after the stack (${name}): CloudFront takes 1-64 letters, digits, - and _; use a shorter service or stage name`,
    );
  }
  return name;
}

/**
 * @param code the built script (dist/cloudfront-function.js for the stage), exactly as CloudFront runs it
 */
export function cloudFrontFunctionResources(
  code: string,
  context: { readonly stackName: string; readonly stage: string },
): { resources: Resources; outputs: Record<string, Output> } {
  const bytes = Buffer.byteLength(code);
  if (bytes === 0 || bytes > CLOUDFRONT_FUNCTION_MAX_BYTES) {
    fail(`the CloudFront Function is ${bytes} bytes; CloudFront takes 1 to ${CLOUDFRONT_FUNCTION_MAX_BYTES}`);
  }
  return {
    resources: {
      [SESSION_KEY_STORE]: {
        Type: 'AWS::CloudFront::KeyValueStore',
        Properties: {
          Name: resourceName(context.stackName, 'session-keys'),
          Comment: `edgepass ${context.stage}: the CloudFront Functions gate's session keys (session-key:<id>)`,
        },
      },
      [GATE_FUNCTION]: {
        Type: 'AWS::CloudFront::Function',
        Properties: {
          Name: resourceName(context.stackName, 'gate'),
          AutoPublish: true,
          FunctionCode: code,
          FunctionConfig: {
            Comment: `edgepass ${context.stage}: the CloudFront Functions gate (viewer request)`.slice(0, 128),
            Runtime: 'cloudfront-js-2.0',
            KeyValueStoreAssociations: [{ KeyValueStoreARN: getAtt(SESSION_KEY_STORE, 'Arn') }],
          },
        },
      },
      [SESSION_KEY_READ_DENY]: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Description: `edgepass ${context.stage}: attach to anyone who reads CloudFront but must not read the session key`,
          PolicyDocument: policyDocument([
            {
              Sid: 'NoSessionKeyReads',
              Effect: 'Deny',
              Action: SESSION_KEY_READ_ACTIONS,
              Resource: getAtt(SESSION_KEY_STORE, 'Arn'),
            },
          ]),
        },
      },
    },
    outputs: {
      SessionKeyStoreReadDenyPolicyArn: {
        Description:
          'attach to every role, user or group with CloudFront read access (e.g. CloudFrontReadOnlyAccess) that must not be able to forge session tokens',
        Value: ref(SESSION_KEY_READ_DENY),
      },
      SessionKeyStoreArn: {
        Description:
          'the KeyValueStore the CloudFront Functions gate reads its session keys from (aws cloudfront-keyvaluestore put-key --kvs-arn …)',
        Value: getAtt(SESSION_KEY_STORE, 'Arn'),
      },
      GateFunctionArn: {
        Description: 'the CloudFront Functions gate (published; associated with the functionGate.paths behaviours)',
        Value: getAtt(GATE_FUNCTION, 'FunctionARN'),
      },
    },
  };
}
