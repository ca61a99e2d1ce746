import { describe, expect, it } from 'vitest';
import {
  cannedPolicy,
  cidrText,
  customPolicy,
  decodeCloudFrontBase64,
  encodeCloudFrontBase64,
  type Ipv4Cidr,
  parseIpv4Cidr,
  parsePolicy,
  parseWhen,
} from '../../../shared';
import { NOW } from '../../fixtures/keys';

describe('cannedPolicy', () => {
  it('produces CloudFront bytes exactly (botocore test vector shape)', () => {
    expect(cannedPolicy('http://example.com/hello.txt', 1445619510)).toBe(
      '{"Statement":[{"Resource":"http://example.com/hello.txt","Condition":{"DateLessThan":{"AWS:EpochTime":1445619510}}}]}',
    );
  });
});

describe('customPolicy', () => {
  it('orders keys Resource, DateLessThan, DateGreaterThan, IpAddress', () => {
    expect(
      customPolicy({
        resource: 'https://a.example/*',
        dateLessThan: 20,
        dateGreaterThan: 10,
        sourceIp: parseIpv4Cidr('192.0.2.0/24'),
      }),
    ).toBe(
      '{"Statement":[{"Resource":"https://a.example/*","Condition":{"DateLessThan":{"AWS:EpochTime":20},"DateGreaterThan":{"AWS:EpochTime":10},"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}}}]}',
    );
  });
});

describe('parsePolicy', () => {
  it('reads all conditions back', () => {
    const text = customPolicy({
      resource: 'https://a/*',
      dateLessThan: 20,
      dateGreaterThan: 10,
      sourceIp: parseIpv4Cidr('1.2.3.4'),
    });
    expect(parsePolicy(text)).toEqual({
      resource: 'https://a/*',
      dateLessThan: 20,
      dateGreaterThan: 10,
      sourceIp: { network: 0x01020304, prefix: 32 },
    });
  });

  it('counts at most 16 [ and {: a full policy (7 of its own) with 9 in its Resource parses, one more does not', () => {
    const withBrackets = (n: number) =>
      customPolicy({
        resource: `https://a/x?q=${'['.repeat(n)}`,
        dateLessThan: 20,
        dateGreaterThan: 10,
        sourceIp: parseIpv4Cidr('1.2.3.4'),
      });
    expect(parsePolicy(withBrackets(9))?.resource).toBe('https://a/x?q=[[[[[[[[[');
    expect(parsePolicy(withBrackets(10))).toBeUndefined();
    // A forged policy nested 6,000 deep is refused before JSON.parse builds it.
    expect(parsePolicy('['.repeat(6000))).toBeUndefined();
    expect(parsePolicy(`${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`)).toBeUndefined();
  });

  it('reads times from 0 to 2147483647, and a document of exactly 8192 characters', () => {
    const at = (seconds: number) => `{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":${seconds}}}}]}`;
    expect(parsePolicy(at(0))?.dateLessThan).toBe(0);
    expect(parsePolicy(at(2147483647))?.dateLessThan).toBe(2147483647);
    const filler = 8192 - cannedPolicy('https://a/', 5).length;
    const text = cannedPolicy(`https://a/${'x'.repeat(filler)}`, 5);
    expect(text.length).toBe(8192);
    expect(parsePolicy(text)?.dateLessThan).toBe(5);
  });

  it('accepts any key order and an omitted Resource', () => {
    expect(parsePolicy('{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}')).toEqual({
      resource: undefined,
      dateLessThan: 5,
      dateGreaterThan: undefined,
      sourceIp: undefined,
    });
  });

  it.each([
    ['not JSON', '{'],
    ['no statements', '{"Statement":[]}'],
    ['a statement that is not an object', '{"Statement":[1]}'],
    ['no DateLessThan', '{"Statement":[{"Resource":"*","Condition":{}}]}'],
    ['a string time', '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":"5"}}}]}'],
    ['a time past 2038', '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":2147483648}}}]}'],
    ['a fractional time', '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":1.5}}}]}'],
    [
      'an IPv6 source',
      '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":5},"IpAddress":{"AWS:SourceIp":"::1/128"}}}]}',
    ],
    [
      'an unknown condition',
      '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":5},"StringEquals":{}}}]}',
    ],
    ['a non-string resource', '{"Statement":[{"Resource":["a"],"Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}'],
    ['a negative time', '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":-1}}}]}'],
    [
      'a DateGreaterThan that is not a time',
      '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":5},"DateGreaterThan":{"AWS:EpochTime":"1"}}}]}',
    ],
    [
      'a statement with another key',
      '{"Statement":[{"Effect":"Allow","Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}',
    ],
    ['a null statement', '{"Statement":[null]}'],
    [
      'an IpAddress with another key',
      '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":5},"IpAddress":{"AWS:SourceIp":"1.2.3.4","x":1}}}]}',
    ],
    [
      'a SourceIp that is not a string',
      '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":5},"IpAddress":{"AWS:SourceIp":5}}}]}',
    ],
    [
      'an IpAddress that is not an object',
      '{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":5},"IpAddress":null}}]}',
    ],
    [
      'an oversized document',
      `{"Statement":[{"Resource":"${'a'.repeat(9000)}","Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}`,
    ],
  ])('refuses %s', (_name, text) => {
    expect(parsePolicy(text)).toBeUndefined();
  });
});

describe('CloudFront base64', () => {
  it('maps + = / to - _ ~ and back', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
    expect(bytes.toString('base64')).toBe('+/+/AQ==');
    expect(encodeCloudFrontBase64(bytes)).toBe('-~-~AQ__');
    expect(decodeCloudFrontBase64('-~-~AQ__')).toEqual(bytes);
  });

  it('refuses standard base64, bad padding and non-canonical spellings', () => {
    for (const text of ['+/+/AQ==', '-~-~AQ', '-~-~AQ_', '-~-~AR__', '', '-~-~A_Q_']) {
      expect(decodeCloudFrontBase64(text)).toBeUndefined();
    }
  });
});

describe('parseIpv4Cidr', () => {
  it('reads addresses and ranges; a bare address is a /32', () => {
    expect(cidrText(parseIpv4Cidr('10.0.0.0/8') as Ipv4Cidr)).toBe('10.0.0.0/8');
    expect(cidrText(parseIpv4Cidr('192.0.2.1') as Ipv4Cidr)).toBe('192.0.2.1/32');
    expect(cidrText(parseIpv4Cidr('0.0.0.0/0') as Ipv4Cidr)).toBe('0.0.0.0/0');
  });

  it.each(['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4/33', '1.2.3.4/', '::1', '1.2.3.4/08', ' 1.2.3.4'])(
    'refuses %s',
    (text) => {
      expect(parseIpv4Cidr(text)).toBeUndefined();
    },
  );
});

describe('parseWhen', () => {
  it('reads relative times, epoch seconds and ISO 8601', () => {
    expect(parseWhen('+90s', NOW)).toBe(NOW + 90);
    expect(parseWhen('+30m', NOW)).toBe(NOW + 1800);
    expect(parseWhen('+12h', NOW)).toBe(NOW + 43200);
    expect(parseWhen('+7d', NOW)).toBe(NOW + 604800);
    expect(parseWhen('1795867200', NOW)).toBe(1795867200);
    expect(parseWhen('2026-11-28T12:00:00Z', NOW)).toBe(1795867200);
    expect(parseWhen('2026-11-28T13:00:00+01:00', NOW)).toBe(1795867200);
    expect(parseWhen('2026-11-28', NOW)).toBe(1795824000);
  });

  it('reads a date-time without an offset as UTC, whatever the machine time zone', () => {
    expect(parseWhen('2026-11-28T12:00:00', NOW)).toBe(1795867200);
    expect(parseWhen('2026-11-28 12:00', NOW)).toBe(1795867200);
  });

  it.each([
    ['epoch milliseconds', '1795867200000', /milliseconds/],
    ['a time past 2038', '2040-01-01T00:00:00Z', /2038/],
    ['words', 'tomorrow', /cannot read time/],
    ['a negative offset', '-5m', /cannot read time/],
    ['a relative time past 2038', '+9000d', /2038/],
    ['a time before 1970', '1969-12-31T23:59:59Z', /before 1970/],
    ['an impossible date', '2026-13-45', /cannot read time/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseWhen(text, NOW)).toThrow(message);
  });
});
