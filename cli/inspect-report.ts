import { cannedPolicy, cidrText, customPolicy, type Decision, ipv4InCidr, matchResource, type Policy } from '../shared';
import { DENIAL_EXPLANATIONS, denialHints } from './explain';
import { decodedPolicy, type Inspection } from './inspection';
import { relativeTime, utcTime } from './relative-time';
import { escapeTerminal } from './terminal-text';

const SOURCES: Record<Decision['source'], string> = {
  url: 'signed URL (query params)',
  cookie: 'signed cookies',
  none: 'none: no signing params in the URL and no CloudFront-* cookies',
};

/**
 * One labelled line. Values quote decoded input (a policy's Resource, a key id, the URL), which may
 * hold an escape sequence or a carriage return meant to overwrite the line: every value is escaped.
 */
function line(label: string, value: string): string {
  return `${label.padEnd(16)}${escapeTerminal(value)}`;
}

function at(seconds: number, now: number): string {
  return `${utcTime(seconds)} (${relativeTime(seconds, now)})`;
}

/** Canned policies are rebuilt from the URL, so these are exactly the signed bytes. */
function policyDocument(policy: Policy, canned: boolean): string {
  return canned && policy.resource !== undefined
    ? cannedPolicy(policy.resource, policy.dateLessThan)
    : `${customPolicy(policy)}  (decoded, re-serialised)`;
}

function resourceLine(policy: Policy, canned: boolean, url: string): string {
  if (canned) return `${policy.resource ?? url}  (canned: the signed URL itself)`;
  if (policy.resource === undefined)
    return '(omitted: matches any URL of any distribution trusting this key; never issue that)';
  return `${policy.resource}  ${matchResource(policy.resource, url) ? 'matches' : 'does NOT match'} ${url}`;
}

function ipLine(policy: Policy, clientIp: string | undefined): string {
  if (policy.sourceIp === undefined) return 'none (any viewer)';
  if (clientIp === undefined) return `${cidrText(policy.sourceIp)}  (no --client-ip given: cannot match)`;
  const inside = ipv4InCidr(clientIp, policy.sourceIp);
  return `${cidrText(policy.sourceIp)}  client ${clientIp} is ${inside ? 'inside' : 'OUTSIDE'}`;
}

function signatureLine(inspection: Inspection): string {
  const { decision, keyIds } = inspection;
  if (keyIds.length === 0) return 'NOT checked: no --public-key given';
  if (decision.reason === 'bad-signature') return `INVALID for key ${decision.keyPairId}`;
  if (decision.signatureChecked) return `valid for key ${decision.keyPairId}`;
  return 'not checked: denied before the signature';
}

function policyLines(inspection: Inspection, policy: Policy, canned: boolean): string[] {
  const { now, decision, clientIp } = inspection;
  const lines = [line('Policy JSON', policyDocument(policy, canned)), line('Expires', at(policy.dateLessThan, now))];
  if (policy.dateGreaterThan !== undefined) lines.push(line('Not before', at(policy.dateGreaterThan, now)));
  lines.push(line('Resource', resourceLine(policy, canned, decision.resourceUrl)));
  lines.push(line('IP condition', ipLine(policy, clientIp)));
  return lines;
}

function verdictLines(inspection: Inspection): string[] {
  const { decision, otherChecks } = inspection;
  if (decision.allowed) {
    return decision.signatureChecked
      ? ['ALLOWED: CloudFront would serve this request.']
      : [
          'ALLOWED by time, IP and resource, but the signature was NOT checked.',
          '  Fix:  pass --public-key ID=FILE with the public key CloudFront trusts to check it too.',
        ];
  }
  const explanation = DENIAL_EXPLANATIONS[decision.reason];
  const lines = [
    `DENIED: ${decision.reason} (CloudFront 403 ${decision.code})`,
    `  Why:  ${explanation.meaning}`,
    `  Fix:  ${explanation.fix}`,
  ];
  // Hints quote the pattern, the query or the key id.
  for (const hint of denialHints(inspection)) lines.push(`  Note: ${escapeTerminal(hint)}`);
  if (otherChecks !== undefined) {
    lines.push(
      otherChecks.allowed
        ? '  Other checks: time, IP and resource pass; only the key or signature is wrong.'
        : `  Other checks: even with the right key it would be denied: ${otherChecks.reason}. ${DENIAL_EXPLANATIONS[otherChecks.reason].meaning}`,
    );
  }
  return lines;
}

/**
 * The human `inspect` report: where the credentials came from, the decoded policy with times in UTC
 * and relative to the check time, each condition against this request, then the verdict with its
 * reason, the likely fix and any request-specific hints.
 * Decoded text is shown with terminal-unsafe characters escaped (`\x1b`, `\r`, `\u202e`); `--json`
 * keeps it exact.
 *
 * @example
 * io.stdout(inspectionReport(inspection)); // 'Source          signed URL (query params)\n…\nALLOWED: …'
 */
export function inspectionReport(inspection: Inspection): string {
  const { decision, now } = inspection;
  const policy = decodedPolicy(inspection);
  const canned = decision.canned ?? inspection.otherChecks?.canned;
  const lines = [line('Source', SOURCES[decision.source]), line('Resource URL', decision.resourceUrl)];
  if (inspection.fragmentDropped) lines.push(line('Note', 'the #fragment was dropped: browsers never send it'));
  if (inspection.cookieGiven && decision.source === 'url') {
    lines.push(line('Note', 'the URL carries signing params, so CloudFront ignores the cookies'));
  }
  if (decision.keyPairId !== undefined) lines.push(line('Key pair id', decision.keyPairId));
  if (canned !== undefined) lines.push(line('Policy', canned ? 'canned (Expires)' : 'custom (Policy)'));
  const hash = decision.hashAlgorithm ?? inspection.otherChecks?.hashAlgorithm;
  if (hash !== undefined) lines.push(line('Hash algorithm', hash === 'sha256' ? 'SHA-256' : 'SHA-1'));
  lines.push(line('Checked at', `${utcTime(now)}${inspection.atGiven ? ' (--at)' : ' (now)'}`));
  if (policy !== undefined) lines.push(...policyLines(inspection, policy, canned === true));
  else if (decision.source !== 'none')
    lines.push(line('Policy JSON', '(not decoded: denied before the policy was read)'));
  if (decision.source !== 'none') lines.push(line('Signature', signatureLine(inspection)));
  lines.push('', ...verdictLines(inspection));
  return `${lines.join('\n')}\n`;
}
