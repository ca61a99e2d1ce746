import { z } from 'zod';
import { EdgepassError } from '../../shared/cloudfront/errors';

/**
 * The stage parameters of a deployment (serverless.yml `params:` per stage, or `--param="name=value"`):
 * everything environment-specific that is not in edgepass.config.json. None is a secret: the
 * private key stays in Secrets Manager, named here by ARN at most. An empty string means "not set".
 */

/** Values CloudWatch Logs accepts as a retention (days). */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** `--param` gives strings, `params:` in YAML numbers and booleans: both read the same. */
const text = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value).trim());

function optional(pattern: RegExp, expected: string) {
  return text
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value))
    .refine((value) => value === undefined || pattern.test(value), { message: `expected ${expected}` });
}

const number = (fallback: number, min: number, max: number) =>
  text
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : Number(value)))
    .refine((value) => Number.isFinite(value) && value >= min && value <= max, {
      message: `expected a number from ${min} to ${max}`,
    });

const PARTITION = 'arn:aws[a-z-]*';

export const deploySettingsSchema = z.strictObject({
  /** An existing HTTPS origin (`https://origin.example.com/optional/path`) instead of the private S3 bucket. */
  originUrl: optional(
    /^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*[^/])?$/,
    'an https:// origin URL without query or trailing slash, e.g. https://origin.example.com/content',
  ),
  /** ACM certificate (us-east-1) for the alternate domain names in `domains`. */
  certificateArn: optional(
    new RegExp(`^${PARTITION}:acm:us-east-1:\\d{12}:certificate/[A-Za-z0-9-]+$`),
    'an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:123456789012:certificate/…)',
  ),
  /** AWS WAF web ACL (scope CLOUDFRONT, us-east-1) to attach to the distribution. */
  webAclArn: optional(
    new RegExp(`^${PARTITION}:wafv2:us-east-1:\\d{12}:global/webacl/[A-Za-z0-9_-]+/[a-f0-9-]+$`),
    'a WAF v2 web ACL ARN of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:123456789012:global/webacl/name/id)',
  ),
  /** Where alarm notifications go: an SNS topic with this e-mail subscription is created. */
  alarmEmail: optional(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address'),
  /** The signing secret's full ARN (with its 6-character suffix), to scope GetSecretValue to exactly it. */
  signingSecretArn: optional(
    new RegExp(`^${PARTITION}:secretsmanager:us-east-1:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$`),
    'the secret ARN in us-east-1 as Secrets Manager shows it (…:secret:edgepass/prod/signing-key-AbCdEf)',
  ),
  /** The customer-managed KMS key encrypting the secret, if any: adds kms:Decrypt via Secrets Manager. */
  signingSecretKmsKeyArn: optional(
    new RegExp(`^${PARTITION}:kms:us-east-1:\\d{12}:key/[A-Za-z0-9-]+$`),
    'a KMS key ARN in us-east-1 (arn:aws:kms:us-east-1:123456789012:key/…)',
  ),
  /** Days every function's logs are kept (the edge function's replica groups in other regions: see docs/deploy.md). */
  logRetentionDays: number(30, 1, 3653).refine((days) => RETENTION_DAYS.includes(days), {
    message: `expected one of CloudWatch Logs' retention values: ${RETENTION_DAYS.join(', ')}`,
  }),
  /** IPv6 for viewers; off by default because policies with IpAddress hold IPv4 ranges only. */
  ipv6: text
    .optional()
    .transform((value) => value ?? 'false')
    .refine((value) => value === 'true' || value === 'false', { message: 'expected true or false' })
    .transform((value) => value === 'true'),
  /** Alarm when the distribution's 4xx rate (percent of requests, 5-minute average) passes this. */
  alarm4xxRatePercent: number(10, 0, 100),
  /** Alarm when the distribution's 5xx rate (percent of requests, 5-minute average) passes this. */
  alarm5xxRatePercent: number(1, 0, 100),
  /** Alarm when login refuses more than this many requests (401/403/400) in 5 minutes. */
  alarmLoginDenials: number(100, 1, 1_000_000),
});

export type DeploySettings = z.output<typeof deploySettingsSchema>;

/**
 * Validates the stage parameters (`custom.edgepass` in serverless.yml); a mistake names the parameter.
 *
 * @example
 * parseDeploySettings({ originUrl: '', logRetentionDays: '30' }).logRetentionDays // 30
 */
export function parseDeploySettings(input: unknown): DeploySettings {
  const result = deploySettingsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `${issue.path.length === 0 ? '(custom.edgepass)' : issue.path.join('.')}: ${issue.message}`,
  );
  throw new EdgepassError('INVALID_CONFIG', `edgepass stage parameters: ${issues.join('; ')}`);
}
