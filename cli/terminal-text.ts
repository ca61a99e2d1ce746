/** Text from outside (decoded input, user input, server answers) made safe to print on a terminal. */

/**
 * Characters that can move the cursor, erase or reorder a line, or hide text: C0 and C1 controls,
 * DEL, format characters (bidi overrides and isolates, zero-width ones, BOM), surrogates, private-use
 * and unassigned code points, and the Unicode line and paragraph separators.
 */
const UNSAFE = /[\p{C}\p{Zl}\p{Zp}]/gu;

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visibleEscape(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * Shows every terminal-unsafe character as a visible escape (`\x1b`, `\r`, `\u202e`), so decoded
 * input can never erase a line, move the cursor or fake a line of the report. Printable text,
 * including non-ASCII letters, is kept.
 *
 * @example
 * escapeTerminal('a\u001b[2Kb\r') // 'a\\x1b[2Kb\\r'
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/** Each UTF-16 unit of a character as a JSON `\uXXXX` escape (a pair for a character past U+FFFF). */
function jsonEscape(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i += 1) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * JSON for a terminal: `JSON.stringify`, then every character `escapeTerminal` escapes that it leaves
 * raw (DEL, C1 controls such as U+009B, the 8-bit CSI, bidi controls, U+2028/U+2029, zero-width and
 * other format characters) written as `\uXXXX`. Still JSON, and it parses back to the same value: those
 * characters can only stand inside strings, where `\uXXXX` means them. Every JSON the CLI prints goes
 * through here.
 *
 * @example
 * jsonForTerminal({ resource: 'a\u009b2Jb\u202e' }) // '{"resource":"a\\u009b2Jb\\u202e"}'
 */
export function jsonForTerminal(value: object): string {
  return JSON.stringify(value).replace(UNSAFE, jsonEscape);
}

/** Longest server-provided string printed (an error message, a name, a version id). */
export const MAX_SERVER_TEXT = 200;

// ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC), and two-character escapes.
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;

/**
 * A string chosen by a server, made printable: escape sequences and every other unsafe character
 * removed (line breaks and tabs become spaces), runs of spaces collapsed, and cut to `max` characters
 * with `…`. A hostile endpoint can then neither flood the terminal nor draw on it.
 *
 * @example
 * cleanServerText('\u001b[31mRate exceeded\r\n') // 'Rate exceeded'
 */
export function cleanServerText(text: unknown, max = MAX_SERVER_TEXT): string {
  const raw = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  const clean = raw
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/[\t\n\r\v\f\u2028\u2029]/g, ' ')
    .replace(UNSAFE, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : clean;
}

/** Longest piece of user input echoed whole in a message. */
export const MAX_ECHO = 100;

/**
 * User input quoted for a message: JSON-quoted, unsafe characters escaped, and when longer than
 * `max` characters only a prefix and the length, so a 9,000-character value is never echoed whole.
 *
 * @example
 * quoteInput('K-1 2') // '"K-1 2"'
 * quoteInput('A'.repeat(9000)) // '"AAAA…AAAA…" (9000 characters)'
 */
export function quoteInput(text: string, max = MAX_ECHO): string {
  if (text.length <= max) return escapeTerminal(JSON.stringify(text));
  return `${escapeTerminal(JSON.stringify(`${text.slice(0, max)}…`))} (${text.length} characters)`;
}

/**
 * User input shown unquoted (an option name, a file name), escaped, and when longer than `max`
 * characters cut to a prefix and the length.
 *
 * @example
 * shortInput('--frobnicate') // '--frobnicate'
 */
export function shortInput(text: string, max = MAX_ECHO): string {
  if (text.length <= max) return escapeTerminal(text);
  return `${escapeTerminal(text.slice(0, max))}… (${text.length} characters)`;
}

/** Any unbroken run of more than this many characters in an error line is shortened. */
const MAX_WORD = 200;
const LONG_WORD = new RegExp(`\\S{${MAX_WORD + 1},}`, 'g');

/**
 * One error line: whitespace runs holding line breaks collapsed, unsafe characters escaped, and any
 * unbroken run longer than 200 characters (an echoed URL, id or value) cut to a prefix and its
 * length. The last guard for messages that quote input, whoever built them.
 *
 * @example
 * errorLine('bad value\n  "x"') // 'bad value "x"'
 */
export function errorLine(message: string): string {
  const oneLine = message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return escapeTerminal(oneLine).replace(
    LONG_WORD,
    (word) => `${word.slice(0, MAX_WORD / 2)}… (${word.length} characters)`,
  );
}
