/**
 * Layer 3 — who may see what: JWT verification (jose), access rules from claims to grants, login
 * cookies, `Set-Cookie` values, and the login and URL-issuer services. Pure over injected
 * dependencies (token verifier, signing key source, clock): nothing here talks to AWS.
 *
 * May import: `cloudfront/`, `edge/`, `jose`, `zod`, `node:crypto`, and types from
 * `config/schema` (test/unit/layering.test.ts enforces it).
 */

export { type Grant, grantFor, grantsFor, resourceFor } from './access-policy';
export { type CookieAttributes, expiredCookieValue, setCookieValue } from './set-cookie';
export {
  createTokenVerifier,
  type KeySetEvent,
  type RefreshingTokenVerifier,
  type TokenVerifier,
  type VerifiedToken,
} from './token-verifier';
