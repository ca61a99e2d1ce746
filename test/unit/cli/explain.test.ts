import { describe, expect, it } from 'vitest';
import { DENIAL_EXPLANATIONS, denialHints } from '../../../cli/explain';
import type { Inspection } from '../../../cli/inspection';
import { createKeyGroup, DENIAL_REASONS, type SignedRequest, signUrl, verifySignedRequest } from '../../../shared';
import { NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const keyGroup = createKeyGroup([{ id: 'KRSA', publicKey: rsa.publicPem }]);
const HOST = 'https://d111111abcdef8.cloudfront.net';
const options = { keyPairId: 'KRSA', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW };

function inspect(request: SignedRequest, extra: Partial<Inspection> = {}, now = NOW): Inspection {
  return {
    decision: verifySignedRequest(request, { now, keyGroup }),
    now,
    atGiven: true,
    clientIp: request.clientIp,
    keyIds: keyGroup.ids,
    cookieGiven: request.cookie !== undefined,
    fragmentDropped: false,
    ...extra,
  };
}

describe('DENIAL_EXPLANATIONS', () => {
  it('explains every denial reason of the core with a meaning and a fix', () => {
    expect(Object.keys(DENIAL_EXPLANATIONS).sort()).toEqual([...DENIAL_REASONS].sort());
    for (const reason of DENIAL_REASONS) {
      expect(DENIAL_EXPLANATIONS[reason].meaning.length).toBeGreaterThan(20);
      expect(DENIAL_EXPLANATIONS[reason].fix.length).toBeGreaterThan(20);
    }
  });

  it('names the classic causes from the 403 checklist', () => {
    expect(DENIAL_EXPLANATIONS['unknown-key'].fix).toMatch(/key group id is not a key id/);
    expect(DENIAL_EXPLANATIONS['malformed-signature'].fix).toMatch(/standard base64.*encoded twice/s);
    expect(DENIAL_EXPLANATIONS['bad-signature'].fix).toMatch(
      /Hash-Algorithm=SHA256.*http vs https.*added after signing/s,
    );
    expect(DENIAL_EXPLANATIONS.expired.fix).toMatch(/clock.*milliseconds/s);
    expect(DENIAL_EXPLANATIONS['resource-mismatch'].fix).toMatch(/query/);
    expect(DENIAL_EXPLANATIONS['ip-mismatch'].fix).toMatch(/IPv6/);
  });
});

describe('denialHints', () => {
  it('gives none for an allowed request', () => {
    expect(denialHints(inspect({ url: signUrl(`${HOST}/a.mp4`, options) }))).toEqual([]);
  });

  it('says a canned signature breaks on any byte change, and which hash CloudFront checks', () => {
    const changed = signUrl(`${HOST}/a.mp4`, options).replace('/a.mp4', '/b.mp4');
    const hints = denialHints(inspect({ url: changed }));
    expect(hints[0]).toMatch(/canned policy.*any byte change/);
    expect(hints[1]).toMatch(/No Hash-Algorithm is set, so CloudFront checks a SHA-1 signature/);
  });

  it('names the scheme the signature is valid for when one was found', () => {
    const url = signUrl(`${HOST}/a.mp4`, options).replace('https://', 'http://');
    const hints = denialHints(inspect({ url }, { signedVariant: url.replace('http://', 'https://') }));
    expect(hints[0]).toBe('The signature is valid for https: request the URL with the scheme it was signed for.');
    expect(denialHints(inspect({ url }))[0]).toMatch(/^This is a canned policy/);
  });

  it('spots a key group id or a legacy key pair id used as Key-Pair-Id, and lists the known keys', () => {
    const url = signUrl(`${HOST}/a.mp4`, options);
    const group = denialHints(inspect({ url: url.replace('KRSA', '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0') }));
    expect(group).toContain(
      '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 looks like a key group id: use the id of a public key inside the group.',
    );
    expect(group).toContain('Keys given with --public-key: KRSA.');
    expect(denialHints(inspect({ url: url.replace('KRSA', 'APKAEXAMPLE') }))[0]).toMatch(/legacy CloudFront key pair/);
  });

  it('says how long ago an expired policy stopped working', () => {
    const url = signUrl(`${HOST}/a.mp4`, options);
    expect(denialHints(inspect({ url }, {}, NOW + 600 + 7200))).toEqual([
      'It stopped working 2h ago (2026-11-28T12:10:00Z).',
    ]);
  });

  it('explains an IP mismatch: no client IP, an IPv6 viewer, or an address outside the range', () => {
    const url = signUrl(`${HOST}/a.mp4`, { ...options, ipAddress: '203.0.113.0/24' });
    expect(denialHints(inspect({ url }))[0]).toMatch(/No --client-ip was given/);
    expect(denialHints(inspect({ url, clientIp: '2001:db8::1' }))[0]).toBe(
      '2001:db8::1 is IPv6: CloudFront policies hold IPv4 only.',
    );
    expect(denialHints(inspect({ url, clientIp: '198.51.100.1' }))[0]).toBe('198.51.100.1 is outside 203.0.113.0/24.');
  });

  it('points at the query when the resource pattern covers the path but not the query', () => {
    const signed = signUrl(`${HOST}/v/a.mp4`, { ...options, resource: `${HOST}/v/*.mp4` });
    const url = signed.replace('/v/a.mp4?', '/v/a.mp4?t=10&');
    expect(denialHints(inspect({ url }))[0]).toBe(
      `${HOST}/v/*.mp4 covers the path but not the query ?t=10: end the path with * or add a \\? query part.`,
    );
  });

  it('points at the scheme when only http vs https differs', () => {
    const signed = signUrl(`${HOST}/v/a.mp4`, { ...options, resource: `${HOST}/v/*` });
    const url = signed.replace('https://', 'http://');
    expect(denialHints(inspect({ url }))[0]).toMatch(/would match over https: the scheme differs/);
  });

  it('tells apart a request without credentials from cookies missing their key id', () => {
    expect(denialHints(inspect({ url: `${HOST}/a.mp4` }))[0]).toMatch(/no --cookie was given/);
    expect(denialHints(inspect({ url: `${HOST}/a.mp4`, cookie: 'theme=dark' }))[0]).toMatch(
      /holds no CloudFront-\* cookies/,
    );
    expect(denialHints(inspect({ url: `${HOST}/a.mp4`, cookie: 'CloudFront-Signature=abc' }))[0]).toBe(
      'The CloudFront-Key-Pair-Id cookie is missing or empty.',
    );
  });
});
