import { describe, expect, it } from 'vitest';
import { EdgepassError } from '../../../shared/cloudfront/errors';
import { MAX_EPOCH_SECONDS } from '../../../shared/cloudfront/policy';
import { credentialExpiresAt } from '../../../shared/identity/credential-expiry';

const NOW = 1_795_867_200;

describe('credentialExpiresAt', () => {
  it.each<[string, number, number, number, number]>([
    ['the TTL when the token lives longer', NOW, 600, NOW + 3600, NOW + 600],
    ["the token's exp when it comes first", NOW, 3600, NOW + 100, NOW + 100],
    ['one second ahead for a token that expires in one', NOW, 3600, NOW + 1, NOW + 1],
    ['the TTL when both are equal', NOW, 100, NOW + 100, NOW + 100],
    ['the largest time CloudFront accepts', MAX_EPOCH_SECONDS - 100, 3600, MAX_EPOCH_SECONDS + 3600, MAX_EPOCH_SECONDS],
  ])('is %s', (_, now, ttlSeconds, tokenExpiresAt, expected) => {
    expect(credentialExpiresAt({ now, ttlSeconds, tokenExpiresAt })).toBe(expected);
  });

  it.each<[string, number]>([
    ['expires this second', NOW],
    ['expired 20 s ago (inside a clock tolerance)', NOW - 20],
    ['expired long ago', 0],
    ['has a NaN expiry', Number.NaN],
  ])('refuses with TOKEN_EXPIRED a token that %s', (_, tokenExpiresAt) => {
    let caught: unknown;
    try {
      credentialExpiresAt({ now: NOW, ttlSeconds: 600, tokenExpiresAt });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EdgepassError);
    expect((caught as EdgepassError).code).toBe('TOKEN_EXPIRED');
    expect((caught as EdgepassError).message).toBe('token has expired');
  });
});
