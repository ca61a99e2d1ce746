import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ViewerRequest } from '../../../shared/edge/gate';
import { testGate } from '../../fixtures/gate';
import { NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const HOST = 'media.example.com';
const SITE = `https://${HOST}`;

function gateFor(loginUrl: string) {
  return testGate(rsa.publicPem, { loginUrl });
}

const hostileUri = fc
  .array(
    fc.constantFrom(
      '/',
      '//',
      '\\',
      '%2F',
      '%5C',
      '%252F',
      '%09',
      '\t',
      'evil.com',
      '@',
      ':',
      'https:',
      '..',
      '.',
      'a',
      '%',
      '%zz',
      '?',
    ),
    { maxLength: 8 },
  )
  .map((parts) => `/${parts.join('')}`);

const hostileQuery = fc
  .array(
    fc.constantFrom('return_to=//evil.com', 'a=1', '%2F%2Fevil.com', 'Expires=1', 'next=https://evil.com', '&', '='),
    {
      maxLength: 4,
    },
  )
  .map((parts) => parts.join('&'));

/** A browser navigation without credentials. */
function navigation(uri: string, querystring = '', host: string | undefined = HOST): ViewerRequest {
  return {
    method: 'GET',
    uri,
    querystring,
    host,
    cookies: [],
    clientIp: '203.0.113.1',
    accept: 'text/html',
    referer: undefined,
  };
}

describe('the gate’s login redirect', () => {
  it('only ever points return_to at the same site (relative login URL)', () => {
    const gate = gateFor('/login');
    fc.assert(
      fc.property(hostileUri, hostileQuery, (uri, querystring) => {
        const decision = gate(navigation(uri, querystring), NOW);
        if (decision.action !== 'redirect') return;
        const location = new URL(decision.location, SITE);
        expect(location.origin).toBe(SITE);
        expect(location.pathname).toBe('/login');
        const returnTo = location.searchParams.get('return_to') ?? '';
        expect(new URL(returnTo, SITE).origin).toBe(SITE);
        expect(returnTo.startsWith('/') && !returnTo.startsWith('//')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('builds an absolute return_to on the content host when the login page lives elsewhere', () => {
    const gate = gateFor('https://app.example.com/signin');
    fc.assert(
      fc.property(hostileUri, (uri) => {
        const decision = gate(navigation(uri), NOW);
        if (decision.action !== 'redirect') return;
        const location = new URL(decision.location);
        expect(location.origin).toBe('https://app.example.com');
        expect(new URL(location.searchParams.get('return_to') ?? '').origin).toBe(SITE);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a Host that is not one of the configured domains (it would be the signed resource’s host)', () => {
    for (const host of ['evil.com', `${HOST}/videos/free`, `${HOST}.evil.com`, `x${HOST}`]) {
      const decision = gateFor('https://app.example.com/signin')(navigation('/a', '', host), NOW);
      expect(decision, host).toEqual({ action: 'reject', reason: 'bad-request', detail: 'unknown-host' });
    }
  });

  it('keeps the second configured domain: its Host is checked and returned to, in any letter case', () => {
    const gate = testGate(rsa.publicPem, {
      domains: [HOST, 'cdn.example.net'],
      loginUrl: 'https://app.example.com/signin',
    });
    expect(gate(navigation('/a', '', 'CDN.Example.NET'), NOW)).toMatchObject({
      action: 'redirect',
      location: `https://app.example.com/signin?return_to=${encodeURIComponent('https://cdn.example.net/a')}`,
    });
    expect(gate(navigation('/a', '', undefined), NOW)).toMatchObject({
      action: 'redirect',
      location: `https://app.example.com/signin?return_to=${encodeURIComponent(`${SITE}/a`)}`,
    });
  });
});
