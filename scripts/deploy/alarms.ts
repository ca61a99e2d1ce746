import type { EdgepassErrorCode } from '../../shared/cloudfront/errors';
import { DENIAL_DIMENSION, METRIC_NAMESPACE, type MetricName } from '../../shared/regional/telemetry';
import { type Json, type Resources, ref } from './cloudformation';
import type { DeploySettings } from './settings';

/**
 * The alarms an operator needs, each saying in its description what it usually means:
 * - the distribution's 4xx and 5xx rates (AWS/CloudFront, Region=Global);
 * - login denials and signing errors, from the EMF metrics the regional functions emit
 *   (shared/regional/telemetry.ts: `Denials` by service and reason) and Lambda's own Errors;
 * - the signing key fallback (`SigningKeyFallback`): Secrets Manager could not be read and the
 *   functions sign with the last good key, which stops after `maxStaleMs` (1 h).
 * With `alarmEmail`, an SNS topic mails every change of state.
 */

export const ALARM_TOPIC = 'AlarmTopic';

/** The Powertools service names of the regional functions (functions/<name>/handler.ts). */
export const SERVICES = { login: 'edgepass-login', sign: 'edgepass-sign' } as const;

/** Login refusals that a spike of means an attack, a broken client or a misconfigured identity provider. */
export const LOGIN_DENIAL_REASONS: readonly EdgepassErrorCode[] = [
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'FORBIDDEN_RESOURCE',
  'CLAIM_UNUSABLE',
  'ORIGIN_NOT_ALLOWED',
  'BAD_REQUEST',
];

/** Failures to sign at all: no key, no identity provider keys, a bug. */
export const SIGNING_ERROR_REASONS: readonly EdgepassErrorCode[] = [
  'SIGNING_KEY_UNAVAILABLE',
  'IDP_UNAVAILABLE',
  'INTERNAL',
];

export interface AlarmMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, Json>>;
}

const edgepassMetric = (name: MetricName, service: string, reason?: string): AlarmMetric => ({
  namespace: METRIC_NAMESPACE,
  name,
  dimensions: reason === undefined ? { service } : { service, [DENIAL_DIMENSION]: reason },
});

const dimensions = (metric: AlarmMetric): Json =>
  Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value }));

/** An alarm on the sum of several metrics over 5 minutes (at most 10: CloudWatch's limit per alarm). */
function sumAlarm(description: string, metrics: readonly AlarmMetric[], threshold: number, actions: Json[]) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Metrics: [
        ...metrics.map((metric, index) => ({
          Id: `m${index}`,
          MetricStat: {
            Metric: { Namespace: metric.namespace, MetricName: metric.name, Dimensions: dimensions(metric) },
            Period: 300,
            Stat: 'Sum',
          },
          ReturnData: false,
        })),
        { Id: 'total', Expression: 'SUM(FILL(METRICS(), 0))', Label: 'total', ReturnData: true },
      ],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: threshold,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: actions,
      OKActions: actions,
    },
  };
}

function rateAlarm(description: string, metricName: string, distribution: string, threshold: number, actions: Json[]) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: 'AWS/CloudFront',
      MetricName: metricName,
      Dimensions: [
        { Name: 'DistributionId', Value: ref(distribution) },
        { Name: 'Region', Value: 'Global' },
      ],
      Statistic: 'Average',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: actions,
      OKActions: actions,
    },
  };
}

/** The metrics each edgepass alarm reads, for the tests that hold them against what the handlers emit. */
export function alarmMetrics(functions: {
  readonly login: string;
  readonly sign: string;
}): Record<string, AlarmMetric[]> {
  const lambdaErrors = (logicalId: string): AlarmMetric => ({
    namespace: 'AWS/Lambda',
    name: 'Errors',
    dimensions: { FunctionName: ref(logicalId) },
  });
  return {
    LoginDenialsAlarm: LOGIN_DENIAL_REASONS.map((reason) => edgepassMetric('Denials', SERVICES.login, reason)),
    SigningErrorsAlarm: [
      ...[SERVICES.login, SERVICES.sign].flatMap((service) =>
        SIGNING_ERROR_REASONS.map((reason) => edgepassMetric('Denials', service, reason)),
      ),
      lambdaErrors(functions.login),
      lambdaErrors(functions.sign),
    ],
    SigningKeyFallbackAlarm: [SERVICES.login, SERVICES.sign].map((service) =>
      edgepassMetric('SigningKeyFallback', service),
    ),
  };
}

export function alarmResources(
  settings: DeploySettings,
  context: { readonly distribution: string; readonly login: string; readonly sign: string },
): Resources {
  const actions: Json[] = settings.alarmEmail === undefined ? [] : [ref(ALARM_TOPIC)];
  const metrics = alarmMetrics(context);
  return {
    ...(settings.alarmEmail === undefined
      ? {}
      : {
          [ALARM_TOPIC]: {
            Type: 'AWS::SNS::Topic',
            Properties: {
              DisplayName: 'edgepass alarms',
              Subscription: [{ Protocol: 'email', Endpoint: settings.alarmEmail }],
            },
          },
        }),
    Distribution4xxAlarm: rateAlarm(
      '4xx rate above threshold: expired cookies or URLs (clock skew, TTLs too short), tampering, or a broken player. `edgepass inspect` explains a 403.',
      '4xxErrorRate',
      context.distribution,
      settings.alarm4xxRatePercent,
      actions,
    ),
    Distribution5xxAlarm: rateAlarm(
      '5xx rate above threshold: the gate failing (LambdaExecutionError; logs in the viewer’s nearest region), the origin or the HTTP API.',
      '5xxErrorRate',
      context.distribution,
      settings.alarm5xxRatePercent,
      actions,
    ),
    LoginDenialsAlarm: sumAlarm(
      'Login refusing many requests (401/403/400): credential stuffing, a client sending stale tokens, or an identity provider whose issuer, audience or keys changed.',
      metrics.LoginDenialsAlarm as AlarmMetric[],
      settings.alarmLoginDenials,
      actions,
    ),
    SigningErrorsAlarm: sumAlarm(
      'Login or the URL issuer failed to sign (503/500 or a crashed invocation): the signing secret or the identity provider’s keys are unreachable. See the functions’ logs for what to fix.',
      metrics.SigningErrorsAlarm as AlarmMetric[],
      1,
      actions,
    ),
    SigningKeyFallbackAlarm: sumAlarm(
      'Secrets Manager could not be read (or its new version is unusable): the functions still sign with the last good key, for at most an hour. Fix access to the secret before then.',
      metrics.SigningKeyFallbackAlarm as AlarmMetric[],
      1,
      actions,
    ),
  };
}
