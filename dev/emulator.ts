import type { IncomingMessage, ServerResponse } from 'node:http';
import { cloudFrontErrorXml, errorXml } from '../shared/cloudfront/denial';
import { compileGlob, matchGlob } from '../shared/cloudfront/glob';
import { createKeyGroup } from '../shared/cloudfront/key-group';
import { verifySignedRequest } from '../shared/cloudfront/verify';
import { type Behaviour, distributionBehaviours } from '../shared/config/behaviours';
import type { EdgepassConfig } from '../shared/config/schema';
import { corsHeaders, preflightHeaders } from '../shared/regional/cors';
import type { LoadedEdgeHandler, LoadedHandler } from './bundles';
import type { LoadedFunction } from './cloudfront-functions-runtime';
import { type CloudFrontFunctionResult, functionRequestEvent } from './function-event';
import type { HttpApiResult } from './http-api-event';
import { httpApiEvent, readBody, sendHttpApiResult } from './http-api-event';
import type { DevIdentityProvider } from './identity-provider';
import { TOKEN_LIFETIME } from './identity-provider';
import type { Origin } from './origin';
import { clientIpOf, nodeHeaders, splitTarget, type ViewerRequestResult, viewerRequestEvent } from './viewer-event';

/**
 * The CloudFront emulator: one HTTP server with the distribution's behaviours from the one
 * configuration (`distributionBehaviours`, as `serverless deploy` creates them with the S3 origin).
 * `/auth/*` and `/api/*` run the built login and URL-issuer handlers through API Gateway payload 2.0
 * events; `trustedKeyGroupPaths` run CloudFront's own key-group check and then the origin; public
 * paths go to the origin directly; every other path runs the built viewer-request bundle on a real
 * Lambda@Edge event, and what the gate forwards is exactly what the origin gets. Optionally it also
 * runs CloudFront's own trusted-key-group check on the gated behaviours, before or after the gate
 * (CloudFront does not document the order). With `functionGate` configured, its behaviours run the
 * built CloudFront Function instead, in the cloudfront-js-2.0 stand-in, on a CloudFront Functions event. The dev identity provider's routes exist only here.
 */

/** CloudFront's own signed-URL/cookie check on the gated behaviours, and when it runs. */
export type KeyGroupCheck = 'off' | 'before' | 'after';

/** What answered a request, for its log line. */
type Answered = Pick<RequestLogEntry, 'via' | 'decision' | 'reason' | 'status'>;

/** One line of the stack's request log. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  /**
   * Which part answered: the gate (or the CloudFront Function) and the origin, CloudFront's own
   * key-group check, the HTTP API, the origin on a public behaviour (no gate), the dev IdP, or
   * CloudFront itself (a method the behaviour does not allow, a loopback address as host).
   */
  readonly via: 'gate' | 'function' | 'key-group' | 'api' | 'public' | 'dev' | 'cloudfront';
  readonly decision?: string | undefined;
  readonly reason?: string | undefined;
  readonly status: number;
  readonly ms: number;
}

export interface EmulatorOptions {
  readonly config: EdgepassConfig;
  /** `localhost:PORT`: the distribution's host name. */
  readonly host: string;
  readonly edge: LoadedEdgeHandler;
  /** The built CloudFront Function with its KeyValueStore, for the paths of `config.functionGate`. */
  readonly cloudFrontFunction?: LoadedFunction | undefined;
  readonly login: LoadedHandler;
  readonly sign: LoadedHandler;
  readonly origin: Origin;
  readonly idp: DevIdentityProvider;
  readonly keyGroupCheck: KeyGroupCheck;
  readonly log: (entry: RequestLogEntry) => void;
}

/** Other spellings of this machine's loopback address, redirected to `localhost:PORT`. */
const LOOPBACK_ALIAS = /^(127(\.\d{1,3}){1,3}|0\.0\.0\.0|0|\[::1\]|\[::\]|localhost\.)(:\d{1,5})?$/;

/** The dev identity provider's routes (this stack only; never part of a deployment). */
const isDevRoute = (path: string): boolean => path === '/.well-known/jwks.json' || path.startsWith('/dev/');

/** CloudFront's page for a method a behaviour does not allow. */
const METHOD_NOT_ALLOWED =
  '<html><head><title>403 ERROR</title></head><body><h1>403 ERROR</h1><p>The request could not be satisfied.</p>' +
  '<p>This distribution is not configured to allow the HTTP request method that was used for this request. ' +
  'The distribution supports only cachable requests.</p></body></html>\n';

/** The HTTP API's routes (serverless.yml): method and path → function. */
const API_ROUTES: readonly { method: string; path: RegExp; fn: 'login' | 'sign'; route: string }[] = [
  { method: 'POST', path: /^\/auth\/(login|refresh|logout)$/, fn: 'login', route: 'POST /auth/{action}' },
  { method: 'OPTIONS', path: /^\/auth\/.+$/, fn: 'login', route: 'OPTIONS /auth/{proxy+}' },
  { method: 'POST', path: /^\/api\/sign$/, fn: 'sign', route: 'POST /api/sign' },
  { method: 'OPTIONS', path: /^\/api\/sign$/, fn: 'sign', route: 'OPTIONS /api/sign' },
];

/**
 * The path CloudFront matches behaviours on: unreserved escapes decoded and dot segments removed (the
 * gate itself still sees the raw spelling).
 */
export function behaviourPath(uri: string): string {
  // Only escapes of unreserved characters are decoded (RFC 3986 normalisation): `%2F` stays in its segment.
  const path = uri.replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : encoded;
  });
  const out: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(
    res,
    status,
    { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    JSON.stringify(body),
  );
}

/** The request listener of the emulated distribution. */
export function createEmulator(options: EmulatorOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { config } = options;
  const behaviours = distributionBehaviours(config).map((behaviour) => ({
    ...behaviour,
    glob: compileGlob(behaviour.pathPattern === '*' ? '/*' : behaviour.pathPattern, true),
  }));
  const keyGroup = createKeyGroup(config.keyGroup.map((key) => ({ id: key.id, publicKey: key.publicKey as string })));
  let sequence = 0;
  /**
   * The gate's log lines by request id: requests that arrive together (HTTP pipelining, one TCP chunk)
   * all run the gate before any of them reads its line, so each takes its own, never the last one.
   */
  const lineFinder = (takeLogs: () => string[]) => {
    const lines = new Map<string, string>();
    return (requestId: string): string | undefined => {
      for (const line of takeLogs()) {
        const id = (JSON.parse(line) as { requestId?: string }).requestId;
        if (id !== undefined && lines.size < 10_000) lines.set(id, line);
      }
      const own = lines.get(requestId);
      lines.delete(requestId);
      return own;
    };
  };
  const gateLine = lineFinder(() => options.edge.takeLogs());
  const functionLine = lineFinder(() => options.cloudFrontFunction?.takeLogs() ?? []);
  if (options.cloudFrontFunction === undefined && behaviours.some((b) => b.gate === 'cloudfront-function')) {
    throw new Error('functionGate is configured: the emulator needs the built CloudFront Function');
  }

  /** The behaviour for a path already decoded by `behaviourPath`. */
  const behaviourFor = (path: string): Behaviour =>
    behaviours.find((behaviour) => matchGlob(behaviour.glob, path)) ?? (behaviours.at(-1) as Behaviour);

  /** CloudFront's response headers policy on the content: CORS with credentials for the configured origins. */
  const cors = (req: IncomingMessage): Record<string, string> => corsHeaders(req.headers.origin, config.cors);

  /** CloudFront's own check of signed URLs and cookies against the key group. */
  const keyGroupDenial = (req: IncomingMessage, uri: string, querystring: string, cookies: string[]) => {
    const url = `${config.scheme}://${options.host}${uri}${querystring === '' ? '' : `?${querystring}`}`;
    const decision = verifySignedRequest(
      { url, cookie: cookies, clientIp: clientIpOf(req) },
      { now: Math.floor(Date.now() / 1000), keyGroup },
    );
    return decision.allowed ? undefined : decision;
  };

  /** CloudFront's own key-group check: its 403 when the credentials fail, `undefined` when they pass. */
  const keyGroupRefusal = (
    req: IncomingMessage,
    res: ServerResponse,
    uri: string,
    querystring: string,
    cookies: string[],
  ): Answered | undefined => {
    const denial = keyGroupDenial(req, uri, querystring, cookies);
    if (denial === undefined) return undefined;
    send(res, 403, { 'content-type': 'text/xml', ...cors(req) }, cloudFrontErrorXml(denial.code));
    return { via: 'key-group', decision: 'deny', reason: denial.reason, status: 403 };
  };

  /** What CloudFront forwards, answered by the origin, with the response headers policy's CORS. */
  const toOrigin = (
    req: IncomingMessage,
    res: ServerResponse,
    uri: string,
    headers: { range: string | undefined; 'if-none-match': string | undefined },
  ): number => {
    for (const [name, value] of Object.entries(cors(req))) res.setHeader(name, value);
    return options.origin.serve({ method: req.method ?? 'GET', uri, headers }, res);
  };

  /** The part and its decision, from the gate's or the function's log line for this request. */
  const loggedDecision = <V extends 'gate' | 'function'>(via: V, line: string | undefined) => {
    const logged =
      line === undefined ? {} : (JSON.parse(line) as { decision?: string; reason?: string; detail?: string });
    return { via, decision: logged.decision, reason: logged.detail ?? logged.reason };
  };

  async function dev(req: IncomingMessage, res: ServerResponse, path: string): Promise<RequestLogEntry['status']> {
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS') {
      const headers = preflightHeaders(origin, config.cors);
      send(
        res,
        204,
        headers['access-control-allow-origin'] === undefined
          ? headers
          : { ...headers, 'access-control-allow-methods': 'GET, POST, OPTIONS' },
        '',
      );
      return 204;
    }
    const headers = corsHeaders(origin, config.cors);
    if (path === '/.well-known/jwks.json' && req.method === 'GET') {
      json(res, 200, options.idp.jwks, headers);
      return 200;
    }
    if (path === '/dev/stats' && req.method === 'GET') {
      // With `node --expose-gc` the heap is collected first, so heapUsed is what is kept, not garbage.
      (globalThis as { gc?: () => void }).gc?.();
      const { heapUsed, rss } = process.memoryUsage();
      json(
        res,
        200,
        { requests: sequence, signatureVerifications: options.edge.signatureVerifications(), heapUsed, rss },
        headers,
      );
      return 200;
    }
    if (path === '/dev/users' && req.method === 'GET') {
      json(res, 200, { users: options.idp.users }, headers);
      return 200;
    }
    if (path === '/dev/token' && req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) {
        json(
          res,
          413,
          { error: { code: 'PAYLOAD_TOO_LARGE', message: 'send {"user":"ada"}' } },
          { ...headers, connection: 'close' },
        );
        return 413;
      }
      let request: { user?: unknown; expiresIn?: unknown } = {};
      try {
        request = (JSON.parse(body.toString('utf8')) ?? {}) as typeof request;
      } catch {
        // answered below
      }
      const expiresIn = request.expiresIn ?? TOKEN_LIFETIME.default;
      if (
        typeof request.user !== 'string' ||
        typeof expiresIn !== 'number' ||
        !Number.isInteger(expiresIn) ||
        expiresIn < TOKEN_LIFETIME.min ||
        expiresIn > TOKEN_LIFETIME.max
      ) {
        json(
          res,
          400,
          {
            error: {
              code: 'BAD_REQUEST',
              message: `send {"user":"ada"} (optionally "expiresIn": ${TOKEN_LIFETIME.min}–${TOKEN_LIFETIME.max} seconds)`,
            },
          },
          headers,
        );
        return 400;
      }
      const minted = await options.idp.mint(request.user, expiresIn);
      if (minted === undefined) {
        json(
          res,
          404,
          {
            error: {
              code: 'UNKNOWN_USER',
              message: `no demo user ${JSON.stringify(request.user.slice(0, 40))}; see GET /dev/users`,
            },
          },
          headers,
        );
        return 404;
      }
      json(res, 200, minted, headers);
      return 200;
    }
    json(res, 404, { error: { code: 'NOT_FOUND', message: `${req.method} ${path} is not a dev route` } }, headers);
    return 404;
  }

  async function api(req: IncomingMessage, res: ServerResponse, uri: string, requestId: string): Promise<number> {
    const route = API_ROUTES.find((candidate) => candidate.method === req.method && candidate.path.test(uri));
    if (route === undefined) {
      // API Gateway's own answer for a route it does not have.
      json(res, 404, { message: 'Not Found' });
      return 404;
    }
    const body = await readBody(req);
    if (body === undefined) {
      json(res, 413, { message: 'Request Entity Too Large' }, { connection: 'close' });
      return 413;
    }
    const handler = route.fn === 'login' ? options.login : options.sign;
    const result = (await handler.handler(httpApiEvent(req, body, route.route, requestId))) as HttpApiResult;
    handler.takeLogs();
    sendHttpApiResult(res, result);
    return result.statusCode ?? 200;
  }

  /** A behaviour guarded by the CloudFront Function: its answer, or what it forwards to the origin. */
  async function functionGated(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<Answered> {
    const fn = options.cloudFrontFunction as LoadedFunction;
    const { uri } = splitTarget(req.url);
    const result = (await fn.run(functionRequestEvent(req, options.host, requestId))) as CloudFrontFunctionResult;
    const decision = loggedDecision('function', functionLine(requestId));
    const headers = result.headers ?? {};
    if (result.statusCode !== undefined) {
      const out: Record<string, string> = {};
      for (const [name, entry] of Object.entries(headers)) out[name] = entry.value;
      const body =
        result.body === undefined
          ? ''
          : typeof result.body === 'string'
            ? result.body
            : result.body.encoding === 'base64'
              ? Buffer.from(result.body.data, 'base64')
              : result.body.data;
      res.writeHead(result.statusCode, { ...out, ...cors(req), 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
      return { ...decision, status: result.statusCode };
    }
    const status = toOrigin(req, res, result.uri ?? uri, {
      range: headers.range?.value,
      'if-none-match': headers['if-none-match']?.value,
    });
    return { ...decision, status };
  }

  async function gated(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<Answered> {
    const { uri, querystring } = splitTarget(req.url);
    const event = viewerRequestEvent(req, options.host, requestId);
    const cookies = (event.Records[0].cf.request.headers.cookie ?? []).map((header) => header.value);
    if (options.keyGroupCheck === 'before') {
      const refused = keyGroupRefusal(req, res, uri, querystring, cookies);
      if (refused !== undefined) return refused;
    }
    const result = (await options.edge.handler(event)) as ViewerRequestResult;
    const decision = loggedDecision('gate', gateLine(requestId));
    if (result.status !== undefined) {
      const status = Number(result.status);
      const headers = nodeHeaders(result.headers);
      const body =
        result.body === undefined
          ? ''
          : result.bodyEncoding === 'base64'
            ? Buffer.from(result.body, 'base64')
            : result.body;
      res.writeHead(status, { ...headers, ...cors(req), 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
      return { ...decision, status };
    }
    const forwarded = { uri: result.uri ?? uri, querystring: result.querystring ?? '', headers: result.headers ?? {} };
    if (options.keyGroupCheck === 'after') {
      const cookiesLeft = (forwarded.headers.cookie ?? []).map((header) => header.value);
      const refused = keyGroupRefusal(req, res, forwarded.uri, forwarded.querystring, cookiesLeft);
      if (refused !== undefined) return refused;
    }
    const status = toOrigin(req, res, forwarded.uri, {
      range: forwarded.headers.range?.[0]?.value,
      'if-none-match': forwarded.headers['if-none-match']?.[0]?.value,
    });
    return { ...decision, status };
  }

  /** A behaviour without the gate: CloudFront's own key-group check when it has one, then the origin. */
  function ungated(req: IncomingMessage, res: ServerResponse, trustedKeyGroup: boolean): Answered {
    const { uri, querystring } = splitTarget(req.url);
    if (trustedKeyGroup) {
      const cookie = req.headers.cookie;
      const refused = keyGroupRefusal(req, res, uri, querystring, cookie === undefined ? [] : [cookie]);
      if (refused !== undefined) return refused;
    }
    // CloudFront forwards neither the query nor cookies to S3 under the content's cache policy.
    const status = toOrigin(req, res, uri, { range: req.headers.range, 'if-none-match': req.headers['if-none-match'] });
    return trustedKeyGroup ? { via: 'key-group', decision: 'allow', reason: 'ok', status } : { via: 'public', status };
  }

  return (req, res) => {
    const started = performance.now();
    const requestId = `local-${(++sequence).toString(36)}-${Date.now().toString(36)}`;
    const { uri } = splitTarget(req.url);
    const path = behaviourPath(uri);
    const done = (entry: Answered) =>
      options.log({ method: req.method ?? 'GET', path: uri, ms: performance.now() - started, ...entry });
    const failed = (error: unknown) => {
      // A crash in a handler is CloudFront's 502 (LambdaExecutionError), never a hung request.
      if (!res.headersSent) {
        send(res, 502, { 'content-type': 'text/xml' }, errorXml('LambdaExecutionError', 'The Lambda function failed'));
      } else {
        res.destroy();
      }
      done({
        via: 'gate',
        decision: 'error',
        reason: error instanceof Error ? error.message.slice(0, 120) : 'error',
        status: 502,
      });
    };
    // Every Host header, joined as the gate reads them (Node's `headers.host` keeps only the first): two
    // of them name no host this stack answers to.
    const hostHeader = (req.headersDistinct.host ?? []).join('; ').toLowerCase();
    if (LOOPBACK_ALIAS.test(hostHeader) && (req.method === 'GET' || req.method === 'HEAD')) {
      // The distribution's name is localhost:PORT (cookies and signed URLs carry it): go there.
      send(res, 302, { location: `http://${options.host}${req.url ?? '/'}`, 'cache-control': 'no-store' }, '');
      done({ via: 'cloudfront', decision: 'redirect', reason: 'use-localhost', status: 302 });
      return;
    }
    const behaviour = isDevRoute(path) ? undefined : behaviourFor(path);
    if ((behaviour === undefined || behaviour.target === 'api') && hostHeader !== options.host) {
      // Only the gate checked Host: a page on another name that resolves here (DNS rebinding) could mint
      // dev tokens or call the API through a victim's browser. The distribution answers its own name only.
      json(res, 400, { error: { code: 'UNKNOWN_HOST', message: `this stack answers http://${options.host} only` } });
      done({ via: 'cloudfront', decision: 'reject', reason: 'unknown-host', status: 400 });
      return;
    }
    if (behaviour === undefined) {
      dev(req, res, path).then((status) => done({ via: 'dev', status }), failed);
      return;
    }
    if (behaviour.target === 'api') {
      api(req, res, uri, requestId).then((status) => done({ via: 'api', status }), failed);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // The content behaviours allow GET and HEAD only: CloudFront answers before any function runs.
      send(res, 403, { 'content-type': 'text/html' }, METHOD_NOT_ALLOWED);
      done({ via: 'cloudfront', decision: 'deny', reason: 'method-not-allowed', status: 403 });
      return;
    }
    if (!behaviour.gate) {
      try {
        done(ungated(req, res, behaviour.trustedKeyGroup));
      } catch (error) {
        failed(error);
      }
      return;
    }
    (behaviour.gate === 'cloudfront-function' ? functionGated : gated)(req, res, requestId).then(done, failed);
  };
}
