import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The tree is the architecture: shared/ is layered, and these tests fail when an import points the
 * wrong way. Layers, bottom to top: cloudfront → edge → identity → regional. config/ sits beside
 * them: any layer may `import type` from config/schema, no layer imports config code at run time,
 * and config/ may use the layers below regional/ to validate.
 */

const ROOT = join(__dirname, '..', '..', '..');
const LAYERS = ['cloudfront', 'edge', 'identity', 'regional'] as const;
type Layer = (typeof LAYERS)[number] | 'config' | 'entry';

/** Packages (and node: modules) each part of shared/ may import. */
const PACKAGES: Record<Layer, RegExp> = {
  cloudfront: /^node:crypto$/,
  edge: /^$/,
  identity: /^(jose|zod|node:crypto)$/,
  regional:
    /^(@aws-sdk\/client-secrets-manager|@smithy\/node-http-handler|@aws-lambda-powertools\/(logger|metrics)|node:stream)$/,
  config: /^(zod|node:fs|node:path)$/,
  entry: /^$/,
};

interface Import {
  readonly from: string;
  readonly spec: string;
  readonly typeOnly: boolean;
  /** Repository-relative target file for a relative import. */
  readonly target: string | undefined;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function resolveTarget(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = normalize(join(dirname(from), spec));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(join(ROOT, candidate)).isFile()) return candidate;
    } catch {
      // try the next spelling
    }
  }
  return base;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC = /(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[3] as string;
    found.push({ from: file, spec, typeOnly: match[2] !== undefined, target: resolveTarget(file, spec) });
  }
  for (const match of text.matchAll(DYNAMIC)) {
    const spec = match[1] as string;
    found.push({ from: file, spec, typeOnly: false, target: resolveTarget(file, spec) });
  }
  return found;
}

function layerOf(file: string): Layer | undefined {
  const parts = file.split(/[\\/]/);
  if (parts[0] !== 'shared') return undefined;
  if (parts.length === 2) return 'entry';
  return parts[1] as Layer;
}

const sharedFiles = sourceFiles('shared');
const allImports = sharedFiles.flatMap(importsOf);

describe('shared/ layering', () => {
  it('has exactly the documented folders, each opened by an index.ts that says what it may import', () => {
    const folders = readdirSync(join(ROOT, 'shared')).filter((name) =>
      statSync(join(ROOT, 'shared', name)).isDirectory(),
    );
    expect(folders.sort()).toEqual(['cloudfront', 'config', 'edge', 'identity', 'regional']);
    for (const folder of folders) {
      const index = readFileSync(join(ROOT, 'shared', folder, 'index.ts'), 'utf8');
      expect(index.startsWith('/**'), `${folder}/index.ts opens with its purpose`).toBe(true);
      expect(index, `${folder}/index.ts states its import rule`).toMatch(/may (import|use)/i);
    }
    expect(sharedFiles.filter((file) => layerOf(file) === 'entry')).toEqual([join('shared', 'index.ts')]);
  });

  it('imports packages only where the layer allows them (cloudfront/ and edge/ ship to the edge)', () => {
    const wrong = allImports
      .filter((imp) => imp.target === undefined && !imp.typeOnly)
      .filter((imp) => !PACKAGES[layerOf(imp.from) as Layer].test(imp.spec))
      .map((imp) => `${imp.from} imports ${imp.spec}`);
    expect(wrong).toEqual([]);
  });

  it('points imports only down (or sideways inside a layer); config/ is imported for types only', () => {
    const rank = (layer: Layer): number => LAYERS.indexOf(layer as (typeof LAYERS)[number]);
    const wrong: string[] = [];
    for (const imp of allImports) {
      if (imp.target === undefined) continue;
      const from = layerOf(imp.from) as Layer;
      const to = layerOf(imp.target);
      const where = `${imp.from} → ${imp.target}`;
      if (to === undefined) {
        wrong.push(`${where} (leaves shared/)`);
      } else if (to === 'entry') {
        wrong.push(`${where} (the library entry is imported by nobody inside shared/)`);
      } else if (to === 'config' && from !== 'config' && from !== 'entry') {
        if (!imp.typeOnly || imp.target !== join('shared', 'config', 'schema.ts')) {
          wrong.push(`${where} (only \`import type\` from config/schema)`);
        }
      } else if (from === 'config') {
        if (to === 'regional') wrong.push(`${where} (config/ validates with the layers below regional/)`);
      } else if (from === 'entry') {
        if (to === 'regional') wrong.push(`${where} (the library entry stays AWS-free)`);
      } else if (rank(to) > rank(from)) {
        wrong.push(`${where} (${from} may not import ${to}, a layer above it)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between files, type imports included', () => {
    const edges = new Map<string, string[]>();
    for (const imp of allImports) {
      if (imp.target === undefined) continue;
      edges.set(imp.from, [...(edges.get(imp.from) ?? []), imp.target]);
    }
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative('shared', f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of sharedFiles) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('is never imported from functions/, cli/, dev/ or bench/ the other way round', () => {
    const inward = allImports.filter(
      (imp) => imp.target !== undefined && /^(functions|cli|dev|bench)\//.test(imp.target),
    );
    expect(inward).toEqual([]);
  });
});
