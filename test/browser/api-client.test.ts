import { describe, expect, it } from 'vitest';
import { useStackAndBrowser } from './support';

/**
 * An API client, not a browser: it has no cookie jar, only a Bearer token. It asks POST /api/sign
 * for signed URLs and downloads them with plain fetch; a URL changed after signing opens nothing.
 */

const session = useStackAndBrowser({ withBrowser: false });

async function tokenFor(user: string): Promise<string> {
  const answer = await fetch(`${session.stack.base}/dev/token`, { method: 'POST', body: JSON.stringify({ user }) });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { token: string }).token;
}

async function signedUrls(token: string, paths: readonly string[]): Promise<string[]> {
  const answer = await fetch(`${session.stack.base}/api/sign`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ paths }),
  });
  expect(answer.status).toBe(200);
  const { urls } = (await answer.json()) as { urls: { path: string; url: string }[] };
  expect(urls.map(({ path }) => path)).toEqual(paths);
  return urls.map(({ url }) => url);
}

describe('an API client with a Bearer token and no cookies', () => {
  it('gets URLs from POST /api/sign and downloads them with plain fetch', async () => {
    const { base } = session.stack;
    const [playlist = '', segment = ''] = await signedUrls(await tokenFor('ada'), [
      '/videos/hls/media.m3u8',
      '/videos/hls/seg0.ts',
    ]);
    expect(playlist).toMatch(
      new RegExp(`^${base}/videos/hls/media\\.m3u8\\?Expires=\\d+&Signature=[^&]+&Key-Pair-Id=`),
    );

    const list = await fetch(playlist);
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('#EXTM3U');
    const media = await fetch(segment);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('video/mp2t');
    expect((await media.arrayBuffer()).byteLength).toBe(27_824);

    // The same paths without the signature: the client has nothing else to show.
    expect((await fetch(`${base}/videos/hls/seg0.ts`)).status).toBe(403);
  });

  it('gets CloudFront’s 403 for a signed URL it changed: another path, a later expiry, another signature', async () => {
    const [url = ''] = await signedUrls(await tokenFor('ada'), ['/videos/hls/seg0.ts']);
    // Edited as text: re-serialising the query through URLSearchParams would re-encode it too.
    const tamperedUrls = [
      url.replace('/videos/hls/seg0.ts?', '/videos/hls/seg1.ts?'),
      url.replace(/Expires=(\d+)/, (_, expires: string) => `Expires=${Number(expires) + 3600}`),
      url.replace(
        /Signature=(.{20})(.)/,
        (_, kept: string, char: string) => `Signature=${kept}${char === 'A' ? 'B' : 'A'}`,
      ),
    ];
    expect(new Set([url, ...tamperedUrls]).size).toBe(4);

    for (const tampered of tamperedUrls) {
      const answer = await fetch(tampered);
      expect(answer.status, tampered).toBe(403);
      expect(await answer.text(), tampered).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>',
      );
    }
    // The untouched URL still works: the 403s are for the changes.
    expect((await fetch(url)).status).toBe(200);
  });
});
