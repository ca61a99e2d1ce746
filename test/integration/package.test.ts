import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/run-cli';

/**
 * edgepass as a user installs it: `npm pack`, then an empty project installs the tarball (its own
 * dependencies from the npm cache, the optional AWS peers left out) and uses it as CommonJS, as ESM,
 * from TypeScript (the README's library example type-checked against the installed types) and as a
 * command.
 */

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
const node = (args: string[], cwd: string) => execFileSync(process.execPath, args, { cwd, encoding: 'utf8' });

let consumer: string;
let files: string[];

beforeAll(() => {
  // The declaration files (the test's own build; the rest of dist/ is built by the global setup).
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { cwd: ROOT, stdio: 'inherit' });
  const packs = mkdtempSync(join(tmpdir(), 'edgepass-pack-'));
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packs], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (packed === undefined) throw new Error('npm pack printed nothing');
  files = packed.files.map((file) => file.path);
  consumer = mkdtempSync(join(tmpdir(), 'edgepass-consumer-'));
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  npm(
    ['install', join(packs, packed.filename), '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
    consumer,
  );
}, 180_000);

describe('the npm package', () => {
  it('ships the built library, its types, the CLI and the docs — no sources, tests or benchmarks', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'SECURITY.md',
        'CHANGELOG.md',
        'bin/edgepass.cjs',
        'dist/index.cjs',
        'dist/index.mjs',
        'dist/secrets-manager.cjs',
        'dist/edgepass.cjs',
        'dist/types/shared/index.d.ts',
        'docs/security.md',
      ]),
    );
    expect(files.filter((file) => /^(shared|functions|cli|test|bench|dev|scripts)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('installs without the AWS SDK or Powertools (optional peers) and loads as CommonJS', () => {
    expect(() => require.resolve('@aws-sdk/client-secrets-manager', { paths: [consumer] })).toThrow();
    const out = node(
      [
        '-e',
        `const e = require('edgepass');
         const { privateKey, publicKey } = require('node:crypto').generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
         const url = e.signUrl('https://cdn.example.com/a.mp4', { keyPairId: 'K1', privateKey, expires: e.epochSeconds() + 60 });
         const group = e.createKeyGroup([{ id: 'K1', publicKey }]);
         process.stdout.write(e.verifySignedRequest({ url }, { now: e.epochSeconds(), keyGroup: group }).reason);`,
      ],
      consumer,
    );
    expect(out).toBe('ok');
  });

  it('loads as ESM with named exports', () => {
    const out = node(
      [
        '--input-type=module',
        '-e',
        `import { pathProblem, matchResource, EdgepassError } from 'edgepass';
         process.stdout.write([pathProblem('/a/../b'), matchResource('https://h/*', 'https://h/x'), typeof EdgepassError].join(' '));`,
      ],
      consumer,
    );
    expect(out).toBe('dot-segment true function');
  });

  it('keeps the Secrets Manager key source behind its own entry point, which needs the SDK', () => {
    const out = node(
      ['-e', `try { require('edgepass/secrets-manager'); } catch (e) { process.stdout.write(e.code); }`],
      consumer,
    );
    expect(out).toBe('MODULE_NOT_FOUND');
  });

  it('runs the edgepass command', () => {
    const version = execFileSync(join(consumer, 'node_modules', '.bin', 'edgepass'), ['--version'], {
      encoding: 'utf8',
    });
    expect(version.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('type-checks the README’s library example against the installed types (strict, Node16 modules)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Library'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toContain("from 'edgepass'");
    const dir = join(consumer, 'example');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'example.ts'), `${example}\nexport {};\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          // The installed declarations are used to check the example; checking zod's and @types/node's
          // own files again would only cost time.
          skipLibCheck: true,
        },
        files: ['example.ts'],
      }),
    );
    const result = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      } catch (error) {
        return String((error as { stdout?: string }).stdout);
      }
    })();
    expect(result).toBe('');
  });
});
