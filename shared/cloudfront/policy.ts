import { cidrText, type Ipv4Cidr, parseIpv4Cidr } from './ipv4-cidr';

/** Largest epoch second CloudFront accepts (2038-01-19T03:14:07Z). */
export const MAX_EPOCH_SECONDS = 2147483647;

/** Longest policy document the parser looks at; CloudFront URLs stop at 8,192 bytes anyway. */
export const MAX_POLICY_LENGTH = 8192;

/** A CloudFront policy statement, decoded. */
export interface Policy {
  /** Resource URL or pattern; `undefined` only in a received custom policy that omitted it. */
  readonly resource?: string | undefined;
  /** Epoch seconds; the request must start before this. */
  readonly dateLessThan: number;
  /** Epoch seconds; the request must start after this. */
  readonly dateGreaterThan?: number | undefined;
  /** Viewer IPv4 range. */
  readonly sourceIp?: Ipv4Cidr | undefined;
}

/**
 * The canned policy CloudFront rebuilds from a request: exactly these bytes, key order and no
 * whitespace, because the signature covers them.
 *
 * @example
 * cannedPolicy('https://d111.cloudfront.net/a.jpg', 1767225600)
 * // {"Statement":[{"Resource":"https://d111.cloudfront.net/a.jpg","Condition":{"DateLessThan":{"AWS:EpochTime":1767225600}}}]}
 */
export function cannedPolicy(resource: string, expires: number): string {
  return `{"Statement":[{"Resource":${JSON.stringify(resource)},"Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
}

/**
 * A custom policy document. Key order follows `@aws-sdk/cloudfront-signer` (Resource, then
 * DateLessThan, DateGreaterThan, IpAddress) so both produce identical bytes for the same input.
 */
export function customPolicy(policy: Policy): string {
  let condition = `"DateLessThan":{"AWS:EpochTime":${policy.dateLessThan}}`;
  if (policy.dateGreaterThan !== undefined) {
    condition += `,"DateGreaterThan":{"AWS:EpochTime":${policy.dateGreaterThan}}`;
  }
  if (policy.sourceIp !== undefined) {
    condition += `,"IpAddress":{"AWS:SourceIp":${JSON.stringify(cidrText(policy.sourceIp))}}`;
  }
  const resource = policy.resource === undefined ? '' : `"Resource":${JSON.stringify(policy.resource)},`;
  return `{"Statement":[{${resource}"Condition":{${condition}}}]}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const key in value) if (!allowed.includes(key)) return false;
  return true;
}

function epochCondition(value: unknown): number | undefined {
  if (!isRecord(value) || !onlyKeys(value, ['AWS:EpochTime'])) return undefined;
  const seconds = value['AWS:EpochTime'];
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) return undefined;
  return seconds >= 0 && seconds <= MAX_EPOCH_SECONDS ? seconds : undefined;
}

/**
 * Most `[` and `{` a policy may hold, counted anywhere (a valid one has at most 7 outside its
 * Resource; the signers refuse a Resource with more than 9). More is refused before `JSON.parse`
 * builds it: 8 KB of `[` took 50× a whole decision to parse. `split` with a limit stops counting there.
 */
export const MAX_POLICY_BRACKETS = 16;

/**
 * Parses a received policy document as CloudFront reads it: one statement, `DateLessThan`
 * required, optional `DateGreaterThan` and `IpAddress.AWS:SourceIp` (IPv4). Anything else — bad
 * JSON, extra keys, several statements, out-of-range times — is `undefined` (MalformedPolicy).
 * Never throws.
 */
export function parsePolicy(text: string): Policy | undefined {
  if (text.length > MAX_POLICY_LENGTH || text.split(/[[{]/, MAX_POLICY_BRACKETS + 2).length > MAX_POLICY_BRACKETS + 1)
    return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || !onlyKeys(doc, ['Statement'])) return undefined;
  const statements = doc.Statement;
  if (!Array.isArray(statements) || statements.length !== 1) return undefined;
  const statement: unknown = statements[0];
  if (!isRecord(statement) || !onlyKeys(statement, ['Resource', 'Condition'])) return undefined;
  const { Resource: resource, Condition: condition } = statement;
  if (resource !== undefined && typeof resource !== 'string') return undefined;
  if (!isRecord(condition) || !onlyKeys(condition, ['DateLessThan', 'DateGreaterThan', 'IpAddress'])) {
    return undefined;
  }
  const dateLessThan = epochCondition(condition.DateLessThan);
  if (dateLessThan === undefined) return undefined;
  let dateGreaterThan: number | undefined;
  if (condition.DateGreaterThan !== undefined) {
    dateGreaterThan = epochCondition(condition.DateGreaterThan);
    if (dateGreaterThan === undefined) return undefined;
  }
  let sourceIp: Ipv4Cidr | undefined;
  if (condition.IpAddress !== undefined) {
    const ip = condition.IpAddress;
    if (!isRecord(ip) || !onlyKeys(ip, ['AWS:SourceIp'])) return undefined;
    const cidr = ip['AWS:SourceIp'];
    sourceIp = typeof cidr === 'string' ? parseIpv4Cidr(cidr) : undefined;
    if (sourceIp === undefined) return undefined;
  }
  return { resource, dateLessThan, dateGreaterThan, sourceIp };
}
