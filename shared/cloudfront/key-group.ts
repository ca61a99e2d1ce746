import { createPublicKey, type KeyObject } from 'node:crypto';
import { EdgepassError } from './errors';
import { isKeyPairId } from './key-pair-id';
import { type KeyType, loadPublicKey } from './signing-key';

export { isKeyPairId } from './key-pair-id';

/** One trusted public key, known by the id CloudFront gave it (e.g. `K2JCJMDEHXQW5F`). */
export interface PublicKey {
  readonly id: string;
  readonly keyObject: KeyObject;
  /** Set by `createKeyGroup`, which checks the key; the edge's `trustedKeyGroup` has no use for it. */
  readonly type?: KeyType;
}

/** The verifier's view of a CloudFront key group: several keys during a rotation. */
export interface KeyGroup {
  get(id: string): PublicKey | undefined;
}

/**
 * A key group from keys already validated at build time (the edge bundle): parses each PEM once and
 * skips the checks and their messages, which the 10 KB edge budget has no room for.
 */
export function trustedKeyGroup(keys: readonly { id: string; publicKey: string | KeyObject }[]): KeyGroup {
  const byId = new Map<string, PublicKey>();
  for (const { id, publicKey } of keys) {
    byId.set(id, { id, keyObject: typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey });
  }
  // The map itself is a KeyGroup (only its `get` is used); no wrapper for the edge bundle to carry.
  return byId;
}

/**
 * Builds a key group from public keys (PEM or KeyObject) keyed by their CloudFront ids, checking each
 * id and key. Keys are parsed once here; lookups during verification are a map read.
 *
 * @example
 * const group = createKeyGroup([{ id: 'K2JCJMDEHXQW5F', publicKey: pem }]);
 */
export function createKeyGroup(
  keys: readonly { id: string; publicKey: string | KeyObject }[],
): KeyGroup & { readonly ids: readonly string[] } {
  const byId = new Map<string, PublicKey>();
  for (const { id, publicKey } of keys) {
    if (!isKeyPairId(id))
      throw new EdgepassError('INVALID_KEY', `key id ${JSON.stringify(id)} is not a CloudFront key id`);
    if (byId.has(id)) throw new EdgepassError('INVALID_KEY', `key id ${id} appears twice in the key group`);
    byId.set(id, { id, ...loadPublicKey(publicKey) });
  }
  return { get: (id) => byId.get(id), ids: [...byId.keys()] };
}
