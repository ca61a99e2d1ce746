import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { epochSeconds } from '../cloudfront/when';
import type { EdgepassConfig } from '../config/schema';
import { createTokenVerifier, type TokenVerifier } from '../identity/token-verifier';
import { powertoolsTelemetry } from './powertools-telemetry';
import { createSecretsManagerKeySource, type SigningKeySource } from './signing-key-source';
import type { Telemetry } from './telemetry';

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
 * The real dependencies of a regional Lambda, built once per cold start: the baked configuration,
 * the JWT verifier, the Secrets Manager key source (the SDK honours AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * which the local stack and tests use), Powertools logging and metrics.
 */
export function createRegionalRuntime(config: EdgepassConfig, service: string): RegionalRuntime {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace: 'edgepass', serviceName: service });
  const telemetry = powertoolsTelemetry(logger, metrics);
  const keys = createSecretsManagerKeySource({
    secretId: config.signingSecretId,
    // A hung Secrets Manager call must become a quick 503, not a Lambda timeout: without
    // throwOnRequestTimeout the SDK only warns when requestTimeout passes.
    client: new SecretsManagerClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true },
    }),
    onEvent: (event) => telemetry.log(event.level, event.message, { secretId: event.secretId, cause: event.cause }),
  });
  return {
    config,
    tokens: createTokenVerifier(config.identityProviders, { maxTokenBytes: config.limits.maxTokenBytes }),
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
