/**
 * The demo pages' one way to call the stack's JSON endpoints, and to turn an edgepass error
 * (`{"error":{"code":"…","message":"…"}}`) into a line a person can read.
 */

/**
 * Sends a same-origin request and reads the JSON answer. Resolves to `{ status, ok, json }` whatever
 * the HTTP status (`json` is `undefined` when the answer is not JSON); rejects only when no answer
 * came at all. Same origin, so the browser keeps the cookies an answer sets.
 *
 * @example
 * const result = await fetchJson('/dev/token', { method: 'POST', body: { user: 'ada' } });
 * // { status: 200, ok: true, json: { token: 'eyJ…' } }
 */
export async function fetchJson(path, { method = 'GET', body, token } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  let json;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  return { status: response.status, ok: response.ok, json };
}

/**
 * The error code and a readable line for a failed answer: the edgepass code when the body has one,
 * else `HTTP_<status>`.
 *
 * @example
 * describeFailure({ status: 403, json: { error: { code: 'FORBIDDEN_RESOURCE', message: 'no access rule matches this identity' } } })
 * // { code: 'FORBIDDEN_RESOURCE', text: 'FORBIDDEN_RESOURCE: no access rule matches this identity (HTTP 403)' }
 */
export function describeFailure(result) {
  const error = result.json?.error;
  if (typeof error?.code === 'string') {
    return { code: error.code, text: `${error.code}: ${error.message ?? ''} (HTTP ${result.status})` };
  }
  return { code: `HTTP_${result.status}`, text: `HTTP ${result.status}, no edgepass error in the answer` };
}
