import { signCookies } from '../shared';
import { isCookieDomain, isCookiePath, setCookieValue } from '../shared/identity/set-cookie';
import { onePositional, parseCommandArgs } from './args';
import type { CliIo } from './io';
import { readSignFlags, SIGN_FLAGS } from './sign-flags';
import { UsageError } from './usage-error';

const FLAGS = {
  ...SIGN_FLAGS,
  domain: { type: 'string' },
  path: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * `edgepass sign-cookies RESOURCE --key-pair-id ID --private-key FILE [options]`: prints one
 * `Set-Cookie:` line per CloudFront cookie, or with `--json` an object of cookie name → value.
 *
 * @example
 * signCookiesCommand(['https://cdn.example.com/videos/*', '--key-pair-id', 'K2JCJMDEHXQW5F', '--private-key', 'private.pem'], io)
 */
export function signCookiesCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('sign-cookies', args, FLAGS);
  const resource = onePositional(positionals, 'RESOURCE (URL or pattern)', 'sign-cookies');
  const path = values.path ?? '/';
  if (!isCookiePath(path))
    throw new UsageError(`--path must start with / and hold no spaces or ;, got ${JSON.stringify(path)}`);
  if (values.domain !== undefined && !isCookieDomain(values.domain)) {
    throw new UsageError(`--domain must be a host name such as example.com, got ${JSON.stringify(values.domain)}`);
  }
  const options = readSignFlags(values, io);
  const cookies = signCookies(resource, options);

  if (values.json === true) {
    io.stdout(`${JSON.stringify(cookies)}\n`);
  } else {
    const attributes = { domain: values.domain, path, expires: options.expires };
    for (const [name, value] of Object.entries(cookies)) {
      io.stdout(`Set-Cookie: ${setCookieValue(name, value, attributes)}\n`);
    }
  }
  if (cookies['CloudFront-Expires'] !== undefined) {
    io.stderr(
      'edgepass: note: a plain URL gives canned cookies that work for that exact URL only; ' +
        'use a pattern such as https://cdn.example.com/videos/* to cover many\n',
    );
  }
  return 0;
}
