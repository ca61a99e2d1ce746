import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedEdgeHandler, LoadedHandler } from '../../../dev/bundles';
import { createEmulator, type RequestLogEntry } from '../../../dev/emulator';
import type { DevIdentityProvider } from '../../../dev/identity-provider';
import { createOrigin } from '../../../dev/origin';
import { signUrl } from '../../../shared';
import { parseConfig } from '../../../shared/config/parse';
import { rsaKeyPair } from '../../fixtures/keys';

/**
 * The local stack's distribution has the deployed one's behaviours: public paths reach the origin
 * without the gate, key-group paths pass CloudFront's own check, everything else runs the gate.
 */

const key = rsaKeyPair();
const ROOT = join(__dirname, '..', '..', '..');
const gateCalls: string[] = [];
const log: RequestLogEntry[] = [];
let server: Server;
let base = '';

const unused: LoadedHandler = {
  outfile: 'unused.js',
  handler: async () => {
    throw new Error('not called');
  },
  takeLogs: () => [],
};

beforeAll(async () => {
  const edge: LoadedEdgeHandler = {
    outfile: 'stand-in-gate.js',
    // A stand-in gate that forwards everything, recording what reached it.
    handler: async (event) => {
      const request = (event as { Records: { cf: { request: { uri: string } } }[] }).Records[0]?.cf.request;
      gateCalls.push(request?.uri ?? '');
      return request;
    },
    takeLogs: () => [],
    signatureVerifications: () => 0,
  };
  server = createServer();
  // localhost: the emulator sends a loopback address to the distribution's name, localhost:PORT.
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const host = `localhost:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
  const config = parseConfig({
    domains: [host],
    scheme: 'http',
    protectedPaths: ['/videos/*'],
    publicPaths: ['/', '/assets/*'],
    trustedKeyGroupPaths: ['/reports/*'],
    keyGroup: [{ id: 'KTEST00000001', publicKey: key.publicPem }],
    signingSecretId: 'edgepass/test',
  });
  server.on(
    'request',
    createEmulator({
      config,
      host,
      edge,
      login: unused,
      sign: unused,
      origin: createOrigin(join(ROOT, 'dev', 'site')),
      idp: {} as DevIdentityProvider,
      keyGroupCheck: 'off',
      log: (entry) => log.push(entry),
    }),
  );
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the emulated distribution’s behaviours', () => {
  it('serves a public path from the origin without running the gate', async () => {
    const response = await fetch(`${base}/assets/app.css`);
    expect(response.status).toBe(200);
    expect(gateCalls).not.toContain('/assets/app.css');
    expect(log.at(-1)).toMatchObject({ via: 'public', status: 200 });
  });

  it('keeps the gate on a public path CloudFront cannot express on its own (/)', async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(gateCalls).toContain('/');
  });

  it('checks a key-group path against the key group itself: 403 without a signature, 200 with one', async () => {
    const denied = await fetch(`${base}/reports/q3.pdf`);
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('<Code>MissingKey</Code>');
    const url = signUrl(`${base}/reports/q3.pdf`, {
      keyPairId: 'KTEST00000001',
      privateKey: key.privatePem,
      expires: Math.floor(Date.now() / 1000) + 60,
    });
    const allowed = await fetch(url);
    expect(allowed.status).toBe(200);
    expect(log.at(-1)).toMatchObject({ via: 'key-group', decision: 'allow', status: 200 });
    expect(gateCalls.some((uri) => uri.startsWith('/reports/'))).toBe(false);
  });

  it('answers a method other than GET and HEAD with CloudFront’s 403 on public and key-group paths too', async () => {
    for (const path of ['/assets/app.css', '/reports/q3.pdf']) {
      const response = await fetch(`${base}${path}`, { method: 'POST', body: 'x' });
      expect(response.status, path).toBe(403);
      expect(log.at(-1), path).toMatchObject({ via: 'cloudfront', reason: 'method-not-allowed' });
    }
  });

  it('runs the gate on protected paths and the default behaviour', async () => {
    await fetch(`${base}/videos/index.html`);
    await fetch(`${base}/elsewhere`);
    expect(gateCalls).toEqual(expect.arrayContaining(['/videos/index.html', '/elsewhere']));
  });
});
