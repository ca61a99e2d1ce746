import { describe, expect, it } from 'vitest';
import { oneOf, onePositional, parseCommandArgs, requireOption, wantsHelp } from '../../../cli/args';
import { usageMessage } from '../../fixtures/usage-error';

const FLAGS = {
  expires: { type: 'string' },
  cookie: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

describe('parseCommandArgs', () => {
  it('returns flags by long name and positionals in order', () => {
    const { values, positionals } = parseCommandArgs(
      'inspect',
      ['u', '--json', '--cookie', 'a=1', '--cookie', 'b=2'],
      FLAGS,
    );
    expect(values).toEqual({ json: true, cookie: ['a=1', 'b=2'] });
    expect(positionals).toEqual(['u']);
  });

  it.each([
    [['--frob'], 'unknown option --frob for inspect (see edgepass inspect --help)'],
    [['--expires'], '--expires needs a value'],
    [['--json=yes'], '--json takes no value'],
    [['--expires', '-5'], '--expires has a value starting with "-": write it as --expires=-5'],
    [['--expires', '+1h', '--expires=+2h'], '--expires is given twice'],
  ])('turns %j into the one-line usage error %j', (args, message) => {
    expect(usageMessage(() => parseCommandArgs('inspect', args, FLAGS))).toBe(message);
  });

  it('takes a value starting with "-" when written --flag=value', () => {
    expect(parseCommandArgs('inspect', ['--expires=-5'], FLAGS).values.expires).toBe('-5');
  });
});

describe('wantsHelp', () => {
  it('finds --help or -h anywhere before a -- terminator', () => {
    expect(wantsHelp(['url', '--json', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['url'])).toBe(false);
  });
});

describe('requireOption, onePositional and oneOf', () => {
  it('refuses an absent or empty required flag', () => {
    expect(requireOption('K2', 'key-pair-id')).toBe('K2');
    expect(usageMessage(() => requireOption(undefined, 'key-pair-id'))).toBe('--key-pair-id is required');
    expect(usageMessage(() => requireOption('', 'key-pair-id'))).toBe('--key-pair-id is empty');
  });

  it('wants exactly one positional', () => {
    expect(onePositional(['u'], 'URL', 'sign-url')).toBe('u');
    expect(usageMessage(() => onePositional([], 'URL', 'sign-url'))).toBe(
      'sign-url needs a URL (see edgepass sign-url --help)',
    );
    expect(usageMessage(() => onePositional(['a', 'b'], 'URL', 'sign-url'))).toBe('sign-url takes one URL, got 2');
  });

  it('accepts a choice in any case and returns it in lower case', () => {
    expect(oneOf('SHA256', ['sha1', 'sha256'], 'hash')).toBe('sha256');
    expect(usageMessage(() => oneOf('md5', ['sha1', 'sha256'], 'hash'))).toBe(
      '--hash must be sha1 or sha256, got "md5"',
    );
  });
});
