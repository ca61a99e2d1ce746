const UNITS = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
] as const;

/**
 * A length of time in its two largest units, the second dropped when zero.
 *
 * @example
 * formatDuration(11_520) // '3h 12m'
 * formatDuration(172_800) // '2d'
 */
export function formatDuration(seconds: number): string {
  const total = Math.floor(Math.abs(seconds));
  const index = UNITS.findIndex(([, size]) => total >= size);
  const major = UNITS[index];
  if (major === undefined) return '0s';
  const count = Math.floor(total / major[1]);
  const minor = UNITS[index + 1];
  // Two units are precise enough for expiry questions; more is noise.
  const minorCount = minor === undefined ? 0 : Math.floor((total - count * major[1]) / minor[1]);
  return minor === undefined || minorCount === 0
    ? `${count}${major[0]}`
    : `${count}${major[0]} ${minorCount}${minor[0]}`;
}

/**
 * A point in time relative to `now`, both in epoch seconds.
 *
 * @example
 * relativeTime(1_700_011_520, 1_700_000_000) // 'in 3h 12m'
 * relativeTime(1_699_827_200, 1_700_000_000) // '2d ago'
 */
export function relativeTime(target: number, now: number): string {
  const diff = target - now;
  if (diff === 0) return 'now';
  return diff > 0 ? `in ${formatDuration(diff)}` : `${formatDuration(diff)} ago`;
}

/**
 * Epoch seconds as ISO 8601 UTC without milliseconds.
 *
 * @example
 * utcTime(1795867200) // '2026-11-28T12:00:00Z'
 */
export function utcTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
