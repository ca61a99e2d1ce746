import type { EdgepassConfig } from '../../shared/config';
import { createRegionalRuntime } from '../../shared/regional-runtime';
import { createLoginHandler } from './create-handler';

/** Replaced at build time (esbuild `define`, see esbuild.config.cjs) by the validated configuration. */
declare const __EDGEPASS_CONFIG__: EdgepassConfig;

const runtime = createRegionalRuntime(__EDGEPASS_CONFIG__, 'edgepass-login');
const login = createLoginHandler(runtime);

/** The login Lambda: `functions/login/handler.handler`. */
export const handler = async (event: unknown) => {
  try {
    return await login(event);
  } finally {
    runtime.flush();
  }
};
