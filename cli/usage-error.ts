/**
 * A mistake in how the command was called (a flag, a value, a file): reported as one line on stderr
 * with exit code 2, never with a stack trace.
 *
 * @example
 * throw new UsageError('--key-pair-id is required');
 */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
