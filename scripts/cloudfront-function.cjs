// Builds the viewer-request CloudFront Function: the exact script CloudFront receives (cloudfront-js-2.0,
// a global `handler`, no `export`). functions/cloudfront-function/gate.ts (the gate with the stage's
// rules baked in) is bundled by esbuild as an IIFE assigned to `edgepass`, in the runtime's syntax: ES5.1
// plus the ES6+ features AWS lists (a build error names any other, e.g. destructuring or for-of); it
// takes the place of the marker in handler.js, the global handler with the runtime's two imports.
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');
const buildConfig = require('../esbuild.config.cjs');

/** CloudFront Functions' hard limit on a function's code. */
const CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024;

/**
 * What cloudfront-js-2.0 supports beyond ES5.1 ("JavaScript runtime 2.0 features for CloudFront
 * Functions"): esbuild refuses to build anything else it cannot lower to ES5 (destructuring, for-of,
 * spreads, default parameters, classes) and lowers what it can (`?.`, `??`, optional catch bindings).
 */
const SUPPORTED = {
  'const-and-let': true,
  arrow: true,
  'template-literal': true,
  'rest-argument': true,
  'exponent-operator': true,
  'async-await': true,
};

const MARKER = '/* edgepass:gate */';
const ROOT = path.join(__dirname, '..');

/**
 * @param {{ configFile: string, stage?: string, outfile: string }} options
 * @returns {{ outfile: string, bytes: number, inputs: Record<string, number> }}
 */
function buildCloudFrontFunction({ configFile, stage, outfile }) {
  const previous = process.env.EDGEPASS_CONFIG;
  process.env.EDGEPASS_CONFIG = configFile;
  let define;
  try {
    define = buildConfig.defineFor(stage);
  } finally {
    if (previous === undefined) delete process.env.EDGEPASS_CONFIG;
    else process.env.EDGEPASS_CONFIG = previous;
  }
  const gate = esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'functions', 'cloudfront-function', 'gate.ts')],
    bundle: true,
    // An IIFE that assigns the global `edgepass` declared in handler.js (no export machinery).
    format: 'iife',
    // Neutral: a `node:` import anywhere in the graph fails the build instead of reaching the function.
    platform: 'neutral',
    target: 'es5',
    supported: SUPPORTED,
    minify: true,
    legalComments: 'none',
    charset: 'ascii',
    define: { __EDGEPASS_FUNCTION_CONFIG__: define.__EDGEPASS_FUNCTION_CONFIG__ },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const shell = fs.readFileSync(path.join(ROOT, 'functions', 'cloudfront-function', 'handler.js'), 'utf8');
  if (!shell.includes(MARKER)) throw new Error(`functions/cloudfront-function/handler.js lost its ${MARKER} line`);
  // A replacer function: the bundle holds `$&` (in the canonical-path table), which a replacement string would expand.
  // esbuild writes "use strict" (tsconfig `strict`); CloudFront Functions run in strict mode anyway.
  const bundled = gate.outputFiles[0].text.trim().replace(/^"use strict";/, '');
  const script = esbuild.transformSync(
    shell.replace(MARKER, () => bundled),
    {
      loader: 'js',
      minifyWhitespace: true,
      target: 'es5',
      supported: { ...SUPPORTED, 'import-meta': true },
      legalComments: 'none',
      charset: 'ascii',
      logLevel: 'silent',
    },
  ).code;
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  fs.writeFileSync(outfile, script);
  const output = Object.values(gate.metafile.outputs)[0];
  const inputs = {};
  for (const [name, info] of Object.entries(output.inputs)) inputs[name] = info.bytesInOutput;
  return { outfile, bytes: Buffer.byteLength(script), inputs };
}

module.exports = { buildCloudFrontFunction, CLOUDFRONT_FUNCTION_MAX_BYTES, SUPPORTED };
