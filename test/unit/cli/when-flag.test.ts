import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/usage-error';
import { whenFlag } from '../../../cli/when-flag';
import { NOW } from '../../fixtures/keys';

describe('whenFlag', () => {
  it('reads the core forms relative to now', () => {
    expect(whenFlag('expires', '+1h', NOW)).toBe(NOW + 3600);
    expect(whenFlag('at', '2026-11-28T12:00:00Z', NOW)).toBe(NOW);
  });

  it('reads -90s, -30m, -12h and -7d as that long before now', () => {
    expect(whenFlag('at', '-90s', NOW)).toBe(NOW - 90);
    expect(whenFlag('at', '-30m', NOW)).toBe(NOW - 1800);
    expect(whenFlag('at', '-12h', NOW)).toBe(NOW - 43_200);
    expect(whenFlag('at', '-7d', NOW)).toBe(NOW - 604_800);
  });

  it('refuses a time in the past before 1970, naming the flag', () => {
    expect(() => whenFlag('at', '-999999999d', NOW)).toThrow(
      new UsageError('--at -999999999d is before 1970, which CloudFront cannot express'),
    );
  });

  it('names the flag in the core parser errors, and quotes long text as a prefix and its length', () => {
    expect(() => whenFlag('expires', 'tomorrow', NOW)).toThrow(/^--expires: cannot read time "tomorrow"/);
    expect(() => whenFlag('expires', 'x'.repeat(500), NOW)).toThrow(
      /^--expires "x{100}…" \(500 characters\) is not a time/,
    );
  });
});
