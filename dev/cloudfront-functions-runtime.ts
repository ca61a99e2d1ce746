import { createHash, createHmac } from 'node:crypto';
import { createContext, runInContext, Script } from 'node:vm';

/**
 * A stand-in for CloudFront Functions' cloudfront-js-2.0 runtime, written from its documented
 * contract ("JavaScript runtime 2.0 features for CloudFront Functions", "Helper methods for key value
 * stores", "CloudFront Functions event structure"), so that the script `npm run build` writes runs here
 * exactly as CloudFront receives it and anything it touches beyond the contract fails. The local stack
 * and the tests share it. It runs the script in a `node:vm` context that holds only:
 * - the ES intrinsics the page lists: everything else is deleted (`Map`, `Set`, `WeakMap`, `Proxy`,
 *   `Reflect`, `Intl`, `BigInt`, `Object.fromEntries`, `Array.from`, `String.prototype.normalize`…),
 *   `eval` and the `Function` constructor throw (as documented), `RegExp` accepts only the flags
 *   `g i m y`, and `Date` is frozen at the run's start;
 * - the documented globals: `console.log` with exactly one argument, `atob`, `btoa`, `TextEncoder`,
 *   `TextDecoder`, `Buffer` (its documented static methods);
 * - the two modules the script imports, in the form AWS's own samples use
 *   (`import crypto from 'crypto'; import cf from 'cloudfront';`): `crypto.createHash` and
 *   `createHmac` for md5, sha1 and sha256 with `digest()` (hex, base64, base64url, or a Buffer), and
 *   `cf.kvs()` with `get` (formats string, json, bytes; a missing key rejects), `exists` and `meta`.
 * No timers, no network, no `require`, no `process`: a fresh context has none of Node's globals.
 * `String.prototype.charCodeAt` is not on the page but AWS's kvs-jwt-verify sample (compute
 * utilisation 19) uses it, as it uses `digest('base64url')`: both stay.
 */

/** ES intrinsics (and their methods) the runtime page does not list: deleted from the context. */
const ABSENT_GLOBALS = [
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'Proxy',
  'Reflect',
  'Intl',
  'BigInt',
  'BigInt64Array',
  'BigUint64Array',
  'SharedArrayBuffer',
  'Atomics',
  'AggregateError',
  'Iterator',
  'WebAssembly',
  'escape',
  'unescape',
];
const ABSENT_METHODS: Record<string, readonly string[]> = {
  Object: ['fromEntries', 'groupBy', 'hasOwn', 'getOwnPropertySymbols'],
  Array: ['from', 'fromAsync'],
  'Array.prototype': [
    'at',
    'flat',
    'flatMap',
    'findLast',
    'findLastIndex',
    'toSorted',
    'toReversed',
    'toSpliced',
    'with',
  ],
  String: ['raw'],
  'String.prototype': [
    'normalize',
    'at',
    'matchAll',
    'localeCompare',
    'toLocaleLowerCase',
    'toLocaleUpperCase',
    'isWellFormed',
    'toWellFormed',
  ],
  Promise: ['withResolvers', 'try'],
  Math: ['f16round'],
};
/** Regular-expression flags of ES5.1 plus `y` (sticky, listed as new in 2.0). */
const REGEXP_FLAGS = /^[gimy]*$/;

/** The prelude that shapes the context: runs in it before the function's script. */
function prelude(): string {
  // `__onRegExp` is a test hook (the suites check that no regular expression is built from configuration).
  const deletions = [
    ...ABSENT_GLOBALS.map((name) => `delete globalThis.${name};`),
    ...Object.entries(ABSENT_METHODS).flatMap(([owner, names]) => names.map((name) => `delete ${owner}.${name};`)),
  ];
  return `(() => {
    const NativeRegExp = RegExp;
    const { construct, apply } = Reflect;
    const onRegExp = globalThis.__onRegExp;
    delete globalThis.__onRegExp;
    const checkFlags = (flags, source) => {
      if (onRegExp !== undefined) onRegExp(String(source));
      if (flags !== undefined && !${REGEXP_FLAGS}.test(String(flags))) {
        throw new SyntaxError('cloudfront-js-2.0 stand-in: regular-expression flags ' + flags + ' are not in the runtime');
      }
    };
    globalThis.RegExp = new Proxy(NativeRegExp, {
      construct(target, args, newTarget) { checkFlags(args[1], args[0]); return construct(target, args, newTarget); },
      apply(target, self, args) { checkFlags(args[1], args[0]); return apply(target, self, args); },
    });
    const NativeDate = Date;
    const FrozenDate = function (...args) {
      if (!new.target) return new NativeDate(globalThis.__frozenNow).toString();
      return args.length === 0 ? new NativeDate(globalThis.__frozenNow) : new NativeDate(...args);
    };
    FrozenDate.prototype = NativeDate.prototype;
    FrozenDate.now = () => globalThis.__frozenNow;
    FrozenDate.parse = NativeDate.parse;
    FrozenDate.UTC = NativeDate.UTC;
    globalThis.Date = FrozenDate;
    ${deletions.join('\n    ')}
  })();`;
}

/** A KeyValueStore as CloudFront Functions sees it (values are text; the store holds at most 5 MB). */
export interface KeyValueStore {
  put(key: string, value: string): void;
  delete(key: string): void;
  /** The stored text, or `undefined`. */
  read(key: string): string | undefined;
  readonly size: number;
}

/** Keys up to 512 characters, values up to 1 KB (the documented KeyValueStore limits). */
const MAX_KEY = 512;
const MAX_VALUE = 1024;

/** An in-memory KeyValueStore (the local stack's and the tests' stand-in for `AWS::CloudFront::KeyValueStore`). */
export function createKeyValueStore(entries: Record<string, string> = {}): KeyValueStore {
  const store = new Map<string, string>();
  const api: KeyValueStore = {
    put(key, value) {
      if (key.length === 0 || key.length > MAX_KEY) throw new Error(`KeyValueStore keys are 1-${MAX_KEY} characters`);
      if (Buffer.byteLength(value) > MAX_VALUE) throw new Error(`KeyValueStore values are at most ${MAX_VALUE} bytes`);
      store.set(key, value);
    },
    delete: (key) => {
      store.delete(key);
    },
    read: (key) => store.get(key),
    get size() {
      return store.size;
    },
  };
  for (const [key, value] of Object.entries(entries)) api.put(key, value);
  return api;
}

/** The `cloudfront` module's `kvs()` handle over a store: the documented helper methods. */
function kvsHandle(store: KeyValueStore) {
  return {
    async get(key: unknown, options?: { format?: string }): Promise<unknown> {
      if (typeof key !== 'string' || key.length > MAX_KEY) throw new Error('KeyValueStore: invalid key');
      const value = store.read(key);
      if (value === undefined) throw new Error(`KeyValueStore: key not found: ${key}`);
      const format = options?.format ?? 'string';
      if (format === 'string') return value;
      if (format === 'json') return JSON.parse(value);
      if (format === 'bytes') return Buffer.from(value, 'utf8');
      throw new Error(`KeyValueStore: unknown format ${format}`);
    },
    async exists(key: unknown): Promise<boolean> {
      return typeof key === 'string' && store.read(key) !== undefined;
    },
    async meta(): Promise<{ creationDateTime: string; lastUpdatedDateTime: string; keyCount: number }> {
      const at = new Date(0).toISOString();
      return { creationDateTime: at, lastUpdatedDateTime: at, keyCount: store.size };
    },
  };
}

const HASHES = ['md5', 'sha1', 'sha256'];
const ENCODINGS = ['hex', 'base64', 'base64url'];

/** The runtime's `crypto` module: hashes and HMACs, nothing else (no sign, no verify, no random). */
function cryptoModule() {
  const wrap = (make: () => import('node:crypto').Hash | import('node:crypto').Hmac) => {
    const inner = make();
    const digest = {
      update(data: unknown) {
        inner.update(data as string);
        return digest;
      },
      digest(encoding?: unknown) {
        if (encoding === undefined) return inner.digest();
        if (!ENCODINGS.includes(encoding as string)) throw new Error(`crypto: unsupported encoding ${encoding}`);
        return inner.digest(encoding as 'hex');
      },
    };
    return digest;
  };
  const checked = (algorithm: unknown): string => {
    if (!HASHES.includes(algorithm as string)) throw new Error(`crypto: unsupported algorithm ${algorithm}`);
    return algorithm as string;
  };
  return Object.freeze({
    createHash: (algorithm: unknown) => wrap(() => createHash(checked(algorithm))),
    createHmac: (algorithm: unknown, key: unknown) => wrap(() => createHmac(checked(algorithm), key as string)),
  });
}

/** The `Buffer` the page documents: its static methods (instances are Node's). */
function bufferModule() {
  const names = ['alloc', 'allocUnsafe', 'byteLength', 'compare', 'concat', 'from', 'isBuffer', 'isEncoding'] as const;
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = (Buffer[name] as (...args: unknown[]) => unknown).bind(Buffer);
  return Object.freeze(out);
}

/** The two import lines a CloudFront Functions script may start with, in AWS's samples' form. */
const IMPORTS = [/^import crypto from ?["']crypto["'];?/, /^import cf from ?["']cloudfront["'];?/];

export interface LoadedFunction {
  /** Runs the global `handler` as CloudFront would, with `Date` frozen at `now` (ms, default the real clock). */
  run(event: unknown, now?: number): Promise<unknown>;
  /** The `console.log` lines written since the last `takeLogs()`. */
  takeLogs(): string[];
}

/**
 * Loads a built CloudFront Functions script into the runtime stand-in. Throws when the script is not
 * one CloudFront would take: an `import` other than `crypto` and `cloudfront`, any `export` (the rest
 * must compile as a plain script), or no global `handler` function.
 *
 * @example
 * const fn = loadCloudFrontFunction(readFileSync('dist/cloudfront-function.js', 'utf8'), createKeyValueStore());
 * await fn.run(event);
 */
export function loadCloudFrontFunction(
  script: string,
  store: KeyValueStore,
  options: { readonly onRegExp?: (source: string) => void } = {},
): LoadedFunction {
  let body = script;
  for (;;) {
    const match = IMPORTS.map((pattern) => pattern.exec(body)).find((found) => found !== null);
    if (match === undefined || match === null) break;
    body = body.slice(match[0].length).trimStart();
  }
  const lines: string[] = [];
  const console = Object.freeze({
    log(...args: unknown[]) {
      if (args.length !== 1) throw new Error('cloudfront-js-2.0: console.log takes one argument');
      lines.push(String(args[0]));
      if (lines.length > 1000) lines.splice(0, lines.length - 1000);
    },
  });
  const context = createContext(
    {
      console,
      crypto: cryptoModule(),
      cf: Object.freeze({ kvs: () => kvsHandle(store) }),
      Buffer: bufferModule(),
      atob,
      btoa,
      TextEncoder,
      TextDecoder,
      __frozenNow: Date.now(),
      __onRegExp: options.onRegExp,
    },
    { codeGeneration: { strings: false, wasm: false } },
  );
  runInContext(prelude(), context);
  // Module code is strict; as a script (imports taken off) it must be told. An `export` or any other
  // import is a syntax error here, as it is for CloudFront.
  new Script(`'use strict';\n${body}`, { filename: 'cloudfront-function.js' }).runInContext(context);
  const handler = (context as { handler?: unknown }).handler;
  if (typeof handler !== 'function') throw new Error('the script defines no global function handler');
  return {
    run: async (event, now = Date.now()) => {
      (context as { __frozenNow: number }).__frozenNow = now;
      return (handler as (event: unknown) => Promise<unknown>)(event);
    },
    takeLogs: () => lines.splice(0),
  };
}
