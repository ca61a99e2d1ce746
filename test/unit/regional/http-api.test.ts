import { describe, expect, it } from 'vitest';
import { type HttpRequest, mediaType, readBody } from '../../../shared/regional/http-api';

function request(headers: Record<string, string>, body = ''): HttpRequest {
  return { method: 'POST', path: '/auth/login', headers, body, sourceIp: undefined };
}

describe('mediaType', () => {
  it.each<[string, string | undefined, string | undefined]>([
    ['no Content-Type', undefined, undefined],
    ['an empty Content-Type', '', undefined],
    ['a blank Content-Type', '  ', undefined],
    ['a plain media type', 'application/json', 'application/json'],
    ['a form with parameters', 'application/x-www-form-urlencoded; charset=UTF-8', 'application/x-www-form-urlencoded'],
    [
      'another casing with parameters',
      'Application/X-WWW-Form-Urlencoded; charset=UTF-8',
      'application/x-www-form-urlencoded',
    ],
    ['spaces around the type', '  Text/Plain ;charset=utf-8', 'text/plain'],
    ['a multipart boundary', 'multipart/form-data; boundary=----x', 'multipart/form-data'],
    ['a JSON type named in a parameter only', 'text/plain; x=application/json', 'text/plain'],
    ['two types joined by a proxy', 'application/json, text/plain', 'application/json, text/plain'],
  ])('reads %s', (_, header, expected) => {
    expect(mediaType(request(header === undefined ? {} : { 'content-type': header }))).toBe(expected);
  });
});

describe('readBody', () => {
  it('reads a form whose Content-Type has another casing and parameters', () => {
    const body = readBody(
      request({ 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }, 'token=abc&return_to=%2Fv'),
    );
    expect(body).toEqual({ token: 'abc', return_to: '/v' });
  });

  it('reads JSON with parameters, and JSON without a Content-Type', () => {
    expect(readBody(request({ 'content-type': 'APPLICATION/JSON; charset=utf-8' }, '{"token":"a"}'))).toEqual({
      token: 'a',
    });
    expect(readBody(request({}, '{"token":"b"}'))).toEqual({ token: 'b' });
  });

  it('refuses another media type, naming it', () => {
    expect(() => readBody(request({ 'content-type': 'Text/XML; charset=utf-8' }, '<a/>'))).toThrow(
      'unsupported content-type text/xml: send application/json',
    );
  });
});
