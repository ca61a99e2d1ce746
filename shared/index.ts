/**
 * edgepass core: CloudFront policies, signing and verification, redirects, access rules and JWTs —
 * everything AWS-free. (The Secrets Manager key source is imported from its own module,
 * `shared/signing-key-source`, so this entry point never pulls in the AWS SDK.)
 */

export { type Grant, grantFor, grantsFor, resourceFor } from './access-policy';
export { decodeCloudFrontBase64, encodeCloudFrontBase64 } from './cloudfront-base64';
export { type EdgeConfig, type EdgepassConfig, parseConfig, toEdgeConfig } from './config';
export { MAX_COOKIE_HEADER, type SigningCookies, signingCookies } from './cookie-header';
export {
  type CloudFrontErrorCode,
  cloudFrontCode,
  cloudFrontErrorXml,
  DENIAL_REASONS,
  type DenialReason,
} from './denial';
export { EdgepassError, type EdgepassErrorCode, httpStatus, isEdgepassError } from './errors';
export { type Ipv4Cidr, ipv4InCidr, parseIpv4Cidr } from './ipv4-cidr';
export { createKeyGroup, isKeyPairId, type KeyGroup, type PublicKey } from './key-group';
export { cannedPolicy, customPolicy, MAX_EPOCH_SECONDS, type Policy, parsePolicy } from './policy';
export { grantsAnyHost, isValidResourcePattern, matchResource } from './resource-pattern';
export { safeReturnPath, safeReturnTo } from './return-to';
export { type CookieAttributes, expiredCookieValue, setCookieValue } from './set-cookie';
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
export { createTokenVerifier, type TokenVerifier, type VerifiedToken } from './token-verifier';
export { VerifiedSignatureCache } from './verified-signature-cache';
export { createVerifier, type Decision, type SignedRequest, type Verifier, verifySignedRequest } from './verify';
export { epochSeconds, parseWhen } from './when';
