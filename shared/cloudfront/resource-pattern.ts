/**
 * CloudFront custom-policy resource patterns: `*` matches any run of characters and `?` exactly one,
 * each inside one section of `scheme://host/path\?query`. A trailing `*` in the path also covers the
 * query; a trailing `*` in the host covers path and query; a pattern without a query section does not
 * match a URL that has one; `*` alone matches everything; `*example.com` means `*://*example.com/`.
 * An unescaped `?` after the path is a one-character wildcard, so it also matches the query's `?`.
 */

interface PatternSections {
  readonly scheme: string;
  readonly host: string;
  /** `undefined` when the pattern stops after the host. */
  readonly path: string | undefined;
  /** `undefined` when the pattern has no `\?` query section. */
  readonly query: string | undefined;
}

/** Splits a pattern into its sections, or `undefined` when it has no recognisable shape. */
export function splitResourcePattern(pattern: string): PatternSections | undefined {
  let rest: string;
  let scheme: string;
  const schemeEnd = pattern.indexOf('://');
  if (schemeEnd !== -1) {
    scheme = pattern.slice(0, schemeEnd);
    rest = pattern.slice(schemeEnd + 3);
  } else if (pattern.startsWith('*')) {
    scheme = '*';
    rest = pattern;
  } else {
    return undefined;
  }
  if (scheme.length === 0 || /[:/]/.test(scheme)) return undefined;
  const slash = rest.indexOf('/');
  if (slash === -1) return { scheme, host: rest, path: undefined, query: undefined };
  const host = rest.slice(0, slash);
  const afterHost = rest.slice(slash);
  const escapedQuery = afterHost.indexOf('\\?');
  if (escapedQuery === -1) return { scheme, host, path: afterHost, query: undefined };
  return {
    scheme,
    host,
    path: afterHost.slice(0, escapedQuery),
    query: afterHost.slice(escapedQuery + 2),
  };
}

/** One pattern step: a literal character, `?` (one character) or `*` (any run), each limited to
 * the characters its section may hold. */
interface Step {
  readonly star: boolean;
  /** The literal character, or `undefined` for a wildcard. */
  readonly char: string | undefined;
  /** Characters a wildcard may not consume (section boundaries). */
  readonly stop: string;
}

/** How a URL may continue once every step has matched. */
type Tail = 'end' | 'anything' | 'path-or-end';

interface Matcher {
  readonly steps: readonly Step[];
  readonly tail: Tail;
  /** Set when the pattern is a literal prefix followed by "anything": matching is `startsWith`. */
  readonly prefix: string | undefined;
}

function addSection(steps: Step[], section: string, stop: string, oneStop: string): void {
  // UTF-16 units, as the matcher walks the URL (a code-point loop would split surrogate pairs apart).
  for (let i = 0; i < section.length; i++) {
    const char = section[i] as string;
    if (char === '*') steps.push({ star: true, char: undefined, stop });
    else if (char === '?') steps.push({ star: false, char: undefined, stop: oneStop });
    else steps.push({ star: false, char, stop: '' });
  }
}

function compile(pattern: string): Matcher | null {
  if (pattern === '*') return { steps: [], tail: 'anything', prefix: '' };
  const sections = splitResourcePattern(pattern);
  if (sections === undefined || sections.host.length === 0) return null;
  const steps: Step[] = [];
  addSection(steps, sections.scheme, ':/?#', ':/?#');
  addSection(steps, '://', '', '');
  let tail: Tail = 'end';
  if (sections.path === undefined) {
    // A trailing * in the host covers path and query; otherwise the pattern means the root path.
    const open = sections.host.endsWith('*');
    addSection(steps, open ? sections.host.slice(0, -1) : sections.host, '/?#', '/?#');
    if (open) {
      steps.push({ star: true, char: undefined, stop: '/?#' });
      tail = 'path-or-end';
    } else {
      addSection(steps, '/', '', '');
    }
  } else {
    addSection(steps, sections.host, '/?#', '/?#');
    if (sections.query !== undefined) {
      addSection(steps, sections.path, '?', '');
      addSection(steps, '?', '', '');
      addSection(steps, sections.query, '', '');
    } else if (sections.path.endsWith('*')) {
      // `[^?]*` followed by an optional `?anything` is simply "anything".
      addSection(steps, sections.path.slice(0, -1), '?', '');
      tail = 'anything';
    } else {
      addSection(steps, sections.path, '?', '');
    }
  }
  const literal = steps.every((step) => step.char !== undefined);
  const prefix = literal && tail === 'anything' ? steps.map((step) => step.char).join('') : undefined;
  return { steps, tail, prefix };
}

/**
 * Runs the pattern as a set of positions over the URL (a Thompson-style simulation): time grows
 * with URL length × pattern length and never explodes, unlike a backtracking regex, which a URL of
 * many slashes against `/a/*\/*\/*.ts` could keep busy for seconds.
 */
function run(matcher: Matcher, url: string): boolean {
  const { steps, tail } = matcher;
  const count = steps.length;
  let active = new Uint8Array(count + 1);
  let next = new Uint8Array(count + 1);
  const close = (states: Uint8Array) => {
    for (let i = 0; i < count; i++) if (states[i] === 1 && (steps[i] as Step).star) states[i + 1] = 1;
  };
  active[0] = 1;
  close(active);
  for (let position = 0; position < url.length; position++) {
    if (active[count] === 1) {
      if (tail === 'anything') return true;
      if (tail === 'path-or-end' && (url[position] === '/' || url[position] === '?')) return true;
    }
    const char = url[position] as string;
    next.fill(0);
    let alive = false;
    for (let i = 0; i < count; i++) {
      if (active[i] !== 1) continue;
      const step = steps[i] as Step;
      if (step.char !== undefined ? step.char === char : !step.stop.includes(char)) {
        next[step.star ? i : i + 1] = 1;
        alive = true;
      }
    }
    if (!alive) return false;
    close(next);
    [active, next] = [next, active];
  }
  return active[count] === 1;
}

const compiled = new Map<string, Matcher | null>();
const MAX_COMPILED = 512;

/**
 * True when `url` is covered by the resource `pattern`. Compiled patterns are cached (bounded); the
 * common shape — a literal prefix ending in `*` — is a `startsWith`.
 *
 * @example
 * matchResource('https://cdn.example.com/videos/*', 'https://cdn.example.com/videos/a/b.ts?x=1') // true
 * matchResource('https://cdn.example.com/videos/*.mp4', 'https://cdn.example.com/videos/a.mp4?x=1') // false
 */
export function matchResource(pattern: string, url: string): boolean {
  let matcher = compiled.get(pattern);
  if (matcher === undefined) {
    matcher = compile(pattern);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, matcher);
  }
  if (matcher === null) return false;
  if (matcher.prefix !== undefined) return url.startsWith(matcher.prefix);
  return run(matcher, url);
}

/** True when the pattern has a shape CloudFront can match at all. */
export function isValidResourcePattern(pattern: string): boolean {
  return pattern === '*' || (splitResourcePattern(pattern)?.host.length ?? 0) > 0;
}

/**
 * True when a pattern would grant every host (`*`, or a host section made only of wildcards): with a shared key
 * group that means every distribution that trusts the key. Signers refuse it unless forced.
 */
export function grantsAnyHost(pattern: string): boolean {
  if (pattern === '*') return true;
  const sections = splitResourcePattern(pattern);
  return sections !== undefined && /^[*?.]*$/.test(sections.host);
}
