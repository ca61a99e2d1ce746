import { abortable } from './abortable';

/**
 * One fetch of a remote JWKS: one deadline from the request to the last byte of the body, a cap on the
 * body's size and no redirects, so a slow, dripping, oversized or redirecting key set endpoint costs a
 * login at most `deadlineMs` and `maxBytes` of memory, and keys only ever come from the configured URL.
 */

/** A key set is a few KB (a handful of keys, maybe with certificate chains); this is far above it. */
export const MAX_JWKS_BYTES = 1024 * 1024;

/**
 * GETs `url` and returns its JSON: only a 200 answer is read (a redirect is refused, not followed), a
 * body over `maxBytes` is refused without reading the rest, and the whole call — connection, headers
 * and body — is abandoned at `deadlineMs`. Errors say what went wrong without quoting the answer.
 *
 * @example
 * const jwks = await fetchJwks(new URL('https://idp.example.com/.well-known/jwks.json'), 3000);
 */
export async function fetchJwks(url: URL, deadlineMs: number, maxBytes = MAX_JWKS_BYTES): Promise<unknown> {
  const signal = AbortSignal.timeout(deadlineMs);
  try {
    const response = await abortable(
      fetch(url, {
        method: 'GET',
        // A key set that moved must be configured where it is now: following a redirect would let
        // whoever answers at the configured URL pick where the keys come from.
        redirect: 'manual',
        headers: { accept: 'application/json, application/jwk-set+json' },
        signal,
      }),
      signal,
    );
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`the key set endpoint answered HTTP ${response.status}, not 200`);
    }
    const body = await abortable(readAtMost(response, maxBytes), signal);
    try {
      return JSON.parse(new TextDecoder().decode(body));
    } catch {
      // JSON.parse's own message quotes the answer.
      throw new Error('the key set endpoint answered something that is not JSON');
    }
  } catch (error) {
    if (signal.aborted)
      throw new Error(`no complete answer from the key set endpoint within ${deadlineMs} ms`, { cause: error });
    throw error;
  }
}

async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = (): Error => new Error(`the key set is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
