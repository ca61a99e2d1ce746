import { EdgepassError } from '../../shared/cloudfront/errors';
import { createLoginService, type LoginDependencies } from '../../shared/identity/login-service';
import { checkFormOrigin, formOrigins } from '../../shared/regional/csrf';
import {
  answerHttpApi,
  bearerToken,
  FORM_MEDIA_TYPE,
  type HttpResult,
  jsonResponse,
  mediaType,
  readBody,
  seeOther,
} from '../../shared/regional/http-api';
import type { Telemetry } from '../../shared/regional/telemetry';

const ROUTES: readonly string[] = ['/auth/login', '/auth/refresh', '/auth/logout'];

/** POST /auth/login, /auth/refresh and /auth/logout (API Gateway HTTP API, payload 2.0). */
export function createLoginHandler(deps: LoginDependencies & { readonly telemetry: Telemetry }) {
  const service = createLoginService(deps);
  const { config, telemetry } = deps;
  const options = {
    maxBodyBytes: config.limits.maxBodyBytes,
    cors: config.cors,
    telemetry,
    errorCookies: service.refusalCookies,
  };
  const sites = formOrigins(config);

  return (event: unknown): Promise<HttpResult> =>
    answerHttpApi(event, options, async (request) => {
      if (request.method !== 'POST' || !ROUTES.includes(request.path))
        throw new EdgepassError('NOT_FOUND', `${request.method} ${request.path} is not served`);
      checkFormOrigin(request, sites);
      const body = readBody(request);
      const form = mediaType(request) === FORM_MEDIA_TYPE;
      const returnTo = form && typeof body.return_to === 'string' ? body.return_to : undefined;
      if (request.path === '/auth/logout') {
        const { setCookies, location } = service.logout(returnTo);
        telemetry.log('info', 'cookies expired');
        return location === undefined
          ? { ...jsonResponse(200, { loggedOut: true }), cookies: [...setCookies] }
          : seeOther(location, setCookies);
      }
      const outcome = await service.login({
        token: bearerToken(request, body),
        host: request.headers['x-forwarded-host'] ?? request.headers.host,
        returnTo,
      });
      telemetry.count('CookiesIssued', outcome.body.grants.length);
      telemetry.log('info', 'cookies issued', {
        provider: outcome.provider,
        rule: outcome.rule,
        grants: outcome.body.grants.map((grant) => grant.path),
        expiresAt: outcome.body.expiresAt,
      });
      return outcome.location === undefined
        ? { ...jsonResponse(200, outcome.body), cookies: [...outcome.setCookies] }
        : seeOther(outcome.location, outcome.setCookies);
    });
}
