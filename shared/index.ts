/**
 * edgepass, the library: CloudFront policies, signing and verification, the edge gate's redirect
 * rules, access rules, JWTs and the configuration — everything AWS-free. The Secrets Manager key
 * source and the HTTP API glue live in `regional/`, outside this entry point, so importing it never
 * pulls in the AWS SDK.
 *
 * Layers, bottom to top (each may import only those before it): `cloudfront/` → `edge/` →
 * `identity/` → `regional/`; `config/` sits beside them (see each folder's index.ts).
 */

export * from './cloudfront';
export * from './config';
export * from './edge';
export * from './identity';
