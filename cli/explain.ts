import { cidrText, type DenialReason, matchResource } from '../shared';
import { decodedPolicy, type Inspection } from './inspection';
import { relativeTime, utcTime } from './relative-time';
import { swapScheme } from './signed-variant';

/** What a denial means and what usually fixes it, in plain words. */
export interface Explanation {
  readonly meaning: string;
  readonly fix: string;
}

/**
 * One explanation per denial reason, drawn from the usual causes of CloudFront 403s for signed URLs
 * and cookies (AWS knowledge center, "Troubleshoot signed URL or cookie issues").
 */
export const DENIAL_EXPLANATIONS: Readonly<Record<DenialReason, Explanation>> = {
  'missing-key-pair-id': {
    meaning: 'CloudFront found no Key-Pair-Id: neither in the query nor as a CloudFront-Key-Pair-Id cookie.',
    fix:
      'For a signed URL, keep every signing param (Expires or Policy, Signature, Key-Pair-Id). For cookies, make sure ' +
      'the browser sends them: the Domain must cover the content host, the Path must cover this URL, and Secure ' +
      'cookies travel over https only.',
  },
  'unknown-key': {
    meaning: "The Key-Pair-Id is not a public key in the key group trusted by this URL's cache behavior.",
    fix:
      'Sign with the id of a public key (e.g. K2JCJMDEHXQW5F) that is in the key group of the behavior this path ' +
      'matches; a key group id is not a key id. If the key is new, check it was added to that key group.',
  },
  'malformed-signature': {
    meaning: 'The Signature is not valid CloudFront base64, so CloudFront cannot decode it.',
    fix:
      'Encode the signature as base64 with + → -, = → _ and / → ~ (standard base64 is refused), and percent-encode ' +
      'the URL at most once (a %25 in a signing value means it was encoded twice).',
  },
  'malformed-policy': {
    meaning:
      "The policy cannot be read: Expires is not whole epoch seconds, or Policy is not CloudFront base64 of a policy in CloudFront's shape.",
    fix:
      'Use Expires as whole epoch seconds (not milliseconds, at most 2147483647). A custom policy needs exactly one ' +
      'Statement with Resource and Condition.DateLessThan.AWS:EpochTime; only DateGreaterThan and ' +
      'IpAddress.AWS:SourceIp (IPv4) may be added.',
  },
  'missing-signature': {
    meaning: 'The request has a Key-Pair-Id but no Signature (or an empty one).',
    fix: 'Send the Signature param or CloudFront-Signature cookie along with the other signing values; do not strip it.',
  },
  'missing-expires': {
    meaning: 'The request has a Key-Pair-Id and Signature but neither Expires (canned policy) nor Policy (custom).',
    fix: 'Send Expires with a canned signature, or Policy with a custom one (CloudFront-Expires / CloudFront-Policy for cookies).',
  },
  'bad-hash-algorithm': {
    meaning: 'Hash-Algorithm (or the CloudFront-Hash-Algorithm cookie) is neither SHA1 nor SHA256.',
    fix: 'Send Hash-Algorithm=SHA256 only with a SHA-256 signature, and omit it for SHA-1.',
  },
  'bad-signature': {
    meaning: 'The signature does not match the signed bytes under the public key named by Key-Pair-Id.',
    fix:
      'Sign with the private key that belongs to this key id; send Hash-Algorithm=SHA256 with a SHA-256 signature ' +
      'and never with SHA-1; request exactly the URL that was signed: same scheme (http vs https), same host ' +
      '(alternate domain vs *.cloudfront.net), same encoding and query order, with no param added after signing.',
  },
  expired: {
    meaning: "The request started at or after the policy's expiry (DateLessThan).",
    fix:
      'Sign with a later expiry. If it expired the moment it was made, check the clock of the signing host and that ' +
      'the expiry is epoch seconds, not milliseconds.',
  },
  'not-yet-valid': {
    meaning: "The request started before the policy's start time (DateGreaterThan).",
    fix: 'Wait until the start time, sign without a start time, or check the clock of the signing host.',
  },
  'ip-mismatch': {
    meaning: "The viewer's IP address is outside the policy's IpAddress range.",
    fix:
      'Sign for the address CloudFront sees (the proxy or NAT address, not the device), widen the CIDR, or drop the ' +
      'IP condition. IPv6 viewers never match an IPv4 policy: disable IPv6 on the distribution.',
  },
  'resource-mismatch': {
    meaning: "The URL is not covered by the policy's Resource pattern.",
    fix:
      'Widen the pattern to cover this URL: * and ? match within one part (scheme, host, path, query); a trailing * ' +
      'in the path also covers the query, but https://host/a/*.mp4 does not cover a.mp4?x=1; the scheme and host must ' +
      'match exactly.',
  },
};

function isUuidLike(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

/**
 * Facts about this request that point at a cause, beyond the general explanation of its reason.
 *
 * @example
 * denialHints(inspection) // ['This is a canned policy: the signature covers the URL itself, …', …]
 */
export function denialHints(inspection: Inspection): string[] {
  const { decision, clientIp, keyIds, now } = inspection;
  if (decision.allowed) return [];
  const policy = decodedPolicy(inspection);
  const hints: string[] = [];
  const viaCookie = decision.source === 'cookie';
  switch (decision.reason) {
    case 'missing-key-pair-id':
      if (decision.source === 'none') {
        hints.push(
          inspection.cookieGiven
            ? 'The URL has no signing params and the Cookie header holds no CloudFront-* cookies.'
            : 'The URL has no signing params and no --cookie was given: pass the Cookie header the browser sent.',
        );
      } else {
        hints.push(`The ${viaCookie ? 'CloudFront-Key-Pair-Id cookie' : 'Key-Pair-Id param'} is missing or empty.`);
      }
      break;
    case 'unknown-key': {
      const id = decision.keyPairId ?? '';
      if (isUuidLike(id)) hints.push(`${id} looks like a key group id: use the id of a public key inside the group.`);
      if (/^APKA/.test(id)) {
        hints.push(`${id} is a legacy CloudFront key pair (trusted signers), not a public key of a key group.`);
      }
      hints.push(`Keys given with --public-key: ${keyIds.join(', ')}.`);
      break;
    }
    case 'bad-signature':
      if (inspection.signedVariant !== undefined) {
        hints.push(
          `The signature is valid for ${inspection.signedVariant.split(':')[0]}: request the URL with the scheme it was signed for.`,
        );
      }
      if (decision.canned === true) {
        hints.push(
          'This is a canned policy: the signature covers the URL itself, so any byte change (path, query, encoding, ' +
            'scheme, host) after signing breaks it.',
        );
      }
      hints.push(
        decision.hashAlgorithm === 'sha256'
          ? `${viaCookie ? 'CloudFront-Hash-Algorithm' : 'Hash-Algorithm'}=SHA256 is set, so CloudFront checks a SHA-256 signature: was it signed with SHA-256?`
          : `No ${viaCookie ? 'CloudFront-Hash-Algorithm' : 'Hash-Algorithm'} is set, so CloudFront checks a SHA-1 signature: a SHA-256 one needs Hash-Algorithm=SHA256.`,
      );
      break;
    case 'expired':
      if (policy !== undefined) {
        hints.push(`It stopped working ${relativeTime(policy.dateLessThan, now)} (${utcTime(policy.dateLessThan)}).`);
      }
      break;
    case 'not-yet-valid':
      if (policy?.dateGreaterThan !== undefined) {
        hints.push(
          `It starts working after ${utcTime(policy.dateGreaterThan)} (${relativeTime(policy.dateGreaterThan, now)}).`,
        );
      }
      break;
    case 'ip-mismatch':
      if (clientIp === undefined) {
        hints.push('No --client-ip was given, so no viewer address can match: pass the address CloudFront sees.');
      } else if (clientIp.includes(':') && !clientIp.startsWith('::ffff:')) {
        hints.push(`${clientIp} is IPv6: CloudFront policies hold IPv4 only.`);
      } else if (policy?.sourceIp !== undefined) {
        hints.push(`${clientIp} is outside ${cidrText(policy.sourceIp)}.`);
      }
      break;
    case 'resource-mismatch': {
      const pattern = policy?.resource;
      if (pattern === undefined) break;
      const url = decision.resourceUrl;
      const q = url.indexOf('?');
      if (q !== -1 && matchResource(pattern, url.slice(0, q))) {
        hints.push(
          `${pattern} covers the path but not the query ?${url.slice(q + 1)}: end the path with * or add a \\? query part.`,
        );
      } else if (matchResource(pattern, swapScheme(url))) {
        hints.push(`${pattern} would match over ${swapScheme(url).split(':')[0]}: the scheme differs.`);
      }
      break;
    }
    default:
      break;
  }
  return hints;
}
