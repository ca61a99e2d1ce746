/** What the benchmarks sign and verify: real keys made at start, one resource, its segment URLs. */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { customPolicy, decodeCloudFrontBase64, signCookies } from '../shared/index';

/** A real key pair generated for this run, as PEM (what users pass) and as parsed key objects. */
export interface BenchKeyPair {
  /** CloudFront public key id the pair is registered under. */
  readonly id: string;
  readonly privatePem: string;
  readonly publicPem: string;
  /** Parsed once from `privatePem`, as a server that keeps its key object would. */
  readonly privateKey: KeyObject;
  /** Parsed once from `publicPem`. */
  readonly publicKey: KeyObject;
}

function generate(type: 'rsa' | 'ec', id: string): BenchKeyPair {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    id,
    privatePem,
    publicPem,
    privateKey: createPrivateKey(privatePem),
    publicKey: createPublicKey(publicPem),
  };
}

let rsa: BenchKeyPair | undefined;
let ec: BenchKeyPair | undefined;

/** The RSA-2048 pair, generated once per run. */
export function rsaKeyPair(): BenchKeyPair {
  rsa ??= generate('rsa', 'K2JCJMDEHXQW5F');
  return rsa;
}

/** The ECDSA P-256 pair, generated once per run. */
export function ecKeyPair(): BenchKeyPair {
  ec ??= generate('ec', 'K3EC256EXAMPLE');
  return ec;
}

/** The content every benchmark signs for: one video's HLS segments behind a wildcard. */
export const RESOURCE = 'https://cdn.example.com/videos/42/*';

/** A segment URL inside RESOURCE, as an HLS player requests them one after another. */
export function segmentUrl(n: number): string {
  return `https://cdn.example.com/videos/42/720p/segment-${String(n).padStart(5, '0')}.ts`;
}

/** The Cookie header a browser sends back for signed cookies. */
export function cookieHeader(cookies: object): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join('; ');
}

/** One viewer's signed cookies, and the raw inputs behind their signature (for the raw-verify floor). */
export interface SignedCookieSet {
  readonly cookie: string;
  readonly policyBytes: Buffer;
  readonly signatureBytes: Buffer;
}

/** `size` cookie sets signed with distinct expiries, hence distinct policies and signatures. */
export function signedCookiePool(
  pair: BenchKeyPair,
  now: number,
  size: number,
  keyPairId = pair.id,
): SignedCookieSet[] {
  return Array.from({ length: size }, (_, i) => {
    const expires = now + 3600 + i;
    const cookies = signCookies(RESOURCE, { keyPairId, privateKey: pair.privatePem, expires });
    const signatureBytes = decodeCloudFrontBase64(cookies['CloudFront-Signature']);
    if (signatureBytes === undefined) throw new Error('signCookies made a signature that does not decode');
    return {
      cookie: cookieHeader(cookies),
      policyBytes: Buffer.from(customPolicy({ resource: RESOURCE, dateLessThan: expires }), 'utf8'),
      signatureBytes,
    };
  });
}
