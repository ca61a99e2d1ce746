/**
 * Wildcard matching in linear time for one section of text (a path, a host, a query): `*` matches
 * any run of characters and, when asked for, `?` exactly one — in the first and last chunk only (a
 * pattern with `?` between two stars, a chunk between two stars longer than `MAX_MIDDLE_CHUNK`, or
 * more than `MAX_SECTION_STARS` stars never matches). A pattern is compiled once into its
 * literal chunks (split at `*`). Matching puts the first chunk at the start, the last at the end and
 * every chunk between at its leftmost fit: that is exact when a `*` may hold any character (which
 * callers guarantee by matching each section on its own), and it never backtracks, so an 8 KB input
 * costs about what a short one does.
 */
export interface Glob {
  /** Literal chunks between stars; a pattern without `*` is one chunk. */
  readonly chunks: readonly string[];
  /** Per chunk: true when it holds a `?` that matches any one character. */
  readonly wild: readonly boolean[];
  /** The shortest text the pattern can match. */
  readonly minLength: number;
}

/**
 * Compiles a section pattern. With `one`, `?` is a one-character wildcard; otherwise a literal.
 *
 * @example
 * matchGlob(compileGlob('/videos/*.ts', false), '/videos/42/seg-1.ts') // true
 */
export function compileGlob(pattern: string, one: boolean): Glob {
  const chunks = pattern.split('*');
  return {
    chunks,
    wild: chunks.map((chunk) => one && chunk.includes('?')),
    minLength: pattern.length - chunks.length + 1,
  };
}

/** True when `chunk` matches `text` at `at` (`?` any one character when `wild`). */
function chunkAt(chunk: string, wild: boolean, text: string, at: number): boolean {
  if (!wild) return text.startsWith(chunk, at);
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c !== 63 && c !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/**
 * Longest middle chunk (between two stars) searched for. V8's string search is Boyer–Moore with full
 * shift tables up to 250 characters — linear for the first match — but builds them from a needle's
 * last 250 characters only, so a longer chunk can cost O(text × chunk): a 2,000-character chunk
 * against an 8 KB path of near-misses took 700 cached decisions. A longer middle chunk never matches;
 * edgepass's signers refuse one (a search of our own, Knuth–Morris–Pratt, was linear but 5× slower
 * than this one on every ordinary pattern).
 */
export const MAX_MIDDLE_CHUNK = 250;
/**
 * Most `*` in one section of a pattern that is matched (the configuration allows 8 in a whole path
 * pattern): a key holder's 4,000-star Resource cost 20 decisions a request and three times its size in
 * the verified-signature cache. More never match; edgepass's signers refuse them.
 */
export const MAX_SECTION_STARS = 16;

/** The leftmost position in [from, limit - chunk.length] where a chunk without `?` matches, or -1. */
function findChunk(chunk: string, text: string, from: number, limit: number): number {
  const at = text.indexOf(chunk, from);
  return at !== -1 && at <= limit - chunk.length ? at : -1;
}

/**
 * True when the compiled pattern matches `text` from `start` to `end` exactly.
 *
 * @example
 * matchGlob(compileGlob('a*b*c', false), 'a-b-b-c') // true
 */
export function matchGlob(glob: Glob, text: string, from?: number, to?: number): boolean {
  // No default parameters or destructuring: this file also ships in the CloudFront Function (ES5.1 + a few ES6 features).
  const start = from ?? 0;
  const end = to ?? text.length;
  const chunks = glob.chunks;
  const wild = glob.wild;
  if (end - start < glob.minLength) return false;
  const last = chunks.length - 1;
  if (last > MAX_SECTION_STARS) return false;
  const first = chunks[0] as string;
  if (!chunkAt(first, wild[0] as boolean, text, start)) return false;
  if (last === 0) return end - start === first.length;
  const tail = chunks[last] as string;
  const tailAt = end - tail.length;
  if (!chunkAt(tail, wild[last] as boolean, text, tailAt)) return false;
  let at = start + first.length;
  for (let i = 1; i < last; i++) {
    const chunk = chunks[i] as string;
    // A `?` between two stars would need a search that is not linear (an 8 KB URL against a
    // 3,500-character `?` run took 157 ms), and so would a chunk over MAX_MIDDLE_CHUNK: such a
    // pattern never matches. Only a key holder can sign one; edgepass's own signers refuse both.
    if (wild[i] || chunk.length > MAX_MIDDLE_CHUNK) return false;
    const found = findChunk(chunk, text, at, tailAt);
    if (found === -1) return false;
    at = found + chunk.length;
  }
  return true;
}
