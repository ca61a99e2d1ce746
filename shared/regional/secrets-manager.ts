/**
 * `edgepass/secrets-manager`: the signing key source backed by AWS Secrets Manager, an entry point of
 * its own so that `edgepass` (the core) never pulls in the AWS SDK. Needs the optional peer
 * dependency `@aws-sdk/client-secrets-manager`.
 */

export type { SigningKeySource, SigningMaterial } from '../identity/signing-key-source';
export {
  createSecretsManagerKeySource,
  parseSigningSecret,
  type SecretsManagerKeySourceOptions,
  type SigningKeySourceEvent,
} from './signing-key-source';
