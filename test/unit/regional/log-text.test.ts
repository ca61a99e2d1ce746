import { describe, expect, it } from 'vitest';
import { logText, MAX_LOG_TEXT } from '../../../shared/regional/log-text';

describe('logText', () => {
  it('keeps short plain text as it is', () => {
    expect(logText('secret edgepass/prod/signing-key does not exist')).toBe(
      'secret edgepass/prod/signing-key does not exist',
    );
  });

  it('escapes control characters, so a message cannot move a cursor or start a line of its own', () => {
    expect(logText('a\nb\r\tc\u0000\u001b[31m\u007f\u0085\u2028')).toBe(
      'a\\nb\\r\\tc\\u0000\\u001b[31m\\u007f\\u0085\\u2028',
    );
  });

  it('caps 5 MB to its first characters and says how long it was', () => {
    const text = logText(`denied ${'A'.repeat(5 * 1024 * 1024)}`);
    expect(text).toBe(`denied ${'A'.repeat(MAX_LOG_TEXT - 7)}… (5242887 chars)`);
  });

  it('stays within the cap when escaping lengthens the text', () => {
    const text = logText('\u001b'.repeat(100), 50);
    expect(text.startsWith('\\u001b'.repeat(8))).toBe(true);
    expect(text.length).toBeLessThanOrEqual(50 + ' … (100 chars)'.length);
  });

  it('never ends on half a surrogate pair', () => {
    expect(logText('ab😀cd', 3)).toBe('ab… (6 chars)');
  });

  it('writes any other value as text', () => {
    expect(logText(undefined)).toBe('undefined');
    expect(logText(42)).toBe('42');
  });
});
