import type { Policy } from './policy';
import type { ResourceMatcher } from './resource-pattern';

/** What a verified signature vouches for: the decoded policy, its text and its compiled resource. */
export interface VerifiedPolicy {
  readonly policy: Policy;
  readonly policyJson: string | undefined;
  /** The policy's resource pattern, compiled once (custom policies with a Resource). */
  readonly match: ResourceMatcher | undefined;
}

/** Everything besides the signature that a cached verification covered; all must match on a hit. */
interface Entry extends VerifiedPolicy {
  readonly keyPairId: string;
  readonly hashAlgorithm: string;
  /** The policy text as received, or `E<expires>\n<resource URL>` for a canned policy. */
  readonly signed: string;
  /** What the entry counts against `maxBytes`. */
  readonly bytes: number;
}

/**
 * A copy of `text` that shares no memory with the string it was cut from: a slice of a 20 KB Cookie
 * header would otherwise keep the whole header alive for as long as the entry lives.
 */
function detach(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Per-entry bookkeeping (the Map slot, the entry and policy objects), counted with the strings. */
const ENTRY_OVERHEAD = 256;
/**
 * Longest signature plus signed text remembered: enough for any policy that fits in a signed URL or a
 * cookie, so a long but legitimate credential is verified once too; `maxBytes` bounds them together.
 */
const MAX_INPUT = 12_288;

/**
 * A bounded memory of signatures already verified against one key group, keyed by everything the
 * signature covers (key id, hash, signature, policy bytes or canned inputs). A hit skips base64
 * decoding, JSON parsing, the public-key operation and compiling the resource pattern; time, IP and
 * resource are still checked by the caller on every request. Bounded in entries and in bytes (each
 * entry holds copies, never slices of a request); the oldest entries go first.
 */
export class VerifiedSignatureCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  readonly #maxEntries: number;
  readonly #maxBytes: number;

  /**
   * @param maxEntries signatures remembered (0 turns the cache off)
   * @param maxBytes characters held, all entries together (overhead included)
   */
  constructor(maxEntries = 1024, maxBytes = 4_194_304) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
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

  store(
    signature: string,
    entry: VerifiedPolicy & { readonly keyPairId: string; readonly hashAlgorithm: string; readonly signed: string },
  ): void {
    const length = signature.length + entry.signed.length;
    // A policy that large is unusual and would crowd the others out: verified, not remembered.
    if (this.#maxEntries <= 0 || length > MAX_INPUT) return;
    const { policy, policyJson } = entry;
    const resource = policy.resource === undefined ? undefined : detach(policy.resource);
    // The resource counts twice: its text and the compiled matcher's chunks.
    const bytes = ENTRY_OVERHEAD + length + (policyJson?.length ?? 0) + 2 * (resource?.length ?? 0);
    const key = detach(signature);
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= previous.bytes;
    }
    while (this.#entries.size > 0 && (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes)) {
      const [oldest, evicted] = this.#entries.entries().next().value as [string, Entry];
      this.#entries.delete(oldest);
      this.#bytes -= evicted.bytes;
    }
    this.#entries.set(key, {
      policy: { ...policy, resource },
      policyJson: policyJson === undefined ? undefined : detach(policyJson),
      match: entry.match,
      keyPairId: detach(entry.keyPairId),
      hashAlgorithm: entry.hashAlgorithm,
      signed: detach(entry.signed),
      bytes,
    });
    this.#bytes += bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Characters held by all entries, overhead included (at most `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }
}
