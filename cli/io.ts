/**
 * What a command may touch besides its arguments: output streams, the environment and the clock.
 * Injected so commands can be run in-process by tests with a pinned clock.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Current time in epoch seconds. */
  readonly now: () => number;
}
