/**
 * IPv4 addresses and CIDR blocks, the only form CloudFront accepts in `IpAddress.AWS:SourceIp`.
 * Hand-written rather than ipaddr.js: the edge bundle has a 10 KB budget and needs only this.
 */
export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer (host bits cleared). */
  readonly network: number;
  readonly prefix: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parses dotted-quad IPv4 (no leading zeros, no IPv6, no IPv4-mapped forms) to an integer. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `a.b.c.d` or `a.b.c.d/n`. A bare address is a /32 (as botocore does). With `strict`, host
 * bits set below the prefix (`10.0.0.1/8`) are refused; otherwise they are cleared.
 */
export function parseIpv4Cidr(text: string, strict = false): Ipv4Cidr | undefined {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? '32' : text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]?)$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  const address = parseIpv4(addressText);
  if (address === undefined) return undefined;
  const network = (address & mask(prefix)) >>> 0;
  if (strict && network !== address) return undefined;
  return { network, prefix };
}

/**
 * The canonical text of a block, `a.b.c.d/n` (what a signer writes into a policy).
 *
 * @example
 * cidrText(parseIpv4Cidr('192.0.2.1') as Ipv4Cidr) // '192.0.2.1/32'
 */
export function cidrText(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * True when `ip` lies inside `cidr`. Accepts a dotted quad or its IPv4-mapped IPv6 spelling
 * (`::ffff:1.2.3.4`, what Node servers report for IPv4 peers); other IPv6 and garbage never match.
 */
export function ipv4InCidr(ip: string, cidr: Ipv4Cidr): boolean {
  const address = parseIpv4(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
  if (address === undefined) return false;
  return (address & mask(cidr.prefix)) >>> 0 === cidr.network;
}
