/**
 * The security core: the files whose every line decides whether a request is let through, a
 * credential is issued or a key is trusted. One list for the coverage gate (vitest.config.mts) and
 * for mutation testing (stryker.config.mjs); docs/testing.md says why each is in it.
 */
export const SECURITY_CORE = [
  // CloudFront layer: policies, signing, the one verifier and what it reads.
  'shared/cloudfront/policy.ts',
  'shared/cloudfront/sign.ts',
  'shared/cloudfront/verify.ts',
  'shared/cloudfront/base64.ts',
  'shared/cloudfront/signing-params.ts',
  'shared/cloudfront/cookie-header.ts',
  'shared/cloudfront/resource-pattern.ts',
  'shared/cloudfront/glob.ts',
  'shared/cloudfront/ipv4-cidr.ts',
  'shared/cloudfront/key-group.ts',
  'shared/cloudfront/verified-signature-cache.ts',
  // Edge layer: the gate (one decision for both gates), its path rules and the Lambda@Edge event.
  'shared/edge/gate.ts',
  'shared/edge/gate-decision.ts',
  'shared/edge/canonical-path.ts',
  'shared/edge/compatibility-character.ts',
  'shared/edge/strip-referer.ts',
  'shared/edge/public-paths.ts',
  'shared/edge/viewer-request-event.ts',
  'shared/edge/return-to.ts',
  // The CloudFront Functions gate's own: its event, the session token and its HMAC.
  'shared/edge/function-event.ts',
  'shared/edge/session-token.ts',
  'shared/identity/session-hmac.ts',
  // Identity: who may have what, and the credentials issued for it.
  'shared/identity/access-policy.ts',
  'shared/identity/token-verifier.ts',
  'shared/identity/credential-expiry.ts',
  'shared/identity/login-cookies.ts',
  'shared/identity/url-issuer.ts',
  // Regional: the Secrets Manager key source.
  'shared/regional/signing-key-source.ts',
];
