#!/usr/bin/env node
// The `edgepass` command. The TypeScript sources are bundled into dist/ by `npm ci` (prepare).
try {
  require.resolve('../dist/edgepass.cjs');
} catch {
  process.stderr.write('edgepass: dist/edgepass.cjs is missing; run `npm run build` first\n');
  process.exit(2);
}
require('../dist/edgepass.cjs');
