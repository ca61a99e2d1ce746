import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/io';
import { type KeyFileWrite, keysGenerate } from '../../../cli/keys-generate';
import { NOW } from '../../fixtures/keys';
import { usageMessage } from '../../fixtures/usage-error';

const root = mkdtempSync(join(tmpdir(), 'edgepass-keys-generate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const io: CliIo = { stdout: () => {}, stderr: () => {}, env: {}, now: () => NOW };

/** A folder holding a freshly generated ECDSA pair, and that pair's bytes. */
function folderWithPair(name: string): { out: string; before: Record<string, string> } {
  const out = join(root, name);
  expect(keysGenerate(['--type', 'ecdsa', '--out', out], io)).toBe(0);
  return { out, before: pairIn(out) };
}

function pairIn(out: string): Record<string, string> {
  return {
    'private.pem': readFileSync(join(out, 'private.pem'), 'utf8'),
    'public.pem': readFileSync(join(out, 'public.pem'), 'utf8'),
  };
}

/** Writes normally until call number `failing`, which fails as a full disk does. */
function diskFullAt(failing: number): KeyFileWrite {
  let calls = 0;
  return (fd, text) => {
    calls += 1;
    if (calls === failing) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    writeFileSync(fd, text);
  };
}

describe('keysGenerate --force', () => {
  it('keeps the old pair whole, and leaves no temporary file, when writing the new public key fails', () => {
    const { out, before } = folderWithPair('second-write-fails');
    const message = usageMessage(() => keysGenerate(['--out', out, '--force'], io, diskFullAt(2)));
    expect(message).toBe(
      `cannot write ${join(out, 'public.pem')}: ENOSPC: no space left on device, write; the old key pair is unchanged`,
    );
    expect(readdirSync(out).sort()).toEqual(['private.pem', 'public.pem']);
    expect(pairIn(out)).toEqual(before);
  });

  it('keeps the old pair whole, and leaves no temporary file, when writing the new private key fails', () => {
    const { out, before } = folderWithPair('first-write-fails');
    expect(usageMessage(() => keysGenerate(['--out', out, '--force'], io, diskFullAt(1)))).toMatch(
      /^cannot write .*private\.pem: ENOSPC/,
    );
    expect(readdirSync(out).sort()).toEqual(['private.pem', 'public.pem']);
    expect(pairIn(out)).toEqual(before);
  });

  it('replaces both files with a new pair, the private key with mode 0600, and leaves nothing else', () => {
    const { out, before } = folderWithPair('replaced');
    expect(keysGenerate(['--out', out, '--force'], io)).toBe(0);
    const after = pairIn(out);
    expect(after['private.pem']).not.toBe(before['private.pem']);
    expect(after['public.pem']).not.toBe(before['public.pem']);
    expect(readdirSync(out).sort()).toEqual(['private.pem', 'public.pem']);
    expect(statSync(join(out, 'private.pem')).mode & 0o777).toBe(0o600);
  });
});

describe('keysGenerate without --force', () => {
  it('writes neither file when the second write fails in an empty folder', () => {
    const out = join(root, 'fresh');
    expect(usageMessage(() => keysGenerate(['--out', out], io, diskFullAt(2)))).toMatch(/public\.pem: ENOSPC/);
    expect(readdirSync(out)).toEqual([]);
  });
});
