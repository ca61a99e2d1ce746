import { type ChildProcess, spawn } from 'node:child_process';
import { get, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, portIsFree } from '../fixtures/free-ports';

/**
 * `npm start` as a user runs it: a child process from the repository, driven from the outside over
 * HTTP, then stopped with SIGINT to its whole process group (what Ctrl-C does), leaving no process
 * and no listening port behind.
 */

const ROOT = join(__dirname, '..', '..');

let stack: ChildProcess;
let output = '';
let port: number;
let base: string;

function waitFor(pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} after ${ms} ms:\n${output}`)), ms);
    const check = () => {
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve();
      } else {
        setTimeout(check, 50);
      }
    };
    check();
  });
}

beforeAll(async () => {
  port = await freePorts(3);
  base = `http://localhost:${port}`;
  stack = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      SECRETS_MANAGER_PORT: String(port + 2),
      npm_config_update_notifier: 'false',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  stack.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  await waitFor(/edgepass dev: ready on/, 60_000);
}, 90_000);

afterAll(() => {
  if (stack.pid !== undefined && stack.exitCode === null) {
    try {
      process.kill(-stack.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A small browser-like cookie jar: cookies by name and Path, sent where their Path applies. */
const cookieJar = new Map<string, { name: string; value: string; path: string }>();
function remember(response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(/;\s*/);
    const [name = '', value = ''] = (pair as string).split('=');
    const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    const key = `${name} ${path}`;
    if (value === '') cookieJar.delete(key);
    else cookieJar.set(key, { name, value, path });
  }
}
const cookieHeader = (path: string) =>
  [...cookieJar.values()]
    .filter((cookie) => path.startsWith(cookie.path))
    .sort((a, b) => b.path.length - a.path.length)
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .join('; ');

describe('npm start, from the outside', () => {
  it('prints the URLs to open and the demo users', () => {
    expect(output).toContain(`${base}/videos/`);
    expect(output).toMatch(/ada\s+premium/);
    expect(output).toMatch(/bob\s+member/);
  });

  it('serves the public landing page and sends a browser without cookies to the login page', async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    const page = await fetch(`${base}/videos/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?return_to=%2Fvideos%2F');
    const segment = await fetch(`${base}/videos/hls/index.m3u8`);
    expect(segment.status).toBe(403);
    expect(await segment.text()).toContain('<Code>MissingKey</Code>');
  });

  it('logs in with a dev token, then serves the protected stream with the cookies', async () => {
    const users = (await (await fetch(`${base}/dev/users`)).json()) as { users: { user: string }[] };
    expect(users.users.map((u) => u.user)).toEqual(['ada', 'bob', 'eve']);
    const { token } = (await (
      await fetch(`${base}/dev/token`, { method: 'POST', body: JSON.stringify({ user: 'ada' }) })
    ).json()) as { token: string };
    const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(login.status).toBe(200);
    remember(login);
    expect(cookieJar.get('CloudFront-Key-Pair-Id /videos/')?.value).toBe('KLOCALDEVKEY01');
    for (const path of ['/videos/', '/videos/hls/index.m3u8', '/videos/hls/media.m3u8', '/videos/hls/seg0.ts']) {
      const response = await fetch(`${base}${path}`, { headers: { cookie: cookieHeader(path) } });
      expect(response.status, path).toBe(200);
    }
    // fetch would resolve %2e%2e itself (WHATWG URL); send the bytes as an attacker would.
    const respelled = await new Promise<number>((resolve, reject) => {
      get(
        {
          host: '127.0.0.1',
          port,
          path: '/videos/free/%2e%2e/hls/seg0.ts',
          headers: { host: `localhost:${port}`, cookie: cookieHeader('/videos/') },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      ).on('error', reject);
    });
    expect(respelled).toBe(400);
  });

  it('signs URLs for an API client, which downloads them without cookies', async () => {
    const { token } = (await (
      await fetch(`${base}/dev/token`, { method: 'POST', body: JSON.stringify({ user: 'ada' }) })
    ).json()) as { token: string };
    const signed = await fetch(`${base}/api/sign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ paths: ['/videos/hls/seg1.ts'] }),
    });
    expect(signed.status).toBe(200);
    const { urls } = (await signed.json()) as { urls: { url: string }[] };
    const url = urls[0]?.url ?? '';
    expect(url.startsWith(`${base}/videos/hls/seg1.ts?Expires=`)).toBe(true);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('logs out by expiring the cookies', async () => {
    const logout = await fetch(`${base}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookieHeader('/auth/') },
      body: '{}',
    });
    expect(logout.status).toBe(200);
    remember(logout);
    expect(cookieJar.size).toBe(0);
  });

  it('logs one line per request with the gate’s decision', () => {
    expect(output).toMatch(/GET\s+\/videos\/hls\/seg0\.ts\s+gate allow ok\s+200/);
    expect(output).toMatch(/GET\s+\/videos\/free\/%2e%2e\/hls\/seg0\.ts\s+gate reject encoded-unreserved\s+400/);
    expect(output).toMatch(/POST\s+\/auth\/login\s+api\s+200/);
  });

  it('logs each of two pipelined requests with its own decision', async () => {
    // Both requests in one TCP write: the gate runs for both before either reads its log line.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        const head = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nAccept: */*\r\n\r\n`;
        // Two gated paths (a public one like /assets/* skips the gate), the second one seen nowhere else.
        socket.write(`${head('/reports/q3.pdf')}${head('/reports/%2e%2e/pipelined.pdf')}`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        // Done once the second answer's body is all there.
        const second = text.indexOf('HTTP/1.1 ', text.indexOf('HTTP/1.1 ') + 1);
        const length = Number(/content-length: (\d+)/i.exec(text.slice(second))?.[1] ?? Number.NaN);
        const body = text.indexOf('\r\n\r\n', second);
        if (second > 0 && body > 0 && Buffer.byteLength(text.slice(body + 4), 'latin1') >= length) socket.end();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    // The second status line follows the first body directly (no line break after the XML).
    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 403', 'HTTP/1.1 400']);
    await waitFor(/GET\s+\/reports\/%2e%2e\/pipelined\.pdf\s+gate reject encoded-unreserved\s+400/, 5000);
    expect(output).toMatch(/GET\s+\/reports\/q3\.pdf\s+gate deny missing-key-pair-id\s+403/);
  });

  it('answers what CloudFront answers before any function: other methods, a loopback address, 18 KB of headers', async () => {
    const post = await fetch(`${base}/videos/hls/seg0.ts`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(403);
    expect(await post.text()).toContain('not configured to allow the HTTP request method');
    const loopback = await fetch(`http://127.0.0.1:${port}/videos/?a=1`, { redirect: 'manual' });
    expect(loopback.status).toBe(302);
    expect(loopback.headers.get('location')).toBe(`${base}/videos/?a=1`);
    expect((await fetch(`http://127.1:${port}/`, { redirect: 'manual' })).headers.get('location')).toBe(`${base}/`);
    // The dev routes and the API answer the stack's own name only (DNS rebinding).
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/dev/token', method: 'POST', headers: { host: `rebind.example:${port}` } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{"user":"ada"}');
    });
    expect(rebound).toBe(400);
    // Two Host headers, the stack's own first: still not its name (Node alone would keep the first).
    const twoHosts = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `GET /dev/users HTTP/1.1\r\nHost: localhost:${port}\r\nHost: rebind.example\r\nConnection: close\r\n\r\n`,
        );
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(twoHosts.slice(0, 12)).toBe('HTTP/1.1 400');
    expect((await fetch(`${base}/dev/token`, { method: 'POST', body: 'null' })).status).toBe(400);
    // CloudFront takes 20,480 bytes of headers; Node's default would answer 431 at 16 KB.
    expect((await fetch(`${base}/`, { headers: { 'x-pad': 'p'.repeat(18_000) } })).status).toBe(200);
    await waitFor(/POST\s+\/videos\/hls\/seg0\.ts\s+cloudfront deny method-not-allowed\s+403/, 5000);
  });

  it('stops on SIGINT to its process group, leaving no process and no listening port', async () => {
    const pid = stack.pid as number;
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      stack.once('exit', (code, signal) => resolve({ code, signal })),
    );
    process.kill(-pid, 'SIGINT');
    // npm itself ends by the signal (a shell shows 130); the stack under it closes and says so.
    expect([
      { code: 0, signal: null },
      { code: null, signal: 'SIGINT' },
    ]).toContainEqual(await exited);
    await waitFor(/edgepass dev: stopped/, 5000);
    // Nothing is left in the process group…
    const gone = async () => {
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(-pid, 0);
        } catch {
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    };
    expect(await gone()).toBe(true);
    // …and every port is free again.
    for (const p of [port, port + 1, port + 2]) expect(await portIsFree(p), `port ${p}`).toBe(true);
  });
});
