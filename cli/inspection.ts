import type { Decision, Policy } from '../shared';

/** Everything `edgepass inspect` learned about one request, for the human and JSON reports. */
export interface Inspection {
  /** The verdict: the core verifier's decision with the given keys. */
  readonly decision: Decision;
  /**
   * The same request decided without keys, when the verdict stopped at the key or the signature:
   * it decodes the policy and tells whether time, IP and resource would pass.
   */
  readonly otherChecks?: Decision | undefined;
  /** The URL over the other scheme, when the signature is valid there (it was signed for that scheme). */
  readonly signedVariant?: string | undefined;
  /** Epoch seconds the request was decided at. */
  readonly now: number;
  /** True when `--at` chose the time. */
  readonly atGiven: boolean;
  readonly clientIp?: string | undefined;
  /** Ids of the keys given with `--public-key`; empty when the signature cannot be checked. */
  readonly keyIds: readonly string[];
  readonly cookieGiven: boolean;
  readonly fragmentDropped: boolean;
}

/**
 * The decoded policy, from the verdict or, when it stopped before decoding, from the other checks.
 *
 * @example
 * decodedPolicy(inspection)?.dateLessThan // 1795870800
 */
export function decodedPolicy(inspection: Inspection): Policy | undefined {
  return inspection.decision.policy ?? inspection.otherChecks?.policy;
}
