import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEdgepassError } from '../../shared/cloudfront/errors';
import { loadConfigFile } from '../../shared/config/file';
import type { Json, Resource } from './cloudformation';
import { ROLES } from './roles';
import { parseDeploySettings } from './settings';
import { edgepassStack, type StackContext } from './stack';

/**
 * The Serverless Framework (v3) plugin that turns the compiled functions and HTTP API into the whole
 * edgepass stack (scripts/serverless-edgepass.cjs loads it from dist/). After serverless compiles the
 * functions and events, it checks the edge function against Lambda@Edge's rules, then adds what
 * `edgepassStack` computes from the configuration for the stage and `custom.edgepass` (the stage
 * parameters), with the CloudFront Functions gate built for the stage when `functionGate` is set. Resources are added by name, never deep-merged: serverless merges `resources:` arrays
 * index by index, which would mix cache behaviours.
 */

/**
 * The CloudFront Functions gate for the stage, built as `npm run build` builds dist/cloudfront-function.js
 * (scripts/cloudfront-function.cjs) into a temporary folder: the exact script the template carries.
 */
function buildGateFunction(dir: string, configFile: string, stage: string): string {
  const { buildCloudFrontFunction } = createRequire(join(dir, 'package.json'))('./scripts/cloudfront-function.cjs') as {
    buildCloudFrontFunction(o: { configFile: string; stage?: string; outfile: string }): { outfile: string };
  };
  const out = mkdtempSync(join(tmpdir(), 'edgepass-function-'));
  try {
    const { outfile } = buildCloudFrontFunction({ configFile, stage, outfile: join(out, 'cloudfront-function.js') });
    return readFileSync(outfile, 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The function keys in serverless.yml. */
export const FUNCTIONS = { edge: 'viewerRequest', login: 'login', sign: 'sign' } as const;

interface CompiledTemplate {
  Resources: Record<
    string,
    Resource & { Properties: Record<string, Json>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
  >;
  Outputs?: Record<string, unknown>;
}

interface Serverless {
  readonly serviceDir?: string;
  readonly config?: { readonly servicePath?: string };
  readonly classes: { readonly Error: new (message: string) => Error };
  readonly service: {
    readonly custom?: { readonly edgepass?: unknown };
    readonly provider: { readonly compiledCloudFormationTemplate: CompiledTemplate };
    getFunction(name: string): { name: string };
  };
  getProvider(name: 'aws'): {
    getStage(): string;
    getRegion(): string;
    naming: { getLambdaLogicalId(name: string): string; getStackName(): string };
  };
}

interface Log {
  notice(message: string): void;
  warning(message: string): void;
}

export class EdgepassPlugin {
  readonly hooks: Record<string, () => void>;

  constructor(
    private readonly serverless: Serverless,
    _options: unknown,
    private readonly utils?: { readonly log?: Log },
  ) {
    this.hooks = { 'after:package:compileEvents': () => this.addStack() };
  }

  private fail(message: string): never {
    throw new this.serverless.classes.Error(message);
  }

  private addStack(): void {
    const provider = this.serverless.getProvider('aws');
    if (provider.getRegion() !== 'us-east-1') {
      this.fail('edgepass deploy: Lambda@Edge functions are created in us-east-1 only (provider.region)');
    }
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const context = this.context(template, provider);
    this.checkEdgeFunction(template, context);
    let stack: ReturnType<typeof edgepassStack>;
    try {
      const dir = this.serverless.serviceDir ?? this.serverless.config?.servicePath ?? process.cwd();
      const configFile = process.env.EDGEPASS_CONFIG || join(dir, 'edgepass.config.json');
      const config = loadConfigFile(configFile, context.stage);
      const cloudFrontFunctionCode =
        config.functionGate === undefined ? undefined : buildGateFunction(dir, configFile, context.stage);
      stack = edgepassStack(config, parseDeploySettings(this.serverless.service.custom?.edgepass), {
        ...context,
        cloudFrontFunctionCode,
      });
    } catch (error) {
      // One line naming the field or the parameter, as the build does (esbuild.config.cjs).
      if (isEdgepassError(error) && error.code === 'INVALID_CONFIG') this.fail(error.message);
      throw error;
    }
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (logicalId in template.Resources)
        this.fail(`edgepass deploy: resource ${logicalId} already exists in the template`);
      template.Resources[logicalId] = resource as CompiledTemplate['Resources'][string];
    }
    template.Outputs ??= {};
    for (const [name, output] of Object.entries(stack.outputs)) template.Outputs[name] = output;
    for (const notice of stack.notices) (this.utils?.log?.notice ?? console.log)(`edgepass: ${notice}`);
  }

  /** Finds the functions, the edge function's version and the HTTP API in the compiled template. */
  private context(template: CompiledTemplate, provider: ReturnType<Serverless['getProvider']>): StackContext {
    const fn = (key: string) => {
      const functionLogicalId = provider.naming.getLambdaLogicalId(key);
      if (template.Resources[functionLogicalId] === undefined) {
        this.fail(`edgepass deploy: serverless.yml has no function ${key}`);
      }
      return { functionLogicalId, name: this.serverless.service.getFunction(key).name };
    };
    const edge = fn(FUNCTIONS.edge);
    const versionLogicalId = Object.entries(template.Resources).find(
      ([, resource]) =>
        resource.Type === 'AWS::Lambda::Version' &&
        (resource.Properties.FunctionName as { Ref?: string } | undefined)?.Ref === edge.functionLogicalId,
    )?.[0];
    if (versionLogicalId === undefined) {
      this.fail(`edgepass deploy: ${FUNCTIONS.edge} has no version; Lambda@Edge needs one (versionFunction: true)`);
    }
    if (template.Resources.HttpApi === undefined)
      this.fail('edgepass deploy: no HTTP API (the login and sign httpApi events)');
    return {
      stage: provider.getStage(),
      stackName: provider.naming.getStackName(),
      httpApi: 'HttpApi',
      edge: { ...edge, versionLogicalId },
      login: fn(FUNCTIONS.login),
      sign: fn(FUNCTIONS.sign),
    };
  }

  /** Lambda@Edge's rules for a viewer-request function, and one role per function. */
  private checkEdgeFunction(template: CompiledTemplate, context: StackContext): void {
    const edge = template.Resources[context.edge.functionLogicalId] as CompiledTemplate['Resources'][string];
    const properties = edge.Properties;
    // No environment at all (a provider-level `environment` would be copied here: serverless#7671),
    // no VPC: Lambda@Edge refuses both. The gate's configuration is baked into its bundle.
    delete properties.Environment;
    delete properties.VpcConfig;
    if (Number(properties.MemorySize) > 128 || Number(properties.Timeout) > 5) {
      this.fail(`edgepass deploy: ${FUNCTIONS.edge} is a viewer-request function: at most 128 MB and 5 s`);
    }
    if (properties.Layers !== undefined || JSON.stringify(properties.Architectures ?? []).includes('arm64')) {
      this.fail(`edgepass deploy: ${FUNCTIONS.edge} runs at the edge: no layers, x86_64 only`);
    }
    // Replicas are deleted hours after the distribution lets go of them: a stack removal that deleted
    // the function would fail, so the function stays (docs/deploy.md, teardown).
    edge.DeletionPolicy = 'Retain';
    edge.UpdateReplacePolicy = 'Retain';
    for (const [key, role] of [
      [context.edge.functionLogicalId, ROLES.edge],
      [context.login.functionLogicalId, ROLES.login],
      [context.sign.functionLogicalId, ROLES.sign],
    ] as const) {
      const actual = JSON.stringify(template.Resources[key]?.Properties.Role);
      if (actual !== JSON.stringify({ 'Fn::GetAtt': [role, 'Arn'] })) {
        this.fail(`edgepass deploy: function ${key} must use its own role (role: ${role} in serverless.yml)`);
      }
    }
  }
}
