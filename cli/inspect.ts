import { isIP } from 'node:net';
import { createKeyGroup, MAX_COOKIE_HEADER, MAX_URL_LENGTH, verifySignedRequest } from '../shared';
import { onePositional, parseCommandArgs } from './args';
import { cookieHeaderFrom } from './cookie-input';
import { inspectionJson } from './inspect-json';
import { inspectionReport } from './inspect-report';
import type { Inspection } from './inspection';
import type { CliIo } from './io';
import { readPublicKeyOption } from './key-file';
import { findSignedVariant } from './signed-variant';
import { quoteInput } from './terminal-text';
import { UsageError } from './usage-error';
import { whenFlag } from './when-flag';

const FLAGS = {
  cookie: { type: 'string', multiple: true },
  'public-key': { type: 'string', multiple: true },
  'client-ip': { type: 'string' },
  at: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function readUrl(text: string): { url: string; fragmentDropped: boolean } {
  if (!/^https?:\/\/[^/?#]+/.test(text)) {
    throw new UsageError(`${quoteInput(text)} is not an absolute http:// or https:// URL`);
  }
  if (text.length > MAX_URL_LENGTH) {
    throw new UsageError(`the URL is ${text.length} bytes; CloudFront refuses URLs over ${MAX_URL_LENGTH}`);
  }
  const hash = text.indexOf('#');
  return hash === -1 ? { url: text, fragmentDropped: false } : { url: text.slice(0, hash), fragmentDropped: true };
}

function readCookies(values: readonly string[]): string[] {
  // People paste whole header lines, and sign-cookies prints Set-Cookie lines or JSON.
  const headers = values.map(cookieHeaderFrom);
  const length = headers.join('; ').length;
  if (length > MAX_COOKIE_HEADER) {
    throw new UsageError(`--cookie is ${length} bytes; CloudFront refuses requests over ${MAX_COOKIE_HEADER} bytes`);
  }
  return headers;
}

function readClientIp(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (isIP(text) === 0) throw new UsageError(`--client-ip ${quoteInput(text)} is not an IPv4 or IPv6 address`);
  return text;
}

/**
 * `edgepass inspect URL [--cookie HEADER]… [--public-key ID=FILE]… [--client-ip IP] [--at WHEN] [--json]`:
 * decides the request with the core verifier (the same one the edge gate runs), then explains the
 * decision. Exit 0 when CloudFront would serve it, 1 when it would answer 403.
 *
 * @example
 * inspectCommand([signedUrl, '--public-key', 'K2JCJMDEHXQW5F=public.pem', '--json'], io) // 0 or 1
 */
export function inspectCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('inspect', args, FLAGS);
  const { url, fragmentDropped } = readUrl(onePositional(positionals, 'URL', 'inspect'));
  const cookie = values.cookie === undefined ? undefined : readCookies(values.cookie);
  const clientIp = readClientIp(values['client-ip']);
  const now = values.at === undefined ? io.now() : whenFlag('at', values.at, io.now());
  const keys = (values['public-key'] ?? []).map(readPublicKeyOption);
  const keyGroup =
    keys.length === 0 ? undefined : createKeyGroup(keys.map(({ id, keyObject }) => ({ id, publicKey: keyObject })));

  const request = { url, cookie, clientIp };
  const decision = verifySignedRequest(request, { now, keyGroup });
  // The verdict stops at the key or signature; deciding again without keys still reads the policy
  // and says whether time, IP and resource would pass, which is often the second problem.
  const stoppedEarly = decision.reason === 'unknown-key' || decision.reason === 'bad-signature';
  const otherChecks = keyGroup !== undefined && stoppedEarly ? verifySignedRequest(request, { now }) : undefined;

  const signedVariant =
    keyGroup !== undefined && decision.reason === 'bad-signature'
      ? findSignedVariant(request, now, keyGroup)
      : undefined;

  const inspection: Inspection = {
    decision,
    otherChecks,
    signedVariant,
    now,
    atGiven: values.at !== undefined,
    clientIp,
    keyIds: keys.map((key) => key.id),
    cookieGiven: cookie !== undefined,
    fragmentDropped,
  };
  io.stdout(values.json === true ? `${inspectionJson(inspection)}\n` : inspectionReport(inspection));
  return decision.allowed ? 0 : 1;
}
