import type { EdgepassConfig } from '../../shared/config/schema';
import { createRegionalRuntime } from '../../shared/regional/runtime';
import { createSignHandler } from './create-handler';

/** Replaced at build time (esbuild `define`, see esbuild.config.cjs) by the validated configuration. */
declare const __EDGEPASS_CONFIG__: EdgepassConfig;

const runtime = createRegionalRuntime(__EDGEPASS_CONFIG__, 'edgepass-sign');

/** The URL issuer Lambda: `functions/sign/handler.handler`. */
export const handler = runtime.serve(createSignHandler(runtime));
