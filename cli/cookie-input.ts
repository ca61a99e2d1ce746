/** What `inspect --cookie` accepts: a Cookie header, pasted header lines, or what `sign-cookies` prints. */
import { UsageError } from './usage-error';

function fromJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(
      '--cookie starts with { but is not JSON: give a Cookie header, Set-Cookie lines or sign-cookies --json',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--cookie JSON must be an object of cookie name to value, as sign-cookies --json prints');
  }
  const pairs: string[] = [];
  for (const [name, cookie] of Object.entries(value)) {
    if (typeof cookie !== 'string') {
      throw new UsageError('--cookie JSON must be an object of cookie name to value, as sign-cookies --json prints');
    }
    pairs.push(`${name}=${cookie}`);
  }
  return pairs.join('; ');
}

function fromLine(line: string): string {
  const setCookie = /^\s*set-cookie\s*:\s*/i.exec(line);
  // A Set-Cookie line carries one cookie; what follows its first ; are attributes (Path, Domain…).
  if (setCookie) return (line.slice(setCookie[0].length).split(';')[0] ?? '').trim();
  return line.replace(/^\s*cookie\s*:\s*/i, '').trim();
}

/**
 * One `--cookie` value as a Cookie header value. Takes a header value (`a=b; c=d`), a pasted
 * `Cookie: a=b; c=d` line, `Set-Cookie: name=value; Path=/…` lines (one cookie each, attributes
 * dropped), or the JSON object `sign-cookies --json` prints: whatever `sign-cookies` prints in any
 * format can be given as it is.
 *
 * @example
 * cookieHeaderFrom('Set-Cookie: CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=/; Secure') // 'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F'
 */
export function cookieHeaderFrom(text: string): string {
  if (text.trimStart().startsWith('{')) return fromJson(text);
  return text
    .split(/\r?\n/)
    .map(fromLine)
    .filter((pair) => pair.length > 0)
    .join('; ');
}
