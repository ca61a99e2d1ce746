import { describe, expect, it } from 'vitest';
import { decisionLogLine, parseViewerEvent } from '../../../shared/edge/viewer-request-event';

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
    expect(JSON.parse(decisionLogLine('r', '/a', { ...deny, keyPairId: 'K2JCJMDEHXQW5F' }))).toEqual({
      level: 'info',
      msg: 'edgepass decision',
      requestId: 'r',
      uri: '/a',
      decision: 'deny',
      reason: 'unknown-key',
      keyPairId: 'K2JCJMDEHXQW5F',
    });
    expect(JSON.parse(decisionLogLine('r', '/a', { ...deny, keyPairId: '<script>' }))).toEqual({
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
    expect(JSON.parse(decisionLogLine(undefined, uri, { ...deny, loop: true }))).toEqual({
      level: 'info',
      msg: 'edgepass decision',
      uri: uri.slice(0, 256),
      decision: 'deny',
      reason: 'missing-key-pair-id',
      loop: true,
    });
    expect(JSON.parse(decisionLogLine('r', '/a', { ...deny, loop: false }))).not.toHaveProperty('loop');
    expect(
      JSON.parse(decisionLogLine(undefined, undefined, { action: 'reject', reason: 'bad-request', detail: 'event' })),
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
      decisionLogLine(`id\n${'x'.repeat(200)}`, `/a\u0000${'b'.repeat(100)}`, {
        action: 'reject',
        reason: 'bad-request',
        detail: 'forbidden-character',
      }),
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
