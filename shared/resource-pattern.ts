/**
 * CloudFront custom-policy resource patterns: `*` matches any run of characters and `?` exactly one,
 * each inside one section of `scheme://host/path\?query`. A trailing `*` in the path also covers the
 * query; a trailing `*` in the host covers path and query; a pattern without a query section does not
 * match a URL that has one; `*` alone matches everything; `*example.com` means `*://*example.com/`.
 * An unescaped `?` after the path is a one-character wildcard, so it also matches the query's `?`.
 */

const ANY = /[\s\S]*/.source;
const compiled = new Map<string, RegExp | null>();
const MAX_COMPILED = 512;

function escapeLiteral(char: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(char) ? `\\${char}` : char;
}

function sectionSource(section: string, star: string, one: string): string {
  let out = '';
  for (const char of section) out += char === '*' ? star : char === '?' ? one : escapeLiteral(char);
  return out;
}

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

function compile(pattern: string): RegExp | null {
  if (pattern === '*') return /^[\s\S]*$/;
  const sections = splitResourcePattern(pattern);
  if (sections === undefined || sections.host.length === 0) return null;
  let source = `${sectionSource(sections.scheme, '[^:/?#]*', '[^:/?#]')}:\\/\\/`;
  source += sectionSource(sections.host, '[^/?#]*', '[^/?#]');
  if (sections.path === undefined) {
    source += sections.host.endsWith('*') ? `(?:[/?]${ANY})?` : '\\/';
  } else {
    source += sectionSource(sections.path, '[^?]*', '[\\s\\S]');
    if (sections.query !== undefined) {
      source += `\\?${sectionSource(sections.query, ANY, '[\\s\\S]')}`;
    } else if (sections.path.endsWith('*')) {
      source += `(?:\\?${ANY})?`;
    }
  }
  return new RegExp(`^${source}$`);
}

/**
 * True when `url` is covered by the resource `pattern`. Compiled patterns are cached (bounded), so
 * repeated checks of the same policy cost one map lookup and one regex test.
 *
 * @example
 * matchResource('https://cdn.example.com/videos/*', 'https://cdn.example.com/videos/a/b.ts?x=1') // true
 * matchResource('https://cdn.example.com/videos/*.mp4', 'https://cdn.example.com/videos/a.mp4?x=1') // false
 */
export function matchResource(pattern: string, url: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = compile(pattern);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex?.test(url) === true;
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
