// esbuild options for serverless-esbuild (custom.esbuild.config) and for the tests that build the
// same bundles. The validated configuration for the stage is baked in with `define`: Lambda@Edge has
// no environment variables, and a bad configuration must fail the build, not a viewer's request.
// dist/build-config.cjs is built from shared/config/build-defines.ts by `npm ci` (prepare) / `npm run build`.
const path = require('node:path');

function loadBuildConfig() {
  try {
    return require('./dist/build-config.cjs');
  } catch (error) {
    throw new Error(`edgepass: dist/build-config.cjs is missing; run \`npm run build\` first (${error.message})`);
  }
}

/** Options shared by every bundle; serverless-esbuild adds entry points and output paths. */
const bundleOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  mainFields: ['module', 'main'],
  legalComments: 'none',
  sourcemap: false,
};

/** The define entries for a stage, from EDGEPASS_CONFIG (default edgepass.config.json). */
function defineFor(stage) {
  const file = process.env.EDGEPASS_CONFIG || path.join(__dirname, 'edgepass.config.json');
  return loadBuildConfig().configDefines(file, stage).define;
}

module.exports = (serverless) => {
  const stage = serverless?.service?.provider?.stage;
  try {
    return { ...bundleOptions, define: defineFor(stage) };
  } catch (error) {
    // A configuration mistake is one line naming the field and the fix: the Serverless Framework prints
    // its own error class without a stack trace.
    const ServerlessError = serverless?.classes?.Error;
    if (error?.code === 'INVALID_CONFIG' && ServerlessError !== undefined) throw new ServerlessError(error.message);
    throw error;
  }
};
module.exports.bundleOptions = bundleOptions;
module.exports.defineFor = defineFor;
