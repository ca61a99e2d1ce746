/**
 * The deadline of an outbound call, made unconditional: a promise raced against an `AbortSignal`,
 * so the caller is answered when the deadline passes even while the work underneath is still busy
 * (a body dripping in, an SDK retry waiting for its turn).
 */

/**
 * Settles like `work`, or rejects with `signal.reason` as soon as `signal` aborts, whichever comes
 * first. `work` is not stopped by this (hand it the same signal so it stops too); a rejection it
 * produces after the deadline is absorbed, never left unhandled.
 *
 * @example
 * const deadline = AbortSignal.timeout(3000);
 * const answer = await abortable(client.send(command, { abortSignal: deadline }), deadline);
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
