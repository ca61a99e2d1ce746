import type { EdgeConfig } from '../../shared/edge/edge-config';
import { createHandler } from './create-handler';

/**
 * Replaced at build time (esbuild `define`, see esbuild.config.cjs) by the validated edge
 * configuration: Lambda@Edge has no environment variables.
 */
declare const __EDGEPASS_EDGE_CONFIG__: EdgeConfig;
declare const module: { exports: unknown };

/**
 * The Lambda@Edge viewer-request handler: `functions/viewer-request/handler.handler`. Assigned to
 * `module.exports` rather than exported: an ES export makes esbuild add its CommonJS interop helpers
 * (about 300 bytes) to a bundle whose code budget is 16 KiB.
 */
module.exports = { handler: createHandler(__EDGEPASS_EDGE_CONFIG__) };
