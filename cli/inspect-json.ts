import { cidrText, type Policy } from '../shared';
import { DENIAL_EXPLANATIONS, denialHints } from './explain';
import { decodedPolicy, type Inspection } from './inspection';
import { jsonForTerminal } from './terminal-text';

function policyJson(policy: Policy): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (policy.resource !== undefined) out.resource = policy.resource;
  out.dateLessThan = policy.dateLessThan;
  if (policy.dateGreaterThan !== undefined) out.dateGreaterThan = policy.dateGreaterThan;
  if (policy.sourceIp !== undefined) out.sourceIp = cidrText(policy.sourceIp);
  return out;
}

/**
 * The `inspect --json` document. The first five keys are the fixed contract
 * (`allowed`, `code`, `reason`, `policy`, `keyPairId`); the rest add detail. Decoded values keep every
 * character, terminal-unsafe ones written as `\uXXXX` escapes.
 *
 * @example
 * // {"allowed":false,"code":"AccessDenied","reason":"expired","policy":{"resource":"…","dateLessThan":1795867800},"keyPairId":"K2JCJMDEHXQW5F",…}
 */
export function inspectionJson(inspection: Inspection): string {
  const { decision, otherChecks } = inspection;
  const policy = decodedPolicy(inspection);
  const explanation = decision.allowed ? undefined : DENIAL_EXPLANATIONS[decision.reason];
  return jsonForTerminal({
    allowed: decision.allowed,
    code: decision.code,
    reason: decision.reason,
    policy: policy === undefined ? null : policyJson(policy),
    keyPairId: decision.keyPairId ?? null,
    signatureChecked: decision.signatureChecked,
    source: decision.source,
    resourceUrl: decision.resourceUrl,
    canned: decision.canned ?? null,
    hashAlgorithm: decision.hashAlgorithm ?? null,
    at: inspection.now,
    clientIp: inspection.clientIp ?? null,
    ...(otherChecks === undefined ? {} : { otherChecks: { allowed: otherChecks.allowed, reason: otherChecks.reason } }),
    explanation: explanation?.meaning ?? null,
    hint:
      explanation?.fix ??
      (decision.signatureChecked ? null : 'the signature was not checked: pass --public-key ID=FILE'),
    hints: denialHints(inspection),
  });
}
