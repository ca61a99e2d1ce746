import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochSeconds, signCookies } from '../../shared/index';
import { type StackProcess, startStackProcess } from '../fixtures/stack-process';

/**
 * The local stack under sustained load (issue 10): for SOAK_SECONDS, autocannon requests a protected
 * segment with a premium user's cookies on many connections while, at the same time, one client logs
 * in again and again (dev token → /auth/login → the playlist with the new cookies) and another sends
 * CACHE_CHURN distinct valid cookie sets (more than the gate's verified-signature cache holds). Then:
 * no error and no unexpected status anywhere, the heap kept (after a full collection) grew by at most
 * HEAP_GROWTH_BOUND, and the gate verified exactly one signature per new credential plus the hot
 * cookie's re-verifications after eviction, with the oldest credential evicted and the newest kept —
 * the cache stays at its configured size. Signature verifications are counted by the stack (the
 * bundle's `node:crypto.verify`, GET /dev/stats), not by the bundle.
 */

const ROOT = join(__dirname, '..', '..');
const SOAK_SECONDS = 30;
/** The local stage's `edge.verifyCacheSize` (the default). */
const CACHE_SIZE = 1024;
/** Distinct cookie sets sent during the soak: enough to cycle the cache once and a half. */
const CACHE_CHURN = 1536;
/**
 * Heap kept after the soak, over the heap kept after warm-up, both after a full collection: the
 * cache's own bound is 4 MiB of entries (plus the objects around them); everything else must be flat.
 */
const HEAP_GROWTH_BOUND = 16 * 1024 * 1024;

interface Stats {
  requests: number;
  signatureVerifications: number;
  heapUsed: number;
  rss: number;
}

let stack: StackProcess;
let base: string;

beforeAll(async () => {
  // --expose-gc: GET /dev/stats collects before it measures the heap.
  stack = await startStackProcess({ nodeArgs: ['--expose-gc'] });
  base = stack.base;
}, 90_000);

afterAll(() => stack?.stop());

async function stats(): Promise<Stats> {
  return (await (await fetch(`${base}/dev/stats`)).json()) as Stats;
}

/**
 * Logs in as `user` the way the demo site does; answers the Cookie header a browser would send for
 * `path` (the cookies whose Path is a prefix of it).
 */
async function login(user: string, path: string): Promise<string> {
  const tokenResponse = await fetch(`${base}/dev/token`, { method: 'POST', body: JSON.stringify({ user }) });
  const { token } = (await tokenResponse.json()) as { token: string };
  const response = await fetch(`${base}/auth/login`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`login ${response.status}: ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .filter((line) => !/Max-Age=0/i.test(line) && path.startsWith(/;\s*Path=([^;]*)/i.exec(line)?.[1] ?? '/'))
    .map((line) => line.split(';')[0])
    .join('; ');
}

async function status(path: string, cookie: string): Promise<number> {
  const response = await fetch(`${base}${path}`, { headers: { cookie } });
  await response.arrayBuffer();
  return response.status;
}

describe(`the local stack under ${SOAK_SECONDS} s of load`, () => {
  it('answers every request, keeps its heap bounded and its verified-signature cache at its size', async () => {
    // Distinct credentials the stack will accept: the dev signing key, a custom policy per set.
    const privateKey = readFileSync(join(ROOT, '.edgepass', 'local', 'private.pem'), 'utf8');
    const expires = epochSeconds() + 3600;
    const churn = Array.from({ length: CACHE_CHURN }, (_, i) =>
      Object.entries(signCookies(`${base}/videos/*`, { keyPairId: 'KLOCALDEVKEY01', privateKey, expires: expires + i }))
        .map(([name, value]) => `${name}=${value}`)
        .join('; '),
    );
    const hot = await login('ada', '/videos/hls/seg0.ts');
    // Warm up (JIT, the JWKS cache, the signing key), then the baseline.
    for (let i = 0; i < 20; i++) expect(await status('/videos/hls/seg0.ts', hot)).toBe(200);
    await login('ada', '/videos/');
    const before = await stats();

    const stopAt = Date.now() + SOAK_SECONDS * 1000;
    const load = autocannon({
      url: `${base}/videos/hls/seg0.ts`,
      connections: 8,
      duration: SOAK_SECONDS,
      headers: { cookie: hot },
    });
    const loginFailures: string[] = [];
    let logins = 0;
    const loginLoop = (async () => {
      while (Date.now() < stopAt) {
        // ada (premium) opens the stream, bob (member) his own page: each with the cookies just issued.
        const [user, path] = logins % 2 === 0 ? ['ada', '/videos/hls/index.m3u8'] : ['bob', '/videos/free/'];
        const code = await status(path, await login(user, path));
        if (code !== 200) loginFailures.push(`login ${logins} (${user}): ${path} answered ${code}`);
        logins++;
      }
    })();
    const churnFailures: string[] = [];
    const churnLoop = (async () => {
      for (let i = 0; i < churn.length; i++) {
        const code = await status('/videos/hls/index.m3u8', churn[i] as string);
        if (code !== 200) churnFailures.push(`credential ${i}: ${code}`);
        // Spread the credentials over the soak rather than sending them in the first seconds.
        if (Date.now() < stopAt)
          await new Promise((resolve) => setTimeout(resolve, (SOAK_SECONDS * 1000) / CACHE_CHURN / 2));
      }
    })();
    const [result] = await Promise.all([load, loginLoop, churnLoop]);
    const after = await stats();

    expect(loginFailures).toEqual([]);
    expect(churnFailures).toEqual([]);
    expect(logins).toBeGreaterThan(20);
    expect(result.errors + result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBeGreaterThan(SOAK_SECONDS * 20);

    // One verification per new credential (each login's cookies, each churn set), plus the hot cookie
    // again each time CACHE_SIZE newer signatures pushed it out (the oldest entry goes first): the
    // hot cookie's thousands of requests cost a handful of verifications, however many were served.
    const fresh = logins + CACHE_CHURN;
    const verifications = after.signatureVerifications - before.signatureVerifications;
    expect(verifications).toBeGreaterThanOrEqual(fresh);
    expect(verifications).toBeLessThanOrEqual(fresh + Math.ceil(fresh / CACHE_SIZE) + 1);

    const heapGrowth = after.heapUsed - before.heapUsed;
    // The figures, for the log of the run (docs/local-stack.md quotes them).
    console.log(
      `soak: ${result['2xx']} cookie requests, ${logins} logins, ${CACHE_CHURN} distinct credentials, ` +
        `${verifications} signature verifications, heap kept ${(before.heapUsed / 1048576).toFixed(1)} → ` +
        `${(after.heapUsed / 1048576).toFixed(1)} MB, RSS ${(after.rss / 1048576).toFixed(0)} MB`,
    );
    expect(heapGrowth, `heap kept grew by ${(heapGrowth / 1048576).toFixed(1)} MB`).toBeLessThanOrEqual(
      HEAP_GROWTH_BOUND,
    );

    // The newest credential is still remembered; the first was pushed out by CACHE_SIZE newer ones.
    const settled = (await stats()).signatureVerifications;
    expect(await status('/videos/hls/index.m3u8', churn.at(-1) as string)).toBe(200);
    expect((await stats()).signatureVerifications).toBe(settled);
    expect(await status('/videos/hls/index.m3u8', churn[0] as string)).toBe(200);
    expect((await stats()).signatureVerifications).toBe(settled + 1);
  }, 120_000);
});
