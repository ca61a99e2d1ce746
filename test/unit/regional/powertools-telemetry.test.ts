import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { MAX_FIELD_TEXT, powertoolsTelemetry } from '../../../shared/regional/powertools-telemetry';
import { keySourceLog } from '../../../shared/regional/runtime';
import { METRIC_NAMESPACE } from '../../../shared/regional/telemetry';

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

  it('keeps a field named like a Powertools key instead of dropping it with a warning', () => {
    const telemetry = powertoolsTelemetry(new Logger({ serviceName: 'edgepass-test' }), new Metrics());
    telemetry.log('warn', 'request refused', { message: 'token is malformed', level: 'custom' });
    const lines = documents();
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'WARN', _message: 'token is malformed', _level: 'custom' }),
    );
    expect(JSON.stringify(lines)).not.toContain('reserved key');
  });

  it('caps every string, array and nesting, and escapes control characters, so a line stays small', () => {
    const telemetry = powertoolsTelemetry(new Logger({ serviceName: 'edgepass-test' }), new Metrics());
    const huge = `\u001b[2J${'A'.repeat(5 * 1024 * 1024)}`;
    telemetry.log('error', huge, {
      cause: huge,
      grants: Array.from({ length: 1000 }, (_, index) => `/users/${index}/*`),
      nested: { deeper: { deepest: { value: huge } } },
      error: new Error(huge),
      count: 3,
    });
    const written = writes.flatMap((write) => write.mock.calls).map((call) => String(call[0]));
    expect(written).toHaveLength(1);
    // Four hostile strings of at most MAX_FIELD_TEXT characters (and a length marker), the rest small.
    expect(Buffer.byteLength(written[0] ?? '')).toBeLessThan(4 * (MAX_FIELD_TEXT + 30) + 1024);
    const [line] = documents();
    expect(line).toMatchObject({
      level: 'ERROR',
      message: expect.stringMatching(/^\\u001b\[2JA+… \(5242884 chars\)$/),
      cause: expect.stringMatching(/^\\u001b\[2JA+… \(5242884 chars\)$/),
      nested: { deeper: { deepest: '[nested too deep]' } },
      error: expect.stringMatching(/^Error: \\u001b/),
      count: 3,
    });
    const grants = (line?.grants ?? []) as string[];
    expect(grants).toHaveLength(21);
    expect(grants.at(-1)).toBe('… 980 more');
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

  it('counts SigningKeyFallback (service dimension) when a key source keeps serving its last good key', () => {
    const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'edgepass-sign' });
    const log = keySourceLog(powertoolsTelemetry(new Logger({ serviceName: 'edgepass-sign' }), metrics));
    log({ level: 'info', message: 'loaded signing key K1', secretId: 'edgepass/test' });
    metrics.publishStoredMetrics();
    expect(documents().filter((doc) => '_aws' in doc)).toEqual([]);

    log({
      level: 'warn',
      message: 'Secrets Manager unavailable; still signing',
      secretId: 'edgepass/test',
      fallback: true,
    });
    metrics.publishStoredMetrics();
    expect(documents().filter((doc) => '_aws' in doc)).toEqual([
      expect.objectContaining({
        SigningKeyFallback: 1,
        service: 'edgepass-sign',
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            {
              Namespace: 'edgepass',
              Dimensions: [['service']],
              Metrics: [expect.objectContaining({ Name: 'SigningKeyFallback', Unit: 'Count' })],
            },
          ],
        }),
      }),
    ]);
  });
});
