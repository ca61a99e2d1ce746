import type { GateRules } from '../../shared/edge/gate-decision';
import { createFunctionGate, type FunctionCrypto, type FunctionGate } from './create-handler';

/**
 * Replaced at build time (esbuild `define`, scripts/cloudfront-function.cjs) by the validated rules:
 * a CloudFront Function has no environment.
 */
declare const __EDGEPASS_FUNCTION_CONFIG__: GateRules;

/** Declared by handler.js, the script's global `handler`, which builds the gate with the runtime's `crypto`. */
declare let edgepass: (crypto: FunctionCrypto) => FunctionGate;

// esbuild bundles this file as an IIFE in place of handler.js's marker line: no `export` reaches the script.
edgepass = (crypto) => createFunctionGate(__EDGEPASS_FUNCTION_CONFIG__, crypto);
