import { describe, expect, it } from 'vitest';
import { currentTime, pickUserOnLoginPage, summary, useStackAndBrowser, waitForPlayback } from './support';

/**
 * ada, the premium user, in a real browser against `npm start`'s stack: the login round trip, the
 * HLS player fetching every playlist and segment with her CloudFront cookies, what stays closed to
 * her, and logging out.
 */

const session = useStackAndBrowser();
const SEGMENT = /\/videos\/hls\/seg\d+\.ts$/;

describe('ada (premium) in the browser', () => {
  it('opens /videos/, is sent to the login page, logs in and watches the stream fetched with her CloudFront cookies', async () => {
    const { page, network } = session;
    const { base } = session.stack;

    await page.goto(`${base}/videos/`);
    expect(page.url()).toBe(`${base}/login?return_to=%2Fvideos%2F`);
    expect(await page.locator('#return-to').textContent()).toBe('/videos/');
    const redirect = await network.only(`${base}/videos/`);
    expect(redirect.status).toBe(302);
    expect(redirect.responseHeaders.location).toBe('/login?return_to=%2Fvideos%2F');

    await pickUserOnLoginPage(page, 'ada');
    await page.waitForURL(`${base}/videos/`);
    expect(await page.locator('h1').textContent()).toBe('Premium player');

    await waitForPlayback(page, '#player', 1);
    const segments = await network.waitFor((entry) => SEGMENT.test(entry.url), 2);
    await network.settled();
    expect(await currentTime(page, '#player')).toBeGreaterThan(1);
    expect(await page.locator('#status').getAttribute('data-state')).toBe('playing');

    const playlists = [
      await network.only(`${base}/videos/hls/index.m3u8`),
      await network.only(`${base}/videos/hls/media.m3u8`),
    ];
    expect(new Set(segments.map((segment) => segment.url)).size).toBeGreaterThanOrEqual(2);
    const stream = [...playlists, ...segments];
    expect(stream.map(summary)).toEqual(stream.map(({ url }) => ({ url, status: 200, cookies: true })));
  });

  it('is refused outside her grant: a respelled /videos/ path gets 400, a path no grant covers CloudFront’s 403', async () => {
    const { page, network } = session;
    const { base } = session.stack;
    await page.goto(`${base}/login`);
    await pickUserOnLoginPage(page, 'ada');
    await page.waitForURL(`${base}/`);

    // Spelled under /videos/ (where her cookies go) but naming /private/x once decoded: the browser
    // sends these bytes as they are, with her cookies, and the gate refuses to read them.
    for (const respelled of ['/videos/..%2fprivate/x', '/videos/%2e%2e%2fprivate/x', '/videos/hls/%2E%2E%2F..%2Fx']) {
      const response = await page.goto(`${base}${respelled}`);
      expect(response?.status(), respelled).toBe(400);
      expect(await response?.text(), respelled).toContain('<Code>BadRequest</Code>');
      expect(summary(await network.only(`${base}${respelled}`))).toEqual({
        url: `${base}${respelled}`,
        status: 400,
        cookies: true,
      });
    }

    // A path no grant covers, fetched by a script on her page: her cookies are scoped to /videos/ and
    // /reports/, so none go along, and the gate answers with CloudFront's XML 403.
    await page.goto(`${base}/`);
    const answer = await page.evaluate(async () => {
      const response = await fetch('/private/x');
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
    });
    expect(answer).toEqual({
      status: 403,
      type: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>',
    });
    await network.settled();
    expect(summary(await network.only(`${base}/private/x`))).toEqual({
      url: `${base}/private/x`,
      status: 403,
      cookies: false,
    });
  });

  it('logs out on the landing page, after which /videos/ sends her to the login page again', async () => {
    const { page, network } = session;
    const { base } = session.stack;
    await page.goto(`${base}/login?return_to=%2Fvideos%2F`);
    await pickUserOnLoginPage(page, 'ada');
    await page.waitForURL(`${base}/videos/`);
    expect(await page.locator('h1').textContent()).toBe('Premium player');

    await page.goto(`${base}/`);
    await page.locator('#logout').click();
    const result = page.locator('#logout-result[data-status]');
    await result.waitFor();
    expect(await result.getAttribute('data-status')).toBe('200');
    expect(await result.textContent()).toBe('Logged out (HTTP 200): the CloudFront cookies are expired.');

    // Back to the player she had open: the browser asks again (pages are private, no-store) and the gate
    // decides again, without cookies — the history never shows the protected page. (The page was reached
    // from the login page, so the loop guard answers CloudFront's 403 rather than a second redirect.)
    await network.clear();
    await page.goBack();
    await page.waitForLoadState('load');
    await network.settled();
    expect(summary(await network.only(`${base}/videos/`))).toEqual({
      url: `${base}/videos/`,
      status: 403,
      cookies: false,
    });
    expect(await page.content()).not.toContain('Premium player');

    await network.clear();
    await page.goto(`${base}/videos/`);
    expect(page.url()).toBe(`${base}/login?return_to=%2Fvideos%2F`);
    await network.settled();
    expect(summary(await network.only(`${base}/videos/`))).toEqual({
      url: `${base}/videos/`,
      status: 302,
      cookies: false,
    });
  });
});
