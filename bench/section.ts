import type { HarnessOptions, Measurement } from './harness';

/** A comparison shown in the "vs reference" column; with `min` it is also a quality budget. */
export interface Ratio {
  /** `id` of the row compared against, in the same section. */
  readonly to: string;
  /** Budget: this row's rate must be at least `min` × the reference's. */
  readonly min?: number;
}

/** One line of the table. */
export interface Row {
  /** Stable id, e.g. `sign.rsa.official`; ratios refer to rows by it. */
  readonly id: string;
  /** Markdown shown in the table. */
  readonly label: string;
  /** Short name used when other rows compare themselves with this one, e.g. `official`. */
  readonly short: string;
  readonly measurement: Measurement;
  readonly ratios?: readonly Ratio[];
  /** Pass/fail budgets that are not ratios (e.g. "no error under load"), listed with the others. */
  readonly checks?: readonly Check[];
}

/** A budget that holds or not, with the figure behind it in its label. */
export interface Check {
  readonly label: string;
  readonly pass: boolean;
}

/**
 * A group of rows measured together; index.ts prints every section's rows in one table. Loops go
 * through `measureInterleaved`; one-shot work (a cold start in a fresh process) through `fromSamples`.
 */
export interface Section {
  /** Used by `--only=<id>`. */
  readonly id: string;
  /** Markdown title printed as a row of its own. */
  readonly title: string;
  run(options: HarnessOptions): Row[] | Promise<Row[]>;
}
