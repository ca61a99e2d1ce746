import { describe, expect, it } from 'vitest';
import { formatDuration, relativeTime, utcTime } from '../../../cli/relative-time';
import { NOW } from '../../fixtures/keys';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [60, '1m'],
    [61, '1m 1s'],
    [3600, '1h'],
    [3 * 3600 + 12 * 60 + 30, '3h 12m'],
    [86400, '1d'],
    [86400 + 3600 + 61, '1d 1h'],
    [2 * 86400 + 59, '2d'],
    [400 * 86400, '400d'],
  ])('writes %i seconds as %s (two largest units, zero second unit dropped)', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('ignores the sign', () => {
    expect(formatDuration(-3 * 3600 - 12 * 60)).toBe('3h 12m');
  });
});

describe('relativeTime', () => {
  it('says "in …" for the future, "… ago" for the past and "now" for the same second', () => {
    expect(relativeTime(NOW + 3 * 3600 + 12 * 60, NOW)).toBe('in 3h 12m');
    expect(relativeTime(NOW - 2 * 86400, NOW)).toBe('2d ago');
    expect(relativeTime(NOW, NOW)).toBe('now');
  });
});

describe('utcTime', () => {
  it('prints epoch seconds as ISO 8601 UTC without milliseconds', () => {
    expect(utcTime(NOW)).toBe('2026-11-28T12:00:00Z');
    expect(utcTime(2147483647)).toBe('2038-01-19T03:14:07Z');
  });
});
