import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

/**
 * The artifacts that deploy, built the way `serverless package` builds them (esbuild.config.cjs: the
 * same options, the stage's validated configuration baked in) and loaded as Lambda would load them.
 * The edge gate runs in a context of its own whose console is captured (each decision's log line
 * feeds the stack's request log); the regional handlers are loaded with Powertools writing to a
 * captured console too, so the terminal shows one line per request.
 */

export type LambdaHandler = (event: unknown) => Promise<unknown>;

/** A loaded bundle and the log lines it wrote since the last `takeLogs()`. */
export interface LoadedHandler {
  readonly handler: LambdaHandler;
  readonly outfile: string;
  takeLogs(): string[];
}

/** The edge gate, which also counts its public-key operations (each one a verified-signature cache miss). */
export interface LoadedEdgeHandler extends LoadedHandler {
  signatureVerifications(): number;
}

interface EsbuildConfigModule {
  readonly bundleOptions: Record<string, unknown>;
  defineFor(stage: string | undefined): Record<string, string>;
}

/** A console that keeps what it is given (every method the bundles use). */
function capturingConsole(lines: string[]): Console {
  const keep = (...args: unknown[]) => {
    lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    // The buffer is drained per request; never let a chatty handler grow it without bound.
    if (lines.length > 1000) lines.splice(0, lines.length - 1000);
  };
  return { ...console, log: keep, info: keep, warn: keep, error: keep, debug: keep, trace: keep } as Console;
}

/**
 * Builds `functions/<name>/handler.ts` for `stage` with the configuration in `configFile` baked in,
 * exactly as serverless-esbuild would, into `outdir/<name>.js`.
 */
export function buildFunction(root: string, name: string, configFile: string, stage: string, outdir: string): string {
  const requireFromRoot = createRequire(join(root, 'package.json'));
  const esbuild = requireFromRoot('esbuild') as typeof import('esbuild');
  const previous = process.env.EDGEPASS_CONFIG;
  process.env.EDGEPASS_CONFIG = configFile;
  try {
    const config = requireFromRoot('./esbuild.config.cjs') as EsbuildConfigModule;
    const outfile = join(outdir, `${name}.js`);
    esbuild.buildSync({
      ...config.bundleOptions,
      define: config.defineFor(stage),
      entryPoints: [join(root, 'functions', name, 'handler.ts')],
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  } finally {
    if (previous === undefined) delete process.env.EDGEPASS_CONFIG;
    else process.env.EDGEPASS_CONFIG = previous;
  }
}

/**
 * Loads the built viewer-request bundle in a fresh context that has only what it needs (the Node
 * `require` for `node:crypto`, `Buffer`) and a captured console. The bundle's `node:crypto` counts
 * calls to `verify` — the public-key operation a verified-signature cache hit skips — so the stack can
 * show (GET /dev/stats) that the cache works and stays at its size without the bundle exposing it.
 */
export function loadEdgeHandler(outfile: string): LoadedEdgeHandler {
  const lines: string[] = [];
  const module = { exports: {} as { handler?: LambdaHandler } };
  const requireFromBundle = createRequire(outfile);
  let verifications = 0;
  const sandboxRequire = (id: string): unknown => {
    const loaded = requireFromBundle(id) as typeof import('node:crypto');
    if (id !== 'node:crypto' && id !== 'crypto') return loaded;
    const counting = Object.create(loaded) as typeof import('node:crypto');
    Object.defineProperty(counting, 'verify', {
      value: (...args: Parameters<typeof loaded.verify>) => {
        verifications++;
        return loaded.verify(...args);
      },
    });
    return counting;
  };
  runInNewContext(readFileSync(outfile, 'utf8'), {
    module,
    exports: module.exports,
    require: sandboxRequire,
    console: capturingConsole(lines),
    Buffer,
  });
  const handler = module.exports.handler;
  if (handler === undefined) throw new Error(`${outfile} exports no handler`);
  return { handler, outfile, takeLogs: () => lines.splice(0), signatureVerifications: () => verifications };
}

/**
 * Loads a built regional handler (login, sign) the way the Lambda runtime does (`require`), with
 * Powertools logging and metrics (POWERTOOLS_DEV: the global console) going to a captured console.
 */
export function loadRegionalHandler(outfile: string): LoadedHandler {
  const lines: string[] = [];
  const global = globalThis as { console: Console };
  const real = global.console;
  process.env.POWERTOOLS_DEV = 'true';
  global.console = capturingConsole(lines);
  try {
    const handler = (createRequire(outfile)(outfile) as { handler?: LambdaHandler }).handler;
    if (handler === undefined) throw new Error(`${outfile} exports no handler`);
    return { handler, outfile, takeLogs: () => lines.splice(0) };
  } finally {
    global.console = real;
  }
}
