// Regenerates the sample events in events/ (`npm run events`). The signed ones are signed with the
// sample-event key (events/sample-keys, trusted only by the dev stage) and expire in 2038, so
// `serverless invoke local` shows an allowed request for years; the expired one expired in 2023.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { signCookies, signUrl } = require('../dist/index.cjs');

const privateKey = readFileSync(new URL('../events/sample-keys/private.pem', import.meta.url), 'utf8');
const keyPairId = 'KSAMPLEEVENTS01';
const host = 'd111111abcdef8.cloudfront.net';
const LATE = 2145916800; // 2038-01-01T00:00:00Z
const PAST_NOW = 1699990000;

function viewerRequest({ uri, querystring = '', method = 'GET', headers = {} }) {
  const all = {
    host: [{ key: 'Host', value: host }],
    'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36' }],
    ...headers,
  };
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: host,
            distributionId: 'EDFDVBD6EXAMPLE',
            eventType: 'viewer-request',
            requestId: 'MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==',
          },
          request: { clientIp: '203.0.113.178', headers: all, method, querystring, uri },
        },
      },
    ],
  };
}

const html = { accept: [{ key: 'Accept', value: 'text/html,application/xhtml+xml,*/*;q=0.8' }] };
const cookieHeader = (cookies) => ({
  cookie: [
    {
      key: 'Cookie',
      value: `theme=dark; ${Object.entries(cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ')}`,
    },
  ],
});

const validCookies = signCookies(`https://${host}/videos/*`, { keyPairId, privateKey, expires: LATE });
const expiredCookies = signCookies(`https://${host}/videos/*`, {
  keyPairId,
  privateKey,
  expires: PAST_NOW + 3600,
  now: PAST_NOW,
});
const signed = signUrl(`https://${host}/reports/q3.pdf?download=1`, { keyPairId, privateKey, expires: LATE });
const query = signed.slice(signed.indexOf('?') + 1);

const events = {
  'viewer-request-no-credentials.json': viewerRequest({ uri: '/videos/42/index.m3u8', headers: html }),
  'viewer-request-valid-cookies.json': viewerRequest({
    uri: '/videos/42/seg-001.ts',
    headers: cookieHeader(validCookies),
  }),
  'viewer-request-expired-cookies.json': viewerRequest({
    uri: '/videos/42/seg-001.ts',
    headers: cookieHeader(expiredCookies),
  }),
  'viewer-request-signed-url.json': viewerRequest({ uri: '/reports/q3.pdf', querystring: query }),
  'viewer-request-tampered-url.json': viewerRequest({ uri: '/reports/q4.pdf', querystring: query }),
  'viewer-request-public-path.json': viewerRequest({ uri: '/index.html', headers: html }),
  'viewer-request-malformed.json': { Records: [{ cf: { request: { uri: 42 } } }] },
};

for (const [name, event] of Object.entries(events)) {
  writeFileSync(new URL(`../events/${name}`, import.meta.url), `${JSON.stringify(event, null, 2)}\n`);
  console.log(`events/${name}`);
}
