// Builds the viewer-request gate exactly as serverless-esbuild does (same esbuild.config.cjs options and
// baked configuration), with a metafile: used by the bundle-budget test and the cold-start benchmark.
const path = require('node:path');
const esbuild = require('esbuild');
const buildConfig = require('../esbuild.config.cjs');

/**
 * @param {{ configFile: string, stage?: string, outfile: string }} options
 * @returns {{ outfile: string, bytes: number, configBytes: number, inputs: Record<string, number> }}
 */
function buildEdgeBundle({ configFile, stage, outfile }) {
  const previous = process.env.EDGEPASS_CONFIG;
  process.env.EDGEPASS_CONFIG = configFile;
  try {
    const result = esbuild.buildSync({
      ...buildConfig.bundleOptions,
      define: buildConfig.defineFor(stage),
      entryPoints: [path.join(__dirname, '..', 'functions', 'viewer-request', 'handler.ts')],
      outfile,
      metafile: true,
      logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    const inputs = {};
    for (const [name, info] of Object.entries(output.inputs)) inputs[name] = info.bytesInOutput;
    return { outfile, bytes: output.bytes, configBytes: inputs['<define:__EDGEPASS_EDGE_CONFIG__>'] ?? 0, inputs };
  } finally {
    if (previous === undefined) delete process.env.EDGEPASS_CONFIG;
    else process.env.EDGEPASS_CONFIG = previous;
  }
}

module.exports = { buildEdgeBundle };
