import { describe, expect, it } from 'vitest';
import { CorsWatch, summary, useStackAndBrowser, waitForPlayback } from './support';

/**
 * The frontend on another origin (dev/frontend/, served on PORT + 1): from http://localhost:PORT+1,
 * listed in `cors.origins`, it logs in, signs URLs and plays the stream cross-origin with
 * credentials; opened as http://127.0.0.1:PORT+1 (another site, not listed) the browser hands it
 * none of the stack's answers.
 */

const session = useStackAndBrowser();
const SEGMENT = /\/videos\/hls\/seg\d+\.ts$/;

/** The CORS headers of an answer, as the assertions compare them. */
const corsOf = (headers: Record<string, string>) => ({
  allowOrigin: headers['access-control-allow-origin'],
  allowCredentials: headers['access-control-allow-credentials'],
});

describe('the frontend on another origin', () => {
  it('on localhost:PORT+1 (in cors.origins) logs ada in, signs URLs and plays the stream cross-origin with her cookies', async () => {
    const { page, network } = session;
    const { base, frontend } = session.stack;
    const allowed = { allowOrigin: frontend, allowCredentials: 'true' };
    await page.goto(`${frontend}/`);
    expect(await page.locator('#api-origin').textContent()).toBe(base);

    await page.locator('#login-ada').click();
    await page.locator('#current-user', { hasText: /^ada$/ }).waitFor();
    const login = await network.only(`${base}/auth/login`);
    expect(login.status).toBe(200);
    expect(login.requestHeaders.origin).toBe(frontend);
    expect(corsOf(login.responseHeaders)).toEqual(allowed);
    expect(login.responseHeaders['set-cookie']).toContain('CloudFront-Key-Pair-Id=');

    await page.locator('#sign').click();
    await page.locator('#signed-urls li').nth(1).waitFor();
    const links = await page
      .locator('#signed-urls a')
      .evaluateAll((anchors) =>
        anchors.map((anchor) => ({ text: anchor.textContent, href: anchor.getAttribute('href') })),
      );
    expect(links).toEqual([
      {
        text: '/videos/hls/index.m3u8',
        href: expect.stringMatching(/\/videos\/hls\/index\.m3u8\?Expires=\d+&Signature=/),
      },
      { text: '/reports/q3.pdf', href: expect.stringMatching(/\/reports\/q3\.pdf\?Expires=\d+&Signature=/) },
    ]);
    expect(links.every(({ href }) => href?.startsWith(`${base}/`))).toBe(true);
    const signed = await network.only(`${base}/api/sign`);
    expect(signed.status).toBe(200);
    expect(signed.requestHeaders.origin).toBe(frontend);
    expect(corsOf(signed.responseHeaders)).toEqual(allowed);

    await page.locator('#play').click();
    await waitForPlayback(page, '#player', 1);
    expect(await page.locator('#play-status').getAttribute('data-state')).toBe('playing');
    const segments = await network.waitFor((entry) => SEGMENT.test(entry.url), 2);
    const stream = [
      await network.only(`${base}/videos/hls/index.m3u8`),
      await network.only(`${base}/videos/hls/media.m3u8`),
      ...segments,
    ];
    expect(new Set(segments.map(({ url }) => url)).size).toBeGreaterThanOrEqual(2);
    expect(stream.map(summary)).toEqual(stream.map(({ url }) => ({ url, status: 200, cookies: true })));
    for (const request of stream) {
      expect(request.requestHeaders.origin, request.url).toBe(frontend);
      expect(corsOf(request.responseHeaders), request.url).toEqual(allowed);
    }
  });

  it('opened as 127.0.0.1:PORT+1 (another site, not in cors.origins) cannot log in, sign or play: the browser refuses every answer', async () => {
    const { page, network } = session;
    const { base, port } = session.stack;
    const foreign = `http://127.0.0.1:${port + 1}`;
    const cors = await CorsWatch.on(page);
    await page.goto(`${foreign}/`);
    expect(await page.locator('#api-origin').textContent()).toBe(base);
    const logLine = (text: string) => page.locator('#log li', { hasText: text });

    // Log in: the token request's preflight is answered without Access-Control-Allow-Origin.
    await page.locator('#login-ada').click();
    await logLine('POST /dev/token: no answer').waitFor();
    expect(await logLine('POST /dev/token: no answer').textContent()).toBe(
      'POST /dev/token: no answer (Failed to fetch; a CORS refusal looks the same)',
    );
    expect(await page.locator('#current-user').textContent()).toBe('nobody');
    expect(await cors.refusal('POST', `${base}/dev/token`)).toMatchObject({
      corsError: 'PreflightMissingAllowOriginHeader',
    });
    const preflight = await cors.answer('OPTIONS', `${base}/dev/token`);
    expect(preflight.status).toBe(204);
    expect(corsOf(preflight.headers)).toEqual({ allowOrigin: undefined, allowCredentials: undefined });

    // Even with a valid token (handed to the page as if it had one), /api/sign and /auth/login with
    // credentials are refused the same way: the page's fetch rejects.
    const { token } = (await (
      await fetch(`${base}/dev/token`, { method: 'POST', body: JSON.stringify({ user: 'ada' }) })
    ).json()) as { token: string };
    await page.evaluate((value) => {
      (globalThis as unknown as { edgepassFrontend: { token: string } }).edgepassFrontend.token = value;
    }, token);
    await page.locator('#sign').click();
    await logLine('POST /api/sign: no answer').waitFor();
    expect(await page.locator('#signed-urls li').count()).toBe(0);
    expect(await cors.refusal('POST', `${base}/api/sign`)).toMatchObject({
      corsError: 'PreflightMissingAllowOriginHeader',
    });
    const login = await page.evaluate(
      ([api, bearer]) =>
        fetch(`${api}/auth/login`, {
          method: 'POST',
          credentials: 'include',
          headers: { authorization: `Bearer ${bearer}` },
        })
          .then((response) => `answered ${response.status}`)
          .catch((error: Error) => `rejected: ${error.name}: ${error.message}`),
      [base, token] as const,
    );
    expect(login).toBe('rejected: TypeError: Failed to fetch');
    expect(await cors.refusal('POST', `${base}/auth/login`)).toMatchObject({
      corsError: 'PreflightMissingAllowOriginHeader',
    });

    // Play: the playlist's answer (CloudFront's 403: no cookies go to another site) has no
    // Access-Control-Allow-Origin either, so hls.js sees a network error and fetches nothing more.
    await page.locator('#play').click();
    const status = page.locator('#play-status[data-state="error"]');
    await status.waitFor();
    expect(await status.textContent()).toBe('error: networkError manifestLoadError (HTTP 0)');
    expect(await cors.refusal('GET', `${base}/videos/hls/index.m3u8`)).toMatchObject({
      corsError: 'MissingAllowOriginHeader',
    });
    const playlist = await cors.answer('GET', `${base}/videos/hls/index.m3u8`);
    expect(playlist.status).toBe(403);
    expect(corsOf(playlist.headers)).toEqual({ allowOrigin: undefined, allowCredentials: undefined });
    await network.settled();
    expect(network.entries.filter(({ url }) => SEGMENT.test(url) || url.endsWith('media.m3u8'))).toEqual([]);
    expect(await page.locator('#current-user').textContent()).toBe('nobody');
  });
});
