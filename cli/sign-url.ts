import { checkSignableUrl, signUrl } from '../shared';
import { onePositional, parseCommandArgs } from './args';
import type { CliIo } from './io';
import { inFlagTerms, readSignFlags, SIGN_FLAGS } from './sign-flags';
import { checkAuthority, checkBroadResource, checkUrlToSign } from './url-spelling';

const FLAGS = { ...SIGN_FLAGS, resource: { type: 'string' } } as const;

/**
 * `edgepass sign-url URL --key-pair-id ID --private-key FILE [options]`: prints the signed URL alone,
 * so it can be captured with `$(…)` or piped.
 *
 * @example
 * signUrlCommand(['https://cdn.example.com/a.mp4', '--key-pair-id', 'K2JCJMDEHXQW5F', '--private-key', 'private.pem'], io)
 */
export function signUrlCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('sign-url', args, FLAGS);
  const url = onePositional(positionals, 'URL', 'sign-url');
  // The URL is the likelier mistake; say so before reading any key file.
  checkUrlToSign(url);
  checkSignableUrl(url);
  const resource = values.resource;
  if (resource !== undefined) {
    checkAuthority(resource, '--resource');
    checkBroadResource(resource, values['allow-broad-resource'] === true, '--resource');
  }
  const options = readSignFlags(values, io);
  io.stdout(`${inFlagTerms(() => signUrl(url, { ...options, resource }))}\n`);
  return 0;
}
