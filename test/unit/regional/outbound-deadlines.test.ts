import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_JWKS_DEADLINE_MS } from '../../../shared/identity/token-verifier';
import { DEFAULT_SECRETS_MANAGER_DEADLINE_MS } from '../../../shared/regional/signing-key-source';

/** Time the slowest request keeps for everything but its two outbound calls (parsing, signing, logging). */
const MARGIN_MS = 4_000;

/** The `timeout:` (seconds) serverless.yml gives a function. */
function lambdaTimeoutMs(name: string): number {
  const template = readFileSync(join(__dirname, '..', '..', '..', 'serverless.yml'), 'utf8');
  const block = new RegExp(`\\n  ${name}:\\n(?:    .*\\n)*?    timeout: (\\d+)\\n`).exec(template);
  if (block === null) throw new Error(`serverless.yml has no timeout for ${name}`);
  return Number(block[1]) * 1000;
}

describe('outbound deadlines of one regional request', () => {
  it.each(['login', 'sign'])(
    'leave %s at least 4 s of its Lambda timeout: a JWKS fetch, then Secrets Manager',
    (name) => {
      // A request waits for at most one JWKS fetch (a usable key set is refreshed in the background;
      // an unknown kid causes a fetch only 30 s after the last one started) and then at most one
      // GetSecretValue call (retries inside its deadline).
      expect(DEFAULT_JWKS_DEADLINE_MS).toBe(3_000);
      expect(DEFAULT_SECRETS_MANAGER_DEADLINE_MS).toBe(3_000);
      expect(DEFAULT_JWKS_DEADLINE_MS + DEFAULT_SECRETS_MANAGER_DEADLINE_MS + MARGIN_MS).toBeLessThanOrEqual(
        lambdaTimeoutMs(name),
      );
    },
  );
});
