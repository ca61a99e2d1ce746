import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyValueStore, loadCloudFrontFunction } from '../dev/cloudfront-functions-runtime';
import { functionEvent } from '../dev/function-event';
import type { ViewerRequestHandler } from '../functions/viewer-request/create-handler';
import { issueSessionToken, SESSION_COOKIE, sessionKeyName } from '../shared/edge/session-token';
import { sessionHmac } from '../shared/identity/session-hmac';
import { epochSeconds } from '../shared/index';
import { measureInterleavedAsync } from './async-harness';
import { buildBenchBundle, replayable, repoRoot, viewerRequestEvent } from './edge';
import { RESOURCE, rsaKeyPair, signedCookiePool } from './fixtures';
import type { Row, Section } from './section';

/** The distribution's host: RESOURCE's host, so the credentials cover the requests. */
const HOST = new URL(RESOURCE).host;
const KEY_PAIR_ID = 'KCURRENT000001';
const SESSION_KEY_ID = 'SBENCH1';
/** Distinct cookie sets for the Lambda@Edge gate's new-viewer row, more than its cache holds. */
const POOL_SIZE = 256;
const CACHE_SIZE = 64;

const segmentUri = (n: number) => `/videos/42/720p/segment-${String(n).padStart(5, '0')}.ts`;

/**
 * The CloudFront Functions gate beside the Lambda@Edge gate: the script `npm run build` writes, run in
 * the cloudfront-js-2.0 stand-in (node:vm, dev/cloudfront-functions-runtime.ts) on a player's session
 * token — HMAC-SHA256 and a KeyValueStore read on every request, as CloudFront runs it — and the built
 * Lambda@Edge bundle on the same player's signed cookies, awaited one call at a time. The stand-in is
 * Node's V8, not CloudFront's runtime: the figure compares the code paths, not the two services.
 */
export const cloudFrontFunctionSection: Section = {
  id: 'cloudfront-function',
  title:
    'CloudFront Functions gate: built script in the cloudfront-js-2.0 stand-in vs the built Lambda@Edge bundle, one awaited decision at a time',
  async run(options) {
    const rsa = rsaKeyPair();
    const now = epochSeconds();
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-bench-cff-'));
    try {
      writeFileSync(join(dir, 'current.pem'), rsa.publicPem);
      const configFile = join(dir, 'edgepass.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          domains: [HOST],
          protectedPaths: ['/videos/*'],
          keyGroup: [{ id: KEY_PAIR_ID, publicKeyFile: 'current.pem' }],
          signingSecretId: 'edgepass/bench',
          edge: { verifyCacheSize: CACHE_SIZE },
          functionGate: { paths: ['/videos/*'] },
        }),
      );

      // The function, built and loaded as CloudFront would take it, its HMAC key in the store.
      const { buildCloudFrontFunction } = createRequire(__filename)(
        join(repoRoot(), 'scripts', 'cloudfront-function.cjs'),
      ) as typeof import('../scripts/cloudfront-function.cjs');
      const built = buildCloudFrontFunction({ configFile, outfile: join(dir, 'cloudfront-function.js') });
      const key = randomBytes(32).toString('base64url');
      const fn = loadCloudFrontFunction(
        readFileSync(built.outfile, 'utf8'),
        createKeyValueStore({ [sessionKeyName(SESSION_KEY_ID)]: key }),
      );
      const token = issueSessionToken(
        { keyId: SESSION_KEY_ID, expires: now + 3600, resource: RESOURCE },
        key,
        sessionHmac,
      );
      const events = Array.from({ length: POOL_SIZE }, (_, i) =>
        functionEvent({
          method: 'GET',
          uri: segmentUri(i),
          querystring: undefined,
          headers: [
            ['Host', HOST],
            ['Accept', '*/*'],
            ['Cookie', `${SESSION_COOKIE}=${token}`],
          ],
          clientIp: '203.0.113.10',
          host: HOST,
          requestId: `cff-${i}`,
        }),
      );
      let next = 0;
      const functionDecision = async () => {
        const event = events[next++ % POOL_SIZE] as (typeof events)[number];
        // The function deletes the credential from the event it forwards: put it back for the replay.
        event.request.cookies[SESSION_COOKIE] = { value: token };
        const result = (await fn.run(event, now * 1000)) as { statusCode?: number };
        const [line] = fn.takeLogs();
        if (result.statusCode !== undefined || !line?.includes('"decision":"allow"')) {
          throw new Error(`benchmark request not allowed by the function: ${line}`);
        }
        return result;
      };

      // The Lambda@Edge bundle, as edge.ts builds it; its log line kept (to check) but not written.
      const bundle = buildBenchBundle(configFile, join(dir, 'viewer-request.js'));
      const handler = (createRequire(__filename)(bundle.outfile) as { handler: ViewerRequestHandler }).handler;
      const pool = signedCookiePool(rsa, now, POOL_SIZE, KEY_PAIR_ID);
      const replays = (cookie: (i: number) => string) =>
        pool.map((_, i) => replayable(viewerRequestEvent(segmentUri(i), cookie(i), `edge-${i}`)));
      const fresh = replays((i) => pool[i]?.cookie ?? '');
      const player = replays(() => pool[0]?.cookie ?? '');
      let logged = '';
      const edgeDecision = (events: typeof fresh) => {
        let at = 0;
        return async () => {
          logged = '';
          const result = await handler((events[at++ % POOL_SIZE] as (typeof events)[number])());
          if (!logged.includes('"decision":"allow"')) throw new Error(`benchmark request not allowed: ${logged}`);
          return result;
        };
      };
      const log = console.log;
      console.log = (line?: unknown) => {
        logged = String(line);
      };
      try {
        const m = await measureInterleavedAsync(
          [
            { id: 'function', fn: functionDecision },
            { id: 'edge.cached', fn: edgeDecision(player) },
            { id: 'edge.fresh', fn: edgeDecision(fresh) },
          ],
          options,
        );
        return [
          {
            id: 'cff.edge.fresh',
            short: 'L@E new viewer',
            label: `Lambda@Edge bundle, new viewer: RSA verify (cache miss, ${POOL_SIZE} cookie sets round-robin)`,
            measurement: m.get('edge.fresh'),
          },
          {
            id: 'cff.edge.cached',
            short: 'L@E player',
            label: 'Lambda@Edge bundle, same cookie, next HLS segment (cached signature)',
            measurement: m.get('edge.cached'),
            ratios: [{ to: 'cff.edge.fresh' }],
          },
          {
            id: 'cff.function',
            short: 'function',
            label: `CloudFront Function (${built.bytes.toLocaleString('en-US')} B script) in the node:vm stand-in: session token, KeyValueStore read + HMAC-SHA256 every request, log line built`,
            measurement: m.get('function'),
            ratios: [{ to: 'cff.edge.fresh' }, { to: 'cff.edge.cached' }],
          },
        ] satisfies Row[];
      } finally {
        console.log = log;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
