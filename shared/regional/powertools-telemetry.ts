import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logText } from './log-text';
import type { Telemetry } from './telemetry';

/**
 * Telemetry for the regional Lambdas on Powertools: JSON log lines of bounded size and EMF metrics.
 */

/** Keys Powertools Logger keeps for itself: a field so named would be dropped (with a warning). */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);
/** The longest string any field keeps, whoever wrote it: the last guard of a log line's size. */
export const MAX_FIELD_TEXT = 1000;
/** Array items and object keys kept per field. */
const MAX_ITEMS = 20;
const MAX_DEPTH = 3;

/** `value` with its strings capped and escaped; `depth` is how deep in the fields it sits (1: a field). */
function boundedValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return logText(value, MAX_FIELD_TEXT);
  if (value instanceof Error) return logText(`${value.name}: ${value.message}`, MAX_FIELD_TEXT);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => boundedValue(item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  return boundedFields(value as Record<string, unknown>, depth);
}

function boundedFields(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields)
      .slice(0, MAX_ITEMS)
      .map(([key, value]) => [
        depth === 0 && RESERVED_KEYS.has(key) ? `_${key}` : logText(key, 64),
        boundedValue(value, depth + 1),
      ]),
  );
}

/**
 * Telemetry for the regional Lambdas: structured JSON logs through Powertools Logger and CloudWatch
 * EMF metrics through Powertools Metrics (flushed by the handler after each invocation). Every
 * logged string is capped and has its control characters escaped (`logText`), arrays and objects
 * keep 20 entries, and a field named like a Powertools key (`message`, `level`…) is kept as
 * `_message`, `_level`… instead of being dropped.
 */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics): Telemetry {
  return {
    log: (level, message, fields) => logger[level](logText(message, MAX_FIELD_TEXT), boundedFields(fields ?? {}, 0)),
    count: (metric, value, dimension) => {
      if (dimension === undefined) {
        metrics.addMetric(metric, MetricUnit.Count, value);
        return;
      }
      const single = metrics.singleMetric();
      single.addDimension(dimension.name, dimension.value);
      single.addMetric(metric, MetricUnit.Count, value);
    },
  };
}
