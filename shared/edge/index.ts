/**
 * Layer 2 — the edge gate: the one decision function (`createGate`), the path rules it applies, the
 * safe `return_to` it builds, and the Lambda@Edge viewer-request event in and out. The Lambda@Edge
 * bundle is exactly `cloudfront/` + `edge/` + the baked configuration.
 *
 * May import: `cloudfront/` and files of this folder. No package, no `node:` module besides what
 * `cloudfront/` uses, no layer above (test/unit/layering.test.ts enforces it).
 */

export { PATH_PROBLEM_TEXT, type PathProblem, pathProblem } from './canonical-path';
export type { EdgeConfig } from './edge-config';
export { createGate, type GateDecision, type ViewerRequest } from './gate';
export { safeReturnPath, safeReturnTo } from './return-to';
