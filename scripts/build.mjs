// Bundles the runnable entry points into dist/ with esbuild. Runs on `npm ci` (prepare), before
// `npm test` and before `npm run bench`, so the CLI, the config loader used by esbuild.config.cjs and
// the benchmarks always match the sources.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  build({ ...common, entryPoints: ['shared/index.ts'], outfile: 'dist/index.cjs', packages: 'external' }),
  build({ ...common, entryPoints: ['cli/edgepass.ts'], outfile: 'dist/edgepass.cjs' }),
  build({
    ...common,
    entryPoints: ['shared/config/build-defines.ts'],
    outfile: 'dist/build-config.cjs',
    packages: 'external',
  }),
  build({ ...common, entryPoints: ['bench/index.ts'], outfile: 'dist/bench.cjs', packages: 'external' }),
]);
