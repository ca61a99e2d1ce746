import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { powertoolsTelemetry } from '../../../shared/regional/powertools-telemetry';

// Powertools writes structured JSON and EMF documents to stdout; the Lambda runtime ships them to
// CloudWatch, which extracts the metrics. Read them back from stdout as CloudWatch would.
// (Powertools sends WARN and ERROR through console.warn/error, i.e. stderr.)
let writes: MockInstance<typeof process.stdout.write>[] = [];
beforeEach(() => {
  writes = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(() => true));
});
afterEach(() => {
  for (const write of writes) write.mockRestore();
});

function documents(): Record<string, unknown>[] {
  return writes
    .flatMap((write) => write.mock.calls)
    .map((call) => String(call[0]))
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('powertoolsTelemetry', () => {
  it('logs structured JSON lines with the service name and the fields', () => {
    const telemetry = powertoolsTelemetry(
      new Logger({ serviceName: 'edgepass-test' }),
      new Metrics({ namespace: 'edgepass' }),
    );
    telemetry.log('warn', 'request refused', { code: 'TOKEN_EXPIRED' });
    expect(documents()).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'request refused',
        service: 'edgepass-test',
        code: 'TOKEN_EXPIRED',
      }),
    );
  });

  it('emits EMF counts: plain metrics on flush, denials at once with their reason dimension', () => {
    const metrics = new Metrics({ namespace: 'edgepass', serviceName: 'edgepass-test' });
    const telemetry = powertoolsTelemetry(new Logger({ serviceName: 'edgepass-test' }), metrics);
    telemetry.count('Denials', 1, { name: 'reason', value: 'FORBIDDEN_RESOURCE' });
    telemetry.count('CookiesIssued', 2);
    metrics.publishStoredMetrics();
    const emf = documents().filter((doc) => '_aws' in doc);
    expect(emf).toContainEqual(
      expect.objectContaining({
        reason: 'FORBIDDEN_RESOURCE',
        Denials: 1,
        _aws: expect.objectContaining({
          CloudWatchMetrics: [expect.objectContaining({ Namespace: 'edgepass', Dimensions: [['service', 'reason']] })],
        }),
      }),
    );
    expect(emf).toContainEqual(expect.objectContaining({ CookiesIssued: 2, service: 'edgepass-test' }));
  });
});
