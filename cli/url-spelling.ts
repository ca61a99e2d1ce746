/** Refusals of a URL or resource to sign that say what to sign instead, checked before the core's. */
import { domainToASCII } from 'node:url';
import { grantsAnyHost, MAX_URL_LENGTH } from '../shared';
import { quoteInput, shortInput } from './terminal-text';
import { UsageError } from './usage-error';

/** The scheme and authority of an absolute http(s) URL, as the core reads them. */
const AUTHORITY = /^(https?:\/\/)([^/?#]+)/;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * A host in the form clients send: each non-ASCII label as punycode (`xn--…`), other labels (a
 * wildcard) kept; `undefined` when a label is not a valid international name.
 */
function asciiHost(host: string): string | undefined {
  const labels: string[] = [];
  for (const label of host.split('.')) {
    const ascii = ASCII.test(label) ? label : domainToASCII(label);
    if (ascii === '') return undefined;
    labels.push(ascii);
  }
  return labels.join('.');
}

/**
 * Refuses a URL (or resource pattern) whose authority clients would never send as written, naming
 * the spelling to sign: user info (`user:password@`) never reaches CloudFront, and a non-ASCII host
 * travels as punycode, not percent-encoded. `what` names the input in the message (`the URL`,
 * `--resource`, `RESOURCE`). The password is never echoed.
 *
 * @example
 * checkAuthority('https://bücher.example/a.mp4', 'the URL') // throws: … sign https://xn--bcher-kva.example/a.mp4 instead
 */
export function checkAuthority(url: string, what: string): void {
  const match = AUTHORITY.exec(url);
  if (match === null) return;
  const [, scheme = '', authority = ''] = match;
  const rest = url.slice(scheme.length + authority.length);
  const at = authority.lastIndexOf('@');
  if (at !== -1) {
    throw new UsageError(
      `${what} holds user info (user:password@): it is never sent to CloudFront (browsers strip it), so it ` +
        `cannot be signed; remove it: ${shortInput(`${scheme}${authority.slice(at + 1)}${rest}`, 300)}`,
    );
  }
  const port = /:\d*$/.exec(authority)?.[0] ?? '';
  const host = authority.slice(0, authority.length - port.length);
  if (ASCII.test(host)) return;
  const ascii = asciiHost(host);
  throw new UsageError(
    ascii === undefined
      ? `the host ${quoteInput(host)} is not ASCII, and not a valid international domain name either`
      : `the host ${quoteInput(host)} is not ASCII: clients send it as punycode (${ascii}), not percent-encoded; ` +
          `sign ${shortInput(`${scheme}${ascii}${port}${rest}`, 300)} instead`,
  );
}

/**
 * The first checks on a URL to sign, made before the core's so that a long URL is echoed as a
 * prefix and its length, and user info or a non-ASCII host get a fix that works.
 *
 * @example
 * checkUrlToSign('ftp://example.com/a.mp4') // throws: "ftp://example.com/a.mp4" is not an absolute http:// or https:// URL
 */
export function checkUrlToSign(url: string): void {
  if (!AUTHORITY.test(url)) {
    throw new UsageError(`${quoteInput(url)} is not an absolute http:// or https:// URL`);
  }
  if (url.length > MAX_URL_LENGTH) {
    throw new UsageError(`the URL is ${url.length} bytes; CloudFront refuses URLs over ${MAX_URL_LENGTH}`);
  }
  checkAuthority(url, 'the URL');
}

/**
 * Refuses a resource that grants every host unless `--allow-broad-resource` was given, naming that
 * flag (the core's own refusal speaks of its `allowBroadResource` option).
 *
 * @example
 * checkBroadResource('*', false, '--resource') // throws: --resource "*" would grant every host …
 */
export function checkBroadResource(resource: string, allowBroad: boolean, what: string): void {
  if (!allowBroad && grantsAnyHost(resource)) {
    throw new UsageError(
      `${what} ${quoteInput(resource)} would grant every host that trusts this key: name the host, ` +
        'or pass --allow-broad-resource if that is really meant',
    );
  }
}
