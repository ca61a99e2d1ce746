import { DEFAULT_CONFIG_FILE, loadConfigFile } from './file';
import { toEdgeConfig, toFunctionConfig } from './parse';
import type { EdgepassConfig } from './schema';

/**
 * What the build (esbuild.config.cjs, used by serverless-esbuild and by the tests) bakes into the
 * bundles: `define` entries replacing `__EDGEPASS_EDGE_CONFIG__` (edge gate), `__EDGEPASS_FUNCTION_CONFIG__`
 * (the CloudFront Function) and `__EDGEPASS_CONFIG__` (regional Lambdas) with the validated configuration for a stage. A bad configuration throws here,
 * so it fails the build and names the field.
 */
export function configDefines(
  file: string = process.env.EDGEPASS_CONFIG ?? DEFAULT_CONFIG_FILE,
  stage?: string,
): { config: EdgepassConfig; define: Record<string, string> } {
  const config = loadConfigFile(file, stage);
  return {
    config,
    define: {
      __EDGEPASS_EDGE_CONFIG__: JSON.stringify(toEdgeConfig(config)),
      __EDGEPASS_FUNCTION_CONFIG__: JSON.stringify(toFunctionConfig(config)),
      __EDGEPASS_CONFIG__: JSON.stringify(config),
    },
  };
}

export { loadConfigFile } from './file';
export { parseConfig, toEdgeConfig, toFunctionConfig } from './parse';
