import { describe, expect, it } from 'vitest';
import { abortable } from '../../../shared/identity/abortable';

/** A promise a test settles when it likes. */
function pending<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('abortable', () => {
  it('settles like the work when the signal does not abort', async () => {
    const controller = new AbortController();
    await expect(abortable(Promise.resolve('answer'), controller.signal)).resolves.toBe('answer');
    await expect(abortable(Promise.reject(new Error('refused')), controller.signal)).rejects.toThrow('refused');
  });

  it('rejects with the signal’s reason as soon as it aborts, while the work is still pending', async () => {
    const controller = new AbortController();
    const work = pending<string>();
    const raced = abortable(work.promise, controller.signal);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(raced).rejects.toBe(reason);
  });

  it('rejects at once for a signal that has already aborted', async () => {
    await expect(abortable(pending<string>().promise, AbortSignal.abort('gone'))).rejects.toBe('gone');
  });

  it('absorbs a rejection of the work that comes after the deadline', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const controller = new AbortController();
      const work = pending<string>();
      const raced = abortable(work.promise, controller.signal);
      controller.abort(new Error('deadline'));
      await expect(raced).rejects.toThrow('deadline');
      work.reject(new Error('late'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
