/**
 * Beside the layers — the one configuration: its schema (`schema.ts`), the checks beyond the schema
 * (`parse.ts`), the file loader (`file.ts`, Node only) and the build defines that bake it into the
 * bundles (`build-defines.ts`). A mistake fails the build or the start with the field's name.
 *
 * Every layer may import *types* from `config/schema`; no layer imports config code at run time.
 * config/ itself may use any layer below `regional/` to validate (keys, cookies).
 */

export { parseConfig, toEdgeConfig } from './parse';
export type { EdgepassConfig, EdgepassConfigInput } from './schema';
