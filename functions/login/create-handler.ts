import { EdgepassError } from '../../shared/cloudfront/errors';
import { createLoginService, type LoginDependencies } from '../../shared/identity/login-service';
import {
  answerHttpApi,
  bearerToken,
  FORM_MEDIA_TYPE,
  type HttpResult,
  jsonResponse,
  mediaType,
  readBody,
} from '../../shared/regional/http-api';
import type { Telemetry } from '../../shared/regional/telemetry';

/** POST /auth/login, /auth/refresh and /auth/logout (API Gateway HTTP API, payload 2.0). */
export function createLoginHandler(deps: LoginDependencies & { readonly telemetry: Telemetry }) {
  const service = createLoginService(deps);
  const { config, telemetry } = deps;
  const options = { maxBodyBytes: config.limits.maxBodyBytes, cors: config.cors, telemetry };

  return (event: unknown): Promise<HttpResult> =>
    answerHttpApi(event, options, async (request) => {
      if (request.method !== 'POST')
        throw new EdgepassError('NOT_FOUND', `${request.method} ${request.path} is not served`);
      const body = readBody(request);
      const form = mediaType(request) === FORM_MEDIA_TYPE;
      const returnTo = form && typeof body.return_to === 'string' ? body.return_to : undefined;
      if (request.path === '/auth/logout') {
        const { setCookies, location } = service.logout(returnTo);
        telemetry.log('info', 'cookies expired');
        return location === undefined
          ? { ...jsonResponse(200, { loggedOut: true }), cookies: [...setCookies] }
          : { statusCode: 303, headers: { location, 'cache-control': 'no-store' }, cookies: [...setCookies], body: '' };
      }
      if (request.path !== '/auth/login' && request.path !== '/auth/refresh') {
        throw new EdgepassError('NOT_FOUND', `${request.path} is not served`);
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
      const cookies = [...outcome.setCookies];
      if (outcome.location !== undefined) {
        return {
          statusCode: 303,
          headers: { location: outcome.location, 'cache-control': 'no-store' },
          cookies,
          body: '',
        };
      }
      return { ...jsonResponse(200, outcome.body), cookies };
    });
}
