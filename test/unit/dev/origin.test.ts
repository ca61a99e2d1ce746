import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrigin, type Origin } from '../../../dev/origin';

/**
 * The local stack's S3-like origin over real HTTP on 127.0.0.1, with its folder changed while it
 * serves: a file that changes, vanishes or cannot be read ends one response, never the process.
 */

const root = mkdtempSync(join(tmpdir(), 'edgepass-origin-'));
let origin: Origin;
let server: Server;
let base: string;

beforeAll(async () => {
  mkdirSync(join(root, 'videos'));
  writeFileSync(join(root, 'videos', 'index.html'), '<p>videos</p>');
  writeFileSync(join(root, 'a.txt'), 'first');
  writeFileSync(join(root, 'b.txt'), 'other');
  writeFileSync(join(root, 'two words.txt'), 'spaced');
  origin = createOrigin(root);
  server = createServer((req, res) => {
    origin.serve({ method: req.method ?? 'GET', uri: req.url ?? '/', headers: req.headers }, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

describe('the local origin', () => {
  it('serves a file as S3 does: MD5 ETag, Last-Modified, index documents, NoSuchKey', async () => {
    const response = await fetch(`${base}/a.txt`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('first');
    expect(response.headers.get('etag')).toBe(md5('first'));
    expect(response.headers.get('last-modified')).toMatch(/GMT$/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${base}/videos/`)).headers.get('cache-control')).toBe('private, no-store');
    expect(await (await fetch(`${base}/videos/`)).text()).toBe('<p>videos</p>');
    expect(await (await fetch(`${base}/videos`)).text()).toBe('<p>videos</p>');
    // As S3 reads a path: a literal + is a space.
    expect(await (await fetch(`${base}/two+words.txt`)).text()).toBe('spaced');
    const missing = await fetch(`${base}/nothing.txt`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it('serves an edited file whole, a deleted one as NoSuchKey, a new one without a restart', async () => {
    writeFileSync(join(root, 'a.txt'), 'a longer second version');
    const longer = await fetch(`${base}/a.txt`);
    expect(await longer.text()).toBe('a longer second version');
    expect(longer.headers.get('etag')).toBe(md5('a longer second version'));
    writeFileSync(join(root, 'a.txt'), 'x');
    expect(await (await fetch(`${base}/a.txt`)).text()).toBe('x');
    unlinkSync(join(root, 'a.txt'));
    expect((await fetch(`${base}/a.txt`)).status).toBe(404);
    writeFileSync(join(root, 'new.txt'), 'added');
    // New keys are looked for at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await (await fetch(`${base}/new.txt`)).text()).toBe('added');
    expect(origin.size).toBeGreaterThanOrEqual(3);
  });

  it('cuts only that response when the file shrinks while it is sent, and keeps serving', async () => {
    // 32 MB (over the MD5 limit, so never read whole): far more than socket buffers hold when the
    // first bytes arrive, so the truncation lands in the middle of the transfer.
    const big = join(root, 'big.bin');
    writeFileSync(big, Buffer.alloc(32 * 1024 * 1024, 1));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const outcome = await new Promise<{ received: number; expected: number; complete: boolean }>((resolve) => {
      get(`${base}/big.bin`, (response) => {
        let received = 0;
        let truncated = false;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (!truncated) {
            truncated = true;
            truncateSync(big, 1000);
          }
        });
        const done = () =>
          resolve({ received, expected: Number(response.headers['content-length']), complete: response.complete });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      });
    });
    expect(outcome.expected).toBe(32 * 1024 * 1024);
    expect(outcome.complete).toBe(false);
    expect(outcome.received).toBeLessThan(outcome.expected);
    expect(await (await fetch(`${base}/b.txt`)).text()).toBe('other');
  });

  it('reads If-None-Match as a list with weak tags, and tells files of one size apart', async () => {
    writeFileSync(join(root, 's1.txt'), 'aaaa');
    writeFileSync(join(root, 's2.txt'), 'bbbb');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const etag = (await fetch(`${base}/s1.txt`)).headers.get('etag') as string;
    expect((await fetch(`${base}/s2.txt`, { headers: { 'if-none-match': etag } })).status).toBe(200);
    expect((await fetch(`${base}/s1.txt`, { headers: { 'if-none-match': `"x", W/${etag}` } })).status).toBe(304);
    expect((await fetch(`${base}/s1.txt`, { headers: { 'if-none-match': '*' } })).status).toBe(304);
  });

  it('ignores an invalid range, answers an unsatisfiable one with InvalidRange', async () => {
    const ignored = await fetch(`${base}/b.txt`, { headers: { range: 'bytes=3-1' } });
    expect(ignored.status).toBe(200);
    expect(await ignored.text()).toBe('other');
    const part = await fetch(`${base}/b.txt`, { headers: { range: 'bytes=1-2' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('th');
    const beyond = await fetch(`${base}/b.txt`, { headers: { range: 'bytes=99-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */5');
    expect(await beyond.text()).toContain('<Code>InvalidRange</Code>');
  });
});
