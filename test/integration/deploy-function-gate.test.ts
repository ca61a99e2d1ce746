// biome-ignore-all lint/suspicious/noExplicitAny: serverless's compiled template is plain JSON
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyValueStore, loadCloudFrontFunction } from '../../dev/cloudfront-functions-runtime';
import { sessionKeyName } from '../../shared/edge/session-token';
import {
  asEdgeResult,
  functionEventFor,
  loadBuiltFunction,
  newSessionKey,
  sessionCookie,
} from '../fixtures/built-function';
import { compiled, ROOT } from '../fixtures/serverless-plugin';
import { DISTRIBUTION_HOST } from '../fixtures/viewer-events';

/**
 * The serverless plugin with `functionGate`: it builds the CloudFront Function for the stage from the
 * sources (as `npm run build` does) into the template, which is why this runs with the built artifacts
 * and not in the unit project (a mutated source would be built into it).
 */
describe('the edgepass serverless plugin with functionGate', () => {
  const previous = process.env.EDGEPASS_CONFIG;
  afterEach(() => {
    if (previous === undefined) delete process.env.EDGEPASS_CONFIG;
    else process.env.EDGEPASS_CONFIG = previous;
  });

  /** The repository's configuration with the CloudFront Functions gate on /videos/free/*. */
  const withFunctionGate = (): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'edgepass-plugin-')), 'edgepass.config.json');
    const repository = JSON.parse(readFileSync(join(ROOT, 'edgepass.config.json'), 'utf8'));
    const publicKeyFile = join(ROOT, repository.keyGroup[0].publicKeyFile);
    writeFileSync(
      file,
      JSON.stringify({
        ...repository,
        keyGroup: [{ ...repository.keyGroup[0], publicKeyFile }],
        functionGate: { paths: ['/videos/free/*'] },
      }),
    );
    process.env.EDGEPASS_CONFIG = file;
    return file;
  };

  it('carries the stage’s built CloudFront Function, which runs as the gate on its behaviour', async () => {
    const configFile = withFunctionGate();
    const { template, run, notices } = compiled();
    run();
    const fn = template.Resources.EdgepassGateFunction.Properties;
    // Byte for byte what `npm run build` writes for the same configuration and stage.
    expect(fn.FunctionCode).toBe(readFileSync(loadBuiltFunction(configFile, { stage: 'dev' }).outfile, 'utf8'));
    expect(fn.Name).toBe('edgepass-dev-gate');
    expect(template.Resources.EdgepassSessionKeyStore.Properties.Name).toBe('edgepass-dev-session-keys');
    const behaviour = template.Resources.CloudFrontDistribution.Properties.DistributionConfig.CacheBehaviors.find(
      (b: any) => b.PathPattern === '/videos/free/*',
    );
    expect(behaviour.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['EdgepassGateFunction', 'FunctionARN'] } },
    ]);
    expect(behaviour.LambdaFunctionAssociations).toBeUndefined();
    expect(notices.join('\n')).toMatch(/put session-key:<sessionKeyId>.*SessionKeyStoreArn/);

    // The template's code is the gate: no session token → login redirect; a valid one → forwarded.
    const key = newSessionKey();
    const gate = loadCloudFrontFunction(fn.FunctionCode, createKeyValueStore({ [sessionKeyName('S1')]: key }));
    const now = Math.floor(Date.now() / 1000);
    const browse = (cookies: string[]) =>
      gate
        .run(functionEventFor({ uri: '/videos/free/a.mp4', accept: 'text/html', cookies }), now * 1000)
        .then((answer) => asEdgeResult(answer as Record<string, unknown>));
    expect((await browse([])).status).toBe('302');
    const granted = await browse([sessionCookie(`https://${DISTRIBUTION_HOST}/videos/*`, now + 600, 'S1', key)]);
    expect(granted.status).toBeUndefined();
    expect(granted.uri).toBe('/videos/free/a.mp4');
    // Only the behaviours of functionGate.paths run it.
    const associated = [
      ...template.Resources.CloudFrontDistribution.Properties.DistributionConfig.CacheBehaviors,
      template.Resources.CloudFrontDistribution.Properties.DistributionConfig.DefaultCacheBehavior,
    ].filter((b: any) => b.FunctionAssociations !== undefined);
    expect(associated.map((b: any) => b.PathPattern)).toEqual(['/videos/free/*']);
  });
});
