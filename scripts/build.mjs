// Bundles the runnable entry points into dist/ with esbuild. Runs on `npm ci` (prepare, with
// --types), before `npm test` and before `npm run bench`, so the CLI, the library, the config loader
// used by esbuild.config.cjs and the benchmarks always match the sources. `--types` also writes the
// declaration files of the library (tsc, a few seconds) into dist/types.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};
const cjs = { ...common, format: 'cjs' };
/** The library entries keep their dependencies (jose, zod, the AWS SDK) external: the user installs them. */
const library = (entry, name) => [
  build({ ...cjs, entryPoints: [entry], outfile: `dist/${name}.cjs`, packages: 'external' }),
  build({ ...common, format: 'esm', entryPoints: [entry], outfile: `dist/${name}.mjs`, packages: 'external' }),
];

await Promise.all([
  ...library('shared/index.ts', 'index'),
  ...library('shared/regional/secrets-manager.ts', 'secrets-manager'),
  build({ ...cjs, entryPoints: ['cli/edgepass.ts'], outfile: 'dist/edgepass.cjs' }),
  // The local stack, loaded by `edgepass dev` from beside the CLI; repository only (not in the package).
  build({ ...cjs, entryPoints: ['dev/main.ts'], outfile: 'dist/dev.cjs', packages: 'external' }),
  build({
    ...cjs,
    entryPoints: ['shared/config/build-defines.ts'],
    outfile: 'dist/build-config.cjs',
    packages: 'external',
  }),
  // The Serverless Framework plugin that builds the stack (scripts/serverless-edgepass.cjs loads it).
  build({
    ...cjs,
    entryPoints: ['scripts/deploy/plugin.ts'],
    outfile: 'dist/serverless-edgepass.cjs',
    packages: 'external',
  }),
  build({ ...cjs, entryPoints: ['bench/index.ts'], outfile: 'dist/bench.cjs', packages: 'external' }),
]);

// The viewer-request CloudFront Function, exactly the script CloudFront receives, with the stage's rules
// baked in (EDGEPASS_CONFIG, default edgepass.config.json): it needs dist/build-config.cjs, built above.
const require = createRequire(import.meta.url);
const { buildCloudFrontFunction, CLOUDFRONT_FUNCTION_MAX_BYTES } = require('./cloudfront-function.cjs');
const cloudFrontFunction = buildCloudFrontFunction({
  configFile: process.env.EDGEPASS_CONFIG || 'edgepass.config.json',
  outfile: 'dist/cloudfront-function.js',
});
if (cloudFrontFunction.bytes > CLOUDFRONT_FUNCTION_MAX_BYTES) {
  console.error(
    `dist/cloudfront-function.js is ${cloudFrontFunction.bytes} bytes, over CloudFront Functions' ${CLOUDFRONT_FUNCTION_MAX_BYTES}`,
  );
  process.exit(1);
}

if (process.argv.includes('--types')) {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
