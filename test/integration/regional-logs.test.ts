import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createLoginHandler } from '../../functions/login/create-handler';
import { powertoolsTelemetry } from '../../shared/regional/powertools-telemetry';
import { keySourceLog } from '../../shared/regional/runtime';
import { type JwksServer, serveJwks } from '../fixtures/identity-provider';
import { httpApiEvent, type RegionalFixture, startRegionalFixture } from '../fixtures/regional';

// What the Lambda writes to CloudWatch, read back from stdout/stderr the way the runtime ships it:
// the real handler, Powertools Logger, and upstream servers that answer with megabytes of text.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** No log line may be longer than this, whatever an upstream server answers. */
const MAX_LINE_BYTES = 4096;
const FIVE_MB = 5 * 1024 * 1024;

let fx: RegionalFixture;
let token: string;
let writes: MockInstance<typeof process.stdout.write>[] = [];

beforeAll(async () => {
  fx = await startRegionalFixture();
  token = await fx.idp.mint({ sub: 'ada', groups: ['premium'] });
});
afterAll(() => fx.close());
beforeEach(() => {
  writes = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(() => true));
});
afterEach(() => {
  for (const write of writes) write.mockRestore();
  fx.sm.clearFaults();
});

/** Every line written so far. */
function lines(): string[] {
  return writes
    .flatMap((write) => write.mock.calls)
    .flatMap((call) => String(call[0]).split('\n'))
    .filter((line) => line !== '');
}

/** The JSON log lines written so far. */
function documents(): Record<string, unknown>[] {
  return lines()
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Control characters in any string value of a parsed log line (a terminal or a text sink would obey them). */
function controlCharacters(value: unknown): string[] {
  if (typeof value === 'string') return value.match(/[\u0000-\u001f\u007f-\u009f]/g) ?? [];
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(controlCharacters);
  return [];
}

/** The login handler as the Lambda wires it: Powertools logging, key source events in the same log. */
function loggedLogin(overrides: Parameters<RegionalFixture['dependencies']>[0] = {}) {
  const telemetry = powertoolsTelemetry(
    new Logger({ serviceName: 'edgepass-login' }),
    new Metrics({ namespace: 'edgepass', serviceName: 'edgepass-login' }),
  );
  const deps = fx.dependencies(overrides, { keys: { onEvent: keySourceLog(telemetry) } });
  return createLoginHandler({ ...deps, telemetry });
}

const loginEvent = (authorization = `Bearer ${token}`) =>
  httpApiEvent({ path: '/auth/login', headers: { authorization, 'content-type': 'application/json' } });

describe('regional logs through Powertools', () => {
  it('log the refused request with its code and the reason, and drop no field as reserved', async () => {
    const result = await loggedLogin()(loginEvent('Bearer not-a-jwt'));

    expect(result.statusCode).toBe(401);
    expect(lines().join('\n')).not.toContain('reserved key');
    expect(documents()).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'request refused',
        code: 'TOKEN_INVALID',
        error: 'token is malformed',
      }),
    );
  });

  it.each([
    ['InvalidRequestException', 400],
    ['SomethingNewException', 400],
    ['InternalServiceError', 500],
  ])('stay under 4 KiB a line when Secrets Manager answers %s with a 5 MB message', async (type, status) => {
    const hostile = `\u001b[31m\r\n${'A'.repeat(FIVE_MB)}`;
    fx.sm.failNext({ error: type, message: hostile, status }, 5);

    const result = await loggedLogin()(loginEvent());

    expect(result.statusCode).toBe(503);
    const written = lines();
    expect(written.length).toBeGreaterThan(0);
    for (const line of written) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(documents().flatMap(controlCharacters)).toEqual([]);
    expect(documents()).toContainEqual(expect.objectContaining({ level: 'ERROR', code: 'SIGNING_KEY_UNAVAILABLE' }));
  });

  it('stay under 4 KiB a line when the JWKS answers 5 MB that is not a key set', async () => {
    let server: JwksServer | undefined;
    try {
      server = await serveJwks({ keys: 'x'.repeat(FIVE_MB) });
      const result = await loggedLogin({ identityProviders: [fx.idp.remoteConfig(server.url)] })(loginEvent());

      expect(result.statusCode).toBe(503);
      for (const line of lines()) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
      expect(documents()).toContainEqual(expect.objectContaining({ code: 'IDP_UNAVAILABLE' }));
    } finally {
      await server?.close();
    }
  });
});
