import { describe, expect, it } from 'vitest';
import { cleanServerText, errorLine, escapeTerminal, quoteInput } from '../../../cli/terminal-text';

describe('escapeTerminal', () => {
  it.each([
    ['an escape sequence', 'a\u001b[2Kb', 'a\\x1b[2Kb'],
    ['a carriage return and a line feed', 'a\rb\nc', 'a\\rb\\nc'],
    ['DEL and a C1 control', 'a\u007fb\u009bc', 'a\\x7fb\\x9bc'],
    ['a right-to-left override', 'evil\u202etxt.exe', 'evil\\u202etxt.exe'],
    ['a zero-width space and a line separator', 'a\u200bb\u2028c', 'a\\u200bb\\u2028c'],
    ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
  ])('shows %s as a visible escape', (_name, text, shown) => {
    expect(escapeTerminal(text)).toBe(shown);
  });

  it('keeps printable text, non-ASCII letters included', () => {
    expect(escapeTerminal('https://bücher.example/a b→c')).toBe('https://bücher.example/a b→c');
  });
});

describe('cleanServerText', () => {
  it('removes escape sequences and control characters, and turns line breaks into spaces', () => {
    expect(cleanServerText('\u001b[31mRate\u001b[0m\r\nexceeded\u0007\u202e')).toBe('Rate exceeded');
    expect(cleanServerText('\u001b]0;title\u0007ok')).toBe('ok');
  });

  it('cuts text over 200 characters and marks the cut', () => {
    const clean = cleanServerText('x'.repeat(5000));
    expect(clean).toBe(`${'x'.repeat(200)}…`);
  });

  it('cuts at a given length, counting characters rather than UTF-16 units', () => {
    expect(cleanServerText('😀😀😀', 2)).toBe('😀😀…');
  });

  it('reads a missing value as empty text and anything else as its string', () => {
    expect(cleanServerText(undefined)).toBe('');
    expect(cleanServerText(42)).toBe('42');
  });
});

describe('quoteInput', () => {
  it('quotes short input whole, escaping what a terminal would act on', () => {
    expect(quoteInput('K-1 2')).toBe('"K-1 2"');
    expect(quoteInput('a\u202eb')).toBe('"a\\u202eb"');
  });

  it('shows only a prefix and the length of long input', () => {
    expect(quoteInput('A'.repeat(9000))).toBe(`"${'A'.repeat(100)}…" (9000 characters)`);
  });
});

describe('errorLine', () => {
  it('puts a multi-line message on one line', () => {
    expect(errorLine('first\n  second\r\nthird')).toBe('first second third');
  });

  it('escapes unsafe characters a message quotes', () => {
    expect(errorLine('bad id "\u001b[2J"')).toBe('bad id "\\x1b[2J"');
  });

  it('cuts any unbroken run over 200 characters to a prefix and its length', () => {
    const line = errorLine(`${'u'.repeat(9000)} is not a URL`);
    expect(line).toBe(`${'u'.repeat(100)}… (9000 characters) is not a URL`);
  });
});
