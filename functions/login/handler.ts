import type { EdgepassConfig } from '../../shared/config/schema';
import { createRegionalRuntime } from '../../shared/regional/runtime';
import { createLoginHandler } from './create-handler';

/** Replaced at build time (esbuild `define`, see esbuild.config.cjs) by the validated configuration. */
declare const __EDGEPASS_CONFIG__: EdgepassConfig;

const runtime = createRegionalRuntime(__EDGEPASS_CONFIG__, 'edgepass-login');

/** The login Lambda: `functions/login/handler.handler`. */
export const handler = runtime.serve(createLoginHandler(runtime));
