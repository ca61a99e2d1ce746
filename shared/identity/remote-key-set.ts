/**
 * A remote JWKS that keeps verifying through an identity provider's outage: jose's local key set over
 * a set fetched with `fetchJwks`, refreshed in the background, served stale for a bounded time, and
 * fetched again after failures only once per back-off interval.
 */
import { createLocalJWKSet, type FlattenedJWSInput, type JWSHeaderParameters, type JWTVerifyGetKey } from 'jose';
import { Backoff, deadlineMilliseconds, duration, milliseconds, SingleFlight } from './background-refresh';
import { fetchJwks } from './jwks-fetch';

/** A remote key set for `jwtVerify`, whose background fetches can be waited for. */
export interface RemoteKeySet {
  (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<Awaited<ReturnType<JWTVerifyGetKey>>>;
  /** Resolves once no fetch is in flight (never rejects): tests, and anything that wants the newest set. */
  settled(): Promise<void>;
}

/** One log line from a remote key set: a failed fetch (and what is served meanwhile) or a recovery. */
export interface KeySetEvent {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  /** `name` of the identity provider. */
  readonly provider: string;
  /** The fetch error's message (written by us or by Node's fetch; never the answer's text). */
  readonly cause?: string;
}

export interface RemoteKeySetOptions {
  /** `name` of the identity provider (for log lines). */
  readonly provider: string;
  /** Deadline of one fetch in ms, from the request to the last byte of the body. */
  readonly deadlineMs: number;
  /** Age in ms after which the set is refreshed in the background while still served (default 10 min). */
  readonly refreshAfterMs?: number;
  /**
   * Age in ms past which a set that could not be refreshed is no longer used (default 24 h): tokens
   * then wait for a fetch, and fail with `IDP_UNAVAILABLE` if it fails.
   */
  readonly maxStaleMs?: number;
  /**
   * Least time in ms between the start of any fetch and a fetch caused by a token whose `kid` (or
   * `alg`) matches no key of the set (default 30 s), whatever the earlier fetch's outcome: anyone can
   * mint such tokens, so they must not buy a fetch each.
   */
  readonly cooldownMs?: number;
  /**
   * After a failed fetch, no fetch for `minBackoffMs` (default 1 s), doubling with each failure in a
   * row up to `maxBackoffMs` (default 30 s); a success resets it. Tokens meanwhile get the stale set,
   * or, with no usable set, the last failure at once.
   */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Log hook; called at most once per fetch. */
  readonly onEvent?: (event: KeySetEvent) => void;
}

/** jose's default `cacheMaxAge`: a set this old is refreshed (in the background while it serves). */
export const DEFAULT_JWKS_REFRESH_AFTER_MS = 10 * 60_000;
/**
 * How long the last good set keeps verifying while the provider cannot be reached. Long enough to
 * ride out a provider's outage of hours; bounded because a key the provider withdrew (rotated out,
 * compromised) stays trusted for that long if its JWKS cannot be fetched meanwhile.
 */
export const DEFAULT_JWKS_MAX_STALE_MS = 24 * 60 * 60_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
const DEFAULT_MIN_BACKOFF_MS = 1_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;

function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The fetch error as log text: its message, and the network error behind Node's "fetch failed". */
function causeText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause instanceof Error ? error.cause : undefined;
  const detail = inner === undefined ? '' : ` (${errorCode(inner) ?? inner.message})`;
  return `${error.message}${detail}`;
}

/**
 * A key set for `jwtVerify` backed by the JWKS at `url`. The set is fetched on first use (concurrent
 * callers share the fetch), then:
 * - within `refreshAfterMs` of its fetch, used as it is;
 * - from `refreshAfterMs` to `maxStaleMs`, still used at once while one background fetch (never two
 *   at a time) gets the current set; a failed fetch logs a warning and the stale set keeps serving;
 * - past `maxStaleMs`, or with none, callers wait for a fetch; if it fails they get its error, and
 *   so does every caller during the back-off that follows, without a fetch.
 * A token whose key is not in the set causes one fetch (the caller waits) only when none has started
 * in the last `cooldownMs` and no back-off is running; otherwise jose's "no matching key" stands.
 * After a failure no fetch starts for the back-off delay, so an outage costs one fetch per delay
 * (1 s doubling to 30 s by default), not one per request. Decisions use the injected clock; nothing
 * here sets a timer but a fetch's own deadline.
 *
 * @example
 * const keys = createRemoteKeySet(new URL(jwksUrl), { provider: 'corporate', deadlineMs: 3000 });
 * const { payload } = await jwtVerify(token, keys, { issuer, audience });
 */
export function createRemoteKeySet(url: URL, options: RemoteKeySetOptions): RemoteKeySet {
  const { provider } = options;
  const deadlineMs = deadlineMilliseconds(options.deadlineMs, 0, 'fetchTimeoutMs');
  const refreshAfterMs = milliseconds(options.refreshAfterMs, DEFAULT_JWKS_REFRESH_AFTER_MS, 'jwksRefreshAfterMs');
  const maxStaleMs = milliseconds(options.maxStaleMs, DEFAULT_JWKS_MAX_STALE_MS, 'jwksMaxStaleMs', refreshAfterMs);
  const cooldownMs = milliseconds(options.cooldownMs, DEFAULT_JWKS_COOLDOWN_MS, 'cooldownMs');
  const minBackoffMs = milliseconds(options.minBackoffMs, DEFAULT_MIN_BACKOFF_MS, 'jwksMinBackoffMs');
  const maxBackoffMs = milliseconds(options.maxBackoffMs, DEFAULT_MAX_BACKOFF_MS, 'jwksMaxBackoffMs', minBackoffMs);
  const now = options.now ?? Date.now;

  let good: { readonly keys: ReturnType<typeof createLocalJWKSet>; readonly fetchedAt: number } | undefined;
  /** When the last fetch started, whatever caused it and however it ended (the unknown-kid cooldown). */
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  /** No fetch before `backoff.until` (set by a failure). */
  const backoff = new Backoff(minBackoffMs, maxBackoffMs);
  let lastFailure: unknown;
  const fetches = new SingleFlight(fetchSet);

  function emit(level: KeySetEvent['level'], message: string, cause?: unknown): void {
    const event: KeySetEvent =
      cause === undefined ? { level, message, provider } : { level, message, provider, cause: causeText(cause) };
    try {
      options.onEvent?.(event);
    } catch {
      // A broken log hook must not take logins down with it.
    }
  }

  async function fetchSet(): Promise<void> {
    lastStartedAt = now();
    try {
      const keys = createLocalJWKSet((await fetchJwks(url, deadlineMs)) as Parameters<typeof createLocalJWKSet>[0]);
      good = { keys, fetchedAt: now() };
      const failures = backoff.failuresInARow;
      if (failures > 0) {
        emit(
          'info',
          `identity provider "${provider}": fetched its key set from ${url.href} again after ${failures} failed ${failures === 1 ? 'fetch' : 'fetches'}`,
        );
      }
      backoff.reset();
      lastFailure = undefined;
    } catch (error) {
      const t = now();
      const delay = backoff.fail(t);
      lastFailure = error;
      const age = good === undefined ? undefined : t - good.fetchedAt;
      const failed = `identity provider "${provider}": cannot fetch its key set from ${url.href}`;
      if (age !== undefined && age < maxStaleMs) {
        emit(
          'warn',
          `${failed}; still verifying with the set fetched ${duration(age)} ago, for at most ${duration(maxStaleMs - age)} more; next try in ${duration(delay)} at the earliest`,
          error,
        );
      } else {
        emit(
          'error',
          `${failed}; ${age === undefined ? 'no key set yet' : `the last one is ${duration(age)} old, past the ${duration(maxStaleMs)} it may be used`}, so its tokens are refused (503 IDP_UNAVAILABLE); next try in ${duration(delay)} at the earliest`,
          error,
        );
      }
      throw error;
    }
  }

  /** The set to verify with, fetching (and waiting) only when there is no usable one. */
  async function usableSet(): Promise<NonNullable<typeof good>> {
    const t = now();
    if (good !== undefined && t - good.fetchedAt < maxStaleMs) {
      if (t - good.fetchedAt >= refreshAfterMs && fetches.current === undefined && t >= backoff.until) fetches.start();
      return good;
    }
    if (fetches.current === undefined) {
      if (t < backoff.until) throw lastFailure;
      fetches.start();
    }
    await fetches.current;
    // A fetch that succeeded has just set a fresh `good`.
    return good as NonNullable<typeof good>;
  }

  const keySet = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const set = await usableSet();
    try {
      return await set.keys(header, token);
    } catch (error) {
      if (errorCode(error) !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      // The provider may have published a new key: look once, but never more often than the
      // cooldown allows (anyone can mint tokens with a new kid) nor during a back-off.
      const t = now();
      if (fetches.current === undefined && (t - lastStartedAt < cooldownMs || t < backoff.until)) throw error;
      await (fetches.current ?? fetches.start());
      return (good as NonNullable<typeof good>).keys(header, token);
    }
  };
  return Object.assign(keySet, { settled: () => fetches.settled() });
}
