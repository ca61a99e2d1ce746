import { signCookies } from '../shared';
import { isCookieDomain, isCookiePath, setCookieValue } from '../shared/identity/set-cookie';
import { oneOf, onePositional, parseCommandArgs } from './args';
import type { CliIo } from './io';
import { inFlagTerms, readSignFlags, SIGN_FLAGS } from './sign-flags';
import { jsonForTerminal, quoteInput } from './terminal-text';
import { checkAuthority, checkBroadResource } from './url-spelling';
import { UsageError } from './usage-error';

const FLAGS = {
  ...SIGN_FLAGS,
  domain: { type: 'string' },
  path: { type: 'string' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  force: { type: 'boolean' },
} as const;

type OutputFormat = 'set-cookie' | 'cookie-header' | 'json';

function readFormat(format: string | undefined, json: boolean): OutputFormat {
  const chosen = format === undefined ? undefined : oneOf(format, ['set-cookie', 'cookie-header', 'json'], 'format');
  if (json && chosen !== undefined && chosen !== 'json') {
    throw new UsageError('--json is --format json: give one of them');
  }
  return json ? 'json' : (chosen ?? 'set-cookie');
}

/**
 * RFC 6265 (6.1) asks browsers to keep cookies of at least 4096 bytes, name, value and attributes
 * together, and that is about all they keep: a longer one is dropped without a word, and the request
 * then gets a 403 that nothing explains.
 */
export const MAX_SET_COOKIE_BYTES = 4096;

/**
 * Refuses the first cookie whose `Set-Cookie` value (bytes, attributes included) is over what
 * browsers keep.
 *
 * @example
 * checkCookieSizes([['CloudFront-Key-Pair-Id', 'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=/']]) // passes
 */
export function checkCookieSizes(setCookies: readonly (readonly [string, string])[]): void {
  for (const [name, header] of setCookies) {
    const bytes = Buffer.byteLength(header);
    if (bytes > MAX_SET_COOKIE_BYTES) {
      throw new UsageError(
        `${name} would be a ${bytes}-byte Set-Cookie (over the ${MAX_SET_COOKIE_BYTES} bytes browsers keep): ` +
          'browsers would drop it; narrow RESOURCE, or pass --force to print it anyway',
      );
    }
  }
}

/**
 * `edgepass sign-cookies RESOURCE --key-pair-id ID --private-key FILE [options]`: prints one
 * `Set-Cookie:` line per CloudFront cookie, with `--format cookie-header` one Cookie header value
 * (`a=b; c=d`, for curl or `inspect --cookie`), or with `--json` an object of cookie name → value.
 * Refuses (exit 2) when a cookie would be over the 4096 bytes browsers keep, unless `--force`.
 *
 * @example
 * signCookiesCommand(['https://cdn.example.com/videos/*', '--key-pair-id', 'K2JCJMDEHXQW5F', '--private-key', 'private.pem'], io)
 */
export function signCookiesCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('sign-cookies', args, FLAGS);
  const resource = onePositional(positionals, 'RESOURCE (URL or pattern)', 'sign-cookies');
  const format = readFormat(values.format, values.json === true);
  const path = values.path ?? '/';
  if (!isCookiePath(path))
    throw new UsageError(`--path must start with / and hold no spaces or ;, got ${quoteInput(path)}`);
  if (values.domain !== undefined && !isCookieDomain(values.domain)) {
    throw new UsageError(`--domain must be a host name such as example.com, got ${quoteInput(values.domain)}`);
  }
  checkAuthority(resource, 'RESOURCE');
  checkBroadResource(resource, values['allow-broad-resource'] === true, 'RESOURCE');
  const options = readSignFlags(values, io);
  const cookies = inFlagTerms(() => signCookies(resource, options));
  const attributes = { domain: values.domain, path, expires: options.expires };
  const setCookies = Object.entries(cookies).map(
    ([name, value]) => [name, setCookieValue(name, value, attributes)] as const,
  );
  if (values.force !== true) checkCookieSizes(setCookies);

  if (format === 'json') {
    io.stdout(`${jsonForTerminal(cookies)}\n`);
  } else if (format === 'cookie-header') {
    const pairs = Object.entries(cookies).map(([name, value]) => `${name}=${value}`);
    io.stdout(`${pairs.join('; ')}\n`);
  } else {
    for (const [, header] of setCookies) io.stdout(`Set-Cookie: ${header}\n`);
  }
  if (cookies['CloudFront-Expires'] !== undefined) {
    io.stderr(
      'edgepass: note: a plain URL gives canned cookies that work for that exact URL only; ' +
        'use a pattern such as https://cdn.example.com/videos/* to cover many\n',
    );
  }
  return 0;
}
