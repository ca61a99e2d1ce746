// Regenerates the sample events in events/ (`npm run events`). The signed ones are signed with the
// sample-event key (events/sample-keys, trusted only by the dev stage) and expire in 2038, so
// `serverless invoke local` shows an allowed request for years; the expired one expired in 2023.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { signCookies, signUrl } = require('../dist/index.cjs');
const { SignJWT, importPKCS8 } = require('jose');

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
  'viewer-request-public-path.json': viewerRequest({
    uri: '/videos/trailer.mp4',
    querystring: 'lang=en',
    headers: { cookie: [{ key: 'Cookie', value: 'theme=dark; CloudFront-Key-Pair-Id=KSAMPLEEVENTS01' }] },
  }),
  'viewer-request-dot-segment.json': viewerRequest({ uri: '/videos/free/../paid.mp4', headers: html }),
  'viewer-request-malformed.json': { Records: [{ cf: { request: { uri: 42 } } }] },
};

// API Gateway HTTP API (payload 2.0) events for the login and sign functions. Tokens are signed by the
// sample identity provider (events/sample-keys/idp-private.pem, trusted only by the dev stage).
const idpKey = await importPKCS8(
  readFileSync(new URL('../events/sample-keys/idp-private.pem', import.meta.url), 'utf8'),
  'ES256',
);
async function token(claims, { exp = LATE, alg = 'ES256' } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: 'sample-idp-1', typ: 'JWT' })
    .setIssuer('https://idp.example.com/')
    .setAudience('edgepass-demo')
    .setIssuedAt(PAST_NOW)
    .setExpirationTime(exp)
    .sign(idpKey);
}
const premium = await token({ sub: 'ada', groups: ['premium'] });
const member = await token({ sub: 'bob', groups: [] });
const expiredToken = await token({ sub: 'ada', groups: ['premium'] }, { exp: PAST_NOW + 600 });
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: 'https://idp.example.com/', aud: 'edgepass-demo', sub: 'mallory', groups: ['premium'], exp: LATE })}.`;

function httpApi({ method = 'POST', path, headers = {}, body, cookies }) {
  const all = { host: 'd111111abcdef8.cloudfront.net', 'user-agent': 'curl/8.5.0', ...headers };
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    ...(cookies ? { cookies } : {}),
    headers: all,
    requestContext: {
      accountId: '123456789012',
      apiId: 'r3pmxmplak',
      domainName: 'r3pmxmplak.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'r3pmxmplak',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.178', userAgent: all['user-agent'] },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '28/Nov/2026:12:00:00 +0000',
      timeEpoch: 1795867200000,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}
const json = { 'content-type': 'application/json' };
const bearer = (t) => ({ ...json, authorization: `Bearer ${t}` });
// Form posts and bodiless posts without a token must come from a configured site (CSRF rule).
const site = { origin: `https://${host}` };

Object.assign(events, {
  'login-bearer.json': httpApi({
    path: '/auth/login',
    headers: { ...bearer(premium), origin: 'http://localhost:5173' },
  }),
  'login-form-return-to.json': httpApi({
    path: '/auth/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...site },
    body: new URLSearchParams({ token: member, return_to: '/videos/free/intro.m3u8' }).toString(),
  }),
  'login-expired-token.json': httpApi({ path: '/auth/login', headers: bearer(expiredToken) }),
  'login-alg-none.json': httpApi({ path: '/auth/login', headers: bearer(unsigned) }),
  'login-no-token.json': httpApi({ path: '/auth/login', headers: json, body: '{}' }),
  'login-preflight.json': httpApi({
    method: 'OPTIONS',
    path: '/auth/login',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
  }),
  'refresh.json': httpApi({ path: '/auth/refresh', headers: bearer(premium) }),
  'logout.json': httpApi({ path: '/auth/logout', headers: site }),
  'sign-batch.json': httpApi({
    path: '/api/sign',
    headers: bearer(premium),
    body: JSON.stringify({
      paths: ['/videos/42/master.m3u8', '/videos/42/seg-001.ts', '/reports/q3.pdf'],
      expiresIn: 600,
    }),
  }),
  'sign-custom-policy.json': httpApi({
    path: '/api/sign',
    headers: bearer(premium),
    body: JSON.stringify({ paths: ['/videos/42/master.m3u8'], expiresIn: 600, ipAddress: '203.0.113.0/24' }),
  }),
  'sign-outside-grants.json': httpApi({
    path: '/api/sign',
    headers: bearer(member),
    body: JSON.stringify({ paths: ['/reports/q3.pdf'] }),
  }),
  'sign-path-traversal.json': httpApi({
    path: '/api/sign',
    headers: bearer(premium),
    body: JSON.stringify({ paths: ['/videos/../reports/q3.pdf'] }),
  }),
  'sign-wildcard-injection.json': httpApi({
    path: '/api/sign',
    headers: bearer(premium),
    body: JSON.stringify({ paths: ['/videos/*'] }),
  }),
});

for (const [name, event] of Object.entries(events)) {
  writeFileSync(new URL(`../events/${name}`, import.meta.url), `${JSON.stringify(event, null, 2)}\n`);
  console.log(`events/${name}`);
}
