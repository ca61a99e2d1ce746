import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanServerText, errorLine, escapeTerminal, jsonForTerminal, quoteInput } from '../../../cli/terminal-text';

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

/** Every code point the review named: DEL, C1, the bidi controls, and the line and paragraph separators. */
const NAMED_UNSAFE = [
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x061c,
  0x200e,
  0x200f,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
  0x2028,
  0x2029,
].map((code) => String.fromCodePoint(code));

describe('jsonForTerminal', () => {
  it.each(NAMED_UNSAFE.map((char) => [`U+${char.codePointAt(0)?.toString(16).padStart(4, '0')}`, char]))(
    'writes %s as a \\u escape that parses back to it',
    (_name, char) => {
      const value = { resource: `a${char}b`, [`k${char}`]: [char] };
      const json = jsonForTerminal(value);
      expect(json).not.toContain(char);
      expect(json).toContain(`\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
      expect(JSON.parse(json)).toEqual(value);
    },
  );

  it('escapes astral format and private-use characters as surrogate pairs, and keeps letters and emoji', () => {
    const value = { tag: '\u{e0041}', private: '\u{f0000}', text: 'bücher → 😀' };
    const json = jsonForTerminal(value);
    expect(json).toBe('{"tag":"\\udb40\\udc41","private":"\\udb80\\udc00","text":"bücher → 😀"}');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('keeps escapes next to backslashes exact', () => {
    const value = { s: '\\\u009b\\' };
    expect(JSON.parse(jsonForTerminal(value))).toEqual(value);
  });

  it('gives back any value it was given, with no terminal-unsafe character left', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 80 }), (json, text) => {
        const value = { json, text };
        const printed = jsonForTerminal(value);
        expect(printed).not.toMatch(/[\p{C}\p{Zl}\p{Zp}]/u);
        expect(JSON.parse(printed)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
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
