/**
 * What the regional functions report, kept as an interface so shared/ stays free of AWS: the
 * handlers wire it to Powertools Logger (structured JSON logs) and Metrics (EMF); tests record it.
 */
/** The CloudWatch namespace of every edgepass metric (EMF documents written by Powertools Metrics). */
export const METRIC_NAMESPACE = 'edgepass';

/**
 * The metrics the regional functions emit, each with the `service` dimension (the function's
 * Powertools service name). `Denials` is also split by `reason` (the error code, DENIAL_DIMENSION);
 * `SigningKeyFallback` counts failed refreshes of the signing key while the last good key keeps
 * serving (Secrets Manager unreachable or the new version unusable). The deployment's alarms
 * (scripts/deploy/alarms.ts) name these.
 */
export type MetricName = 'CookiesIssued' | 'UrlsSigned' | 'Denials' | 'SigningKeyFallback';

/** The dimension `Denials` is split by. */
export const DENIAL_DIMENSION = 'reason';

export interface Telemetry {
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  /** A count metric, optionally split by one dimension (e.g. denials by `reason`). */
  count(metric: MetricName, value: number, dimension?: { name: string; value: string }): void;
}

/** A telemetry sink that keeps everything in memory, for tests and benchmarks. */
export function recordingTelemetry(): Telemetry & {
  readonly logs: { level: string; message: string; fields?: Record<string, unknown> }[];
  readonly counts: { metric: string; value: number; dimension?: { name: string; value: string } }[];
} {
  const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const counts: { metric: string; value: number; dimension?: { name: string; value: string } }[] = [];
  return {
    logs,
    counts,
    log: (level, message, fields) => logs.push(fields === undefined ? { level, message } : { level, message, fields }),
    count: (metric, value, dimension) =>
      counts.push(dimension === undefined ? { metric, value } : { metric, value, dimension }),
  };
}
