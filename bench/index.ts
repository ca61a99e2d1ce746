/**
 * `npm run bench`: runs every section, prints one Markdown table (the README quotes it) and the
 * quality budgets with ✓/✗. Progress goes to stderr, the report to stdout. Exits 0 when a budget is
 * missed: benchmarks measure, they do not gate.
 *
 * Flags: `--quick` (short rounds, for trying a change; not for quoting), `--wall` (rates per second of
 * wall-clock time instead of process CPU time; only meaningful on an idle machine),
 * `--only=<section id>[,…]`.
 * To add a section, write `bench/<idea>.ts` exporting a `Section` and list it below.
 */
import { batchSection } from './batch';
import { cloudFrontFunctionSection } from './cloudfront-function';
import { edgeSection } from './edge';
import { edgeInputsSection } from './edge-inputs';
import { cpuShare, DEFAULT_OPTIONS, QUICK_OPTIONS } from './harness';
import { localStackSection } from './local-stack';
import { loginSection } from './login';
import { checkBudgets, describeMethod, machine, renderBudgets, renderTable, type SectionResult } from './report';
import type { Section } from './section';
import { signingSection } from './signing';
import { verificationSection } from './verification';

const SECTIONS: readonly Section[] = [
  signingSection,
  verificationSection,
  batchSection,
  edgeSection,
  edgeInputsSection,
  cloudFrontFunctionSection,
  loginSection,
  localStackSection,
];

async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const wall = argv.includes('--wall');
  const only = argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const unknown = argv.filter((arg) => arg !== '--quick' && arg !== '--wall' && !arg.startsWith('--only='));
  const selected = SECTIONS.filter((section) => only === undefined || only.includes(section.id));
  if (unknown.length > 0 || selected.length === 0) {
    process.stderr.write(
      `usage: node dist/bench.cjs [--quick] [--wall] [--only=${SECTIONS.map((s) => s.id).join('|')}[,…]]\n`,
    );
    process.exitCode = 2;
    return;
  }
  const options = { ...(quick ? QUICK_OPTIONS : DEFAULT_OPTIONS), ...(wall ? { clock: 'wall' as const } : {}) };

  const results: SectionResult[] = [];
  const started = performance.now();
  for (const section of selected) {
    const t0 = performance.now();
    process.stderr.write(`bench: ${section.id}…`);
    results.push({ title: section.title, rows: await section.run(options) });
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const budgets = checkBudgets(results);

  const out = [
    '## Benchmarks',
    '',
    `Command: \`npm run bench${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}\`${quick ? ' (short rounds: NOT for quoting)' : ''}  `,
    `Machine: ${machine()}  `,
    describeMethod(options, cpuShare()),
    '',
    renderTable(results),
    '',
    renderBudgets(
      budgets,
      results.flatMap((section) => section.rows.flatMap((row) => row.checks ?? [])),
    ),
    '',
    `Total run time ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
