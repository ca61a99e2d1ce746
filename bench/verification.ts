import { verify } from 'node:crypto';
import {
  createKeyGroup,
  createVerifier,
  type Decision,
  epochSeconds,
  type KeyGroup,
  verifySignedRequest,
} from '../shared/index';
import {
  type BenchKeyPair,
  ecKeyPair,
  rsaKeyPair,
  type SignedCookieSet,
  segmentUrl,
  signedCookiePool,
} from './fixtures';
import { cycle, measureInterleaved } from './harness';
import type { Section } from './section';

/** Distinct cookies per key type: more than the miss benchmark's cache holds, so it never hits. */
const POOL_SIZE = 256;
const MISS_CACHE_SIZE = 64;

/** One viewer's request for one segment, with its own signature, and the raw inputs behind it. */
interface SignedSegment extends SignedCookieSet {
  readonly url: string;
}

function signedSegments(pair: BenchKeyPair, now: number): SignedSegment[] {
  return signedCookiePool(pair, now, POOL_SIZE).map((set, i) => ({ ...set, url: segmentUrl(i) }));
}

/** Only an allowed request measures the whole verification; a denial would stop early. */
function allowed(decision: Decision): Decision {
  if (!decision.allowed) throw new Error(`benchmark request denied: ${decision.reason}`);
  return decision;
}

function rawVerify(pair: BenchKeyPair, segments: readonly SignedSegment[]): () => boolean {
  const next = cycle(segments);
  return () => {
    const s = next();
    if (!verify('sha1', s.policyBytes, pair.publicKey, s.signatureBytes)) throw new Error('raw verify failed');
    return true;
  };
}

function freshVerify(keyGroup: KeyGroup, now: number, segments: readonly SignedSegment[]): () => Decision {
  const next = cycle(segments);
  return () => {
    const s = next();
    return allowed(verifySignedRequest({ url: s.url, cookie: s.cookie }, { now, keyGroup }));
  };
}

/**
 * The edge gate's work per request: a fresh signature against the raw public-key operation, the same
 * cookie across an HLS stream's segments (verified-signature cache), and ECDSA.
 */
export const verificationSection: Section = {
  id: 'verification',
  title: 'Verification: `verifySignedRequest` on cookies for `videos/42/*` (custom policy, SHA-1)',
  run(options) {
    const rsa = rsaKeyPair();
    const ec = ecKeyPair();
    const now = epochSeconds();
    const rsaGroup = createKeyGroup([{ id: rsa.id, publicKey: rsa.publicPem }]);
    const ecGroup = createKeyGroup([{ id: ec.id, publicKey: ec.publicPem }]);
    const rsaSegments = signedSegments(rsa, now);
    const ecSegments = signedSegments(ec, now);

    // Every benchmark below throws on a denial, so run each over its whole pool once first.
    const fresh = freshVerify(rsaGroup, now, rsaSegments);
    const ecFresh = freshVerify(ecGroup, now, ecSegments);
    const raw = rawVerify(rsa, rsaSegments);
    const ecRaw = rawVerify(ec, ecSegments);
    for (let i = 0; i < POOL_SIZE; i++) {
      for (const fn of [fresh, ecFresh, raw, ecRaw]) fn();
    }

    // A gate whose cache is smaller than the set of viewers: every request misses, then is stored.
    const missing = createVerifier(rsaGroup, MISS_CACHE_SIZE);
    const nextMiss = cycle(rsaSegments);
    const miss = () => {
      const s = nextMiss();
      return allowed(missing({ url: s.url, cookie: s.cookie }, now));
    };

    // An HLS player: one cookie, a new segment path under the wildcard on every request.
    const player = createVerifier(rsaGroup);
    const cookie = rsaSegments[0]?.cookie ?? '';
    const nextUrl = cycle(rsaSegments.map((s) => s.url));
    const cached = () => allowed(player({ url: nextUrl(), cookie }, now));
    cached();
    if (player.cache.size !== 1) throw new Error('the player benchmark should hold exactly one verified signature');

    const m = measureInterleaved(
      [
        { id: 'raw', fn: raw },
        { id: 'fresh', fn: fresh },
        { id: 'miss', fn: miss },
        { id: 'cached', fn: cached },
        { id: 'ecdsa-raw', fn: ecRaw },
        { id: 'ecdsa-fresh', fn: ecFresh },
      ],
      options,
    );
    if (missing.cache.size !== MISS_CACHE_SIZE || player.cache.size !== 1) {
      throw new Error('the verified-signature caches did not behave as the benchmark assumes');
    }
    return [
      {
        id: 'raw',
        short: 'raw verify',
        label: 'RSA-2048: raw `crypto.verify`, cached public KeyObject (floor)',
        measurement: m.get('raw'),
      },
      {
        id: 'fresh',
        short: 'fresh',
        label: 'RSA-2048: edgepass, fresh signature (no cache)',
        measurement: m.get('fresh'),
        ratios: [{ to: 'raw', min: 0.8 }],
      },
      {
        id: 'miss',
        short: 'cache miss',
        label: `RSA-2048: edgepass \`createVerifier\`, cache miss (${POOL_SIZE} viewers, ${MISS_CACHE_SIZE} entries)`,
        measurement: m.get('miss'),
        ratios: [{ to: 'raw' }],
      },
      {
        id: 'cached',
        short: 'cached',
        label: 'RSA-2048: edgepass `createVerifier`, same cookie, next HLS segment (cached)',
        measurement: m.get('cached'),
        ratios: [{ to: 'raw', min: 10 }],
      },
      {
        id: 'ecdsa-raw',
        short: 'raw ECDSA verify',
        label: 'ECDSA P-256: raw `crypto.verify`, cached public KeyObject',
        measurement: m.get('ecdsa-raw'),
      },
      {
        id: 'ecdsa-fresh',
        short: 'ECDSA fresh',
        label: 'ECDSA P-256: edgepass, fresh signature (no cache)',
        measurement: m.get('ecdsa-fresh'),
        ratios: [{ to: 'ecdsa-raw' }],
      },
    ];
  },
};
