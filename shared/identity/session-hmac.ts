import { createHmac } from 'node:crypto';
import type { Hmac } from '../edge/session-token';

/**
 * The session token's HMAC-SHA256 with node:crypto, for the login Lambda, the CLI and the tests (the
 * CloudFront Function computes the same with its runtime's `crypto`, which has the same call shape).
 *
 * @example
 * issueSessionToken({ keyId, expires, resource }, key, sessionHmac)
 */
export const sessionHmac: Hmac = (key, data) => createHmac('sha256', key).update(data).digest('base64url');
