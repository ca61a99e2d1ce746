import { describe, expect, it } from 'vitest';
import { cloudFrontErrorXml } from '../../../shared/cloudfront/denial';
import {
  type FunctionRequest,
  type FunctionValues,
  functionBadRequest,
  parseFunctionEvent,
  sessionCookie,
  toFunctionResult,
} from '../../../shared/edge/function-event';

/** A cloudfront-js-2.0 viewer-request event's `request`, as the runtime hands it over. */
function request(
  overrides: Partial<Omit<FunctionRequest, 'rawQueryString'>> = {},
  raw: string | undefined = undefined,
): FunctionRequest {
  return {
    method: 'GET',
    uri: '/videos/a.ts',
    querystring: {},
    headers: { host: { value: 'media.example.com' } },
    cookies: {},
    rawQueryString: () => raw,
    ...overrides,
  };
}

const event = (req: unknown, extra: Record<string, unknown> = {}) => ({
  version: '1.0',
  context: { requestId: 'req-1', eventType: 'viewer-request' },
  viewer: { ip: '203.0.113.7' },
  request: req,
  ...extra,
});

describe('parseFunctionEvent', () => {
  it('reads the request the gate judges, with the session token and the key it was given', () => {
    const req = request(
      {
        headers: {
          host: { value: 'media.example.com' },
          accept: { value: 'text/html' },
          referer: { value: 'https://media.example.com/login?return_to=%2F' },
        },
        cookies: { 'edgepass-session': { value: 'v1.S1.1.a.b' } },
      },
      'a=1&b=2',
    );
    expect(parseFunctionEvent(event(req), 'key-text')).toEqual({
      requestId: 'req-1',
      request: req,
      viewer: {
        method: 'GET',
        uri: '/videos/a.ts',
        querystring: 'a=1&b=2',
        host: 'media.example.com',
        cookies: [],
        clientIp: '203.0.113.7',
        accept: 'text/html',
        referer: 'https://media.example.com/login?return_to=%2F',
        sessionToken: 'v1.S1.1.a.b',
        sessionKey: 'key-text',
      },
    });
  });

  it('joins every value of a repeated header, so a second Host names no configured domain', () => {
    const req = request({
      headers: {
        host: { value: 'media.example.com', multiValue: [{ value: 'media.example.com' }, { value: 'evil.com' }] },
        referer: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
      },
    });
    const viewer = parseFunctionEvent(event(req), undefined)?.viewer;
    expect(viewer?.host).toBe('media.example.com; evil.com');
    expect(viewer?.referer).toBe('a; b');
    // Absent headers read as empty; no query as an empty query; no key as none.
    expect(viewer).toMatchObject({ accept: '', querystring: '', sessionToken: undefined, sessionKey: undefined });
  });

  it('takes the first session cookie (the most specific Path) and ignores a value that is not text', () => {
    const cookies: FunctionValues = {
      'edgepass-session': { value: 'first', multiValue: [{ value: 'first' }, { value: 'second' }] },
    };
    expect(sessionCookie(request({ cookies }))).toBe('first');
    expect(sessionCookie(request({ cookies: { 'edgepass-session': { value: 42 as unknown as string } } }))).toBe(
      undefined,
    );
    expect(sessionCookie(request({ cookies: undefined as unknown as FunctionValues }))).toBeUndefined();
  });

  it('leaves the request id and the viewer IP out when they are not text', () => {
    const parsed = parseFunctionEvent(event(request(), { context: { requestId: 7 }, viewer: { ip: null } }), 'k');
    expect(parsed?.requestId).toBeUndefined();
    expect(parsed?.viewer.clientIp).toBe('');
    const bare = parseFunctionEvent({ request: request() }, 'k');
    expect(bare?.requestId).toBeUndefined();
    expect(bare?.viewer.clientIp).toBe('');
  });

  it.each([
    ['no event', undefined],
    ['no request', { context: {} }],
    ['a uri that is not text', event({ ...request(), uri: 1 })],
    ['a method that is not text', event({ ...request(), method: undefined })],
    ['no header map', event({ ...request(), headers: undefined })],
    ['a null header map', event({ ...request(), headers: null })],
    ['no rawQueryString helper (not runtime 2.0)', event({ ...request(), rawQueryString: 'a=1' })],
  ])('refuses %s, without throwing', (_name, input) => {
    expect(parseFunctionEvent(input, 'k')).toBeUndefined();
  });
});

describe('toFunctionResult', () => {
  const forwarded = { querystring: 'a=1', referer: 'https://media.example.com/page?a=1' };

  it('forwards the request without any credential: signing and session cookies, signing params, the signed Referer', () => {
    const req = request({
      querystring: {
        a: { value: '1' },
        Expires: { value: '1' },
        Policy: { value: 'p' },
        Signature: { value: 's' },
        'Key-Pair-Id': { value: 'K' },
        'Hash-Algorithm': { value: 'SHA256' },
      },
      headers: { host: { value: 'media.example.com' }, referer: { value: 'https://x/?Signature=s&a=1' } },
      cookies: {
        theme: { value: 'dark' },
        'CloudFront-Policy': { value: 'p' },
        'CloudFront-Signature': { value: 's' },
        'CloudFront-Key-Pair-Id': { value: 'K' },
        'CloudFront-Expires': { value: '1' },
        'CloudFront-Hash-Algorithm': { value: 'SHA256' },
        'edgepass-session': { value: 't' },
      },
    });
    const result = toFunctionResult({ action: 'allow', reason: 'ok', keyPairId: 'S1', ...forwarded }, req);
    expect(result).toBe(req);
    expect(req.cookies).toEqual({ theme: { value: 'dark' } });
    expect(req.querystring).toEqual({ a: { value: '1' } });
    expect(req.headers).toEqual({
      host: { value: 'media.example.com' },
      referer: { value: 'https://media.example.com/page?a=1' },
    });
  });

  it('empties the query when nothing but signing params was in it, and drops a Referer that was only those', () => {
    const req = request({
      querystring: { Signature: { value: 's' }, odd: { value: 'x' } },
      headers: { host: { value: 'h' }, referer: { value: 'https://h/?Signature=s' } },
    });
    toFunctionResult({ action: 'pass', reason: 'public', querystring: '', referer: undefined }, req);
    expect(req.querystring).toEqual({});
    expect(req.headers).toEqual({ host: { value: 'h' } });
  });

  it('forwards a request without cookie or query maps as it is', () => {
    const req = request({
      cookies: undefined as unknown as FunctionValues,
      querystring: undefined as unknown as FunctionValues,
    });
    const result = toFunctionResult({ action: 'pass', reason: 'public', ...forwarded }, req) as FunctionRequest;
    expect(result.querystring).toBeUndefined();
    expect(result.headers.referer).toEqual({ value: forwarded.referer });
  });

  it('answers a redirect with 302, the location and no-store', () => {
    expect(
      toFunctionResult(
        { action: 'redirect', reason: 'missing-key-pair-id', keyPairId: undefined, location: '/login?return_to=%2F' },
        request(),
      ),
    ).toEqual({
      statusCode: 302,
      statusDescription: 'Found',
      headers: { location: { value: '/login?return_to=%2F' }, 'cache-control': { value: 'no-store' } },
    });
  });

  it('answers a denial with CloudFront’s 403 XML for its code, and a rejection with the 400', () => {
    expect(
      toFunctionResult(
        { action: 'deny', reason: 'expired', keyPairId: 'S1', code: 'AccessDenied', loop: false },
        request(),
      ),
    ).toEqual({
      statusCode: 403,
      statusDescription: 'Forbidden',
      headers: { 'content-type': { value: 'text/xml' }, 'cache-control': { value: 'no-store' } },
      body: { encoding: 'text', data: cloudFrontErrorXml('AccessDenied') },
    });
    const rejected = toFunctionResult({ action: 'reject', reason: 'bad-request', detail: 'dot-segment' }, request());
    expect(rejected).toEqual(functionBadRequest());
    expect(functionBadRequest()).toMatchObject({ statusCode: 400, statusDescription: 'Bad Request' });
    expect(functionBadRequest().body?.data).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>BadRequest</Code><Message>Bad Request</Message></Error>',
    );
  });
});
