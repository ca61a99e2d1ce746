/** Builds the CloudFront Function script (cloudfront-js-2.0) with a stage's rules baked in. */
export function buildCloudFrontFunction(options: { configFile: string; stage?: string; outfile: string }): {
  outfile: string;
  bytes: number;
  inputs: Record<string, number>;
};
/** CloudFront Functions' limit on a function's code: 10 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES: number;
/** The syntax cloudfront-js-2.0 supports beyond ES5.1, in esbuild's `supported` terms. */
export const SUPPORTED: Record<string, boolean>;
