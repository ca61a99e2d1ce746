import type { Policy } from './policy';

/** What a verified signature vouches for: the decoded policy (and its text, for custom policies). */
export interface VerifiedPolicy {
  readonly policy: Policy;
  readonly policyJson: string | undefined;
}

/** Everything besides the signature that a cached verification covered; all must match on a hit. */
interface Entry extends VerifiedPolicy {
  readonly keyPairId: string;
  readonly hashAlgorithm: string;
  /** The policy text as received, or `E<expires>\n<resource URL>` for a canned policy. */
  readonly signed: string;
}

/**
 * A bounded memory of signatures already verified against one key group, keyed by everything the
 * signature covers (key id, hash, signature, policy bytes or canned inputs). A hit skips base64
 * decoding, JSON parsing and the public-key operation; time, IP and resource are still checked by the
 * caller on every request. Oldest entries are dropped first once `maxEntries` is reached.
 */
export class VerifiedSignatureCache {
  readonly #entries = new Map<string, Entry>();
  readonly maxEntries: number;
  /** Keys longer than this are not cached (a policy that large is unusual and would crowd memory). */
  readonly maxKeyLength: number;

  constructor(maxEntries = 1024, maxKeyLength = 4096) {
    this.maxEntries = maxEntries;
    this.maxKeyLength = maxKeyLength;
  }

  /**
   * Keyed by the signature text alone (hashing ~350 characters, not a ~700-character composite
   * built per request); a hit must still match every other input with `===`.
   */
  lookup(signature: string, keyPairId: string, hashAlgorithm: string, signed: string): VerifiedPolicy | undefined {
    const entry = this.#entries.get(signature);
    return entry !== undefined &&
      entry.signed === signed &&
      entry.keyPairId === keyPairId &&
      entry.hashAlgorithm === hashAlgorithm
      ? entry
      : undefined;
  }

  store(signature: string, entry: Entry): void {
    const key = signature;
    if (this.maxEntries <= 0 || key.length + entry.signed.length > this.maxKeyLength) return;
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, entry);
  }

  get size(): number {
    return this.#entries.size;
  }
}
