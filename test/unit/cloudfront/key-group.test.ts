import { describe, expect, it } from 'vitest';
import { createKeyGroup, isKeyPairId, trustedKeyGroup } from '../../../shared/cloudfront/key-group';
import { ecKeyPair, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const ec = ecKeyPair();

describe('isKeyPairId', () => {
  it('accepts 1 to 128 ASCII letters and digits only', () => {
    for (const id of ['K', 'K2JCJMDEHXQW5F', 'APKAEXAMPLE123', 'a'.repeat(128)]) expect(isKeyPairId(id), id).toBe(true);
    for (const id of ['', 'a'.repeat(129), 'K2JC-JMDE', 'K2 JC', 'K2JC\n', 'Ké', '<script>']) {
      expect(isKeyPairId(id), id).toBe(false);
    }
  });
});

describe('createKeyGroup', () => {
  it('finds each key by its id, from a PEM or a KeyObject, and lists the ids in order', () => {
    const group = createKeyGroup([
      { id: 'KRSA1', publicKey: rsa.publicPem },
      { id: 'KEC2', publicKey: ec.publicKey },
    ]);
    expect(group.ids).toEqual(['KRSA1', 'KEC2']);
    expect(group.get('KRSA1')).toMatchObject({ id: 'KRSA1', type: 'rsa' });
    expect(group.get('KRSA1')?.keyObject.equals(rsa.publicKey)).toBe(true);
    expect(group.get('KEC2')).toMatchObject({ id: 'KEC2', type: 'ecdsa' });
    expect(group.get('KOTHER')).toBeUndefined();
  });

  it('refuses an id CloudFront would never give, or the same id twice', () => {
    expect(() => createKeyGroup([{ id: 'K-1', publicKey: rsa.publicPem }])).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY', message: 'key id "K-1" is not a CloudFront key id' }),
    );
    expect(() =>
      createKeyGroup([
        { id: 'K1', publicKey: rsa.publicPem },
        { id: 'K1', publicKey: ec.publicPem },
      ]),
    ).toThrow(expect.objectContaining({ code: 'INVALID_KEY', message: 'key id K1 appears twice in the key group' }));
  });
});

describe('trustedKeyGroup (the edge bundle’s, without checks)', () => {
  it('finds each key by its id, from a PEM or a KeyObject', () => {
    const group = trustedKeyGroup([
      { id: 'KRSA1', publicKey: rsa.publicPem },
      { id: 'KEC2', publicKey: ec.publicKey },
    ]);
    expect(group.get('KRSA1')?.keyObject.equals(rsa.publicKey)).toBe(true);
    expect(group.get('KEC2')?.keyObject).toBe(ec.publicKey);
    expect(group.get('KOTHER')).toBeUndefined();
  });
});
