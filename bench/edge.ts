import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, verify } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ViewerRequestHandler } from '../functions/viewer-request/create-handler';
import type { CloudFrontRequest, CloudFrontResponse } from '../shared/edge/viewer-request-event';
import { epochSeconds } from '../shared/index';
import { type BenchKeyPair, RESOURCE, rsaKeyPair, type SignedCookieSet, signedCookiePool } from './fixtures';
import { cycle, fromSamples, measureInterleaved } from './harness';
import type { Row, Section } from './section';

/** Distinct cookie sets, more than the gate's cache holds: round-robin over them never hits the cache. */
const POOL_SIZE = 256;
/** `edge.verifyCacheSize` baked into the benchmark's bundle. */
const CACHE_SIZE = 64;
/** Fresh `node` processes timed for the cold start, after one untimed warm-up spawn. */
const COLD_STARTS = 25;
/** Quality budget: module load + first decision in a fresh Node process. */
const COLD_START_BUDGET_MS = 10;

/** The distribution's host: RESOURCE's host, so signed cookies cover the requests. */
const HOST = new URL(RESOURCE).host;
const SIGNING_KEY_ID = 'KCURRENT000001';
const NEXT_KEY_ID = 'KNEXT000000001';

type ViewerRequestEvent = ReturnType<typeof viewerRequestEvent>;
type Result = CloudFrontRequest | CloudFrontResponse;

/**
 * The gate forwards the event's own request with the credentials taken out, as Lambda@Edge code does
 * (Lambda hands each invocation a fresh event). A benchmark that replays one event puts back what the
 * last call took, three assignments, before handing it over again.
 */
export function replayable<E extends ViewerRequestEvent>(event: E): () => E {
  const request = event.Records[0]?.cf.request as unknown as {
    querystring: string;
    headers: Record<string, unknown>;
  };
  const { querystring } = request;
  const { cookie, referer } = request.headers;
  return () => {
    request.querystring = querystring;
    if (cookie !== undefined) request.headers.cookie = cookie;
    if (referer !== undefined) request.headers.referer = referer;
    return event;
  };
}

/** A Lambda@Edge viewer-request event in CloudFront's shape (`Records[0].cf`), as a player sends it. */
export function viewerRequestEvent(uri: string, cookie: string, requestId: string, querystring = '') {
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: 'd111111abcdef8.cloudfront.net',
            distributionId: 'EDFDVBD6EXAMPLE',
            eventType: 'viewer-request',
            requestId,
          },
          request: {
            clientIp: '203.0.113.10',
            headers: {
              host: [{ key: 'Host', value: HOST }],
              'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0' }],
              accept: [{ key: 'Accept', value: '*/*' }],
              cookie: [{ key: 'Cookie', value: cookie }],
            },
            method: 'GET',
            querystring,
            uri,
          },
        },
      },
    ],
  };
}

function segmentUri(n: number): string {
  return `/videos/42/720p/segment-${String(n).padStart(5, '0')}.ts`;
}

/** One viewer's request with its own signature, and the raw inputs behind that signature. */
interface SignedRequest extends SignedCookieSet {
  readonly event: ViewerRequestEvent;
}

function signedRequests(pair: BenchKeyPair, now: number): SignedRequest[] {
  return signedCookiePool(pair, now, POOL_SIZE, SIGNING_KEY_ID).map((set, i) => ({
    ...set,
    event: viewerRequestEvent(segmentUri(i), set.cookie, `bench-${i}`),
  }));
}

/** The checkout holding scripts/edge-bundle.cjs: found from dist/bench.cjs's folder or the working directory. */
export function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'scripts', 'edge-bundle.cjs'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find scripts/edge-bundle.cjs above ${__dirname} or ${process.cwd()}`);
}

/** True when the gate let the request through to the origin with its credentials removed. */
function isAllowedAndStripped(result: Result, uri: string): boolean {
  return (
    !('status' in result) &&
    result.uri === uri &&
    result.querystring === '' &&
    result.headers.cookie === undefined &&
    result.headers.host !== undefined
  );
}

/**
 * Runs in a fresh `node`: times `require()` of the bundle (which loads node:crypto, about 2.5 ms, and
 * bakes the key group: createPublicKey on every PEM) and the first awaited decision. process.stdout
 * is opened before timing, as the Lambda runtime (a Node program talking HTTP to the Runtime API)
 * has done long before it loads a handler; without that the total grows by about 2 ms, since opening
 * stdout loads the stream modules node:crypto also needs. The decision's log line is written
 * (Node's console initialises on that first call: about 1 ms of the first decision).
 */
const COLD_START_SCRIPT = `'use strict';
const { readFileSync } = require('node:fs');
const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const uri = event.Records[0].cf.request.uri;
void process.stdout;
const t0 = performance.now();
const { handler } = require(bundle);
const t1 = performance.now();
handler(event).then((result) => {
  const t2 = performance.now();
  const allowed = !('status' in result) && result.uri === uri && result.querystring === '' && result.headers.cookie === undefined;
  process.stdout.write('\\n' + JSON.stringify({ loadMs: t1 - t0, decisionMs: t2 - t1, allowed }) + '\\n');
});
`;

interface ColdStart {
  readonly loadMs: number;
  readonly decisionMs: number;
}

function coldStart(script: string, bundle: string, eventFile: string): ColdStart {
  const child = spawnSync(process.execPath, [script, bundle, eventFile], { encoding: 'utf8', timeout: 30_000 });
  if (child.status !== 0) throw new Error(`cold-start child failed (${child.status ?? child.signal}): ${child.stderr}`);
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  const sample = JSON.parse(last) as ColdStart & { allowed: boolean };
  if (!sample.allowed) throw new Error(`cold-start request was not allowed: ${child.stdout}`);
  return sample;
}

/** Builds the viewer-request bundle as serverless-esbuild does (scripts/edge-bundle.cjs). */
export function buildBenchBundle(configFile: string, outfile: string) {
  const { buildEdgeBundle } = createRequire(__filename)(
    join(repoRoot(), 'scripts', 'edge-bundle.cjs'),
  ) as typeof import('../scripts/edge-bundle.cjs');
  return buildEdgeBundle({ configFile, outfile });
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const bytes = (value: number) => `${value.toLocaleString('en-US')} B`;

/**
 * The deployed artefact: the minified Lambda@Edge viewer-request bundle with a baked configuration.
 * Cold start in fresh processes (the quality budget), then in-process decisions per second for a
 * viewer the gate has not seen and for an HLS player repeating its cookie, against raw verify.
 */
export const edgeSection: Section = {
  id: 'edge',
  title:
    'Edge gate: built Lambda@Edge bundle, `handler(event)` on signed cookies for `videos/42/*` (RSA-2048, SHA-1; decision log line built but not written)',
  async run(options) {
    const rsa = rsaKeyPair();
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    const now = epochSeconds();
    const requests = signedRequests(rsa, now);
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-bench-edge-'));
    try {
      // The bundle exactly as deployed: a validated config file (a key group in rotation) baked in.
      writeFileSync(join(dir, 'current.pem'), rsa.publicPem);
      writeFileSync(join(dir, 'next.pem'), next);
      const configFile = join(dir, 'edgepass.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          domains: [HOST],
          protectedPaths: ['/videos/*'],
          keyGroup: [
            { id: SIGNING_KEY_ID, publicKeyFile: 'current.pem' },
            { id: NEXT_KEY_ID, publicKeyFile: 'next.pem' },
          ],
          signingSecretId: 'edgepass/bench',
          edge: { verifyCacheSize: CACHE_SIZE },
        }),
      );
      const requireFromHere = createRequire(__filename);
      const bundle = buildBenchBundle(configFile, join(dir, 'viewer-request.js'));
      if (statSync(bundle.outfile).size !== bundle.bytes) throw new Error('the bundle on disk is not the one measured');

      // 1. Cold start, each in a fresh process; the first spawn only warms the file cache.
      const script = join(dir, 'cold-start.cjs');
      const eventFile = join(dir, 'event.json');
      writeFileSync(script, COLD_START_SCRIPT);
      writeFileSync(eventFile, JSON.stringify(requests[0]?.event));
      coldStart(script, bundle.outfile, eventFile);
      const starts = Array.from({ length: COLD_STARTS }, () => coldStart(script, bundle.outfile, eventFile));
      const totals = starts.map((s) => s.loadMs + s.decisionMs);

      // 2. In process: two instances of the bundle, so the HLS player's cache is not the one the
      // viewers churn through.
      const cachedFile = join(dir, 'viewer-request-player.js');
      copyFileSync(bundle.outfile, cachedFile);
      const viewersHandler = (requireFromHere(bundle.outfile) as { handler: ViewerRequestHandler }).handler;
      const playerHandler = (requireFromHere(cachedFile) as { handler: ViewerRequestHandler }).handler;
      const cookie = requests[0]?.cookie ?? '';
      const playerEvents = requests.map((_, i) => viewerRequestEvent(segmentUri(i), cookie, `player-${i}`));

      // The handler builds one JSON log line per decision and hands it to console.log: keep the line
      // (so a denial is seen synchronously; the handler's promise cannot be read inside a timed loop)
      // but write nothing.
      let logged = '';
      const log = console.log;
      console.log = (line?: unknown) => {
        logged = String(line);
      };
      try {
        const decide = (handler: ViewerRequestHandler, nextEvent: () => ViewerRequestEvent) => () => {
          logged = '';
          const result = handler(nextEvent());
          if (!logged.includes('"decision":"allow"')) throw new Error(`benchmark request not allowed: ${logged}`);
          return result;
        };
        const nextRaw = cycle(requests);
        const raw = () => {
          const r = nextRaw();
          if (!verify('sha1', r.policyBytes, rsa.publicKey, r.signatureBytes)) throw new Error('raw verify failed');
          return true;
        };
        const replay = (events: readonly ViewerRequestEvent[]) => {
          const next = cycle(events.map(replayable));
          return () => next()();
        };
        const fresh = decide(viewersHandler, replay(requests.map((r) => r.event)));
        const cached = decide(playerHandler, replay(playerEvents));

        // Every request of both pools, awaited and checked in full before anything is timed.
        for (let i = 0; i < POOL_SIZE; i++) {
          raw();
          for (const [handler, event] of [
            [viewersHandler, requests[i]?.event],
            [playerHandler, playerEvents[i]],
          ] as const) {
            if (event === undefined) throw new Error('missing benchmark event');
            const uri = event.Records[0]?.cf.request.uri ?? '';
            const result = await handler(event);
            if (!isAllowedAndStripped(result, uri) || !logged.includes('"decision":"allow"')) {
              throw new Error(`benchmark request not allowed or not stripped: ${JSON.stringify(result)} ${logged}`);
            }
          }
        }

        const m = measureInterleaved(
          [
            { id: 'raw', fn: raw },
            { id: 'fresh', fn: fresh },
            { id: 'cached', fn: cached },
          ],
          options,
        );

        const codeBytes = bundle.bytes - bundle.configBytes;
        const rows: Row[] = [
          {
            id: 'cold.budget',
            short: `${COLD_START_BUDGET_MS} ms budget`,
            label: `Budget: module load + first decision ≤ ${COLD_START_BUDGET_MS} ms in a fresh Node process, as a rate`,
            measurement: fromSamples([COLD_START_BUDGET_MS]),
          },
          {
            id: 'cold',
            short: 'cold start',
            label:
              `Cold start: fresh \`node\` (stdout already open, as in the Lambda runtime), \`require()\` of the ` +
              `${bytes(bundle.bytes)} bundle (${bytes(codeBytes)} code + ${bytes(bundle.configBytes)} baked config, ` +
              '2 RSA keys) + first awaited decision, its log line written; ' +
              `median of ${COLD_STARTS} processes (load ${ms(
                quantile(
                  starts.map((s) => s.loadMs),
                  0.5,
                ),
              )} + ` +
              `decision ${ms(
                quantile(
                  starts.map((s) => s.decisionMs),
                  0.5,
                ),
              )}; p90 total ${ms(quantile(totals, 0.9))}; wall clock)`,
            measurement: fromSamples(totals),
            ratios: [{ to: 'cold.budget', min: 1 }],
          },
          {
            id: 'raw',
            short: 'raw verify',
            label: 'RSA-2048: raw `crypto.verify`, cached public KeyObject (floor)',
            measurement: m.get('raw'),
          },
          {
            id: 'fresh',
            short: 'fresh',
            label: `\`handler\`, new viewer: cache miss (${POOL_SIZE} cookie sets round-robin, \`verifyCacheSize\` ${CACHE_SIZE})`,
            measurement: m.get('fresh'),
            ratios: [{ to: 'raw' }],
          },
          {
            id: 'cached',
            short: 'cached',
            label: '`handler`, same cookie, next HLS segment (cached signature)',
            measurement: m.get('cached'),
            ratios: [{ to: 'raw' }],
          },
        ];
        return rows;
      } finally {
        console.log = log;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
