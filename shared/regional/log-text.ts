/**
 * Text from outside (an upstream server's error message, a request's path, values taken from a
 * token) made fit for a log line: control characters escaped, length capped, so a hostile 5 MB
 * message costs a line a few hundred bytes and cannot move a terminal's cursor or fake a line.
 */

/** How much of one outside string a log line keeps. */
export const MAX_LOG_TEXT = 300;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(char: string): string {
  return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `value` as text of at most `maxLength` characters (plus a marker saying how long it was), with
 * control characters (C0, DEL, C1, U+2028/2029) escaped as `\n`, `\u001b`….
 *
 * @example
 * logText(`denied\n${'A'.repeat(5e6)}`) // 'denied\\nAAA…A… (5000007 chars)': 300 characters kept, the newline escaped
 */
export function logText(value: unknown, maxLength = MAX_LOG_TEXT): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > maxLength;
  // Cut before escaping, so a 5 MB string costs no more work than a short one.
  let kept = (cut ? text.slice(0, maxLength) : text).replace(CONTROL, escapeControl);
  const overflow = kept.length > maxLength;
  if (!cut && !overflow) return kept;
  if (overflow) kept = kept.slice(0, maxLength);
  // Never end on half a surrogate pair.
  if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}… (${text.length} chars)`;
}
