import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../dev/emulator';
import { type Stack, startStack } from '../../dev/stack';
import { freePorts } from '../fixtures/free-ports';
import { ROOT } from '../fixtures/run-cli';

/**
 * The local stack running either gate per behaviour: a checkout whose local stage sets
 * `functionGate.paths` to `/videos/free/*` serves those paths through the built CloudFront Function (in
 * the cloudfront-js-2.0 stand-in, its session key in the stand-in KeyValueStore and in the local
 * Secrets Manager's signing secret) and every other protected path through the Lambda@Edge bundle.
 */

let stack: Stack;
let base: string;
const requests: RequestLogEntry[] = [];

beforeAll(async () => {
  // The checkout, its configuration's local stage extended with functionGate (.edgepass/ is the copy's own).
  const root = mkdtempSync(join(tmpdir(), 'edgepass-stack-cff-'));
  for (const name of readdirSync(ROOT)) {
    if (name !== 'edgepass.config.json' && name !== '.edgepass' && name !== '.git') {
      symlinkSync(join(ROOT, name), join(root, name));
    }
  }
  const config = JSON.parse(readFileSync(join(ROOT, 'edgepass.config.json'), 'utf8'));
  config.stages.local.functionGate = { paths: ['/videos/free/*'] };
  writeFileSync(join(root, 'edgepass.config.json'), JSON.stringify(config));
  const port = await freePorts(2);
  stack = await startStack({ root, port, secretsManagerPort: 0, log: (entry) => requests.push(entry) });
  base = stack.url;
});
afterAll(() => stack?.close());

/** `name=value; …` of the Set-Cookie values whose Path covers `path`, the longest Path first. */
function cookiesFor(setCookies: readonly string[], path: string): string {
  return setCookies
    .map((line) => line.split('; '))
    .map((parts) => ({ pair: parts[0] as string, path: parts.find((p) => p.startsWith('Path='))?.slice(5) ?? '/' }))
    .filter((cookie) => path.startsWith(cookie.path))
    .sort((a, b) => b.path.length - a.path.length)
    .map((cookie) => cookie.pair)
    .join('; ');
}

async function loginAs(user: string): Promise<string[]> {
  const { token } = (await (
    await fetch(`${base}/dev/token`, { method: 'POST', body: JSON.stringify({ user }) })
  ).json()) as { token: string };
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(login.status).toBe(200);
  return login.headers.getSetCookie();
}

describe('the local stack with the CloudFront Functions gate on /videos/free/*', () => {
  it('sends a browser without credentials to login from the function, with the function in the log', async () => {
    const response = await fetch(`${base}/videos/free/index.html`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login?return_to=%2Fvideos%2Ffree%2Findex.html');
    expect(requests.at(-1)).toMatchObject({ via: 'function', decision: 'redirect', status: 302 });
  });

  it('serves a member the function’s paths with the session token login set, and the rest by Lambda@Edge', async () => {
    const setCookies = await loginAs('bob');
    expect(setCookies.some((line) => line.startsWith('edgepass-session=v1.SLOCALDEV01.'))).toBe(true);
    const free = await fetch(`${base}/videos/free/index.html`, {
      headers: { cookie: cookiesFor(setCookies, '/videos/free/') },
    });
    expect(free.status).toBe(200);
    expect(requests.at(-1)).toMatchObject({ via: 'function', decision: 'allow', status: 200 });
    // The member's grant is /videos/free/* only: the Lambda@Edge gate denies the rest of /videos/.
    const paid = await fetch(`${base}/videos/hls/seg0.ts`, { headers: { cookie: cookiesFor(setCookies, '/videos/') } });
    expect(paid.status).toBe(403);
    expect(requests.at(-1)).toMatchObject({ via: 'gate', decision: 'deny', reason: 'resource-mismatch' });
  });

  it('denies CloudFront cookies alone on the function’s paths: it checks the session token', async () => {
    const setCookies = (await loginAs('ada')).filter((line) => !line.startsWith('edgepass-session='));
    const response = await fetch(`${base}/videos/free/index.html`, {
      headers: { cookie: cookiesFor(setCookies, '/videos/free/') },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingKey</Code>');
    const premium = await fetch(`${base}/videos/hls/seg0.ts`, {
      headers: { cookie: cookiesFor(setCookies, '/videos/') },
    });
    expect(premium.status).toBe(200);
    expect(requests.at(-1)).toMatchObject({ via: 'gate', decision: 'allow' });
  });
});
