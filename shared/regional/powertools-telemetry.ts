import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from './telemetry';

/**
 * Telemetry for the regional Lambdas: structured JSON logs through Powertools Logger and CloudWatch
 * EMF metrics through Powertools Metrics (flushed by the handler after each invocation).
 */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics): Telemetry {
  return {
    log: (level, message, fields) => logger[level](message, fields ?? {}),
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
