import { cloudFrontCode } from '../../shared/cloudfront/denial';
import { splitSigningParams } from '../../shared/cloudfront/signing-params';
import { refuseNonAscii } from '../../shared/edge/canonical-path';
import { decisionLogLine } from '../../shared/edge/decision-log';
import {
  type FunctionRequest,
  type FunctionResponse,
  type FunctionViewerRequest,
  functionBadRequest,
  parseFunctionEvent,
  sessionCookie,
  toFunctionResult,
} from '../../shared/edge/function-event';
import { createGateDecision, type GateRules, rejection } from '../../shared/edge/gate-decision';
import { type Hmac, readSessionToken, sessionKeyName, verifySessionToken } from '../../shared/edge/session-token';

/** The part of cloudfront-js-2.0's `crypto` module the gate uses. */
export interface FunctionCrypto {
  createHmac(algorithm: 'sha256', key: string): { update(data: string): { digest(encoding: 'base64url'): string } };
}

/** The CloudFront Function's gate: which KeyValueStore key a request needs, then the decision. */
export interface FunctionGate {
  /** The KeyValueStore key holding the HMAC key the request's session token names, or `undefined`. */
  keyName(event: unknown): string | undefined;
  /** The answer for the event, given that key's value (`undefined` when the store has none). */
  decide(event: unknown, sessionKey: string | undefined): FunctionRequest | FunctionResponse;
}

/**
 * The viewer-request CloudFront Function for a configuration: event → plain request → the one gate
 * decision (the session token as the credential, every escaped non-ASCII character refused) →
 * CloudFront Functions result. The async KeyValueStore read stays in the global `handler` (handler.js):
 * the runtime allows no async closures. The clock is the runtime's `Date`, frozen for the run.
 */
export function createFunctionGate(config: GateRules, crypto: FunctionCrypto): FunctionGate {
  const hmac: Hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest('base64url');
  const gate = createGateDecision<FunctionViewerRequest, object>(config, {
    wideCheck: refuseNonAscii,
    verify: (signed, now, request) => {
      const url = signed.url;
      // The token is matched against the URL without signing params, as CloudFront matches a policy.
      const q = url.indexOf('?');
      const userQuery = q === -1 ? '' : splitSigningParams(url.slice(q + 1)).userQuery;
      const resourceUrl = q === -1 ? url : userQuery === '' ? url.slice(0, q) : `${url.slice(0, q)}?${userQuery}`;
      const token = readSessionToken(request.sessionToken);
      const reason = !request.sessionToken
        ? 'missing-key-pair-id'
        : token === undefined
          ? 'malformed-policy'
          : verifySessionToken(token, request.sessionKey, hmac, resourceUrl, now);
      const keyPairId = token === undefined ? undefined : token.keyId;
      return reason === 'ok'
        ? { allowed: true, source: 'cookie', keyPairId, userQuery }
        : { allowed: false, reason, code: cloudFrontCode(reason), keyPairId, userQuery };
    },
    // Its credential cookies are deleted from the event's cookie map (toFunctionResult).
    forward: () => ({}),
  });
  return {
    keyName: (event) => {
      const request = ((event || {}) as { request?: FunctionRequest }).request;
      const token = request ? readSessionToken(sessionCookie(request)) : undefined;
      return token && sessionKeyName(token.keyId);
    },
    decide: (event, sessionKey) => {
      const parsed = parseFunctionEvent(event, sessionKey);
      if (parsed === undefined) {
        console.log(decisionLogLine(rejection('event')));
        return functionBadRequest();
      }
      const decision = gate(parsed.viewer, Math.floor(Date.now() / 1000));
      console.log(decisionLogLine(decision, parsed.requestId, parsed.viewer.uri));
      return toFunctionResult(decision, parsed.request);
    },
  };
}
