/** A strict, bounded reader of the few DER shapes a key file holds: it never trusts a length it was given. */

/** One DER element: its tag and where its contents lie in the bytes read. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly offset: number;
  /** Offset of the first content byte. */
  readonly start: number;
  /** Offset just past the last content byte. */
  readonly end: number;
}

/** DER tags used in key files. */
export const DER_TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
} as const;

const TAG_NAMES: Readonly<Record<number, string>> = {
  2: 'INTEGER',
  4: 'OCTET STRING',
  5: 'NULL',
  6: 'OBJECT IDENTIFIER',
  48: 'SEQUENCE',
};

/** Longest INTEGER read: 64 bytes covers every legitimate parameter many times over. */
const MAX_INTEGER_BYTES = 64;
/** Longest OBJECT IDENTIFIER read; the ones a key file names are 5 to 11 bytes. */
const MAX_OID_BYTES = 32;

/** What is wrong with the bytes, in words; the caller says which file and structure they were. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/**
 * Reads the element whose tag is at `offset` and whose contents must end by `limit` (the end of the
 * enclosing element). Refuses what DER forbids or a key file never holds: multi-byte tags, indefinite
 * or non-minimal lengths, length fields over 4 bytes, and a length that runs past `limit`.
 *
 * @example
 * readElement(Buffer.from('300302010a', 'hex'), 0, 5) // { tag: 0x30, offset: 0, start: 2, end: 5 }
 */
export function readElement(bytes: Uint8Array, offset: number, limit: number): DerElement {
  if (offset + 2 > limit) throw new DerError(`truncated at byte ${offset}: an element needs a tag and a length`);
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at byte ${offset}`);
  const first = bytes[offset + 1] as number;
  let start = offset + 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw new DerError(`indefinite length at byte ${offset + 1} (not DER)`);
    if (count > 4) throw new DerError(`length field of ${count} bytes at byte ${offset + 1} (at most 4)`);
    if (start + count > limit) throw new DerError(`truncated length field at byte ${offset + 1}`);
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (bytes[start + i] as number);
    if (length < 0x80 || (bytes[start] as number) === 0) {
      throw new DerError(`non-minimal length at byte ${offset + 1} (not DER)`);
    }
    start += count;
  }
  if (length > limit - start) {
    throw new DerError(`length at byte ${offset + 1} claims ${length} bytes, only ${limit - start} are left`);
  }
  return { tag, offset, start, end: start + length };
}

/** The name of a tag, for messages. */
function tagName(tag: number): string {
  return TAG_NAMES[tag] ?? `tag 0x${tag.toString(16).padStart(2, '0')}`;
}

/**
 * Checks an element has the expected tag; `what` names it in the message.
 *
 * @example
 * expectTag(element, DER_TAG.sequence, 'EncryptedPrivateKeyInfo');
 */
export function expectTag(element: DerElement, tag: number, what: string): DerElement {
  if (element.tag !== tag) {
    throw new DerError(`${what} is ${tagName(element.tag)} at byte ${element.offset}, expected ${tagName(tag)}`);
  }
  return element;
}

/**
 * The elements inside a SEQUENCE, which must fill it exactly; at most `max` of them (a key file's
 * structures have 2 to 5), so a SEQUENCE of thousands of empty elements is refused, not walked.
 *
 * @example
 * const [algorithm, data] = readSequence(bytes, top, 'EncryptedPrivateKeyInfo', 2, 2);
 */
export function readSequence(
  bytes: Uint8Array,
  sequence: DerElement,
  what: string,
  min: number,
  max: number,
): DerElement[] {
  expectTag(sequence, DER_TAG.sequence, what);
  const children: DerElement[] = [];
  let offset = sequence.start;
  while (offset < sequence.end) {
    if (children.length === max) throw new DerError(`${what} has more than ${max} elements`);
    const child = readElement(bytes, offset, sequence.end);
    children.push(child);
    offset = child.end;
  }
  if (children.length < min) throw new DerError(`${what} has ${children.length} elements, expected at least ${min}`);
  return children;
}

/**
 * Reads the one element that must fill `bytes` exactly (nothing before, nothing after).
 *
 * @example
 * readTopElement(der) // the outer SEQUENCE
 */
export function readTopElement(bytes: Uint8Array): DerElement {
  const element = readElement(bytes, 0, bytes.length);
  if (element.end !== bytes.length) {
    throw new DerError(`${bytes.length - element.end} bytes after the end of the structure`);
  }
  return element;
}

/**
 * A non-negative INTEGER, minimally encoded, of at most 64 bytes, as a bigint (so 2^64 is read as
 * what it is, not rounded).
 *
 * @example
 * readUnsignedInteger(bytes, element, 'iteration count') // 2048n
 */
export function readUnsignedInteger(bytes: Uint8Array, element: DerElement, what: string): bigint {
  expectTag(element, DER_TAG.integer, what);
  const length = element.end - element.start;
  if (length === 0) throw new DerError(`${what} is an empty INTEGER`);
  if (length > MAX_INTEGER_BYTES) throw new DerError(`${what} is a ${length}-byte INTEGER`);
  const first = bytes[element.start] as number;
  if (first & 0x80) throw new DerError(`${what} is negative`);
  if (length > 1 && first === 0 && ((bytes[element.start + 1] as number) & 0x80) === 0) {
    throw new DerError(`${what} has a non-minimal encoding (not DER)`);
  }
  let value = 0n;
  for (let i = element.start; i < element.end; i += 1) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

/**
 * An OBJECT IDENTIFIER in dotted form (`1.2.840.113549.1.5.13`), minimally encoded, at most 32 bytes.
 *
 * @example
 * readOid(bytes, element) // '1.2.840.113549.1.5.12'
 */
export function readOid(bytes: Uint8Array, element: DerElement): string {
  expectTag(element, DER_TAG.oid, 'algorithm');
  const length = element.end - element.start;
  if (length === 0 || length > MAX_OID_BYTES) throw new DerError(`an OBJECT IDENTIFIER of ${length} bytes`);
  const arcs: bigint[] = [];
  let arc = 0n;
  let arcStart = true;
  for (let i = element.start; i < element.end; i += 1) {
    const byte = bytes[i] as number;
    if (arcStart && byte === 0x80) throw new DerError('an OBJECT IDENTIFIER with a non-minimal arc (not DER)');
    arc = (arc << 7n) | BigInt(byte & 0x7f);
    arcStart = (byte & 0x80) === 0;
    if (arcStart) {
      arcs.push(arc);
      arc = 0n;
    }
  }
  if (!arcStart) throw new DerError('a truncated OBJECT IDENTIFIER');
  const [head = 0n, ...rest] = arcs;
  const top = head < 40n ? 0n : head < 80n ? 1n : 2n;
  return [top, head - top * 40n, ...rest].join('.');
}

/**
 * The contents of a primitive OCTET STRING.
 *
 * @example
 * readOctetString(bytes, element, 'salt').length // 8
 */
export function readOctetString(bytes: Uint8Array, element: DerElement, what: string): Uint8Array {
  expectTag(element, DER_TAG.octetString, what);
  return bytes.subarray(element.start, element.end);
}

/**
 * Checks an element is NULL (`05 00`).
 *
 * @example
 * expectNull(parameters, 'PRF parameters');
 */
export function expectNull(element: DerElement, what: string): void {
  expectTag(element, DER_TAG.null, what);
  if (element.end !== element.start) throw new DerError(`${what} is a NULL with contents`);
}
