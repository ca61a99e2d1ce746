import { getAtt, type Json, join, policyDocument, type Resources, ref, sub } from './cloudformation';

/**
 * The distribution's origins. Content: by default a private S3 bucket (all public access blocked,
 * encrypted at rest, TLS-only, objects owned by the bucket owner) that only this distribution may read,
 * through Origin Access Control (SigV4-signed requests; the bucket policy names the distribution's ARN);
 * or, by stage parameter, an existing HTTPS origin. API: the HTTP API serverless creates for the login
 * and URL-issuer functions.
 */

export const CONTENT_ORIGIN = 'edgepass-content';
export const API_ORIGIN = 'edgepass-http-api';
export const BUCKET = 'ContentBucket';
export const BUCKET_POLICY = 'ContentBucketPolicy';
export const ORIGIN_ACCESS_CONTROL = 'ContentOriginAccessControl';

/** The private bucket, its policy and the OAC; `distribution` is the distribution's logical id. */
export function bucketResources(distribution: string): Resources {
  const bucketArn = getAtt(BUCKET, 'Arn');
  const objects = join('', [bucketArn, '/*']);
  return {
    [BUCKET]: {
      Type: 'AWS::S3::Bucket',
      // The content outlives the stack: `serverless remove` leaves the bucket (docs/deploy.md, teardown).
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true },
          ],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
    },
    [BUCKET_POLICY]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref(BUCKET),
        PolicyDocument: policyDocument([
          {
            Sid: 'OnlyThisDistributionReads',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Resource: objects,
            Condition: {
              StringEquals: {
                'AWS:SourceArn': join('', [
                  'arn:',
                  ref('AWS::Partition'),
                  ':cloudfront::',
                  ref('AWS::AccountId'),
                  ':distribution/',
                  ref(distribution),
                ]),
              },
            },
          },
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucketArn, objects],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]),
      },
    },
    [ORIGIN_ACCESS_CONTROL]: {
      Type: 'AWS::CloudFront::OriginAccessControl',
      Properties: {
        OriginAccessControlConfig: {
          Name: sub('${AWS::StackName}-content'),
          Description: 'edgepass: CloudFront signs every request to the content bucket (SigV4)',
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        },
      },
    },
  };
}

/** The content origin entry of the distribution: the bucket through OAC, or the given HTTPS origin. */
export function contentOrigin(originUrl: string | undefined): Json {
  if (originUrl === undefined) {
    return {
      Id: CONTENT_ORIGIN,
      DomainName: getAtt(BUCKET, 'RegionalDomainName'),
      // Empty: OAC, not the legacy origin access identity, authenticates CloudFront to the bucket.
      S3OriginConfig: { OriginAccessIdentity: '' },
      OriginAccessControlId: getAtt(ORIGIN_ACCESS_CONTROL, 'Id'),
    };
  }
  const url = new URL(originUrl);
  return {
    Id: CONTENT_ORIGIN,
    DomainName: url.hostname,
    ...(url.pathname === '/' ? {} : { OriginPath: url.pathname }),
    CustomOriginConfig: {
      OriginProtocolPolicy: 'https-only',
      ...(url.port === '' ? {} : { HTTPSPort: Number(url.port) }),
      OriginSSLProtocols: ['TLSv1.2'],
    },
  };
}

/** The HTTP API as an origin: its host name, cut out of the endpoint URL at deploy time. */
export function apiOrigin(httpApi: string): Json {
  return {
    Id: API_ORIGIN,
    DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', getAtt(httpApi, 'ApiEndpoint')] }] },
    CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
  };
}
