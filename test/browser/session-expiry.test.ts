import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TOKEN_LIFETIME } from '../../dev/identity-provider';
import { summary, useStackAndBrowser } from './support';

/**
 * A short session: cookies never outlive the token that earned them, so a token of a few seconds
 * gives a browser a few seconds of access, after which it is back at the login page.
 *
 * Time itself is the subject here, so the test waits for real. Playwright's clock (`page.clock`)
 * would move only the page's timers and `Date`; the cookie store's expiry and the gate's clock, which
 * decide what happens, would not move with it.
 */

const session = useStackAndBrowser();
/** The shortest token the dev identity provider issues. */
const TTL_SECONDS = TOKEN_LIFETIME.min;
/** How long past the cookies' expiry the test waits: second-rounded times and a busy machine fit in it. */
const MARGIN_MS = 3000;

describe('a short session in the browser', () => {
  it(`with a ${TTL_SECONDS}-second token opens the player at first, then, once its cookies expired, sends the browser to the login page again`, async () => {
    const { page, network } = session;
    const { base } = session.stack;

    // Log in through the API in the browser, as the login page does, with a short token.
    await page.goto(`${base}/login`);
    const login = await page.evaluate(async (expiresIn) => {
      const issued = await fetch('/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'ada', expiresIn }),
      });
      const { token } = (await issued.json()) as { token: string };
      const answer = await fetch('/auth/login', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      return { status: answer.status, expiresAt: ((await answer.json()) as { expiresAt: number }).expiresAt };
    }, TTL_SECONDS);
    expect(login.status).toBe(200);
    expect(login.expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + TTL_SECONDS);
    const cookies = await session.browser.context.cookies(`${base}/videos/`);
    expect(cookies.map(({ name }) => name).sort()).toEqual([
      'CloudFront-Key-Pair-Id',
      'CloudFront-Policy',
      'CloudFront-Signature',
    ]);

    // At first: the player page, asked for with the cookies. (Only the page: the player's own
    // requests may come later than the cookies' few seconds on a busy machine.)
    await page.goto(`${base}/videos/`);
    expect(page.url()).toBe(`${base}/videos/`);
    expect(await page.locator('h1').textContent()).toBe('Premium player');

    await sleep(login.expiresAt * 1000 + MARGIN_MS - Date.now());

    // Afterwards: the browser has dropped the cookies, and the gate sends it to the login page.
    await page.goto(`${base}/videos/`);
    expect(page.url()).toBe(`${base}/login?return_to=%2Fvideos%2F`);
    const visits = await network.to(`${base}/videos/`);
    expect(visits.map(summary)).toEqual([
      { url: `${base}/videos/`, status: 200, cookies: true },
      { url: `${base}/videos/`, status: 302, cookies: false },
    ]);

    // Nor do the expired cookies open anything when replayed by hand: the gate checks the expiry too.
    const replayed = await fetch(`${base}/videos/hls/index.m3u8`, {
      headers: { cookie: cookies.map(({ name, value }) => `${name}=${value}`).join('; ') },
    });
    expect(replayed.status).toBe(403);
    expect(await replayed.text()).toContain('<Code>AccessDenied</Code>');
  });
});
