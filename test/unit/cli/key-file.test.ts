import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type KeyFileSystem, MAX_KEY_FILE_BYTES, readKeyFile } from '../../../cli/key-file';
import { rsaKeyPair } from '../../fixtures/keys';
import { usageMessage } from '../../fixtures/usage-error';

const dir = mkdtempSync(join(tmpdir(), 'edgepass-key-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type FakeStats = ReturnType<KeyFileSystem['statSync']>;

function stats(kind: 'file' | 'fifo', size: number): FakeStats {
  return {
    size,
    isFile: () => kind === 'file',
    isDirectory: () => false,
    isFIFO: () => kind === 'fifo',
    isSocket: () => false,
    isCharacterDevice: () => false,
    isBlockDevice: () => false,
  };
}

/** A file system whose one file looks small when checked, then turns out otherwise once open. */
function changingFile(opened: FakeStats) {
  const calls = { bytesRead: 0, closed: 0 };
  const fs: KeyFileSystem = {
    statSync: () => stats('file', 100),
    openSync: () => 42,
    fstatSync: () => opened,
    readSync: (_fd, buffer, offset, length) => {
      // Keeps growing: every read fills what was asked for.
      buffer.fill(65, offset, offset + length);
      calls.bytesRead += length;
      return length;
    },
    closeSync: () => {
      calls.closed += 1;
    },
  };
  return { fs, calls };
}

describe('readKeyFile', () => {
  it('reads a PEM key file as text', () => {
    const pem = rsaKeyPair().privatePem;
    writeFileSync(join(dir, 'private.pem'), pem);
    expect(readKeyFile(join(dir, 'private.pem'))).toBe(pem);
  });

  it('reads at most 64 KiB + 1 bytes of a file that grows after its size was checked, then refuses it', () => {
    const { fs, calls } = changingFile(stats('file', 100));
    expect(usageMessage(() => readKeyFile('growing.pem', fs))).toBe(
      `growing.pem holds more than ${MAX_KEY_FILE_BYTES} bytes, too large for a PEM key: is it the right file?`,
    );
    expect(calls.bytesRead).toBe(MAX_KEY_FILE_BYTES + 1);
    expect(calls.closed).toBe(1);
  });

  it('refuses a file swapped for a named pipe between the check and the open, and closes it', () => {
    const { fs, calls } = changingFile(stats('fifo', 0));
    expect(usageMessage(() => readKeyFile('swapped.pem', fs))).toMatch(
      /^swapped\.pem is a named pipe \(FIFO\), not a key file/,
    );
    expect(calls.bytesRead).toBe(0);
    expect(calls.closed).toBe(1);
  });
});
