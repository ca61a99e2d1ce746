import { EdgepassError } from './errors';
import { MAX_EPOCH_SECONDS } from './policy';

const RELATIVE = /^\+(\d{1,9})([smhd])$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Reads a point in time as epoch seconds: ISO 8601 (`2026-12-01T00:00:00Z`), epoch seconds
 * (`1767225600`) or relative to `now` (`+90s`, `+30m`, `+12h`, `+7d`). Epoch milliseconds are refused
 * with a hint, since they are a classic cause of never-expiring or instantly-expired URLs.
 *
 * @example
 * parseWhen('+1h', 1_700_000_000) // 1700003600
 */
export function parseWhen(text: string, now: number): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative)
    return checkRange(now + Number(relative[1]) * UNIT_SECONDS[relative[2] as keyof typeof UNIT_SECONDS], value);
  if (/^\d+$/.test(value)) {
    if (value.length >= 12) {
      throw new EdgepassError(
        'INVALID_TIME',
        `${value} looks like epoch milliseconds; CloudFront wants seconds (${value.slice(0, -3)})`,
      );
    }
    return checkRange(Number(value), value);
  }
  if (ISO.test(value)) {
    // A date-time without an offset is read as UTC (JavaScript would read it as local time, so the
    // same command would sign different expiries on different machines).
    const zoned = /[T ]\d{2}:\d{2}/.test(value) && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? `${value}Z` : value;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return checkRange(Math.floor(ms / 1000), value);
  }
  throw new EdgepassError(
    'INVALID_TIME',
    `cannot read time ${JSON.stringify(text)}: use ISO 8601, epoch seconds, or +90s/+30m/+12h/+7d`,
  );
}

function checkRange(seconds: number, text: string): number {
  if (seconds < 0) throw new EdgepassError('INVALID_TIME', `${text} is before 1970, which CloudFront cannot express`);
  if (seconds > MAX_EPOCH_SECONDS) {
    throw new EdgepassError(
      'INVALID_TIME',
      `${text} is after 2038-01-19T03:14:07Z, the latest time CloudFront accepts`,
    );
  }
  return seconds;
}

/** Current time in whole epoch seconds. */
export function epochSeconds(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
