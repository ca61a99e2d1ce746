import { describe, expect, it } from 'vitest';
import { signCookies } from '../../../shared/cloudfront/sign';
import type { ViewerRequest } from '../../../shared/edge/gate';
import { testGate } from '../../fixtures/gate';
import { NOW, rsaKeyPair } from '../../fixtures/keys';

/**
 * The one gate decision's own edges, through the Lambda@Edge gate: where the URL length bound falls,
 * the URL a credential is checked against when there is no query, and a login page left behind the gate.
 * Gates and credentials are made inside the tests (a throw while the file loads fails no test).
 */

const HOST = 'media.example.com';
const rsa = rsaKeyPair();

const gateWith = (loginUrl = '/login') => testGate(rsa.publicPem, { loginUrl });

function request(uri: string, fields: Partial<ViewerRequest> = {}): ViewerRequest {
  return {
    method: 'GET',
    uri,
    querystring: '',
    host: HOST,
    cookies: [],
    clientIp: '203.0.113.1',
    accept: '*/*',
    referer: undefined,
    ...fields,
  };
}

describe('the gate decision', () => {
  it('reads a URL of 8,192 characters (path, ?, query) and refuses one character more as url-too-long', () => {
    const gate = gateWith();
    const tooLong = { action: 'reject', reason: 'bad-request', detail: 'url-too-long' };
    const path = (length: number) => `/${'a'.repeat(length - 1)}`;
    // Mostly path, then mostly query: the bound counts both and the `?` between them.
    expect(gate(request(path(8192 - 2), { querystring: 'q' }), NOW)).toMatchObject({ action: 'deny' });
    expect(gate(request(path(8192 - 1), { querystring: 'q' }), NOW)).toEqual(tooLong);
    expect(gate(request('/a', { querystring: 'q'.repeat(8192 - 3) }), NOW)).toMatchObject({ action: 'deny' });
    expect(gate(request('/a', { querystring: 'q'.repeat(8192 - 2) }), NOW)).toEqual(tooLong);
  });

  it('checks a credential against the URL without a trailing ? when there is no query', () => {
    const gate = gateWith();
    // Canned cookies for one exact resource: the policy is rebuilt from the URL, so any character after
    // the path (a `?` with nothing after it included) makes it another policy.
    const cookies = signCookies(`https://${HOST}/videos/a.mp4`, {
      keyPairId: 'K1',
      privateKey: rsa.privatePem,
      expires: NOW + 600,
      now: NOW,
    });
    const header = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    expect(gate(request('/videos/a.mp4', { cookies: [header] }), NOW)).toMatchObject({ action: 'allow' });
    expect(gate(request('/videos/a.mp4', { cookies: [header], querystring: 'x=1' }), NOW)).toMatchObject({
      action: 'deny',
      reason: 'bad-signature',
    });
  });

  it('answers a browser asking for a login page left behind the gate with the 403, never a redirect to itself', () => {
    const gate = gateWith('/login');
    expect(gate(request('/login', { accept: 'text/html' }), NOW)).toMatchObject({ action: 'deny', loop: true });
    // Any other page still sends the browser to the login page.
    expect(gate(request('/videos/', { accept: 'text/html' }), NOW)).toMatchObject({ action: 'redirect' });
  });
});
