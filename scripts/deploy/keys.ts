import { createHash, createPublicKey } from 'node:crypto';
import type { EdgepassConfig } from '../../shared/config/schema';
import { type Json, join, type Output, type Resources, ref, sub } from './cloudformation';

/**
 * CloudFront's key group, from `keyGroup`: one AWS::CloudFront::PublicKey per configured key (several
 * during a rotation; CloudFront allows 5 per group) and one AWS::CloudFront::KeyGroup holding them.
 *
 * A public key's logical id, name and caller reference come from the key's own fingerprint, never from
 * its `id` in the configuration: CloudFront assigns the public key id itself when it creates the key,
 * so the configured id may be edited to match it (outputs `PublicKeyIds`) without replacing the key.
 */

export const KEY_GROUP = 'EdgepassKeyGroup';

/** First 16 hex digits of the SHA-256 of the key's DER (SPKI): stable whatever the PEM's line breaks. */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export const publicKeyLogicalId = (publicKeyPem: string): string =>
  `EdgepassPublicKey${keyFingerprint(publicKeyPem).toUpperCase()}`;

export function keyGroupResources(config: Pick<EdgepassConfig, 'keyGroup'>): {
  resources: Resources;
  outputs: Record<string, Output>;
} {
  const resources: Resources = {};
  const pairs: Json[] = [];
  for (const key of config.keyGroup) {
    const pem = key.publicKey as string;
    const fingerprint = keyFingerprint(pem);
    const logicalId = publicKeyLogicalId(pem);
    resources[logicalId] = {
      Type: 'AWS::CloudFront::PublicKey',
      Properties: {
        PublicKeyConfig: {
          CallerReference: `edgepass-${fingerprint}`,
          Name: sub(`\${AWS::StackName}-${fingerprint}`),
          EncodedKey: pem.trim(),
          Comment: `edgepass key ${key.id} (SHA-256 ${fingerprint})`,
        },
      },
    };
    pairs.push(join('=', [key.id, ref(logicalId)]));
  }
  resources[KEY_GROUP] = {
    Type: 'AWS::CloudFront::KeyGroup',
    Properties: {
      KeyGroupConfig: {
        Name: sub('${AWS::StackName}-key-group'),
        Comment: 'edgepass: the keys signed URLs and cookies may be signed with',
        Items: config.keyGroup.map((key) => ref(publicKeyLogicalId(key.publicKey as string))),
      },
    },
  };
  return {
    resources,
    outputs: {
      KeyGroupId: {
        Description: 'CloudFront key group id (trusted by the key-group behaviours)',
        Value: ref(KEY_GROUP),
      },
      PublicKeyIds: {
        Description:
          'configured key id = the id CloudFront assigned; trustedKeyGroupPaths need the configured ids (and the secret) to be the assigned ones',
        Value: join(',', pairs),
      },
    },
  };
}
