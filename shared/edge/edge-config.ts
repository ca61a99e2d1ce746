/**
 * The part of the configuration baked into the edge bundle: plain JSON, keys as PEM text. The edge
 * layer defines it (so it imports nothing from config/); `toEdgeConfig` in config/ produces it.
 */
export interface EdgeConfig {
  readonly domains: readonly string[];
  readonly scheme: 'https' | 'http';
  /** Canonical paths forwarded without credentials (`*` = any run of characters). Nothing else is. */
  readonly publicPaths: readonly string[];
  readonly loginUrl: string;
  readonly keys: readonly { readonly id: string; readonly publicKey: string }[];
  readonly verifyCacheSize: number;
}
