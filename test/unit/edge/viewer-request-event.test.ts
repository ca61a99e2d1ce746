import { describe, expect, it } from 'vitest';
import {
  badRequestResponse,
  type CloudFrontRequest,
  decisionLogLine,
  parseViewerEvent,
  toCloudFrontResult,
} from '../../../shared/edge/viewer-request-event';

const eventWith = (request: Record<string, unknown>, config: Record<string, unknown> = { requestId: 'r-1' }) => ({
  Records: [{ cf: { config, request: { uri: '/a', method: 'GET', headers: {}, ...request } } }],
});

describe('parseViewerEvent', () => {
  it('reads an event with fields missing or of the wrong type as empty, never throwing', () => {
    const parsed = parseViewerEvent(eventWith({ querystring: 7, clientIp: null }, { requestId: 42 }));
    expect(parsed?.requestId).toBeUndefined();
    expect(parsed?.viewer).toEqual({
      method: 'GET',
      uri: '/a',
      querystring: '',
      host: '',
      cookies: [],
      clientIp: '',
      accept: '',
      referer: '',
    });
  });

  it('refuses, without throwing, a request or header map that is null and a method that is not a string', () => {
    expect(parseViewerEvent({ Records: [{ cf: { request: null } }] })).toBeUndefined();
    expect(parseViewerEvent(eventWith({ headers: null }))).toBeUndefined();
    expect(parseViewerEvent(eventWith({ method: 5 }))).toBeUndefined();
    expect(
      parseViewerEvent({ Records: [{ cf: { request: { uri: '/a', method: 'GET', headers: {} } } }] }),
    ).toMatchObject({
      requestId: undefined,
    });
  });

  it('reads only string header values', () => {
    const parsed = parseViewerEvent(eventWith({ headers: { cookie: [null, { value: 7 }, { value: 'a=1' }, {}] } }));
    expect(parsed?.viewer.cookies).toEqual(['a=1']);
  });

  it('reads every field of a well-formed event, joining repeated headers', () => {
    const parsed = parseViewerEvent(
      eventWith({
        querystring: 'a=1',
        clientIp: '203.0.113.1',
        headers: {
          host: [{ value: 'media.example.com' }],
          cookie: [{ value: 'a=1' }, { value: 'b=2' }],
          accept: [{ value: 'text/html' }],
          referer: [{ value: 'https://media.example.com/' }],
        },
      }),
    );
    expect(parsed?.requestId).toBe('r-1');
    expect(parsed?.viewer).toEqual({
      method: 'GET',
      uri: '/a',
      querystring: 'a=1',
      host: 'media.example.com',
      cookies: ['a=1; b=2'],
      clientIp: '203.0.113.1',
      accept: 'text/html',
      referer: 'https://media.example.com/',
    });
  });
});

describe('decisionLogLine', () => {
  it('logs a key id only when it is shaped like one, and flags a malformed one', () => {
    const deny = { action: 'deny', reason: 'unknown-key', code: 'InvalidKey', loop: false } as const;
    expect(JSON.parse(decisionLogLine({ ...deny, keyPairId: 'K2JCJMDEHXQW5F' }, 'r', '/a'))).toEqual({
      level: 'info',
      msg: 'edgepass decision',
      requestId: 'r',
      uri: '/a',
      decision: 'deny',
      reason: 'unknown-key',
      keyPairId: 'K2JCJMDEHXQW5F',
    });
    expect(JSON.parse(decisionLogLine({ ...deny, keyPairId: '<script>' }, 'r', '/a'))).toEqual({
      level: 'info',
      msg: 'edgepass decision',
      requestId: 'r',
      uri: '/a',
      decision: 'deny',
      reason: 'unknown-key',
      keyPairIdMalformed: true,
    });
  });

  it('logs a canonical path up to 256 characters, and loop only when the browser came back from login', () => {
    const uri = `/${'a'.repeat(300)}`;
    const deny = { action: 'deny', reason: 'missing-key-pair-id', code: 'MissingKey', keyPairId: undefined } as const;
    expect(JSON.parse(decisionLogLine({ ...deny, loop: true }, undefined, uri))).toEqual({
      level: 'info',
      msg: 'edgepass decision',
      uri: uri.slice(0, 256),
      decision: 'deny',
      reason: 'missing-key-pair-id',
      loop: true,
    });
    expect(JSON.parse(decisionLogLine({ ...deny, loop: false }, 'r', '/a'))).not.toHaveProperty('loop');
    expect(
      JSON.parse(decisionLogLine({ action: 'reject', reason: 'bad-request', detail: 'event' }, undefined, undefined)),
    ).toEqual({
      level: 'warn',
      msg: 'edgepass decision',
      decision: 'reject',
      reason: 'bad-request',
      detail: 'event',
    });
  });

  it('logs a refused path as a short escaped prefix at warn level, with its detail', () => {
    const line = JSON.parse(
      decisionLogLine(
        {
          action: 'reject',
          reason: 'bad-request',
          detail: 'forbidden-character',
        },
        `id\n${'x'.repeat(200)}`,
        `/a\u0000${'b'.repeat(100)}`,
      ),
    );
    expect(line).toEqual({
      level: 'warn',
      msg: 'edgepass decision',
      requestId: `id?${'x'.repeat(125)}...(203)`,
      uri: `/a?${'b'.repeat(61)}...(103)`,
      decision: 'reject',
      reason: 'bad-request',
      detail: 'forbidden-character',
    });
  });
});

describe('toCloudFrontResult and badRequestResponse', () => {
  const request = (): CloudFrontRequest => ({
    clientIp: '203.0.113.1',
    method: 'GET',
    uri: '/a',
    querystring: 'x=1&Signature=s',
    headers: { host: [{ key: 'Host', value: 'media.example.com' }] },
  });
  const noStore = [{ key: 'Cache-Control', value: 'no-store' }];

  it('forwards the request without adding a Referer it did not have', () => {
    const forwarded = toCloudFrontResult(
      { action: 'pass', reason: 'public', querystring: 'x=1', cookies: [], referer: undefined },
      request(),
    );
    expect(forwarded).toStrictEqual({ ...request(), querystring: 'x=1' });
  });

  it('answers a redirect, a denial and a bad request the way CloudFront would', () => {
    expect(
      toCloudFrontResult(
        { action: 'redirect', reason: 'expired', keyPairId: undefined, location: '/login' },
        request(),
      ),
    ).toEqual({
      status: '302',
      statusDescription: 'Found',
      headers: { location: [{ key: 'Location', value: '/login' }], 'cache-control': noStore },
    });
    expect(
      toCloudFrontResult(
        { action: 'deny', reason: 'expired', keyPairId: undefined, code: 'AccessDenied', loop: false },
        request(),
      ),
    ).toMatchObject({ status: '403', statusDescription: 'Forbidden', headers: { 'cache-control': noStore } });
    expect(badRequestResponse()).toEqual({
      status: '400',
      statusDescription: 'Bad Request',
      headers: { 'content-type': [{ key: 'Content-Type', value: 'text/xml' }], 'cache-control': noStore },
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>BadRequest</Code><Message>Bad Request</Message></Error>',
    });
  });

  it('logs a refused path of exactly 64 characters whole, without a length', () => {
    const uri = `/${'b'.repeat(63)}`;
    const line = JSON.parse(decisionLogLine({ action: 'reject', reason: 'bad-request', detail: 'event' }, 'r', uri));
    expect(line.uri).toBe(uri);
  });
});
