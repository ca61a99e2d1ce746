import { isEdgepassError, parseWhen } from '../shared';
import { UsageError } from './usage-error';

/**
 * Reads a WHEN flag (ISO 8601, epoch seconds, or `+90s`/`+30m`/`+12h`/`+7d` from `now`) with the
 * core's parser, naming the flag in the error.
 *
 * @example
 * whenFlag('expires', '+1h', 1_700_000_000) // 1700003600
 */
export function whenFlag(flag: string, text: string, now: number): number {
  try {
    return parseWhen(text, now);
  } catch (error) {
    if (isEdgepassError(error)) throw new UsageError(`--${flag}: ${error.message}`, { cause: error });
    throw error;
  }
}
