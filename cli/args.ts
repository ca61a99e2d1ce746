import { type ParseArgsConfig, parseArgs } from 'node:util';
import { quoteInput, shortInput } from './terminal-text';
import { UsageError } from './usage-error';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags (by long name) and positionals of one command. */
export interface CommandArgs<O extends OptionSpecs> {
  readonly values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  readonly positionals: readonly string[];
}

function optionName(message: string): string {
  return /'(--?[^' ]+)/.exec(message)?.[1] ?? 'an option';
}

/** The value after `--flag` in the arguments, for a suggestion that uses it. */
function valueAfter(args: readonly string[], name: string): string {
  const index = args.indexOf(name);
  return index === -1 ? 'VALUE' : (args[index + 1] ?? 'VALUE');
}

/** Node's parseArgs messages span several lines; a CLI error must be one line that says what to do. */
function describeParseError(command: string, args: readonly string[], error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const rawName = optionName(message);
  const name = shortInput(rawName);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${name} for ${command} (see edgepass ${command} --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `${name} takes no value`;
      if (/ambiguous/.test(message)) {
        // The --flag=value spelling is the one parseArgs takes; show it with the value given.
        return `${name} has a value starting with "-": write it as ${shortInput(`${rawName}=${valueAfter(args, rawName)}`)}`;
      }
      return `${name} needs a value`;
    default:
      return message.split('\n')[0] ?? 'cannot read the arguments';
  }
}

/**
 * Parses a command's arguments strictly: unknown flags, missing values and repeated single-value
 * flags are usage errors (a repeated `--expires` would otherwise silently keep the last one).
 *
 * @example
 * const { values, positionals } = parseCommandArgs('sign-url', argv, { expires: { type: 'string' } });
 */
export function parseCommandArgs<const O extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: O,
): CommandArgs<O> {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(describeParseError(command, args, error), { cause: error });
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (options[token.name]?.multiple !== true && seen.has(token.name)) {
      throw new UsageError(`--${token.name} is given twice`);
    }
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** True when `--help` or `-h` appears before a `--` terminator. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** The value of a required string flag, refusing an absent or empty one. */
export function requireOption(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  if (value.length === 0) throw new UsageError(`--${flag} is empty`);
  return value;
}

/**
 * The single positional a command takes, named in the error when it is missing or repeated.
 *
 * @example
 * onePositional(['https://cdn.example.com/a.mp4'], 'URL', 'sign-url') // 'https://cdn.example.com/a.mp4'
 */
export function onePositional(positionals: readonly string[], name: string, command: string): string {
  const [first, ...rest] = positionals;
  if (first === undefined) throw new UsageError(`${command} needs a ${name} (see edgepass ${command} --help)`);
  if (rest.length > 0) throw new UsageError(`${command} takes one ${name}, got ${positionals.length}`);
  return first;
}

/** A flag value that must be one of a few words (case-insensitive), returned in lower case. */
export function oneOf<const T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const lower = value.toLowerCase();
  const match = allowed.find((choice) => choice === lower);
  if (match === undefined) {
    throw new UsageError(`--${flag} must be ${allowed.join(' or ')}, got ${quoteInput(value)}`);
  }
  return match;
}
