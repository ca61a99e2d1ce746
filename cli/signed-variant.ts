import { type KeyGroup, type SignedRequest, verifySignedRequest } from '../shared';

/**
 * The same URL over the other scheme (http ↔ https).
 *
 * @example
 * swapScheme('http://cdn.example.com/a.mp4') // 'https://cdn.example.com/a.mp4'
 */
export function swapScheme(url: string): string {
  return url.startsWith('https://') ? `http://${url.slice(8)}` : url.replace(/^http:\/\//, 'https://');
}

/**
 * When a signature fails, checks with the core verifier whether it is valid for the URL over the other
 * scheme: signing https and requesting http (or the reverse) is one of the commonest 403s, and this
 * turns a guess into a fact. Returns that URL, or `undefined`.
 *
 * @example
 * findSignedVariant({ url: 'http://cdn.example.com/a.mp4?Expires=…' }, now, keyGroup) // 'https://cdn.example.com/a.mp4?Expires=…'
 */
export function findSignedVariant(request: SignedRequest, now: number, keyGroup: KeyGroup): string | undefined {
  const url = swapScheme(request.url);
  const decision = verifySignedRequest({ ...request, url }, { now, keyGroup });
  return decision.signatureChecked && decision.reason !== 'bad-signature' ? url : undefined;
}
