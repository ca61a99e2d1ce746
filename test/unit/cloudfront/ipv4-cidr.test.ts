import { describe, expect, it } from 'vitest';
import {
  cidrText,
  formatIpv4,
  type Ipv4Cidr,
  ipv4InCidr,
  parseIpv4,
  parseIpv4Cidr,
} from '../../../shared/cloudfront/ipv4-cidr';

const cidr = (text: string) => parseIpv4Cidr(text) as Ipv4Cidr;

describe('ipv4InCidr and IPv6 viewers', () => {
  // CloudFront never matches an IPv6 viewer against an IPv4 condition: a policy with
  // IpAddress.AWS:SourceIp denies it. The one IPv6 spelling accepted is ::ffff:a.b.c.d, how a Node
  // server (the local stack) reports an IPv4 peer; CloudFront itself hands IPv4 viewers over dotted.
  it('matches an IPv4 viewer in its dotted and its Node IPv4-mapped spelling', () => {
    expect(ipv4InCidr('203.0.113.5', cidr('203.0.113.0/24'))).toBe(true);
    expect(ipv4InCidr('::ffff:203.0.113.5', cidr('203.0.113.0/24'))).toBe(true);
    expect(ipv4InCidr('::ffff:203.0.114.5', cidr('203.0.113.0/24'))).toBe(false);
  });

  it.each([
    ['NAT64 (RFC 6052 well-known prefix)', '64:ff9b::203.0.113.5'],
    ['NAT64 (local-use prefix)', '64:ff9b:1::203.0.113.5'],
    ['IPv4-compatible (deprecated)', '::203.0.113.5'],
    ['IPv4-translated (SIIT)', '::ffff:0:203.0.113.5'],
    ['any IPv6 prefix before a dotted quad', '2001:db8::203.0.113.5'],
    ['mapped, fully written out', '0:0:0:0:0:ffff:203.0.113.5'],
    ['mapped, in hexadecimal', '::ffff:cb00:7105'],
    ['mapped, upper case (Node writes lower case)', '::FFFF:203.0.113.5'],
    ['a plain IPv6 address', '2001:db8::1'],
  ])('never matches an IPv6 viewer, %s: %s', (_, ip) => {
    expect(ipv4InCidr(ip, cidr('203.0.113.0/24'))).toBe(false);
    // Not even the condition that covers every IPv4 address.
    expect(ipv4InCidr(ip, cidr('0.0.0.0/0'))).toBe(false);
  });

  it.each(['', 'garbage', '203.0.113', '203.0.113.5.1', '203.0.113.256', '203.0.113.05', ' 203.0.113.5', '::ffff:'])(
    'never matches %j, not even 0.0.0.0/0',
    (ip) => {
      expect(ipv4InCidr(ip, cidr('0.0.0.0/0'))).toBe(false);
    },
  );

  it('matches on the prefix bits only, at both edges of the block', () => {
    const block = cidr('198.51.100.64/26');
    expect(['198.51.100.64', '198.51.100.127'].map((ip) => ipv4InCidr(ip, block))).toEqual([true, true]);
    expect(['198.51.100.63', '198.51.100.128'].map((ip) => ipv4InCidr(ip, block))).toEqual([false, false]);
    expect(ipv4InCidr('255.255.255.255', cidr('0.0.0.0/0'))).toBe(true);
    expect(ipv4InCidr('0.0.0.0', cidr('0.0.0.0/0'))).toBe(true);
    expect(ipv4InCidr('192.0.2.1', cidr('192.0.2.1'))).toBe(true);
    expect(ipv4InCidr('192.0.2.2', cidr('192.0.2.1'))).toBe(false);
    expect(ipv4InCidr('129.0.0.1', cidr('128.0.0.0/1'))).toBe(true);
    expect(ipv4InCidr('127.255.255.255', cidr('128.0.0.0/1'))).toBe(false);
  });
});

describe('parseIpv4 and parseIpv4Cidr', () => {
  it('reads dotted quads without leading zeros into an unsigned integer', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('192.0.2.1')).toBe(0xc0000201);
    for (const text of [
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.256',
      '1.2.3.-1',
      '1.2.3.4 ',
      '1..3.4',
      '1.2.3.1000',
    ]) {
      expect(parseIpv4(text), text).toBeUndefined();
    }
  });

  it('reads a bare address as a /32 and clears host bits unless strict', () => {
    expect(parseIpv4Cidr('192.0.2.1')).toEqual({ network: 0xc0000201, prefix: 32 });
    expect(parseIpv4Cidr('10.1.2.3/8')).toEqual({ network: 0x0a000000, prefix: 8 });
    expect(parseIpv4Cidr('10.1.2.3/8', true)).toBeUndefined();
    expect(parseIpv4Cidr('10.0.0.0/8', true)).toEqual({ network: 0x0a000000, prefix: 8 });
    expect(parseIpv4Cidr('0.0.0.0/0', true)).toEqual({ network: 0, prefix: 0 });
    expect(parseIpv4Cidr('255.255.255.255/32', true)).toEqual({ network: 0xffffffff, prefix: 32 });
  });

  it.each([
    '10.0.0.0/33',
    '10.0.0.0/08',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/1/2',
    '2001:db8::/32',
    '/8',
    '10.0.0/8',
  ])('refuses %j', (text) => {
    expect(parseIpv4Cidr(text)).toBeUndefined();
  });

  it('writes the canonical text a signer puts in a policy', () => {
    expect(cidrText(cidr('192.0.2.1'))).toBe('192.0.2.1/32');
    expect(cidrText(cidr('10.1.2.3/8'))).toBe('10.0.0.0/8');
    expect(formatIpv4(0xfffefdfc)).toBe('255.254.253.252');
  });
});
