import { describe, expectTypeOf, it } from 'vitest';
import {
  type Decision,
  type DenialReason,
  EdgepassError,
  type EdgepassErrorCode,
  type PathProblem,
  type SignOptions,
  signUrl,
  verifySignedRequest,
} from '../../shared';
import type { SigningKeySource } from '../../shared/regional/secrets-manager';

/** The public API's types, pinned: a change here is a change for every user. */
describe('the public API types', () => {
  it('narrows a Decision on allowed: ok and OK when allowed, a denial reason and CloudFront code otherwise', () => {
    const decision = verifySignedRequest({ url: 'https://h/a' }, { now: 0 });
    expectTypeOf(decision).toEqualTypeOf<Decision>();
    if (decision.allowed) {
      expectTypeOf(decision.reason).toEqualTypeOf<'ok'>();
      expectTypeOf(decision.code).toEqualTypeOf<'OK'>();
    } else {
      expectTypeOf(decision.reason).toEqualTypeOf<DenialReason>();
      expectTypeOf(decision.code).toEqualTypeOf<
        'MissingKey' | 'InvalidKey' | 'MalformedSignature' | 'MalformedPolicy' | 'AccessDenied'
      >();
    }
  });

  it('lists every error code: a new one must be added here (and to the docs) on purpose', () => {
    const all = {
      BAD_REQUEST: true,
      INVALID_URL: true,
      INVALID_TIME: true,
      INVALID_IP: true,
      INVALID_RESOURCE: true,
      INVALID_KEY: true,
      KEY_PASSPHRASE_REQUIRED: true,
      PAYLOAD_TOO_LARGE: true,
      TOKEN_MISSING: true,
      TOKEN_INVALID: true,
      TOKEN_EXPIRED: true,
      FORBIDDEN_RESOURCE: true,
      CLAIM_UNUSABLE: true,
      ORIGIN_NOT_ALLOWED: true,
      NOT_FOUND: true,
      RATE_LIMITED: true,
      SIGNING_KEY_UNAVAILABLE: true,
      IDP_UNAVAILABLE: true,
      INVALID_CONFIG: true,
      INTERNAL: true,
    } as const satisfies Record<EdgepassErrorCode, true>;
    expectTypeOf<keyof typeof all>().toEqualTypeOf<EdgepassErrorCode>();
    expectTypeOf(new EdgepassError('BAD_REQUEST', 'm').code).toEqualTypeOf<EdgepassErrorCode>();
    // @ts-expect-error: not a code
    new EdgepassError('NOT_A_CODE', 'm');
  });

  it('needs keyPairId, privateKey and expires to sign; everything else is optional', () => {
    expectTypeOf(signUrl).parameter(1).toEqualTypeOf<SignOptions>();
    expectTypeOf<Pick<SignOptions, 'keyPairId' | 'privateKey' | 'expires'>>().toMatchTypeOf<SignOptions>();
    expectTypeOf<SignOptions['notBefore']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SignOptions['hashAlgorithm']>().toEqualTypeOf<'sha1' | 'sha256' | undefined>();
    // @ts-expect-error: expires is required
    signUrl('https://h/a', { keyPairId: 'K', privateKey: 'pem' });
  });

  it('names path problems with a closed set of strings', () => {
    expectTypeOf<'dot-segment'>().toMatchTypeOf<PathProblem>();
    expectTypeOf<'anything-else'>().not.toMatchTypeOf<PathProblem>();
  });

  it('keeps the key-source port in the Secrets Manager entry point', () => {
    expectTypeOf<SigningKeySource['get']>().returns.resolves.toHaveProperty('keyPairId');
  });
});
