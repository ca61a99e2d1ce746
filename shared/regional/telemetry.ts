/**
 * What the regional functions report, kept as an interface so shared/ stays free of AWS: the
 * handlers wire it to Powertools Logger (structured JSON logs) and Metrics (EMF); tests record it.
 */
export interface Telemetry {
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  /** A count metric, optionally split by one dimension (e.g. denials by `reason`). */
  count(
    metric: 'CookiesIssued' | 'UrlsSigned' | 'Denials',
    value: number,
    dimension?: { name: string; value: string },
  ): void;
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
