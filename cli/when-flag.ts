import { isEdgepassError, parseWhen } from '../shared';
import { quoteInput } from './terminal-text';
import { UsageError } from './usage-error';

/** Longest WHEN text read; an ISO 8601 time with nanoseconds and an offset is 35 characters. */
const MAX_WHEN_LENGTH = 64;
const RELATIVE_PAST = /^-(\d{1,9})([smhd])$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/**
 * Reads a WHEN flag (ISO 8601, epoch seconds, or `+90s`/`+30m`/`+12h`/`+7d` from `now`) with the
 * core's parser, naming the flag in the error. The CLI also reads `-90s`…`-7d` as that long before
 * `now`: it is what the `--at=-1h` spelling suggested for a value starting with "-" gives, and a
 * useful `--at`; an `--expires` in the past is then refused as not in the future.
 *
 * @example
 * whenFlag('expires', '+1h', 1_700_000_000) // 1700003600
 * whenFlag('at', '-1h', 1_700_000_000) // 1699996400
 */
export function whenFlag(flag: string, text: string, now: number): number {
  if (text.length > MAX_WHEN_LENGTH) {
    throw new UsageError(
      `--${flag} ${quoteInput(text)} is not a time: use ISO 8601, epoch seconds, or +90s/+30m/+12h/+7d`,
    );
  }
  const past = RELATIVE_PAST.exec(text.trim());
  if (past) {
    const seconds = now - Number(past[1]) * UNIT_SECONDS[past[2] as keyof typeof UNIT_SECONDS];
    if (seconds < 0) throw new UsageError(`--${flag} ${text.trim()} is before 1970, which CloudFront cannot express`);
    return seconds;
  }
  try {
    return parseWhen(text, now);
  } catch (error) {
    if (isEdgepassError(error)) throw new UsageError(`--${flag}: ${error.message}`, { cause: error });
    throw error;
  }
}
