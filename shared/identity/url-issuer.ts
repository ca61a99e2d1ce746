import { z } from 'zod';
import { EdgepassError } from '../cloudfront/errors';
import { signUrls } from '../cloudfront/sign';
import type { SigningKey } from '../cloudfront/signing-key';
import { parseWhen } from '../cloudfront/when';
import { PATH_PROBLEM_TEXT, pathProblem } from '../edge/canonical-path';
import { type Grant, grantFor } from './access-policy';
import { credentialExpiresAt } from './credential-expiry';

/** Limits from the configuration that shape a sign request. */
export interface SignLimits {
  readonly maxPathsPerRequest: number;
  readonly defaultExpiresInSeconds: number;
  readonly maxExpiresInSeconds: number;
}

export interface SignRequest {
  readonly paths: readonly string[];
  readonly expiresIn: number;
  readonly ipAddress: string | undefined;
  readonly notBefore: string | number | undefined;
}

/**
 * Builds the validator for the body of `POST /api/sign` once per configuration:
 * `{"paths":["/videos/a.mp4",…],"expiresIn":3600,"ipAddress":"203.0.113.0/24","notBefore":"…"}`.
 * Unknown fields are refused so a typo (`expires_in`) cannot silently fall back to a default.
 */
export function createSignRequestParser(limits: SignLimits): (body: unknown) => SignRequest {
  const schema = z.strictObject({
    paths: z.array(z.string()).min(1).max(limits.maxPathsPerRequest),
    expiresIn: z.number().int().min(1).max(limits.maxExpiresInSeconds).optional(),
    ipAddress: z.string().max(64).optional(),
    notBefore: z.union([z.string().max(64), z.number().int()]).optional(),
  });
  return (body) => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.map(String).join('.') || 'body';
      const tooMany = issue?.code === 'too_big' && issue.path[0] === 'paths' && issue.path.length === 1;
      throw new EdgepassError(
        tooMany ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
        tooMany ? `at most ${limits.maxPathsPerRequest} paths per request` : `${where}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const { paths, expiresIn, ipAddress, notBefore } = parsed.data;
    return { paths, expiresIn: expiresIn ?? limits.defaultExpiresInSeconds, ipAddress, notBefore };
  };
}

/**
 * Longest path signed into a custom policy (`ipAddress` or `notBefore`): the URL is then both the
 * policy's Resource and, base64-encoded, the `Policy` param, so it is capped well below CloudFront's
 * 8,192-byte URL limit.
 */
export const MAX_CUSTOM_POLICY_PATH = 1024;

/** Characters copied as they are; everything else is percent-encoded as UTF-8 before the check. */
const PLAIN = /[A-Za-z0-9\-._~!$&'()+,;=:@/%]/;

/**
 * Turns a requested path into the exact bytes a client will send, or refuses it with a 400. `*`, `?`,
 * `#`, backslashes and control characters are refused outright (a caller must never inject a
 * wildcard or a query into a policy); spaces and non-ASCII are percent-encoded as UTF-8; the result
 * must then be canonical by the same rule the edge gate applies (`pathProblem`), so nothing is signed
 * that the gate would refuse or an origin could read as another path.
 *
 * @example
 * normaliseRequestPath('/videos/my clip.mp4') // '/videos/my%20clip.mp4'
 * normaliseRequestPath('/videos/../reports/q3.pdf') // throws BAD_REQUEST (dot-segment)
 */
export function normaliseRequestPath(path: string): string {
  const refuse = (why: string): never => {
    throw new EdgepassError('BAD_REQUEST', `path ${JSON.stringify(path.slice(0, 200))} ${why}`);
  };
  if (path.length === 0 || path.length > 2048) refuse('must be 1 to 2048 characters');
  if (/[*?#\\]/.test(path)) refuse('must not contain *, ?, # or a backslash');
  if (/[\x00-\x1f\x7f]/.test(path)) refuse('must not contain control characters');
  let out = '';
  for (const char of path) {
    if (PLAIN.test(char)) out += char;
    else if (/\p{Cs}/u.test(char)) refuse('holds a lone surrogate');
    else out += encodeURIComponent(char);
  }
  const problem = pathProblem(out);
  if (problem !== undefined) refuse(`${PATH_PROBLEM_TEXT[problem]} (${problem})`);
  return out;
}

export interface IssueUrlsOptions {
  readonly request: SignRequest;
  readonly grants: readonly Grant[];
  /** `scheme://host` of the protected content. */
  readonly origin: string;
  readonly keyPairId: string;
  readonly key: SigningKey;
  /** Epoch seconds. */
  readonly now: number;
  /** The JWT's `exp`: no URL outlives the identity that asked for it. */
  readonly tokenExpiresAt: number;
}

export interface SignedUrl {
  readonly path: string;
  readonly url: string;
  readonly expiresAt: number;
}

/**
 * Signs every requested path the caller's grants cover, each for `min(expiresIn, grant max TTL)`
 * and never past the token's `exp` (`credentialExpiresAt`: an expired token is `TOKEN_EXPIRED`).
 * Canned policies unless `ipAddress` or `notBefore` ask for custom ones. One path outside the grants
 * refuses the whole request (403), naming it.
 */
export function issueSignedUrls(options: IssueUrlsOptions): { urls: SignedUrl[] } {
  const { request, now } = options;
  const notBefore = request.notBefore === undefined ? undefined : parseWhen(String(request.notBefore), now);
  const custom = notBefore !== undefined || request.ipAddress !== undefined;
  const planned = request.paths.map((requested) => {
    const path = normaliseRequestPath(requested);
    if (custom && path.length > MAX_CUSTOM_POLICY_PATH) {
      // The URL becomes the policy's Resource, then the Policy param: keep signed URLs small for the edge.
      throw new EdgepassError(
        'BAD_REQUEST',
        `path ${JSON.stringify(path.slice(0, 64))}… is ${path.length} characters; with ipAddress or notBefore (a custom policy) at most ${MAX_CUSTOM_POLICY_PATH}`,
      );
    }
    const grant = grantFor(options.grants, path);
    if (grant === undefined) throw new EdgepassError('FORBIDDEN_RESOURCE', `path ${path} is outside your grants`);
    const ttlSeconds = Math.min(request.expiresIn, grant.maxTtlSeconds);
    return { path, expiresAt: credentialExpiresAt({ now, ttlSeconds, tokenExpiresAt: options.tokenExpiresAt }) };
  });
  // One signUrls call per expiry: options are validated once per group.
  const byExpiry = new Map<number, { path: string; index: number }[]>();
  planned.forEach(({ path, expiresAt }, index) => {
    const group = byExpiry.get(expiresAt) ?? [];
    group.push({ path, index });
    byExpiry.set(expiresAt, group);
  });
  const urls: SignedUrl[] = new Array(planned.length);
  for (const [expiresAt, group] of byExpiry) {
    const signed = signUrls(
      group.map(({ path }) => `${options.origin}${path}`),
      {
        keyPairId: options.keyPairId,
        privateKey: options.key,
        expires: expiresAt,
        now,
        notBefore,
        ipAddress: request.ipAddress,
      },
    );
    group.forEach(({ path, index }, i) => {
      urls[index] = { path, url: signed[i] as string, expiresAt };
    });
  }
  return { urls };
}
