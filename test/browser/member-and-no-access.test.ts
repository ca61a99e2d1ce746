import { describe, expect, it } from 'vitest';
import { pickUserOnLoginPage, summary, useStackAndBrowser } from './support';

/**
 * The users who may see less: bob (member) reads the free preview but not the premium player, and
 * the login page refuses eve, whom no access rule matches.
 */

const session = useStackAndBrowser();

describe('bob (member) and eve (no access) in the browser', () => {
  it('bob logs in from /videos/ and ends on CloudFront’s 403 there (no second trip to the login page); the player never loads', async () => {
    const { page, network } = session;
    const { base } = session.stack;
    await page.goto(`${base}/videos/`);
    expect(page.url()).toBe(`${base}/login?return_to=%2Fvideos%2F`);

    const premium = page.waitForResponse(
      (response) => response.url() === `${base}/videos/` && response.status() !== 302,
    );
    await pickUserOnLoginPage(page, 'bob');
    const answer = await premium;
    await page.waitForURL(`${base}/videos/`);

    // What bob sees: CloudFront's error document, not the player page.
    expect(answer.status()).toBe(403);
    expect(answer.headers()['content-type']).toBe('text/xml');
    expect(await answer.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>',
    );
    expect(await page.locator('body').textContent()).toContain('AccessDenied');
    expect(await page.locator('#player').count()).toBe(0);

    // His cookies went along (they cover /videos/free/* only), and the gate answered the request that
    // came straight back from the login page with the 403 instead of another redirect.
    const visits = await network.to(`${base}/videos/`);
    expect(visits.map(summary)).toEqual([
      { url: `${base}/videos/`, status: 302, cookies: false },
      { url: `${base}/videos/`, status: 403, cookies: true },
    ]);
    expect(visits[1]?.requestHeaders.referer).toBe(`${base}/login?return_to=%2Fvideos%2F`);
    expect(network.entries.filter((entry) => entry.url.startsWith(`${base}/videos/hls/`))).toEqual([]);
  });

  it('bob opens the member page /videos/free/ with his cookies', async () => {
    const { page, network } = session;
    const { base } = session.stack;
    await page.goto(`${base}/login?return_to=%2Fvideos%2Ffree%2F`);
    await pickUserOnLoginPage(page, 'bob');
    await page.waitForURL(`${base}/videos/free/`);

    expect(await page.locator('#free-preview').textContent()).toBe('Free preview');
    expect(summary(await network.only(`${base}/videos/free/`))).toEqual({
      url: `${base}/videos/free/`,
      status: 200,
      cookies: true,
    });
  });

  it('eve sees FORBIDDEN_RESOURCE on the login page and stays there, without cookies', async () => {
    const { page, network } = session;
    const { base } = session.stack;
    await page.goto(`${base}/videos/`);
    const login = `${base}/login?return_to=%2Fvideos%2F`;
    expect(page.url()).toBe(login);

    await pickUserOnLoginPage(page, 'eve');
    const error = page.locator('#login-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.getAttribute('data-code')).toBe('FORBIDDEN_RESOURCE');
    expect(await error.textContent()).toBe('FORBIDDEN_RESOURCE: no access rule matches this identity (HTTP 403)');
    expect(page.url()).toBe(login);

    const refused = await network.only(`${base}/auth/login`);
    expect(refused.status).toBe(403);
    // The refusal sets nothing; it only deletes what an earlier user may have left here.
    expect(refused.responseHeaders['set-cookie']).toContain('CloudFront-Policy=; Path=/videos/; Max-Age=0;');
    expect(refused.responseHeaders['set-cookie']).not.toMatch(/=[^;\n]+; Path=[^;]*; Max-Age=[1-9]/);
    expect(await session.browser.context.cookies(base)).toEqual([]);
  });
});
