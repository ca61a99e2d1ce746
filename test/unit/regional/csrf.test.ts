import { describe, expect, it } from 'vitest';
import { EdgepassError } from '../../../shared/cloudfront/errors';
import { checkFormOrigin, formOrigins } from '../../../shared/regional/csrf';
import type { HttpRequest } from '../../../shared/regional/http-api';

const sites = formOrigins({
  scheme: 'https',
  domains: ['media.example.com', 'localhost:3000'],
  cors: { origins: ['https://app.example.com'], maxAgeSeconds: 600 },
});

function request(headers: Record<string, string>): HttpRequest {
  return { method: 'POST', path: '/auth/login', headers, body: 'token=x', sourceIp: undefined };
}

/** `'allowed'`, or the code the request is refused with. */
function decide(headers: Record<string, string>): string {
  try {
    checkFormOrigin(request(headers), sites);
    return 'allowed';
  } catch (error) {
    expect(error).toBeInstanceOf(EdgepassError);
    return (error as EdgepassError).code;
  }
}

const FORM = 'application/x-www-form-urlencoded';

describe('formOrigins', () => {
  it('lists every content domain under the configured scheme, then the CORS origins', () => {
    expect(sites).toEqual(['https://media.example.com', 'https://localhost:3000', 'https://app.example.com']);
  });

  it('spells a domain with its default port the way a browser sends Origin', () => {
    const withPorts = formOrigins({
      scheme: 'http',
      domains: ['media.example.com:80', 'media.example.com:8080'],
      cors: { origins: [], maxAgeSeconds: 600 },
    });
    expect(withPorts).toEqual(['http://media.example.com', 'http://media.example.com:8080']);
  });
});

describe('checkFormOrigin', () => {
  it.each<[string, Record<string, string>, string]>([
    // Requests a browser may send cross-site without a preflight: the origin decides.
    ['a form from a content domain', { 'content-type': FORM, origin: 'https://media.example.com' }, 'allowed'],
    ['a form from a content domain with a port', { 'content-type': FORM, origin: 'https://localhost:3000' }, 'allowed'],
    ['a form from a CORS origin', { 'content-type': FORM, origin: 'https://app.example.com' }, 'allowed'],
    ['a form from another site', { 'content-type': FORM, origin: 'https://evil.com' }, 'ORIGIN_NOT_ALLOWED'],
    [
      'a form from the other scheme',
      { 'content-type': FORM, origin: 'http://media.example.com' },
      'ORIGIN_NOT_ALLOWED',
    ],
    [
      'a form from another port',
      { 'content-type': FORM, origin: 'https://media.example.com:8443' },
      'ORIGIN_NOT_ALLOWED',
    ],
    [
      'a form from a look-alike host',
      { 'content-type': FORM, origin: 'https://media.example.com.evil.com' },
      'ORIGIN_NOT_ALLOWED',
    ],
    ['an Origin with a path', { 'content-type': FORM, origin: 'https://media.example.com/' }, 'ORIGIN_NOT_ALLOWED'],
    ['Origin: null (sandboxed or opaque)', { 'content-type': FORM, origin: 'null' }, 'ORIGIN_NOT_ALLOWED'],
    [
      'Origin: null even with Sec-Fetch-Site: same-origin',
      { 'content-type': FORM, origin: 'null', 'sec-fetch-site': 'same-origin' },
      'ORIGIN_NOT_ALLOWED',
    ],
    [
      'a foreign Origin even with Sec-Fetch-Site: same-origin',
      { 'content-type': FORM, origin: 'https://evil.com', 'sec-fetch-site': 'same-origin' },
      'ORIGIN_NOT_ALLOWED',
    ],
    ['no Origin, Sec-Fetch-Site: same-origin', { 'content-type': FORM, 'sec-fetch-site': 'same-origin' }, 'allowed'],
    ['no Origin, Sec-Fetch-Site: same-site', { 'content-type': FORM, 'sec-fetch-site': 'same-site' }, 'allowed'],
    [
      'no Origin, Sec-Fetch-Site: cross-site',
      { 'content-type': FORM, 'sec-fetch-site': 'cross-site' },
      'ORIGIN_NOT_ALLOWED',
    ],
    ['no Origin, Sec-Fetch-Site: none', { 'content-type': FORM, 'sec-fetch-site': 'none' }, 'ORIGIN_NOT_ALLOWED'],
    ['a form with neither header', { 'content-type': FORM }, 'ORIGIN_NOT_ALLOWED'],
    [
      'a form Content-Type in another casing, with parameters',
      { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', origin: 'https://evil.com' },
      'ORIGIN_NOT_ALLOWED',
    ],
    [
      'multipart from another site',
      { 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.com' },
      'ORIGIN_NOT_ALLOWED',
    ],
    [
      'multipart, same origin',
      { 'content-type': 'multipart/form-data; boundary=x', 'sec-fetch-site': 'same-origin' },
      'allowed',
    ],
    [
      'text/plain from another site',
      { 'content-type': 'text/plain', origin: 'https://evil.com' },
      'ORIGIN_NOT_ALLOWED',
    ],
    [
      'text/plain naming JSON in a parameter',
      { 'content-type': 'text/plain; x=application/json', origin: 'https://evil.com' },
      'ORIGIN_NOT_ALLOWED',
    ],
    ['no Content-Type from another site', { origin: 'https://evil.com' }, 'ORIGIN_NOT_ALLOWED'],
    ['no Content-Type and no headers at all', {}, 'ORIGIN_NOT_ALLOWED'],
    ['no Content-Type from a content domain', { origin: 'https://media.example.com' }, 'allowed'],
    [
      'two media types joined by a proxy',
      { 'content-type': 'application/json, text/plain', origin: 'https://evil.com' },
      'ORIGIN_NOT_ALLOWED',
    ],
    // Requests a browser preflights cross-site: CORS decides, not this rule.
    ['JSON from another site', { 'content-type': 'application/json', origin: 'https://evil.com' }, 'allowed'],
    [
      'JSON in another casing with a charset',
      { 'content-type': 'Application/JSON; charset=utf-8', origin: 'https://evil.com' },
      'allowed',
    ],
    ['JSON with neither header', { 'content-type': 'application/json' }, 'allowed'],
    [
      'a Bearer form from another site',
      { 'content-type': FORM, authorization: 'Bearer a.b.c', origin: 'https://evil.com' },
      'allowed',
    ],
    ['a Bearer request without a body type', { authorization: 'Bearer a.b.c' }, 'allowed'],
  ])('%s → %s', (_, headers, expected) => {
    expect(decide(headers)).toBe(expected);
  });

  it('names the rule, not the Origin, in its message', () => {
    try {
      checkFormOrigin(request({ 'content-type': FORM, origin: 'https://evil.com' }), sites);
    } catch (error) {
      expect((error as Error).message).not.toContain('evil.com');
      expect((error as EdgepassError).httpStatus).toBe(403);
      return;
    }
    throw new Error('expected ORIGIN_NOT_ALLOWED');
  });
});
