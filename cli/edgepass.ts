/** The `edgepass` command's process entry: wires the real streams, environment and clock. */
import { epochSeconds } from '../shared';
import { reportFailure, runCliAsync } from './main';

// `edgepass sign-url … | head -c 20` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') process.stderr.write(`edgepass: cannot write output: ${error.message}\n`);
  process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 1);
});

// Last line of defence for an error thrown outside a command's promise (an SDK stream callback):
// still one `edgepass: …` line and exit 1, never a stack trace.
function crash(error: unknown): never {
  process.exit(reportFailure(error, { stderr: (text) => process.stderr.write(text) }));
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

runCliAsync(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  now: () => epochSeconds(),
}).then((code) => {
  process.exitCode = code;
});
