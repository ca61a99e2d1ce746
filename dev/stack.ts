import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sessionKeyName } from '../shared/edge/session-token';
import { buildFunction, loadEdgeHandler, loadRegionalHandler } from './bundles';
import { createKeyValueStore, type LoadedFunction, loadCloudFrontFunction } from './cloudfront-functions-runtime';
import { createEmulator, type KeyGroupCheck, type RequestLogEntry } from './emulator';
import { createFrontend } from './frontend';
import { createDevIdentityProvider, type DevUser } from './identity-provider';
import { LOCAL_STAGE, prepareLocalFiles } from './local-config';
import { createOrigin } from './origin';
import { type LocalSecretsManager, startSecretsManager } from './secrets-manager';

/**
 * The whole system on localhost, in one process: the local Secrets Manager holding the dev signing
 * key, the built edge gate and regional handlers (the artifacts that deploy, with the `local` stage
 * baked in), the dev identity provider, the emulated distribution on PORT and the frontend origin on
 * PORT + 1. `close()` stops every server and leaves no port behind.
 */

export interface StackOptions {
  /** The checkout (holds edgepass.config.json, functions/, dev/site). */
  readonly root: string;
  /** The distribution's port; the frontend gets `port + 1`. Default 3000. */
  readonly port?: number;
  /** The local Secrets Manager's port (README's invoke-local commands use 4566). `0` picks a free one. */
  readonly secretsManagerPort?: number;
  readonly keyGroupCheck?: KeyGroupCheck;
  readonly log?: (entry: RequestLogEntry) => void;
}

export interface Stack {
  readonly url: string;
  readonly frontendUrl: string;
  readonly secretsManagerEndpoint: string;
  readonly users: readonly DevUser[];
  readonly secretsManager: LocalSecretsManager;
  close(): Promise<void>;
}

/** The dev signing key's CloudFront public key id (the `local` stage's key group). */
const LOCAL_KEY_ID = 'KLOCALDEVKEY01';
const LOCAL_SESSION_KEY_ID = 'SLOCALDEV01';

/** The CloudFront Function built for the local stage, loaded in the stand-in with the session key in its store. */
function loadLocalFunction(
  root: string,
  configFile: string,
  build: string,
  session: { readonly sessionKeyId: string; readonly sessionKey: string },
): LoadedFunction {
  const { buildCloudFrontFunction } = createRequire(join(root, 'package.json'))(
    './scripts/cloudfront-function.cjs',
  ) as typeof import('../scripts/cloudfront-function.cjs');
  const built = buildCloudFrontFunction({
    configFile,
    stage: LOCAL_STAGE,
    outfile: join(build, 'cloudfront-function.js'),
  });
  const store = createKeyValueStore({ [sessionKeyName(session.sessionKeyId)]: session.sessionKey });
  return loadCloudFrontFunction(readFileSync(built.outfile, 'utf8'), store);
}
/** The sample events' key, stored too so the README's `serverless invoke local` commands work. */
const SAMPLE_SECRET_ID = 'edgepass/dev/signing-key';
const SAMPLE_KEY_ID = 'KSAMPLEEVENTS01';

/** Listens on 127.0.0.1 (and on ::1 when the machine has it), so `localhost` works either way. */
async function listen(
  listener: RequestListener,
  port: number,
  onClientError?: (code: string) => void,
): Promise<Server[]> {
  const bind = (host: string) =>
    new Promise<Server>((resolve, reject) => {
      // CloudFront takes requests up to 20,480 bytes of headers (Node's default stops at 16 KB); API
      // Gateway gives a client 30 s to send its request.
      const server = createServer({ maxHeaderSize: 20_480, requestTimeout: 30_000 }, listener);
      server.keepAliveTimeout = 5000;
      server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
        // A client that went away (a browser or load generator closing its connections) is not a request.
        if (error.code === 'ECONNRESET') return void socket.destroy();
        onClientError?.(error.code ?? 'ERROR');
        if (socket.writable) {
          const status =
            error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
          socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        } else socket.destroy();
      });
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  const servers = [await bind('127.0.0.1')];
  try {
    servers.push(await bind('::1'));
  } catch (error) {
    // No IPv6 loopback here: 127.0.0.1 is enough. Anything else (another program on [::1]:PORT, which
    // a browser resolving localhost to ::1 first would reach) is a port in use.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRNOTAVAIL' && code !== 'EAFNOSUPPORT') {
      await closeAll(servers);
      throw error;
    }
  }
  return servers;
}

function closeAll(servers: readonly Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  ).then(() => undefined);
}

/**
 * Starts the local stack. Throws (before anything listens, or after closing what did) when the
 * configuration is wrong or a port is taken; the error names the field or the port.
 *
 * @example
 * const stack = await startStack({ root: process.cwd(), port: 3000 });
 * console.log(stack.url); // http://localhost:3000
 * await stack.close();
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const port = options.port ?? 3000;
  const host = `localhost:${port}`;
  const files = prepareLocalFiles(options.root, port);
  const { config } = files;
  const provider = config.identityProviders[0];
  if (provider === undefined) throw new Error(`stages.${LOCAL_STAGE} names no identity provider`);

  const secretsManager = await startSecretsManager({ port: options.secretsManagerPort ?? 4566, keepCalls: 50 });
  const servers: Server[] = [];
  try {
    // With functionGate: a session key for this start, in the secret (login) and the store (the function).
    const session =
      config.functionGate === undefined
        ? undefined
        : { sessionKeyId: LOCAL_SESSION_KEY_ID, sessionKey: randomBytes(32).toString('base64url') };
    secretsManager.put(
      config.signingSecretId,
      JSON.stringify({ keyPairId: LOCAL_KEY_ID, privateKey: files.signingKeyPem, ...session }),
    );
    const samplePem = readFileSync(join(options.root, 'events', 'sample-keys', 'private.pem'), 'utf8');
    secretsManager.put(SAMPLE_SECRET_ID, JSON.stringify({ keyPairId: SAMPLE_KEY_ID, privateKey: samplePem }));

    // What the regional functions read from their environment (Lambda sets the region; the SDK honours
    // the endpoint override; the credentials are dummies the local Secrets Manager accepts).
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.endpoint;
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

    const build = join(files.dir, 'build');
    const { buildEdgeBundle } = createRequire(join(options.root, 'package.json'))('./scripts/edge-bundle.cjs') as {
      buildEdgeBundle(o: { configFile: string; stage?: string; outfile: string }): { outfile: string };
    };
    const edge = loadEdgeHandler(
      buildEdgeBundle({ configFile: files.configFile, stage: LOCAL_STAGE, outfile: join(build, 'viewer-request.js') })
        .outfile,
    );
    const cloudFrontFunction =
      session === undefined ? undefined : loadLocalFunction(options.root, files.configFile, build, session);
    const login = loadRegionalHandler(buildFunction(options.root, 'login', files.configFile, LOCAL_STAGE, build));
    const sign = loadRegionalHandler(buildFunction(options.root, 'sign', files.configFile, LOCAL_STAGE, build));

    const idp = await createDevIdentityProvider({
      issuer: provider.issuer,
      audience: Array.isArray(provider.audience) ? (provider.audience[0] as string) : provider.audience,
      privateKeyPem: files.idpKeyPem,
    });
    const origin = createOrigin(join(options.root, 'dev', 'site'), {
      'assets/hls.min.js': join(options.root, 'node_modules', 'hls.js', 'dist', 'hls.min.js'),
    });
    const emulator = createEmulator({
      config,
      host,
      edge,
      cloudFrontFunction,
      login,
      sign,
      origin,
      idp,
      keyGroupCheck: options.keyGroupCheck ?? 'off',
      log: options.log ?? (() => {}),
    });
    const clientError = (code: string) =>
      options.log?.({
        method: '-',
        path: '(unreadable request)',
        via: 'cloudfront',
        decision: 'reject',
        reason: code,
        status: code === 'HPE_HEADER_OVERFLOW' ? 431 : 400,
        ms: 0,
      });
    servers.push(...(await listen(emulator, port, clientError)));
    const frontend = createFrontend(join(options.root, 'dev', 'frontend'), `http://${host}`);
    servers.push(...(await listen((req, res) => void frontend(req, res), port + 1)));

    return {
      url: `http://${host}`,
      frontendUrl: `http://localhost:${port + 1}`,
      secretsManagerEndpoint: secretsManager.endpoint,
      users: idp.users,
      secretsManager,
      close: () => Promise.all([closeAll(servers), secretsManager.close()]).then(() => undefined),
    };
  } catch (error) {
    await Promise.all([closeAll(servers), secretsManager.close()]);
    throw error;
  }
}
