import { sign } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { cannedPolicy, createKeyGroup, epochSeconds, signUrls, verifySignedRequest } from '../shared/index';
import { RESOURCE, rsaKeyPair, segmentUrl } from './fixtures';
import { measureInterleaved } from './harness';
import type { Section } from './section';

const BATCH = 100;

function paramSet(url: string): string[] {
  const q = url.indexOf('?');
  return [
    url.slice(0, q),
    ...url
      .slice(q + 1)
      .split('&')
      .sort(),
  ];
}

/**
 * What the URL issuer does for one `POST /api/sign` of 100 paths: a canned policy and signature per
 * URL, or one custom policy over a shared resource pattern signed once and appended to every URL.
 * One operation here is the whole batch.
 */
export const batchSection: Section = {
  id: 'batch',
  title: `Batch: ${BATCH} segment URLs with \`signUrls\`, RSA-2048 (one op = the whole batch)`,
  run(options) {
    const rsa = rsaKeyPair();
    const now = epochSeconds();
    const expires = now + 3600;
    const urls = Array.from({ length: BATCH }, (_, i) => segmentUrl(i));
    const cannedBytes = urls.map((url) => Buffer.from(cannedPolicy(url, expires), 'utf8'));
    const dateLessThan = new Date(expires * 1000).toISOString();
    const signing = { keyPairId: rsa.id, privateKey: rsa.privatePem, expires };

    const raw = () => cannedBytes.map((bytes) => sign('sha1', bytes, rsa.privateKey).toString('base64'));
    const official = () =>
      urls.map((url) => getSignedUrl({ url, keyPairId: rsa.id, privateKey: rsa.privatePem, dateLessThan }));
    const canned = () => signUrls(urls, signing);
    const shared = () => signUrls(urls, { ...signing, resource: RESOURCE });

    // Same input, same signatures for canned URLs (RSA PKCS#1 v1.5 is deterministic); the official
    // signer orders the params differently.
    if (!isDeepStrictEqual(canned().map(paramSet), official().map(paramSet))) {
      throw new Error(
        'edgepass and @aws-sdk/cloudfront-signer signed URLs differ: the benchmark would compare unlike work',
      );
    }
    const keyGroup = createKeyGroup([{ id: rsa.id, publicKey: rsa.publicPem }]);
    for (const url of [...canned(), ...shared()]) {
      if (!verifySignedRequest({ url }, { now, keyGroup }).allowed) throw new Error(`${url} does not verify`);
    }

    const m = measureInterleaved(
      [
        { id: 'raw', fn: raw },
        { id: 'official', fn: official },
        { id: 'canned', fn: canned },
        { id: 'shared', fn: shared },
      ],
      options,
    );
    return [
      {
        id: 'raw',
        short: `raw sign ×${BATCH}`,
        label: `${BATCH} × raw \`crypto.sign\` + base64, cached KeyObject (floor)`,
        measurement: m.get('raw'),
      },
      {
        id: 'official',
        short: 'official',
        label: `${BATCH} × \`@aws-sdk/cloudfront-signer\` \`getSignedUrl\` (PEM)`,
        measurement: m.get('official'),
        ratios: [{ to: 'raw' }],
      },
      {
        id: 'canned',
        short: 'canned batch',
        label: `edgepass \`signUrls\`, ${BATCH} canned policies (${BATCH} signatures)`,
        measurement: m.get('canned'),
        ratios: [{ to: 'official' }, { to: 'raw' }],
      },
      {
        id: 'shared',
        short: 'shared resource',
        label: `edgepass \`signUrls\` with \`resource: 'videos/42/*'\` (1 signature)`,
        measurement: m.get('shared'),
        ratios: [{ to: 'canned' }],
      },
    ];
  },
};
