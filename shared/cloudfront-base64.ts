/**
 * CloudFront's URL-safe base64: standard base64 with `+`→`-`, `=`→`_`, `/`→`~`.
 *
 * @example
 * encodeCloudFrontBase64(Buffer.from('{"a":1}')) // 'eyJhIjoxfQ__'
 */
export function encodeCloudFrontBase64(bytes: Uint8Array | string): string {
  const b64 = (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i++) {
    const c = b64.charCodeAt(i);
    out += c === 43 ? '-' : c === 61 ? '_' : c === 47 ? '~' : b64[i];
  }
  return out;
}

const CLOUDFRONT_BASE64 = /^[A-Za-z0-9~-]*_{0,2}$/;

/**
 * Decodes CloudFront base64 strictly: only CloudFront's alphabet, padded to a multiple of four, and
 * canonical (re-encoding gives the same text). Standard base64 (`+`, `/`, `=`) is refused, as is any
 * variant spelling of the same bytes, so a changed signing value can never decode to valid bytes.
 * Returns `undefined` for anything else.
 */
export function decodeCloudFrontBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !CLOUDFRONT_BASE64.test(text)) return undefined;
  const standard = text.replace(/[-_~]/g, (c) => (c === '-' ? '+' : c === '_' ? '=' : '/'));
  const bytes = Buffer.from(standard, 'base64');
  // Buffer.from ignores non-zero trailing bits; a canonical round trip rejects those spellings.
  if (bytes.toString('base64') !== standard) return undefined;
  return bytes;
}
