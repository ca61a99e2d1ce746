import { EdgepassError } from '../cloudfront/errors';

/**
 * What the two caches of remote material share — the JWKS (`remote-key-set.ts`) and the Secrets
 * Manager signing key (`regional/signing-key-source.ts`): their timing options, durations in log
 * lines, the back-off after failures, and one fetch in flight at a time.
 */

/** A timing option in milliseconds, `fallback` when unset; not finite or below `least` is a config error. */
export function milliseconds(value: number | undefined, fallback: number, name: string, least = 0): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < least) {
    throw new EdgepassError('INVALID_CONFIG', `${name} must be a number of milliseconds ≥ ${least}, got ${value}`);
  }
  return chosen;
}

/** The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A deadline for `AbortSignal.timeout`: at least 1 ms and at most Node's longest timer. A longer one
 * fires after 1 ms (past 2^32 - 1 the call throws), so every fetch would fail, blamed on the network.
 */
export function deadlineMilliseconds(value: number | undefined, fallback: number, name: string): number {
  const chosen = milliseconds(value, fallback, name, 1);
  if (chosen > MAX_TIMER_MS) {
    throw new EdgepassError(
      'INVALID_CONFIG',
      `${name} must be at most ${MAX_TIMER_MS} ms (about 24 days, the longest timer Node sets), got ${chosen}`,
    );
  }
  return chosen;
}

/** A duration for a log line: `800 ms`, `45 s`, `30 min`, `24 h`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 60 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / (60 * 60_000))} h`;
}

/** Failures in a row, and the time before which no fetch starts: `minMs` doubling up to `maxMs`. */
export class Backoff {
  failuresInARow = 0;
  until = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** Records a failure at `now`; returns the delay it sets. */
  fail(now: number): number {
    this.failuresInARow += 1;
    const delay = Math.min(this.minMs * 2 ** (this.failuresInARow - 1), this.maxMs);
    this.until = now + delay;
    return delay;
  }

  reset(): void {
    this.failuresInARow = 0;
    this.until = Number.NEGATIVE_INFINITY;
  }
}

/**
 * At most one run of `fetch` at a time: `start()` begins one (callers check `current` first), and a
 * run nobody awaits never surfaces as an unhandled rejection (its failure is logged by `fetch`).
 */
export class SingleFlight<T> {
  current: Promise<T> | undefined;

  constructor(private readonly fetch: () => Promise<T>) {}

  start(): Promise<T> {
    const started = this.fetch().finally(() => {
      this.current = undefined;
    });
    started.catch(() => undefined);
    this.current = started;
    return started;
  }

  /** Resolves once no run is in flight (never rejects). */
  async settled(): Promise<void> {
    while (this.current !== undefined) await this.current.catch(() => undefined);
  }
}
