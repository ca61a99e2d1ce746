import { arch, cpus, platform } from 'node:os';
import type { HarnessOptions } from './harness';
import type { Check, Row } from './section';

/** A section's title and its measured rows, in the order printed. */
export interface SectionResult {
  readonly title: string;
  readonly rows: readonly Row[];
}

/** One checked budget: `row` must reach `min` × `reference`. */
export interface BudgetResult {
  readonly row: Row;
  readonly reference: Row;
  readonly min: number;
  readonly ratio: number;
  readonly pass: boolean;
}

/** The machine line quoted with the numbers: they mean nothing without it. */
export function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() || 'unknown CPU';
  return `Node ${process.version} (OpenSSL ${process.versions.openssl}), ${platform()} ${arch()}, ${model}, ${cores.length} cores`;
}

function formatRate(hz: number): string {
  return hz >= 100 ? Math.round(hz).toLocaleString('en-US') : hz.toFixed(1);
}

function formatTime(seconds: number): string {
  const [value, unit] =
    seconds < 1e-6 ? [seconds * 1e9, 'ns'] : seconds < 1e-3 ? [seconds * 1e6, 'µs'] : [seconds * 1e3, 'ms'];
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${unit}`;
}

export function formatRatio(ratio: number): string {
  return `${ratio < 10 ? ratio.toFixed(2) : ratio < 100 ? ratio.toFixed(1) : ratio.toFixed(0)}×`;
}

function referenceOf(rows: readonly Row[], row: Row, id: string): Row {
  const reference = rows.find((r) => r.id === id);
  if (reference === undefined) throw new Error(`row ${row.id} compares itself with ${id}, which is not in its section`);
  return reference;
}

/** Every budget of every row, checked against the reference measured in the same run. */
export function checkBudgets(sections: readonly SectionResult[]): BudgetResult[] {
  const results: BudgetResult[] = [];
  for (const { rows } of sections) {
    for (const row of rows) {
      for (const { to, min } of row.ratios ?? []) {
        if (min === undefined) continue;
        const reference = referenceOf(rows, row, to);
        const ratio = row.measurement.hz / reference.measurement.hz;
        results.push({ row, reference, min, ratio, pass: ratio >= min });
      }
    }
  }
  return results;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The Markdown table: one title row per section, then its rows. */
export function renderTable(sections: readonly SectionResult[]): string {
  const lines = ['| Benchmark | ops/s | time/op | vs reference | budget |', '|---|--:|--:|---|---|'];
  for (const { title, rows } of sections) {
    lines.push(`| **${cell(title)}** | | | | |`);
    for (const row of rows) {
      const { hz, spread } = row.measurement;
      const ratios: string[] = [];
      const budgets: string[] = [];
      for (const { to, min } of row.ratios ?? []) {
        const reference = referenceOf(rows, row, to);
        const ratio = hz / reference.measurement.hz;
        ratios.push(`${formatRatio(ratio)} ${reference.short}`);
        if (min !== undefined) budgets.push(`≥ ${min}× ${reference.short} ${ratio >= min ? '✓' : '✗'}`);
      }
      lines.push(
        `| ${cell(row.label)} | ${formatRate(hz)} ±${(spread * 100).toFixed(1)}% | ${formatTime(1 / hz)} | ${
          ratios.length === 0 ? 'reference' : cell(ratios.join(' · '))
        } | ${cell(budgets.join(' · '))} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The budget list under the table, with misses called out on their own. */
export function renderBudgets(budgets: readonly BudgetResult[], checks: readonly Check[] = []): string {
  const line = (b: BudgetResult) =>
    `- ${b.pass ? '✓' : '✗'} ${b.row.label} ≥ ${b.min}× ${b.reference.short}: ${formatRatio(b.ratio)}`;
  const misses = budgets.filter((b) => !b.pass);
  const failedChecks = checks.filter((c) => !c.pass);
  const total = budgets.length + checks.length;
  const missed = misses.length + failedChecks.length;
  const lines = [
    `Budgets (the quality budgets): ${total - missed} of ${total} met`,
    '',
    ...budgets.map(line),
    ...checks.map((c) => `- ${c.pass ? '✓' : '✗'} ${c.label}`),
  ];
  if (missed > 0) {
    lines.push('', `**${missed} budget${missed === 1 ? '' : 's'} MISSED:**`, '');
    for (const b of misses) {
      lines.push(
        `- ✗ ${b.row.label}: ${formatRatio(b.ratio)} ${b.reference.short}, budget ≥ ${b.min}× ` +
          `(${formatRate(b.row.measurement.hz)} vs ${formatRate(b.reference.measurement.hz)} ops/s)`,
      );
    }
    for (const c of failedChecks) lines.push(`- ✗ ${c.label}`);
  }
  return lines.join('\n');
}

/** How the numbers were taken, printed under the machine line. */
export function describeMethod(options: HarnessOptions, share: number): string {
  const clock =
    options.clock === 'cpu'
      ? 'of CPU time used by the benchmark process, so other load on the machine does not skew them'
      : 'of wall-clock time';
  return (
    `Each contender warmed up ${options.warmupMs} ms, then timed in ${options.rounds} interleaved rounds of ` +
    `${options.roundMs} ms; ops/s is the median round, ± half the range of the rounds, per second ${clock} ` +
    `(CPU/wall while measuring: ${share.toFixed(2)}${share < 0.9 ? ', the machine was busy' : ''}). Real keys generated at start; every contender's output ` +
    'checked before timing (same bytes as the official signer, requests allowed).'
  );
}
