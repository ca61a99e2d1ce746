export interface EdgeBundle {
  readonly outfile: string;
  /** Minified output size in bytes, baked configuration included. */
  readonly bytes: number;
  /** Bytes of the baked configuration (`__EDGEPASS_EDGE_CONFIG__`). */
  readonly configBytes: number;
  /** Bytes each input contributes to the output. */
  readonly inputs: Record<string, number>;
}

export function buildEdgeBundle(options: { configFile: string; stage?: string; outfile: string }): EdgeBundle;
