/**
 * Layer 1 — CloudFront's rules as code: canned and custom policies, CloudFront base64, signing
 * (RSA-2048 / ECDSA P-256, SHA-1 / SHA-256), the one verifier and its bounded cache of verified
 * signatures, signing params and cookies, resource patterns, IPv4 CIDRs, key groups, signing keys,
 * denial reasons, time parsing and the error codes every layer shares.
 *
 * May import: `node:crypto` and files of this folder. Nothing else — no package, no other layer —
 * so everything here can ship to the edge (test/unit/layering.test.ts enforces it).
 */

export { decodeCloudFrontBase64, encodeCloudFrontBase64 } from './base64';
export { MAX_COOKIE_HEADER, type SigningCookies, signingCookies } from './cookie-header';
export {
  type CloudFrontErrorCode,
  cloudFrontCode,
  cloudFrontErrorXml,
  DENIAL_REASONS,
  type DenialReason,
} from './denial';
export { EdgepassError, type EdgepassErrorCode, httpStatus, isEdgepassError } from './errors';
export { cidrText, type Ipv4Cidr, ipv4InCidr, parseIpv4Cidr } from './ipv4-cidr';
export { createKeyGroup, isKeyPairId, type KeyGroup, type PublicKey } from './key-group';
export { cannedPolicy, customPolicy, MAX_EPOCH_SECONDS, type Policy, parsePolicy } from './policy';
export { grantsAnyHost, isValidResourcePattern, matchResource } from './resource-pattern';
export {
  checkSignableUrl,
  type HashAlgorithm,
  MAX_URL_LENGTH,
  type SignedCookies,
  type SignOptions,
  signCookies,
  signPolicy,
  signUrl,
  signUrls,
} from './sign';
export { type KeyType, loadPublicKey, loadSigningKey, type SigningKey } from './signing-key';
export { SIGNING_COOKIES, SIGNING_PARAMS, splitSigningParams } from './signing-params';
export { VerifiedSignatureCache } from './verified-signature-cache';
export { createVerifier, type Decision, type SignedRequest, type Verifier, verifySignedRequest } from './verify';
export { epochSeconds, parseWhen } from './when';
