import * as fs from 'fs';
import * as path from 'path';

// The layers of docs/ARCHITECTURE.md, as the folders below src/ that each folder may import from.
// Data flows one way: a folder never imports from a folder above it, and no file imports itself
// back through a circle of imports.
const SRC = path.join(__dirname, '..', 'src');
const ALLOWED: Record<string, readonly string[]> = {
  validation: [],
  imports: [],
  model: [],
  dialects: ['validation', 'imports', 'model'],
  engine: ['validation', 'imports', 'model', 'dialects'],
  intent: ['validation', 'model', 'dialects', 'engine'],
  patterns: ['validation', 'model', 'dialects', 'engine', 'intent'],
  analysis: ['validation', 'model', 'dialects', 'engine'],
  importer: ['validation', 'model', 'dialects', 'engine', 'intent', 'patterns', 'analysis'],
  cli: ['validation', 'analysis', 'importer'],
  testing: ['analysis'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The project files a file imports (relative specifiers only), resolved to paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]);
  return specifiers.map((spec) => {
    const base = path.resolve(path.dirname(file), spec);
    const candidates = [`${base}.ts`, path.join(base, 'index.ts')];
    const found = candidates.find((candidate) => fs.existsSync(candidate));
    if (!found) throw new Error(`${path.relative(SRC, file)} imports ${spec}, which resolves to no file`);
    return found;
  });
}

function layerOf(file: string): string {
  const relative = path.relative(SRC, file);
  return relative.includes(path.sep) ? relative.split(path.sep)[0] : '';
}

/** Imports that go to a folder the importing folder may not use. */
function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    if (from === '') continue; // src/index.ts is the public surface over every layer
    for (const target of imports) {
      const to = layerOf(target);
      if (to !== from && !ALLOWED[from]?.includes(to)) {
        violations.push(`${path.relative(SRC, file)} imports ${path.relative(SRC, target)} (${from} may import ${ALLOWED[from]?.join(', ') || 'nothing else'})`);
      }
    }
  }
  return violations;
}

/** Every circle of imports found by a depth-first walk, as `a -> b -> a`. */
function circlesOf(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const circles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'visiting') {
        circles.push([...stack.slice(stack.indexOf(target)), target].map((f) => path.relative(SRC, f)).join(' -> '));
      } else if (!state.has(target)) {
        visit(target);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) {
    if (!state.has(file)) visit(file);
  }
  return circles;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the source layers', () => {
  test('every folder below src/ has a place in the layer table', () => {
    const folders = [...new Set(files.map(layerOf).filter((layer) => layer !== ''))].sort();
    expect(folders.filter((folder) => !(folder in ALLOWED))).toEqual([]);
  });

  test('no file imports from a higher layer', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  test('no circle of imports', () => {
    expect(circlesOf(graph)).toEqual([]);
  });

  test('the checks report an upward import and a circle', () => {
    const a = path.join(SRC, 'model', 'a.ts');
    const b = path.join(SRC, 'model', 'b.ts');
    const d = path.join(SRC, 'dialects', 'd.ts');
    const synthetic = new Map([[a, [b, d]], [b, [a]], [d, [a]]]);
    expect(layerViolations(synthetic)).toEqual(['model/a.ts imports dialects/d.ts (model may import nothing else)']);
    expect(circlesOf(synthetic)).toEqual(['model/a.ts -> model/b.ts -> model/a.ts', 'model/a.ts -> dialects/d.ts -> model/a.ts']);
  });
});
