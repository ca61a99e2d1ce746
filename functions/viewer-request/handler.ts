import type { EdgeConfig } from '../../shared/edge/edge-config';
import { createHandler } from './create-handler';

/**
 * Replaced at build time (esbuild `define`, see esbuild.config.cjs) by the validated edge
 * configuration: Lambda@Edge has no environment variables.
 */
declare const __EDGEPASS_EDGE_CONFIG__: EdgeConfig;

/** The Lambda@Edge viewer-request handler: `functions/viewer-request/handler.handler`. */
export const handler = createHandler(__EDGEPASS_EDGE_CONFIG__);
