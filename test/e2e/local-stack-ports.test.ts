import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDev } from '../../dev/main';
import { startStack } from '../../dev/stack';
import { freePorts, portIsFree } from '../fixtures/free-ports';

/**
 * Ports the stack cannot have: refused with one line naming the variable, and nothing left listening.
 * A program on [::1]:PORT counts as the port in use: a browser resolving localhost to ::1 first would
 * reach it instead of the stack.
 */

const ROOT = join(__dirname, '..', '..');

function hold(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** runDev's exit code and what it wrote to stderr. */
async function dev(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await runDev({ ...env }), stderr };
  } finally {
    spy.mockRestore();
  }
}

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the local stack and its ports', () => {
  it.each(['0', ' 3000', '0x7A69', '65535', '3000.5', '-1'])('refuses PORT=%j with one line', async (value) => {
    const { code, stderr } = await dev({ PORT: value });
    expect(code).toBe(1);
    expect(stderr).toBe(`edgepass dev: PORT=${JSON.stringify(value)} is not a port number (1–65534)\n`);
  });

  it('refuses to start when another program holds [::1]:PORT, and leaves 127.0.0.1:PORT free', async () => {
    const port = await freePorts(2);
    held.push(await hold(port, '::1'));
    await expect(startStack({ root: ROOT, port, secretsManagerPort: 0 })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect(await portIsFree(port)).toBe(true);
  });

  it('names the frontend when PORT + 1 is the port in use', async () => {
    const port = await freePorts(3);
    held.push(await hold(port + 1, '127.0.0.1'));
    const { code, stderr } = await dev({ PORT: String(port), SECRETS_MANAGER_PORT: String(port + 2) });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `edgepass dev: port ${port + 1} (the frontend, PORT + 1) is in use; stop what holds it or set PORT to another port\n`,
    );
    expect(await portIsFree(port)).toBe(true);
    expect(await portIsFree(port + 2)).toBe(true);
  });
});
