import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Request, type Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, type TestContext } from 'vitest';
import type { RequestLogEntry } from '../../dev/emulator';
import { type Stack, startStack } from '../../dev/stack';

/**
 * What every browser test file shares: the local stack started in this process on free ports,
 * Debian's Chromium with a fresh profile, a network log built from Playwright's events, and the
 * artifacts (screenshots, network log, console, the stack's request log) kept under
 * test-results/browser/ when a test fails.
 */

export const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-results', 'browser');

/** Debian's package (`apt-get install chromium`); playwright-core brings no browser of its own. */
const CHROMIUM = '/usr/bin/chromium';

/** The flags known to work with /usr/bin/chromium on these machines (TOOLCHAIN.md, "Browser tests"). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether `port` can be bound on `host` now (a missing IPv6 loopback counts as free). */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRNOTAVAIL'));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the system just handed out whose next one is free too (the frontend listens on PORT + 1). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: given } = server.address() as { port: number };
        server.close(() => resolve(given));
      });
    });
    if (port >= 65_535) continue;
    const free = await Promise.all([portFree(port, '::1'), portFree(port + 1, '127.0.0.1'), portFree(port + 1, '::1')]);
    if (free.every(Boolean)) return port;
  }
  throw new Error('no two consecutive free ports');
}

export interface LocalStack extends Stack {
  /** `http://localhost:PORT`, the distribution. */
  readonly base: string;
  /** `http://localhost:PORT+1`, the frontend origin listed in `cors.origins`. */
  readonly frontend: string;
  readonly port: number;
  /** One entry per request the emulator answered, for the artifacts of a failed test. */
  readonly requests: RequestLogEntry[];
}

/** `npm start`'s stack, in this process, on free ports (its Secrets Manager on a port of its own). */
export async function startLocalStack(): Promise<LocalStack> {
  const port = await freePortPair();
  const requests: RequestLogEntry[] = [];
  const stack = await startStack({ root: ROOT, port, secretsManagerPort: 0, log: (entry) => requests.push(entry) });
  return { ...stack, base: stack.url, frontend: stack.frontendUrl, port, requests };
}

/** One request as the browser made it and what came back (or why nothing did). */
export interface NetworkEntry {
  readonly url: string;
  readonly method: string;
  readonly resourceType: string;
  readonly navigation: boolean;
  /** The headers the browser sent, `cookie` included. */
  readonly requestHeaders: Record<string, string>;
  /** `undefined` when the request failed (`failure` says why). */
  readonly status: number | undefined;
  readonly responseHeaders: Record<string, string>;
  readonly failure: string | undefined;
}

/**
 * The browser's network traffic, from Playwright's `response` and `requestfailed` events on the whole
 * context (every page, every redirect hop), with the headers actually sent and received.
 */
export class NetworkLog {
  readonly entries: NetworkEntry[] = [];
  private readonly pending = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];

  constructor(context: BrowserContext) {
    context.on('response', (response) => this.track(this.fromResponse(response)));
    context.on('requestfailed', (request) => this.track(this.fromFailure(request)));
  }

  private track(work: Promise<NetworkEntry>): void {
    const done = work.then(
      (entry) => {
        this.entries.push(entry);
        for (const wake of this.waiters.splice(0)) wake();
      },
      () => {
        // The page went away while its headers were read: nothing to log.
      },
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private async fromResponse(response: Response): Promise<NetworkEntry> {
    const request = response.request();
    const [requestHeaders, responseHeaders] = await Promise.all([request.allHeaders(), response.allHeaders()]);
    return {
      url: request.url(),
      method: request.method(),
      resourceType: request.resourceType(),
      navigation: request.isNavigationRequest(),
      requestHeaders,
      status: response.status(),
      responseHeaders,
      failure: undefined,
    };
  }

  private async fromFailure(request: Request): Promise<NetworkEntry> {
    return {
      url: request.url(),
      method: request.method(),
      resourceType: request.resourceType(),
      navigation: request.isNavigationRequest(),
      requestHeaders: await request.allHeaders(),
      status: undefined,
      responseHeaders: {},
      failure: request.failure()?.errorText ?? 'failed',
    };
  }

  /** Every request made so far to `url` (absolute, query included), once its headers are logged. */
  async to(url: string): Promise<NetworkEntry[]> {
    await this.settled();
    return this.entries.filter((entry) => entry.url === url);
  }

  /** The one request made so far to `url`; throws when there were none or several. */
  async only(url: string): Promise<NetworkEntry> {
    const found = await this.to(url);
    if (found.length !== 1) throw new Error(`expected one request to ${url}, the browser made ${found.length}`);
    return found[0] as NetworkEntry;
  }

  /** Resolves once `count` logged requests satisfy `match`; rejects after `timeoutMs`. */
  async waitFor(match: (entry: NetworkEntry) => boolean, count = 1, timeoutMs = 20_000): Promise<NetworkEntry[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.entries.filter(match);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the browser made ${found.length} of ${count} expected requests`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until every event seen so far is logged. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** Forgets every request made so far. */
  async clear(): Promise<void> {
    await this.settled();
    this.entries.length = 0;
  }
}

/** A request the browser refused to hand to the page for want of CORS permission, in Chromium's words. */
export interface CorsRefusal {
  readonly method: string;
  readonly url: string;
  /** Chromium's reason, e.g. `PreflightMissingAllowOriginHeader`, `MissingAllowOriginHeader`. */
  readonly corsError: string;
}

/** An answer as it reached the browser, before any CORS check (preflights included). */
export interface RawAnswer {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Record<string, string>;
}

/**
 * Chromium's own account of CORS, through the DevTools protocol (Playwright's events show neither
 * preflights nor why a request failed): each refusal with its reason, and every raw answer. The
 * protocol's events come from several processes in no fixed order, so they are joined by request id
 * when asked for, and the questions wait until the answer is in.
 */
export class CorsWatch {
  private readonly sent = new Map<string, { method: string; url: string }>();
  private readonly raw = new Map<string, { status: number; headers: Record<string, string> }>();
  private readonly failed = new Map<string, string>();

  private constructor() {}

  static async on(page: Page): Promise<CorsWatch> {
    const watch = new CorsWatch();
    const cdp = await page.context().newCDPSession(page);
    cdp.on('Network.requestWillBeSent', ({ requestId, request }) =>
      watch.sent.set(requestId, { method: request.method, url: request.url }),
    );
    cdp.on('Network.responseReceivedExtraInfo', ({ requestId, statusCode, headers }) =>
      watch.raw.set(requestId, {
        status: statusCode,
        headers: Object.fromEntries(
          Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
        ),
      }),
    );
    cdp.on('Network.loadingFailed', ({ requestId, corsErrorStatus }) => {
      if (corsErrorStatus !== undefined) watch.failed.set(requestId, corsErrorStatus.corsError);
    });
    await cdp.send('Network.enable');
    return watch;
  }

  private async find<T>(what: string, look: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = look();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`Chromium reported no ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private ids(method: string, url: string): string[] {
    return [...this.sent].filter(([, r]) => r.method === method && r.url === url).map(([id]) => id);
  }

  /** The refusal of `method url`, once Chromium reported it. */
  refusal(method: string, url: string, timeoutMs = 10_000): Promise<CorsRefusal> {
    return this.find(
      `CORS refusal of ${method} ${url}`,
      () => {
        const id = this.ids(method, url).find((candidate) => this.failed.has(candidate));
        return id === undefined ? undefined : { method, url, corsError: this.failed.get(id) as string };
      },
      timeoutMs,
    );
  }

  /** The raw answer to `method url` (a preflight is `OPTIONS`), once Chromium reported it. */
  answer(method: string, url: string, timeoutMs = 10_000): Promise<RawAnswer> {
    return this.find(
      `answer to ${method} ${url}`,
      () => {
        const id = this.ids(method, url).find((candidate) => this.raw.has(candidate));
        const raw = id === undefined ? undefined : this.raw.get(id);
        return raw === undefined ? undefined : { method, url, ...raw };
      },
      timeoutMs,
    );
  }
}

/** True when the request carried the CloudFront cookies (the Key-Pair-Id one names the signing key). */
export function carriesCloudFrontCookies(entry: NetworkEntry): boolean {
  return /(?:^|;\s*)CloudFront-Key-Pair-Id=/.test(entry.requestHeaders.cookie ?? '');
}

/** What the assertions compare about a request: where it went, what came back, whether the cookies went along. */
export function summary(entry: NetworkEntry): { url: string; status: number | undefined; cookies: boolean } {
  return { url: entry.url, status: entry.status, cookies: carriesCloudFrontCookies(entry) };
}

export interface Browser {
  readonly context: BrowserContext;
  readonly network: NetworkLog;
  /** Console lines of every page, for the artifacts of a failed test. */
  readonly console: string[];
  close(): Promise<void>;
}

/** Debian's Chromium with the known-good flags and a profile of its own, removed on close. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests drive Debian's Chromium, and ${CHROMIUM} is missing: apt-get install -y chromium`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'edgepass-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const lines: string[] = [];
  context.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
  context.on('weberror', (error) => lines.push(`pageerror: ${error.error().message}`));
  return {
    context,
    network: new NetworkLog(context),
    console: lines,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * For a failed test: a screenshot of every open page, the network log, the console and the stack's
 * request log, under test-results/browser/<file>--<test>.*.
 */
export async function keepArtifactsIfFailed(
  context: TestContext,
  browser: Browser | undefined,
  stack: LocalStack | undefined,
): Promise<void> {
  if (context.task.result?.state !== 'fail') return;
  const file = basename(context.task.file.name).replace(/\.test\.ts$/, '');
  const name = `${file}--${context.task.name}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 150);
  mkdirSync(ARTIFACTS, { recursive: true });
  if (browser !== undefined) {
    const pages = browser.context.pages().filter((page) => page.url() !== 'about:blank');
    for (const [index, page] of pages.entries()) {
      const path = join(ARTIFACTS, `${name}${index === 0 ? '' : `-${index + 1}`}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => {});
    }
    await browser.network.settled();
    writeFileSync(join(ARTIFACTS, `${name}.network.json`), `${JSON.stringify(browser.network.entries, null, 2)}\n`);
    writeFileSync(join(ARTIFACTS, `${name}.console.txt`), `${browser.console.join('\n')}\n`);
  }
  if (stack !== undefined) {
    const lines = stack.requests.map((r) =>
      [r.method, r.path, r.via, r.decision ?? '', r.reason ?? '', r.status, `${r.ms.toFixed(1)} ms`].join('\t'),
    );
    writeFileSync(join(ARTIFACTS, `${name}.stack.log`), `${lines.join('\n')}\n`);
  }
}

/** The few DOM members the tests read inside pages (the project's tsconfig has no DOM library). */
interface PageGlobals {
  readonly document: {
    querySelector(selector: string): { readonly currentTime?: number } | null;
  };
}

/** Resolves once the `<video>` matching `selector` has played past `seconds`. */
export async function waitForPlayback(page: Page, selector: string, seconds = 1, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(
    ([css, past]) => ((globalThis as unknown as PageGlobals).document.querySelector(css)?.currentTime ?? 0) > past,
    [selector, seconds] as const,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** The `<video>`'s current playback position. */
export function currentTime(page: Page, selector: string): Promise<number> {
  return page.evaluate(
    (css) => (globalThis as unknown as PageGlobals).document.querySelector(css)?.currentTime ?? 0,
    selector,
  );
}

/** Clicks a dev user on the login page the browser is on (once the page has listed them). */
export async function pickUserOnLoginPage(page: Page, user: string): Promise<void> {
  await page.locator(`#users[data-state="ready"] button[data-user="${user}"]`).click();
}

export interface Session {
  readonly stack: LocalStack;
  readonly browser: Browser;
  readonly network: NetworkLog;
  /** A new page for each test, in the file's one context. */
  readonly page: Page;
}

/**
 * The hooks of a browser test file: one stack and one Chromium (fresh profile) for the file, a new
 * page per test, and after each test the artifacts of a failure, then no page, no cookies, no cache
 * and empty logs left for the next one. `withBrowser: false` for a file that only needs the stack.
 */
export function useStackAndBrowser(options: { readonly withBrowser?: boolean } = {}): Session {
  const withBrowser = options.withBrowser ?? true;
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    stack = await startLocalStack();
    if (withBrowser) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    stack?.requests.splice(0);
    if (browser !== undefined) page = await browser.context.newPage();
  });
  afterEach(async (context) => {
    await keepArtifactsIfFailed(context, browser, stack);
    if (browser !== undefined && page !== undefined && !page.isClosed()) {
      // The next test starts as a new visitor: no cookies, nothing cached (a cached playlist would be
      // revalidated into a 304), no log lines of this one.
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
      await page.close();
      await browser.context.clearCookies();
      await browser.network.clear();
      browser.console.splice(0);
    }
    page = undefined;
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not running (beforeAll failed, or the file has none)`);
    return value;
  };
  return {
    get stack() {
      return ready(stack, 'the stack');
    },
    get browser() {
      return ready(browser, 'the browser');
    },
    get network() {
      return ready(browser, 'the browser').network;
    },
    get page() {
      return ready(page, 'the page');
    },
  };
}
