/**
 * Layer 4 — AWS glue for the regional Lambdas (login, URL issuer): API Gateway HTTP API events in and
 * out, CORS, the Secrets Manager signing key source and the SDK HTTP handler that caps its answers,
 * Powertools logging and metrics, and the runtime that wires them together once per cold start.
 *
 * May import: every layer below (`cloudfront/`, `edge/`, `identity/`), types from `config/schema`,
 * `@aws-sdk/client-secrets-manager`, `@smithy/node-http-handler` (the SDK's own HTTP handler),
 * `@aws-lambda-powertools/*` and `node:stream` (test/unit/layering.test.ts enforces it).
 */

export { type CorsConfig, corsHeaders, preflightHeaders } from './cors';
export { checkFormOrigin, formOrigins } from './csrf';
export { answerHttpApi, type HttpRequest, type HttpResult, mediaType, parseHttpApiEvent } from './http-api';
export { createRegionalRuntime, type RegionalRuntime } from './runtime';
export {
  createSecretsManagerKeySource,
  parseSigningSecret,
  type SecretsManagerKeySource,
  type SigningKeySource,
  type SigningMaterial,
} from './signing-key-source';
export type { Telemetry } from './telemetry';
