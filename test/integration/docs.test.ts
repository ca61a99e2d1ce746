import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blocksOf, DOC_PAGES, NPX, where } from '../fixtures/doc-blocks';
import { ROOT } from '../fixtures/run-cli';

/**
 * Every command in the docs runs as written: the shell blocks of README.md and docs/*.md run in order
 * (one fresh folder per page, holding a key pair in keys/ and the checkout's files), the TypeScript
 * blocks are type-checked against the library as users import it (`edgepass`,
 * `edgepass/secrets-manager`). A block that cannot run here carries a tag after its language, and the
 * tag names where it is covered instead.
 */

/** Tags a shell block may carry instead of running here, and why. */
const NOT_RUN_HERE: Record<string, string> = {
  suite: 'runs or installs this very suite (npm ci, npm test, lint, bench)',
  package: 'packs the package: test/integration/package.test.ts does it',
  e2e: 'serverless package / invoke local: test/e2e/docs-serverless.test.ts runs them as written in a fresh clone',
  start: 'starts the local stack: test/e2e/local-stack.test.ts runs npm start as a user does',
  stack: 'needs the local stack running: test/e2e/docs-stack.test.ts runs these against one',
  aws: 'needs an AWS account or a deployed distribution (its first line says so: # AWS: …)',
};

const pages = DOC_PAGES;
const blocks = pages.flatMap(blocksOf);
const shell = blocks.filter((block) => block.language === 'sh' || block.language === 'bash');
const typescript = blocks.filter((block) => block.language === 'ts' || block.language === 'typescript');

/** A folder standing in for the checkout: its files linked, a key pair in keys/, `npx edgepass` the built CLI. */
function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgepass-docs-'));
  for (const name of ['package.json', 'bin', 'dist', 'node_modules', 'edgepass.config.json', 'events']) {
    symlinkSync(join(ROOT, name), join(dir, name));
  }
  execFileSync(process.execPath, [join(ROOT, 'bin', 'edgepass.cjs'), 'keys', 'generate', '--out', 'keys'], {
    cwd: dir,
  });
  return dir;
}

describe('the docs’ shell blocks', () => {
  it('tag every block that does not run here with a known reason (listed, not hidden)', () => {
    const skipped = shell.filter((block) => block.tag !== undefined);
    for (const block of skipped) expect(Object.keys(NOT_RUN_HERE), where(block)).toContain(block.tag);
    const list = skipped.map((block) => `${where(block)} [${block.tag}]: ${NOT_RUN_HERE[block.tag as string]}`);
    console.log(`docs blocks not run here:\n  ${list.join('\n  ')}`);
    expect(shell.filter((block) => block.tag === undefined).length).toBeGreaterThanOrEqual(3);
  });

  it('parse as shell, those that do not run here included', () => {
    for (const block of shell) {
      const bad = spawnSync('bash', ['-n', '-c', block.code], { encoding: 'utf8' });
      expect(bad.stderr, where(block)).toBe('');
      expect(bad.status, where(block)).toBe(0);
    }
  });

  it('say visibly which commands need AWS: an aws block starts with "# AWS:", and no other block calls AWS', () => {
    for (const block of shell) {
      const needsAws = /(^|[\s(|;&$])(aws |serverless (deploy|remove|info|logs)\b)/m.test(block.code);
      if (block.tag === 'aws') expect(block.code, where(block)).toMatch(/^# AWS: \S/);
      else expect(needsAws, `${where(block)} calls AWS but is not tagged aws`).toBe(false);
    }
    expect(shell.filter((block) => block.tag === 'aws').length).toBeGreaterThanOrEqual(8);
  });

  for (const page of pages) {
    const runnable = shell.filter((block) => block.file === page && block.tag === undefined);
    if (runnable.length === 0) continue;
    it(`run as written in ${page} (${runnable.length} block${runnable.length === 1 ? '' : 's'}, in order)`, () => {
      const dir = checkout();
      const script = NPX + runnable.map((block) => `# ${where(block)}\n${block.code}`).join('\n');
      // POSIX sh with -e: a failing command (not followed by `|| …`) fails the page.
      const output = execFileSync('sh', ['-e', '-c', script], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      expect(output).not.toMatch(/edgepass: .*(error|Error)\b.*\n\s+at /);
    }, 60_000);
  }
});

describe('the docs’ TypeScript blocks', () => {
  it('type-check against the library as users import it (the project’s strict settings)', () => {
    expect(typescript.length).toBeGreaterThanOrEqual(3);
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-docs-ts-'));
    const files = typescript.map((block, index) => {
      const name = `block-${index}.ts`;
      writeFileSync(join(dir, name), `// ${where(block)}\n${block.code}\nexport {};\n`);
      return name;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        // The project's own (strictest) settings; the imports resolve as a user's would.
        extends: join(ROOT, 'tsconfig.json'),
        compilerOptions: {
          noEmit: true,
          module: 'esnext',
          moduleResolution: 'bundler',
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          baseUrl: ROOT,
          paths: {
            edgepass: ['shared/index.ts'],
            'edgepass/secrets-manager': ['shared/regional/secrets-manager.ts'],
            '@aws-sdk/*': ['node_modules/@aws-sdk/*'],
          },
        },
        files,
        include: [],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    expect(output).toBe('');
    // tsc over the library: about 10 s idle, over a minute on a loaded 2-core machine.
  }, 180_000);
});
