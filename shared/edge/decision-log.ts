/**
 * The one JSON log line per gate decision, shared by the Lambda@Edge gate and the CloudFront Function
 * (whose `console.log` takes one argument: this is one string). Written in the CloudFront Functions subset.
 */
import { isKeyPairId } from '../cloudfront/key-pair-id';
import type { GateDecision } from './gate-decision';

/** A short prefix of a value that failed its shape check, anything but printable ASCII shown as `?`. */
function escapedPrefix(value: string, length: number): string {
  return `${value.slice(0, length).replace(/[^\x20-\x7e]/g, '?')}${value.length > length ? `...(${value.length})` : ''}`;
}

/**
 * The one JSON log line per decision: never signature or policy values, never the query, and bounded
 * whatever the request holds (under 1 KB). A canonical path (printable ASCII by construction) is logged
 * up to 256 characters; a refused one as a short escaped prefix; a key id only when shaped like one.
 * The decision comes first: an event the handler cannot read has no request id or path to log.
 */
export function decisionLogLine(decision: GateDecision<object>, requestId?: string, uri?: string): string {
  const rejected = decision.action === 'reject';
  // Only allow, redirect and deny decisions have one; the others leave it undefined.
  const keyPairId = (decision as { keyPairId?: string | undefined }).keyPairId;
  const keyShaped = keyPairId === undefined || isKeyPairId(keyPairId);
  return JSON.stringify({
    level: rejected ? 'warn' : 'info',
    msg: 'edgepass decision',
    requestId: requestId === undefined ? undefined : escapedPrefix(requestId, 128),
    uri: uri === undefined ? undefined : rejected ? escapedPrefix(uri, 64) : uri.slice(0, 256),
    decision: decision.action,
    reason: decision.reason,
    // Undefined fields are left out of the JSON.
    detail: rejected ? decision.detail : undefined,
    keyPairId: keyShaped ? keyPairId : undefined,
    keyPairIdMalformed: keyShaped ? undefined : true,
    loop: (decision.action === 'deny' && decision.loop) || undefined,
  });
}
