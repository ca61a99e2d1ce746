// The edgepass Serverless Framework plugin (serverless.yml `plugins:`): builds the distribution, the
// content bucket and its Origin Access Control, the key group, one role per function and the alarms
// from the validated configuration. Its code is scripts/deploy/, bundled into dist/ by
// `npm run build` (run by `npm ci`, `npm run package` and the tests).
let plugin;
try {
  plugin = require('../dist/serverless-edgepass.cjs');
} catch (error) {
  throw new Error(`edgepass: dist/serverless-edgepass.cjs is missing; run \`npm run build\` first (${error.message})`);
}
module.exports = plugin.EdgepassPlugin;
