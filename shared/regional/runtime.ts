import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { epochSeconds } from '../cloudfront/when';
import type { EdgepassConfig } from '../config/schema';
import { createTokenVerifier, type KeySetEvent, type TokenVerifier } from '../identity/token-verifier';
import { BoundedHttpHandler } from './bounded-http-handler';
import { powertoolsTelemetry } from './powertools-telemetry';
import { createSecretsManagerKeySource, type SigningKeySource, type SigningKeySourceEvent } from './signing-key-source';
import { METRIC_NAMESPACE, type Telemetry } from './telemetry';

export interface RegionalRuntime {
  readonly config: EdgepassConfig;
  readonly tokens: TokenVerifier;
  readonly keys: SigningKeySource;
  readonly telemetry: Telemetry;
  readonly now: () => number;
  /** Wraps a handler so buffered EMF metrics are flushed after every invocation. */
  serve<E, R>(handler: (event: E) => Promise<R>): (event: E) => Promise<R>;
}

/**
 * The most of a `GetSecretValue` answer a regional Lambda reads: 256 KiB. An edgepass signing secret
 * is about 2 KB (an RSA-2048 PEM in JSON) and Secrets Manager stores at most 64 KiB a secret; 4× that
 * leaves room for the answer's own JSON (ARN, name, dates, the secret's text escaped once more), so
 * no real answer comes near the cap. Without one the SDK buffers and JSON-parses whatever the endpoint
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER, a proxy) sends, and a few hundred MB of it kill a 256 MB function
 * with a fatal out-of-memory error that no handler can turn into an answer.
 */
export const MAX_SECRETS_MANAGER_ANSWER_BYTES = 256 * 1024;

/**
 * The Secrets Manager client a regional Lambda reads its signing key with: its retry and timeout
 * settings, an answer cap (`MAX_SECRETS_MANAGER_ANSWER_BYTES`), plus `overrides` (tests point it at
 * a local endpoint with dummy credentials).
 *
 * @example
 * const client = createSecretsManagerClient({ endpoint: 'http://127.0.0.1:4566', region: 'us-east-1' });
 */
export function createSecretsManagerClient(overrides: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({
    // Two attempts of at most 1.2 s each fit in the key source's 3 s deadline, which is what bounds
    // the call: requestTimeout stops at the response headers (a dripping body is not covered) and
    // restarts with each attempt. Without throwOnRequestTimeout the SDK only warns when it passes.
    // An answer over the cap fails the attempt (ResponseTooLarge, which the SDK does not retry) and
    // closes the connection: the key source turns it into SIGNING_KEY_UNAVAILABLE like any failure.
    maxAttempts: 2,
    requestHandler: new BoundedHttpHandler(
      { connectionTimeout: 1000, requestTimeout: 1200, throwOnRequestTimeout: true },
      MAX_SECRETS_MANAGER_ANSWER_BYTES,
    ),
    ...overrides,
  });
}

/**
 * Writes a key source's events (what happened to the signing secret, what to fix) to the logs, and
 * counts `SigningKeyFallback` each time the last good key keeps serving after a failed refresh.
 */
export function keySourceLog(telemetry: Telemetry): (event: SigningKeySourceEvent) => void {
  return (event) => {
    telemetry.log(event.level, event.message, { secretId: event.secretId, cause: event.cause });
    if (event.fallback === true) telemetry.count('SigningKeyFallback', 1);
  };
}

/** Writes a remote key set's events (an identity provider's JWKS failing, or back) to the logs. */
export function keySetLog(telemetry: Telemetry): (event: KeySetEvent) => void {
  return (event) => telemetry.log(event.level, event.message, { provider: event.provider, cause: event.cause });
}

/**
 * The real dependencies of a regional Lambda, built once per cold start: the baked configuration,
 * the JWT verifier, the Secrets Manager key source (the SDK honours AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * which the local stack and tests use), Powertools logging and metrics.
 */
export function createRegionalRuntime(config: EdgepassConfig, service: string): RegionalRuntime {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: service });
  const telemetry = powertoolsTelemetry(logger, metrics);
  const keys = createSecretsManagerKeySource({
    secretId: config.signingSecretId,
    client: createSecretsManagerClient(),
    onEvent: keySourceLog(telemetry),
  });
  return {
    config,
    tokens: createTokenVerifier(config.identityProviders, {
      maxTokenBytes: config.limits.maxTokenBytes,
      onKeySetEvent: keySetLog(telemetry),
    }),
    keys,
    telemetry,
    now: () => epochSeconds(),
    serve: (handler) => async (event) => {
      try {
        return await handler(event);
      } finally {
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }
    },
  };
}
