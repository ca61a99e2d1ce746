import { performance } from 'node:perf_hooks';
import { cpuMs, type HarnessOptions, type Measurement, type Measurements, recordMeasured } from './harness';

/**
 * harness.ts's `measureInterleaved` for work that returns a promise (a regional Lambda handler, a
 * jose JWT verification): its timed loop is synchronous, so it would only time the start of each
 * call. Here every call is awaited before the next starts (one request in flight, as one Lambda
 * instance serves them); otherwise the method is the same: warm-up that calibrates a batch of about
 * 1 ms, interleaved rounds, median round, rates per second of process CPU time (user + system, all
 * threads: WebCrypto jobs run on libuv's thread pool) or of wall time with `clock: 'wall'`.
 */

/** One thing to time; `fn` resolves with its result, which must not be `undefined`. */
export interface AsyncContender {
  readonly id: string;
  readonly fn: () => Promise<unknown>;
}

export interface AsyncMeasurements extends Measurements {
  /** Wall-clock milliseconds per operation over all measured rounds (latency with one call in flight). */
  wallMsPerOp(id: string): number;
}

const TARGET_BATCH_MS = 1;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

async function call(id: string, fn: () => Promise<unknown>): Promise<void> {
  if ((await fn()) === undefined) throw new Error(`benchmark ${id} resolved undefined: resolve with the result`);
}

async function warmUp({ id, fn }: AsyncContender, ms: number): Promise<number> {
  let batch = 1;
  const start = performance.now();
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await call(id, fn);
    const t1 = performance.now();
    if (t1 - start >= ms) break;
    if (t1 - t0 < TARGET_BATCH_MS / 2) batch *= 2;
  }
  return batch;
}

async function runFor(
  { id, fn }: AsyncContender,
  batch: number,
  ms: number,
  clock: HarnessOptions['clock'],
): Promise<{ ops: number; ms: number; wallMs: number }> {
  let ops = 0;
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) await call(id, fn);
    ops += batch;
    elapsed = clock === 'cpu' ? cpuMs() - cpu0 : performance.now() - wall0;
  } while (elapsed < ms);
  const wallMs = performance.now() - wall0;
  const cpu = cpuMs() - cpu0;
  recordMeasured(cpu, wallMs);
  return { ops, ms: clock === 'cpu' ? cpu : wallMs, wallMs };
}

/**
 * Measures async contenders interleaved: each is warmed up, then each round times every contender
 * once, starting with a different one each round.
 *
 * @example
 * const m = await measureInterleavedAsync([{ id: 'login', fn: () => handler(event) }], DEFAULT_OPTIONS);
 * m.get('login').hz;
 */
export async function measureInterleavedAsync(
  contenders: readonly AsyncContender[],
  options: HarnessOptions,
): Promise<AsyncMeasurements> {
  const batches = new Map<string, number>();
  for (const contender of contenders) batches.set(contender.id, await warmUp(contender, options.warmupMs));
  const rates = new Map<string, number[]>(contenders.map(({ id }) => [id, []]));
  const ops = new Map<string, number>(contenders.map(({ id }) => [id, 0]));
  const wall = new Map<string, number>(contenders.map(({ id }) => [id, 0]));
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length];
      if (contender === undefined) continue;
      const run = await runFor(contender, batches.get(contender.id) ?? 1, options.roundMs, options.clock);
      rates.get(contender.id)?.push((run.ops * 1000) / run.ms);
      ops.set(contender.id, (ops.get(contender.id) ?? 0) + run.ops);
      wall.set(contender.id, (wall.get(contender.id) ?? 0) + run.wallMs);
    }
  }
  const results = new Map<string, Measurement>();
  for (const { id } of contenders) {
    const rounds = rates.get(id) ?? [];
    const hz = median(rounds);
    results.set(id, {
      hz,
      rounds,
      spread: (Math.max(...rounds) - Math.min(...rounds)) / 2 / hz,
      ops: ops.get(id) ?? 0,
    });
  }
  const known = <T>(id: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`no contender ${id} was measured`);
    return value;
  };
  return {
    get: (id) => known(id, results.get(id)),
    wallMsPerOp: (id) => known(id, wall.get(id)) / known(id, ops.get(id)),
  };
}
