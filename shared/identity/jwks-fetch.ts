import type { FetchImplementation } from 'jose';
import { abortable } from './abortable';

/**
 * The fetch behind remote JWKS (jose's `customFetch` option): one deadline from the request to the
 * last byte of the body, and a cap on the body's size, so a slow, dripping or oversized key set
 * endpoint costs a login at most `deadlineMs` and `maxBytes` of memory.
 */

/** A key set is a few KB (a handful of keys, maybe with certificate chains); this is far above it. */
export const MAX_JWKS_BYTES = 1024 * 1024;

/**
 * A fetch for `createRemoteJWKSet` that reads the whole answer under one deadline (jose's own
 * signal and `AbortSignal.timeout(deadlineMs)`, whichever fires first) and hands jose a body already
 * in memory. Only a 200 answer's body is read (jose refuses anything else); a body over `maxBytes`
 * is refused without reading the rest.
 *
 * @example
 * createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 3000, [customFetch]: jwksFetch(3000) });
 */
export function jwksFetch(deadlineMs: number, maxBytes = MAX_JWKS_BYTES): FetchImplementation {
  return async (url, init) => {
    const signal = AbortSignal.any([init.signal, AbortSignal.timeout(deadlineMs)]);
    const response = await abortable(fetch(url, { ...init, signal }), signal);
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return new Response(null, { status: response.status });
    }
    const body = await abortable(readAtMost(response, maxBytes), signal);
    return new Response(body, { status: 200 });
  };
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
