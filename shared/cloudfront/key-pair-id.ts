/**
 * The shape of a CloudFront public key id, in a file of its own (no `node:crypto`) so that the
 * CloudFront Function's log line can use it too.
 */

const KEY_ID = /^[A-Za-z0-9]{1,128}$/;

/** True for text shaped like a CloudFront public key id (or a legacy key pair id). */
export function isKeyPairId(id: string): boolean {
  return KEY_ID.test(id);
}
