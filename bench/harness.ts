import { performance } from 'node:perf_hooks';

/** How long to warm up and measure each contender. */
export interface HarnessOptions {
  /** Per contender, before any measured round: lets V8 optimise and calibrates the batch size. */
  readonly warmupMs: number;
  /** Measured rounds per contender; the reported rate is their median. */
  readonly rounds: number;
  /** Length of one measured round, on `clock`. */
  readonly roundMs: number;
  /**
   * `cpu`: rates are per second of CPU time used by this process (user + system), so other
   * processes competing for the machine's cores do not skew them. `wall`: per second of real time.
   */
  readonly clock: 'cpu' | 'wall';
}

export const DEFAULT_OPTIONS: HarnessOptions = { warmupMs: 250, rounds: 7, roundMs: 300, clock: 'cpu' };
/** For trying a change quickly; numbers from it are not for quoting. */
export const QUICK_OPTIONS: HarnessOptions = { warmupMs: 100, rounds: 3, roundMs: 150, clock: 'cpu' };

/** One thing to time. `fn` must return its result so the work cannot be optimised away. */
export interface Contender {
  readonly id: string;
  readonly fn: () => unknown;
}

export interface Measurement {
  /** Median operations per second over the rounds. */
  readonly hz: number;
  /** Operations per second in each round, in the order measured. */
  readonly rounds: readonly number[];
  /** Half the range of the rounds relative to the median: a rough ± for the rate. */
  readonly spread: number;
  /** Operations timed in all rounds together. */
  readonly ops: number;
}

/** The results of one `measureInterleaved` call, by contender id. */
export interface Measurements {
  /** Throws for an id that was not measured (a typo in a section). */
  get(id: string): Measurement;
}

/** Results are written here so no call's result is dead; read once at the end of each round. */
let sink: unknown;

function consumeSink(id: string): void {
  if (sink === undefined) throw new Error(`benchmark ${id} returned undefined: return the result so it is consumed`);
  sink = undefined;
}

/** Batch sizes are chosen so reading the clocks (about 1 µs) costs well under 0.1% of a batch. */
const TARGET_BATCH_MS = 1;

/** CPU time of the whole process (every thread), in ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU and wall time spent in measured rounds, over the whole run. */
let totalCpuMs = 0;
let totalWallMs = 0;

/**
 * CPU time over wall time while measuring, for the whole run so far: about 1 on an otherwise idle
 * machine (a little more when V8's helper threads collect garbage), well below 1 when other
 * processes took the CPU. Wall-clock rates are only trustworthy near 1.
 */
export function cpuShare(): number {
  return totalWallMs === 0 ? Number.NaN : totalCpuMs / totalWallMs;
}

/** Runs `fn` in batches until `ms` have passed on `clock`; returns the operations done and the time taken. */
function runFor(
  fn: () => unknown,
  batch: number,
  ms: number,
  clock: HarnessOptions['clock'],
): { ops: number; ms: number } {
  let ops = 0;
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) sink = fn();
    ops += batch;
    elapsed = clock === 'cpu' ? cpuMs() - cpu0 : performance.now() - wall0;
  } while (elapsed < ms);
  const wall = performance.now() - wall0;
  const cpu = cpuMs() - cpu0;
  recordMeasured(cpu, wall);
  return { ops, ms: clock === 'cpu' ? cpu : wall };
}

/** Adds a measured round to the run's CPU/wall share (also used by the async harness). */
export function recordMeasured(cpu: number, wall: number): void {
  totalCpuMs += cpu;
  totalWallMs += wall;
}

/** Warms `fn` up for `ms` and returns a batch size that takes about TARGET_BATCH_MS. */
function warmUp(fn: () => unknown, ms: number): number {
  let batch = 1;
  const start = performance.now();
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink = fn();
    const t1 = performance.now();
    if (t1 - start >= ms) break;
    if (t1 - t0 < TARGET_BATCH_MS / 2) batch *= 2;
  }
  return batch;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

function summarize(rounds: readonly number[], ops: number): Measurement {
  const hz = median(rounds);
  return { hz, rounds, spread: (Math.max(...rounds) - Math.min(...rounds)) / 2 / hz, ops };
}

/**
 * For work that is timed one sample at a time rather than in a loop (say, a cold start in a fresh
 * process): each sample's duration in milliseconds becomes one round.
 *
 * @example
 * fromSamples([8.1, 7.9, 8.4]).hz // ≈ 123 cold starts per second
 */
export function fromSamples(samplesMs: readonly number[]): Measurement {
  if (samplesMs.length === 0) throw new Error('fromSamples needs at least one sample');
  return summarize(
    samplesMs.map((ms) => 1000 / ms),
    samplesMs.length,
  );
}

/**
 * Measures contenders in the same process, interleaved: every contender is warmed up, then each
 * round times every contender once (starting with a different one each round), so drift in CPU
 * frequency or neighbours' load hits all of them alike. The rate reported is the median round.
 *
 * @example
 * const results = measureInterleaved([{ id: 'raw', fn: () => sign('sha1', bytes, key) }], DEFAULT_OPTIONS);
 * results.get('raw').hz;
 */
export function measureInterleaved(contenders: readonly Contender[], options: HarnessOptions): Measurements {
  const batches = new Map<string, number>();
  for (const { id, fn } of contenders) {
    batches.set(id, warmUp(fn, options.warmupMs));
    consumeSink(id);
  }
  const rates = new Map<string, number[]>(contenders.map(({ id }) => [id, []]));
  const ops = new Map<string, number>(contenders.map(({ id }) => [id, 0]));
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length];
      if (contender === undefined) continue;
      const { id, fn } = contender;
      const run = runFor(fn, batches.get(id) ?? 1, options.roundMs, options.clock);
      consumeSink(id);
      rates.get(id)?.push((run.ops * 1000) / run.ms);
      ops.set(id, (ops.get(id) ?? 0) + run.ops);
    }
  }
  const results = new Map<string, Measurement>();
  for (const { id } of contenders) results.set(id, summarize(rates.get(id) ?? [], ops.get(id) ?? 0));
  return {
    get(id) {
      const measurement = results.get(id);
      if (measurement === undefined) throw new Error(`no contender ${id} was measured`);
      return measurement;
    },
  };
}

/** Returns a function that hands out `items` in turn, forever: cheap enough for a timed loop. */
export function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('cycle needs at least one item');
  let i = 0;
  return () => {
    const item = items[i] as T;
    i = i + 1 === items.length ? 0 : i + 1;
    return item;
  };
}
