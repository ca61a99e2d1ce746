import { EdgepassError } from '../../shared/cloudfront/errors';
import type { EdgepassConfig } from '../../shared/config/schema';
import { grantsFor } from '../../shared/identity/access-policy';
import { contentOrigin } from '../../shared/identity/content-origin';
import type { SigningKeySource } from '../../shared/identity/signing-key-source';
import type { TokenVerifier } from '../../shared/identity/token-verifier';
import { createSignRequestParser, issueSignedUrls } from '../../shared/identity/url-issuer';
import { answerHttpApi, bearerToken, type HttpResult, jsonResponse, readBody } from '../../shared/regional/http-api';
import type { Telemetry } from '../../shared/regional/telemetry';

export interface SignDependencies {
  readonly config: EdgepassConfig;
  readonly tokens: TokenVerifier;
  readonly keys: SigningKeySource;
  readonly telemetry: Telemetry;
  /** Epoch seconds. */
  readonly now: () => number;
}

/** POST /api/sign: a Bearer JWT and a list of paths in, signed URLs for the granted ones out. */
export function createSignHandler(deps: SignDependencies) {
  const { config, telemetry } = deps;
  const options = { maxBodyBytes: config.limits.maxBodyBytes, cors: config.cors, telemetry };
  const parseSignRequest = createSignRequestParser(config.limits);

  return (event: unknown): Promise<HttpResult> =>
    answerHttpApi(event, options, async (request) => {
      if (request.method !== 'POST' || request.path !== '/api/sign') {
        throw new EdgepassError('NOT_FOUND', `${request.method} ${request.path} is not served`);
      }
      const token = request.headers.authorization === undefined ? undefined : bearerToken(request, {});
      if (token === undefined)
        throw new EdgepassError('TOKEN_MISSING', 'send the JWT as "Authorization: Bearer <token>"');
      // Identity first: an unauthenticated caller learns nothing about the request rules.
      const identity = await deps.tokens.verify(token);
      const body = parseSignRequest(readBody(request));
      const grants = grantsFor(config.accessRules, identity.claims);
      const material = await deps.keys.get();
      const result = issueSignedUrls({
        request: body,
        grants,
        origin: contentOrigin(config, request.headers['x-forwarded-host'] ?? request.headers.host),
        keyPairId: material.keyPairId,
        key: material.key,
        now: deps.now(),
        tokenExpiresAt: identity.expiresAt,
      });
      telemetry.count('UrlsSigned', result.urls.length);
      telemetry.log('info', 'urls signed', { provider: identity.provider, count: result.urls.length });
      return jsonResponse(200, result);
    });
}
