import type { SigningKey } from '../cloudfront/signing-key';

/**
 * Where the login and URL-issuer services get the key they sign with. The services depend on this
 * interface only; regional/signing-key-source.ts implements it with Secrets Manager, tests and the
 * local stack with whatever they like.
 */
export interface SigningKeySource {
  /** Cheap after the first call (implementations cache). */
  get(): Promise<SigningMaterial>;
}

/** The key the regional Lambdas sign with, and the CloudFront public key id that verifies it. */
export interface SigningMaterial {
  readonly keyPairId: string;
  readonly key: SigningKey;
  /** The version of the secret it came from (changes on every rotation). */
  readonly versionId: string | undefined;
  /**
   * The HMAC key of the session token (the CloudFront Functions gate), when the secret holds one: its
   * id (the function's KeyValueStore holds it as `session-key:<keyId>`) and its text.
   */
  readonly session?: SessionKey | undefined;
}

/** A session-token HMAC key: the id a token names and the key text (base64url of ≥ 32 random bytes). */
export interface SessionKey {
  readonly keyId: string;
  readonly key: string;
}
