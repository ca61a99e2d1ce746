import { version } from '../package.json';
import { isEdgepassError } from '../shared';
import { wantsHelp } from './args';
import { devCommand } from './dev';
import { HELP } from './help';
import { inspectCommand } from './inspect';
import type { CliIo } from './io';
import { keysGenerate } from './keys-generate';
import { keysRotate } from './keys-rotate';
import { secretPut } from './secret-put';
import { signCookiesCommand } from './sign-cookies';
import { signUrlCommand } from './sign-url';
import { errorLine, quoteInput, shortInput } from './terminal-text';
import { UsageError } from './usage-error';

/** A command returns its exit code; one that waits on the network (`secret put`) returns a promise of it. */
type Command = (args: readonly string[], io: CliIo) => number | Promise<number>;

function keysCommand(args: readonly string[], io: CliIo): number | Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'generate') return keysGenerate(rest, io);
  if (sub === 'rotate') return keysRotate(rest, io);
  if (sub === undefined) throw new UsageError('keys needs a subcommand: edgepass keys generate --out DIR');
  throw new UsageError(`unknown keys subcommand ${quoteInput(sub)}; they are generate and rotate`);
}

function secretCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'put') return secretPut(rest, io);
  if (sub === undefined) {
    throw new UsageError(
      'secret needs a subcommand: edgepass secret put --secret-id ID --key-pair-id ID --private-key FILE',
    );
  }
  throw new UsageError(`unknown secret subcommand ${quoteInput(sub)}; the only one is put`);
}

const COMMANDS = {
  keys: keysCommand,
  'sign-url': signUrlCommand,
  'sign-cookies': signCookiesCommand,
  inspect: inspectCommand,
  secret: secretCommand,
  dev: devCommand,
} satisfies Record<string, Command>;

type CommandName = keyof typeof COMMANDS;

function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/**
 * Exit codes: 2 for anything the caller can fix in the invocation or its inputs, 1 for the rest.
 * Messages may quote input, so each goes through `errorLine` (one line, escaped, long values cut).
 */
export function reportFailure(error: unknown, io: Pick<CliIo, 'stderr'>): number {
  if (error instanceof UsageError) {
    io.stderr(`edgepass: ${errorLine(error.message)}\n`);
    return 2;
  }
  if (isEdgepassError(error)) {
    io.stderr(`edgepass: ${errorLine(error.message)}\n`);
    return error.code === 'INTERNAL' || error.code === 'SIGNING_KEY_UNAVAILABLE' ? 1 : 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`edgepass: unexpected error: ${errorLine(message)}\n`);
  return 1;
}

function dispatch(argv: readonly string[], io: CliIo): number | Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError('missing command; run edgepass --help');
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && isCommandName(args[0]) ? args[0] : 'main';
    io.stdout(`${HELP[topic]}\n`);
    return 0;
  }
  if (name === '--version') {
    io.stdout(`${version}\n`);
    return 0;
  }
  if (!isCommandName(name)) {
    throw new UsageError(
      name.startsWith('-')
        ? `unknown option ${shortInput(name)}; run edgepass --help`
        : `unknown command ${quoteInput(name)}; commands: ${Object.keys(COMMANDS).join(', ')}`,
    );
  }
  if (wantsHelp(args)) {
    io.stdout(`${HELP[name]}\n`);
    return 0;
  }
  return COMMANDS[name](args, io);
}

/**
 * Runs one `edgepass` invocation synchronously and returns its exit code: 0 success (inspect:
 * allowed), 1 denied or an unexpected failure, 2 a usage or input error. Failures are one
 * `edgepass: …` line on stderr, never a stack trace. Commands that call AWS (`secret put`) need
 * {@link runCliAsync}, which the process entry uses.
 *
 * @example
 * const code = runCli(['inspect', url, '--json'], io);
 */
export function runCli(argv: readonly string[], io: CliIo): number {
  try {
    const result = dispatch(argv, io);
    if (typeof result !== 'number') throw new Error('this command is asynchronous: use runCliAsync');
    return result;
  } catch (error) {
    return reportFailure(error, io);
  }
}

/**
 * Runs one `edgepass` invocation, waiting for commands that call AWS, and resolves to the exit code.
 *
 * @example
 * process.exitCode = await runCliAsync(process.argv.slice(2), io);
 */
export async function runCliAsync(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}
