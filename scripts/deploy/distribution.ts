import { type Behaviour, type ContentOriginKind, distributionBehaviours } from '../../shared/config/behaviours';
import type { EdgepassConfig } from '../../shared/config/schema';
import { getAtt, type Json, type Resources, ref, sub } from './cloudformation';
import { GATE_FUNCTION } from './cloudfront-function';
import { KEY_GROUP } from './keys';
import { API_ORIGIN, apiOrigin, CONTENT_ORIGIN, contentOrigin } from './origins';
import type { DeploySettings } from './settings';

/**
 * The CloudFront distribution and its policies, from the one configuration's behaviours
 * (shared/config/behaviours.ts, which the local stack emulates too):
 * - gated paths and the default behaviour run the viewer-request gate, by the function's version ARN;
 * - `functionGate.paths` run the CloudFront Functions gate instead (cloudfront-function.ts);
 * - public paths go to the content origin without it; key-group paths carry TrustedKeyGroups instead;
 * - `/auth/*` and `/api/*` go to the HTTP API with caching off and only what the handlers read.
 * HTTP/2 and HTTP/3; HTTPS only towards viewers (redirect) and origins; TLS 1.2 (2021 ciphers) with an
 * alternate domain's certificate; a response headers policy with HSTS and nosniff everywhere, plus
 * CORS with credentials for `cors.origins` on the content (hls.js with `withCredentials`).
 */

export const DISTRIBUTION = 'CloudFrontDistribution';
export const CONTENT_HEADERS = 'ContentResponseHeadersPolicy';
export const API_HEADERS = 'ApiResponseHeadersPolicy';
export const API_CACHE = 'ApiCachePolicy';
export const API_ORIGIN_REQUEST = 'ApiOriginRequestPolicy';

/** AWS managed cache policy "CachingOptimized": no query string, header or cookie in the key. */
export const MANAGED_CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/**
 * The one cookie name the API behaviour forwards, which nothing sets: CloudFront removes `Set-Cookie`
 * from responses of a behaviour that forwards no cookie at all (developer guide, "Cache content based
 * on cookies"), and login's answer is Set-Cookie. The viewer's cookies, CloudFront-* included, never
 * reach the HTTP API: the handlers read none.
 */
export const API_FORWARDED_COOKIE = 'edgepass-no-cookie';

/**
 * Viewer headers the handlers read (shared/regional/http-api.ts, csrf.ts): `Origin` (CORS, CSRF),
 * `Sec-Fetch-Site` (CSRF), `Content-Type` (JSON or form). `Authorization` (the bearer token) cannot be
 * in an origin request policy; it is forwarded as part of the cache policy's key.
 */
export const API_FORWARDED_HEADERS = ['Origin', 'Sec-Fetch-Site', 'Content-Type'];

/** Host names in `domains` that are alternate domain names (not *.cloudfront.net, localhost or with a port). */
export function alternateDomainNames(domains: readonly string[]): string[] {
  return domains.filter((host) => !host.endsWith('.cloudfront.net') && !host.includes(':') && host !== 'localhost');
}

function securityHeaders(): Json {
  return {
    StrictTransportSecurity: {
      AccessControlMaxAgeSec: 31_536_000,
      IncludeSubdomains: false,
      Preload: false,
      Override: true,
    },
    ContentTypeOptions: { Override: true },
    // A signed URL in a Referer would hand its signature to another site.
    ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: false },
  };
}

function policies(config: Pick<EdgepassConfig, 'cors'>): Resources {
  const cors =
    config.cors.origins.length === 0
      ? {}
      : {
          CorsConfig: {
            AccessControlAllowCredentials: true,
            AccessControlAllowOrigins: { Items: config.cors.origins },
            AccessControlAllowMethods: { Items: ['GET', 'HEAD'] },
            AccessControlAllowHeaders: { Items: ['Range'] },
            AccessControlExposeHeaders: { Items: ['Content-Length', 'Content-Range'] },
            AccessControlMaxAgeSec: config.cors.maxAgeSeconds,
            OriginOverride: true,
          },
        };
  return {
    [CONTENT_HEADERS]: {
      Type: 'AWS::CloudFront::ResponseHeadersPolicy',
      Properties: {
        ResponseHeadersPolicyConfig: {
          Name: sub('${AWS::StackName}-content'),
          Comment: 'edgepass content: HSTS, nosniff, CORS with credentials for cors.origins',
          SecurityHeadersConfig: securityHeaders(),
          ...cors,
        },
      },
    },
    [API_HEADERS]: {
      Type: 'AWS::CloudFront::ResponseHeadersPolicy',
      Properties: {
        ResponseHeadersPolicyConfig: {
          Name: sub('${AWS::StackName}-api'),
          // The handlers answer CORS themselves (exact origin, credentials, preflight).
          Comment: 'edgepass HTTP API: HSTS, nosniff; CORS comes from the handlers',
          SecurityHeadersConfig: securityHeaders(),
        },
      },
    },
    [API_CACHE]: {
      Type: 'AWS::CloudFront::CachePolicy',
      Properties: {
        CachePolicyConfig: {
          Name: sub('${AWS::StackName}-api'),
          Comment: 'edgepass HTTP API: nothing cached (POST, no-store); Authorization forwarded',
          // MaxTTL 1, not 0: a policy that caches nothing may not name headers, and Authorization
          // reaches an origin only through the cache key. Every answer is POST or no-store anyway.
          MinTTL: 0,
          DefaultTTL: 0,
          MaxTTL: 1,
          ParametersInCacheKeyAndForwardedToOrigin: {
            EnableAcceptEncodingGzip: false,
            EnableAcceptEncodingBrotli: false,
            HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
            CookiesConfig: { CookieBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'none' },
          },
        },
      },
    },
    [API_ORIGIN_REQUEST]: {
      Type: 'AWS::CloudFront::OriginRequestPolicy',
      Properties: {
        OriginRequestPolicyConfig: {
          Name: sub('${AWS::StackName}-api'),
          Comment: 'edgepass HTTP API: only the headers the handlers read; no viewer cookie',
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: API_FORWARDED_HEADERS },
          CookiesConfig: { CookieBehavior: 'whitelist', Cookies: [API_FORWARDED_COOKIE] },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        },
      },
    },
  };
}

function cacheBehaviour(behaviour: Behaviour, edgeVersion: string): { [key: string]: Json } {
  if (behaviour.target === 'api') {
    return {
      TargetOriginId: API_ORIGIN,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachedMethods: ['GET', 'HEAD'],
      Compress: false,
      CachePolicyId: ref(API_CACHE),
      OriginRequestPolicyId: ref(API_ORIGIN_REQUEST),
      ResponseHeadersPolicyId: ref(API_HEADERS),
    };
  }
  return {
    TargetOriginId: CONTENT_ORIGIN,
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: ['GET', 'HEAD'],
    CachedMethods: ['GET', 'HEAD'],
    Compress: true,
    CachePolicyId: MANAGED_CACHING_OPTIMIZED,
    ResponseHeadersPolicyId: ref(CONTENT_HEADERS),
    ...(behaviour.gate === 'lambda-edge'
      ? { LambdaFunctionAssociations: [{ EventType: 'viewer-request', LambdaFunctionARN: ref(edgeVersion) }] }
      : {}),
    ...(behaviour.gate === 'cloudfront-function'
      ? { FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: getAtt(GATE_FUNCTION, 'FunctionARN') }] }
      : {}),
    ...(behaviour.trustedKeyGroup ? { TrustedKeyGroups: [ref(KEY_GROUP)] } : {}),
  };
}

/** The distribution with its origins and behaviours, and the policies they use. */
export function distributionResources(
  config: EdgepassConfig,
  settings: DeploySettings,
  context: { readonly edgeVersion: string; readonly httpApi: string; readonly stage: string },
): Resources {
  const originKind: ContentOriginKind = settings.originUrl === undefined ? 's3' : 'https';
  const behaviours = distributionBehaviours(config, originKind);
  const last = behaviours.at(-1) as Behaviour;
  const aliases = alternateDomainNames(config.domains);
  const viewerCertificate =
    settings.certificateArn === undefined
      ? { CloudFrontDefaultCertificate: true }
      : {
          AcmCertificateArn: settings.certificateArn,
          SslSupportMethod: 'sni-only',
          MinimumProtocolVersion: 'TLSv1.2_2021',
        };
  return {
    ...policies(config),
    [DISTRIBUTION]: {
      Type: 'AWS::CloudFront::Distribution',
      Properties: {
        DistributionConfig: {
          Comment: `edgepass ${context.stage}`,
          Enabled: true,
          HttpVersion: 'http2and3',
          // IPv4 only unless asked: a policy's IpAddress holds IPv4 ranges (CLOUDFRONT.md).
          IPV6Enabled: settings.ipv6,
          DefaultRootObject: 'index.html',
          Origins: [contentOrigin(settings.originUrl), apiOrigin(context.httpApi)],
          DefaultCacheBehavior: cacheBehaviour(last, context.edgeVersion),
          CacheBehaviors: behaviours.slice(0, -1).map((behaviour) => ({
            PathPattern: behaviour.pathPattern,
            ...cacheBehaviour(behaviour, context.edgeVersion),
          })),
          ...(aliases.length === 0 ? {} : { Aliases: aliases }),
          ViewerCertificate: viewerCertificate,
          ...(settings.webAclArn === undefined ? {} : { WebACLId: settings.webAclArn }),
        },
      },
    },
  };
}
