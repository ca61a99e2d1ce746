import { sign } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import {
  createKeyGroup,
  customPolicy,
  epochSeconds,
  loadSigningKey,
  signCookies,
  verifySignedRequest,
} from '../shared/index';
import { cookieHeader, ecKeyPair, RESOURCE, rsaKeyPair, segmentUrl } from './fixtures';
import { measureInterleaved } from './harness';
import type { Section } from './section';

/**
 * Signed cookies for a wildcard resource (custom policy, SHA-1), as the login function makes them:
 * edgepass against the official signer with the same policy bytes, and against the floor, a bare
 * `crypto.sign` with a key object parsed once.
 */
export const signingSection: Section = {
  id: 'signing',
  title: 'Signing: cookies for `https://cdn.example.com/videos/42/*` (custom policy, SHA-1)',
  run(options) {
    const rsa = rsaKeyPair();
    const ec = ecKeyPair();
    const expires = epochSeconds() + 3600;
    const policy = customPolicy({ resource: RESOURCE, dateLessThan: expires });
    const policyBytes = Buffer.from(policy, 'utf8');
    const signingKey = loadSigningKey(rsa.privatePem);

    const official = () => getSignedCookies({ keyPairId: rsa.id, privateKey: rsa.privatePem, policy });
    const withPem = () => signCookies(RESOURCE, { keyPairId: rsa.id, privateKey: rsa.privatePem, expires });
    const withKey = () => signCookies(RESOURCE, { keyPairId: rsa.id, privateKey: signingKey, expires });
    const ecdsa = () => signCookies(RESOURCE, { keyPairId: ec.id, privateKey: ec.privatePem, expires });

    // Same input, same bytes: RSA PKCS#1 v1.5 is deterministic, so the cookies must be identical.
    const ours = withPem();
    if (!isDeepStrictEqual(ours, official()) || !isDeepStrictEqual(withKey(), ours)) {
      throw new Error(
        'edgepass and @aws-sdk/cloudfront-signer cookies differ: the benchmark would compare unlike work',
      );
    }
    const keyGroup = createKeyGroup([{ id: ec.id, publicKey: ec.publicPem }]);
    const cookie = cookieHeader(ecdsa());
    if (!verifySignedRequest({ url: segmentUrl(1), cookie }, { now: expires - 3600, keyGroup }).allowed) {
      throw new Error('the ECDSA cookies do not verify');
    }

    const m = measureInterleaved(
      [
        { id: 'raw', fn: () => sign('sha1', policyBytes, rsa.privateKey).toString('base64') },
        { id: 'official', fn: official },
        { id: 'pem', fn: withPem },
        { id: 'key', fn: withKey },
        { id: 'ecdsa', fn: ecdsa },
        { id: 'ecdsa-raw', fn: () => sign('sha1', policyBytes, ec.privateKey).toString('base64') },
      ],
      options,
    );
    return [
      {
        id: 'raw',
        short: 'raw sign',
        label: 'RSA-2048: raw `crypto.sign` + base64, cached KeyObject (floor)',
        measurement: m.get('raw'),
      },
      {
        id: 'official',
        short: 'official',
        label: 'RSA-2048: `@aws-sdk/cloudfront-signer` `getSignedCookies` (PEM)',
        measurement: m.get('official'),
        ratios: [{ to: 'raw' }],
      },
      {
        id: 'pem',
        short: 'edgepass (PEM)',
        label: 'RSA-2048: edgepass `signCookies`, PEM string each call',
        measurement: m.get('pem'),
        ratios: [
          { to: 'official', min: 3 },
          { to: 'raw', min: 0.9 },
        ],
      },
      {
        id: 'key',
        short: 'edgepass (SigningKey)',
        label: 'RSA-2048: edgepass `signCookies`, pre-loaded `SigningKey`',
        measurement: m.get('key'),
        ratios: [
          { to: 'official', min: 3 },
          { to: 'raw', min: 0.9 },
        ],
      },
      {
        id: 'ecdsa',
        short: 'edgepass ECDSA',
        label: 'ECDSA P-256: edgepass `signCookies`, PEM string each call',
        measurement: m.get('ecdsa'),
        ratios: [{ to: 'official', min: 25 }, { to: 'ecdsa-raw' }],
      },
      {
        id: 'ecdsa-raw',
        short: 'raw ECDSA sign',
        label: 'ECDSA P-256: raw `crypto.sign` + base64, cached KeyObject',
        measurement: m.get('ecdsa-raw'),
      },
    ];
  },
};
