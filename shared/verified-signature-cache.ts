import type { Policy } from './policy';

/** What a verified signature vouches for: the decoded policy (and its text, for custom policies). */
export interface VerifiedPolicy {
  readonly policy: Policy;
  readonly policyJson: string | undefined;
}

/**
 * A bounded memory of signatures already verified against one key group, keyed by everything the
 * signature covers (key id, hash, signature, policy bytes or canned inputs). A hit skips base64
 * decoding, JSON parsing and the public-key operation; time, IP and resource are still checked by the
 * caller on every request. Oldest entries are dropped first once `maxEntries` is reached.
 */
export class VerifiedSignatureCache {
  readonly #entries = new Map<string, VerifiedPolicy>();
  readonly maxEntries: number;
  /** Keys longer than this are not cached (a policy that large is unusual and would crowd memory). */
  readonly maxKeyLength: number;

  constructor(maxEntries = 1024, maxKeyLength = 4096) {
    this.maxEntries = maxEntries;
    this.maxKeyLength = maxKeyLength;
  }

  get(key: string): VerifiedPolicy | undefined {
    return this.#entries.get(key);
  }

  set(key: string, entry: VerifiedPolicy): void {
    if (this.maxEntries <= 0 || key.length > this.maxKeyLength) return;
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
