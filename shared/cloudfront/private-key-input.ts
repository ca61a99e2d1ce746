/** What OpenSSL is handed to open a private key with a passphrase: only the one PEM block edgepass read and checked. */
import type { PrivateKeyInput } from 'node:crypto';
import { checkEncryptedPrivateKeyInfo } from './encrypted-private-key';
import { EdgepassError } from './errors';

const BEGIN = /^-----BEGIN ([^\r\n]*)-----[ \t]*\r?$/gm;

/** PEM labels of private keys edgepass reads, and the DER type Node parses each as. */
const PLAIN_TYPES: Readonly<Record<string, 'pkcs8' | 'pkcs1' | 'sec1'>> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

/** RFC 1421 encryption headers as OpenSSL writes them; the key is derived with one MD5 round, so it costs nothing. */
const PROC_TYPE = /^Proc-Type: 4,ENCRYPTED$/;
const DEK_INFO = /^DEK-Info: [A-Z0-9-]{1,32},[0-9A-Fa-f]{16,64}$/;

function invalid(message: string): EdgepassError {
  return new EdgepassError('INVALID_KEY', message);
}

interface PemBlock {
  readonly label: string;
  readonly headers: readonly string[];
  readonly der: Buffer;
}

/** Base64 that decodes to bytes which encode back to the same text: no stray characters, no loose padding. */
function strictBase64(lines: readonly string[], label: string): Buffer {
  const text = lines.join('');
  const der = Buffer.from(text, 'base64');
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || der.toString('base64') !== text) {
    throw invalid(`the ${label} PEM block is not valid base64`);
  }
  return der;
}

/** Splits a block's lines into RFC 1421 headers (up to the first empty line) and base64 lines. */
function readBlock(label: string, lines: readonly string[]): PemBlock {
  let body = lines;
  let headers: readonly string[] = [];
  if (lines[0]?.includes(':')) {
    const blank = lines.indexOf('');
    if (blank === -1) throw invalid(`the ${label} PEM block has headers but no empty line after them`);
    headers = lines.slice(0, blank);
    body = lines.slice(blank + 1);
  }
  return { label, headers, der: strictBase64(body, label) };
}

/**
 * Finds the one private key block of a PEM text. OpenSSL itself skips blocks it cannot read and opens
 * the next, so edgepass refuses a text with more than one rather than guess which OpenSSL would take.
 */
function privateKeyBlock(text: string): PemBlock {
  const begins = [...text.matchAll(BEGIN)].filter((match) => (match[1] as string).endsWith('PRIVATE KEY'));
  const [begin, second] = begins;
  if (begin === undefined) throw invalid('not a PEM private key (expected -----BEGIN … PRIVATE KEY-----)');
  if (second !== undefined) {
    throw invalid(`the PEM holds ${begins.length} private key blocks; keep only the key to sign with`);
  }
  const label = begin[1] as string;
  if (label !== 'ENCRYPTED PRIVATE KEY' && PLAIN_TYPES[label] === undefined) {
    throw invalid(`a "${label}" PEM block is not a key edgepass reads (PKCS#8, PKCS#1 RSA or SEC1 EC)`);
  }
  const after = text.slice(begin.index + begin[0].length);
  const end = new RegExp(`^-----END ${label}-----[ \\t]*\\r?$`, 'm').exec(after);
  if (end === null) throw invalid(`the ${label} PEM block has no -----END ${label}----- line`);
  const lines = after
    .slice(0, end.index)
    .split('\n')
    .map((line) => line.trim());
  // The BEGIN line's own line break leaves an empty first line.
  return readBlock(label, lines[0] === '' ? lines.slice(1) : lines);
}

function legacyPem(block: PemBlock): string {
  const base64 = block.der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${block.label}-----\n${block.headers.join('\n')}\n\n${base64.trimEnd()}\n-----END ${block.label}-----\n`;
}

/**
 * The input to give `createPrivateKey` for a PEM private key and its passphrase. The passphrase makes
 * OpenSSL run whatever key derivation the file asks for, uncapped, so OpenSSL is handed only the one
 * private key block read here, never the text: an `ENCRYPTED PRIVATE KEY` as DER once
 * `checkEncryptedPrivateKeyInfo` bounded its cost; an `RSA`/`EC PRIVATE KEY` with `Proc-Type: 4,ENCRYPTED`
 * (one MD5 round) as that block alone; an unencrypted key without the passphrase, which it does not need.
 * Anything else (several private keys, headers in a PKCS#8 block, bad base64) is an `INVALID_KEY` error.
 *
 * @example
 * createPrivateKey(privateKeyInput(pem, 'correct horse'))
 */
export function privateKeyInput(pem: string, passphrase: string): PrivateKeyInput | string {
  const block = privateKeyBlock(pem);
  if (block.label === 'ENCRYPTED PRIVATE KEY') {
    if (block.headers.length > 0) {
      throw invalid('the ENCRYPTED PRIVATE KEY PEM block has headers; PKCS#8 keys carry their encryption inside');
    }
    checkEncryptedPrivateKeyInfo(block.der);
    return { key: block.der, format: 'der', type: 'pkcs8', passphrase };
  }
  const type = PLAIN_TYPES[block.label] as 'pkcs8' | 'pkcs1' | 'sec1';
  if (block.headers.length === 0) return { key: block.der, format: 'der', type };
  const [procType = '', dekInfo = '', ...others] = block.headers;
  if (type === 'pkcs8' || !PROC_TYPE.test(procType) || !DEK_INFO.test(dekInfo) || others.length > 0) {
    throw invalid(
      `the ${block.label} PEM block has headers edgepass does not read (only Proc-Type: 4,ENCRYPTED and DEK-Info in RSA or EC keys)`,
    );
  }
  return { key: legacyPem(block), format: 'pem', passphrase };
}
