// imports/ holds the vendors' schemas as `npx projen import` derives them from ../shared/crds
// (scripts/imports/schema-derivation.ts). These tests check that the committed files are exactly what the
// task writes, that the derivation dropped nothing but descriptions (checked leaf by leaf against the
// vendor files, independently of how the script walks them), and that it fails closed on a shared folder
// that is missing or does not match its provenance. The comparisons need ../shared/crds and are skipped,
// with the reason in their names, on a clone without it; the failure-path tests run everywhere.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import {
  deriveSchemas, gitBlobSha, listImportsFolder, parseSourcesTables, SchemaDerivationError,
} from '../../scripts/imports/schema-derivation';
import { SCHEMA_SOURCES, SchemaSource } from '../../scripts/imports/schema-sources';
import { SCHEMA_CATALOG, SCHEMAS_DIR } from '../helpers/schema-catalog';

const ROOT = path.join(__dirname, '..', '..');
const IMPORTS = path.join(ROOT, 'imports');
const SHARED_CRDS = path.resolve(ROOT, '..', 'shared', 'crds');
const HAS_SHARED = fs.existsSync(path.join(SHARED_CRDS, 'SOURCES.md'));
const withShared = HAS_SHARED ? test : test.skip;
const SKIP_REASON = HAS_SHARED ? '' : ` (skipped: no ${SHARED_CRDS} beside the repository; only npx projen import needs it)`;

/** Every leaf of a JSON value, as JSON pointer -> JSON text of the value. */
function leaves(value: unknown, at = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(at, '[]');
    value.forEach((v, i) => leaves(v, `${at}/${i}`, into));
  } else if (typeof value === 'object' && value !== null) {
    if (Object.keys(value).length === 0) into.set(at, '{}');
    for (const [k, v] of Object.entries(value)) leaves(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, into);
  } else {
    into.set(at, JSON.stringify(value));
  }
  return into;
}

/** A `description` keyword: a string leaf named description that is not a property called "description". */
function isDescriptionKeyword(pointer: string): boolean {
  const segments = pointer.split('/');
  return segments[segments.length - 1] === 'description' && segments[segments.length - 2] !== 'properties';
}

function readShared(file: string): any {
  const text = fs.readFileSync(path.join(SHARED_CRDS, file), 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

function readDerived(file: string): any {
  const text = fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

/** Leaves of `a` missing from `b` or different there, as "pointer = value" (first few). */
function notIn(a: Map<string, string>, b: Map<string, string>, keep: (pointer: string) => boolean = () => true): string[] {
  return [...a].filter(([p, v]) => keep(p) && b.get(p) !== v).slice(0, 5).map(([p, v]) => `${p} = ${v}`);
}

describe('the derived schemas in imports/', () => {
  withShared(`are exactly what npx projen import derives from ../shared/crds, file for file${SKIP_REASON}`, () => {
    const derived = deriveSchemas(SHARED_CRDS);
    expect(listImportsFolder(IMPORTS)).toEqual(derived.map(f => f.path).sort());
    for (const file of derived) {
      expect({ file: file.path, same: fs.readFileSync(path.join(IMPORTS, file.path), 'utf8') === file.content })
        .toEqual({ file: file.path, same: true });
    }
  });

  withShared(`include every vendor schema in ../shared/crds${SKIP_REASON}`, () => {
    const listed = [...parseSourcesTables(fs.readFileSync(path.join(SHARED_CRDS, 'SOURCES.md'), 'utf8')).keys()].sort();
    const onDisk = listImportsFolder(SHARED_CRDS).filter(f => f !== 'SOURCES.md');
    expect(onDisk.filter(f => f.startsWith('network-policy-api/')).length).toBe(4);
    expect(listed).toEqual(onDisk);
    expect(SCHEMA_SOURCES.map(s => s.file).sort()).toEqual(listed);
    for (const file of listed) expect({ file, derived: fs.existsSync(path.join(SCHEMAS_DIR, file)) }).toEqual({ file, derived: true });
  });

  withShared(`keep every leaf of every vendor CRD except descriptions, and add or change none${SKIP_REASON}`, () => {
    for (const source of SCHEMA_SOURCES.filter(s => !s.file.endsWith('.json'))) {
      const original = leaves(readShared(source.file));
      const derived = leaves(readDerived(source.file));
      expect({ file: source.file, lost: notIn(original, derived, p => !isDescriptionKeyword(p)) }).toEqual({ file: source.file, lost: [] });
      expect({ file: source.file, addedOrChanged: notIn(derived, original) }).toEqual({ file: source.file, addedOrChanged: [] });
      const schemaDescriptions = [...derived.keys()].filter(p => p.includes('/openAPIV3Schema/') && isDescriptionKeyword(p));
      expect({ file: source.file, schemaDescriptions }).toEqual({ file: source.file, schemaDescriptions: [] });
    }
  });

  withShared(`keep NetworkPolicy's components of the Kubernetes document whole but for descriptions, closed under $ref${SKIP_REASON}`, () => {
    const file = 'kubernetes/apis__networking.k8s.io__v1_openapi.json';
    const original = readShared(file).components.schemas;
    const kept = readDerived(file).components.schemas;
    expect(Object.keys(kept)).toContain('io.k8s.api.networking.v1.NetworkPolicy');
    expect(Object.keys(kept)).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    for (const name of Object.keys(kept)) {
      const o = leaves(original[name]);
      const d = leaves(kept[name]);
      expect({ name, lost: notIn(o, d, p => !isDescriptionKeyword(p)), addedOrChanged: notIn(d, o) })
        .toEqual({ name, lost: [], addedOrChanged: [] });
      const refs = [...d].filter(([p]) => p.endsWith('/$ref')).map(([, v]) => JSON.parse(v) as string);
      for (const ref of refs) expect({ name, ref, kept: ref.replace('#/components/schemas/', '') in kept }).toEqual({ name, ref, kept: true });
    }
  });

  test('name their source, its upstream commit or release, and what was removed, in every file', () => {
    for (const source of SCHEMA_SOURCES) {
      const text = fs.readFileSync(path.join(SCHEMAS_DIR, source.file), 'utf8');
      const header = source.file.endsWith('.json')
        ? JSON.stringify(JSON.parse(text)['x-cdk8s-zero-trust-derived-from'])
        : text.split('\n').filter(l => l.startsWith('#')).join('\n');
      expect(header).toContain(`../shared/crds/${source.file}`);
      expect(header).toContain(source.project);
      expect(header).toContain(source.commit ?? source.ref);
      expect(header).toContain(source.upstreamPath);
      expect(header).toMatch(/git blob [0-9a-f]{40}|"sharedBlob":"[0-9a-f]{40}"/);
      expect(header).toContain('description');
    }
  });

  test('cover every file the schema catalog validates against', () => {
    const files = Object.values(SCHEMA_CATALOG).flatMap(kinds => Object.values(kinds).map(s => s.file));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect({ file, present: fs.existsSync(path.join(SCHEMAS_DIR, file)) }).toEqual({ file, present: true });
  });
});

describe('deriving imports/ from a shared folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-crds-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const crd = [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: { name: widgets.example.com }',
    'spec:',
    '  group: example.com',
    '  names: { kind: Widget, plural: widgets }',
    '  scope: Namespaced',
    '  versions:',
    '  - name: v1',
    '    served: true',
    '    storage: true',
    '    schema:',
    '      openAPIV3Schema:',
    '        description: A widget.',
    '        type: object',
    '        properties:',
    '          spec:',
    '            description: The spec.',
    '            type: object',
    '            properties:',
    '              description: { type: string, description: "free text" }',
    '              size: { type: integer, minimum: 1, description: "how big" }',
    '            x-kubernetes-validations:',
    '            - { rule: "self.size < 10", message: "too big" }',
    '',
  ].join('\n');
  const source: SchemaSource = {
    file: 'example/widgets.yaml', project: 'example/widgets', ref: 'v1.0.0', commit: 'a'.repeat(40), upstreamPath: 'crds/widgets.yaml',
  };

  function lay(files: Record<string, string>, tableBlob?: string): void {
    const rows: string[] = ['## example/ — widgets', '', '| file | bytes | blob |', '| --- | --- | --- |'];
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
      const bytes = Buffer.from(text);
      rows.push(`| \`${name.slice('example/'.length)}\` | ${bytes.length} | ${tableBlob ?? gitBlobSha(bytes)} |`);
    }
    fs.writeFileSync(path.join(dir, 'SOURCES.md'), `${rows.join('\n')}\n`);
  }

  test('removes schema descriptions but keeps a property named description and every rule', () => {
    lay({ 'example/widgets.yaml': crd });
    const [schema, readme] = deriveSchemas(dir, [source]);
    expect(schema.path).toBe('schemas/example/widgets.yaml');
    const derived = parseYaml(schema.content);
    const root = derived.spec.versions[0].schema.openAPIV3Schema;
    expect(root).toEqual({
      type: 'object',
      properties: {
        spec: {
          'type': 'object',
          'properties': { description: { type: 'string' }, size: { type: 'integer', minimum: 1 } },
          'x-kubernetes-validations': [{ rule: 'self.size < 10', message: 'too big' }],
        },
      },
    });
    expect(schema.content).toMatch(/^# Derived by `npx projen import`/);
    expect(readme.path).toBe('README.md');
    expect(readme.content).toContain('| `schemas/example/widgets.yaml` | example/widgets | v1.0.0 (aaaaaaaaaaaa) |');
  });

  test('derives the same bytes twice', () => {
    lay({ 'example/widgets.yaml': crd });
    expect(deriveSchemas(dir, [source])).toEqual(deriveSchemas(dir, [source]));
  });

  test('fails with the folder and how to fix it when the shared folder is missing', () => {
    const missing = path.join(dir, 'nowhere');
    expect(() => deriveSchemas(missing, [source])).toThrow(SchemaDerivationError);
    expect(() => deriveSchemas(missing, [source])).toThrow(`the vendors' schema files are not at ${missing}`);
    expect(() => deriveSchemas(missing, [source])).toThrow('The tests do not need it');
  });

  test('fails for a vendor file that has no provenance', () => {
    lay({ 'example/widgets.yaml': crd, 'example/gadgets.yaml': crd });
    expect(() => deriveSchemas(dir, [source])).toThrow(/has files with no provenance in scripts\/imports\/schema-sources.ts: example\/gadgets.yaml/);
  });

  test('fails for a vendor file whose bytes are not the ones SOURCES.md records', () => {
    lay({ 'example/widgets.yaml': crd }, 'b'.repeat(40));
    expect(() => deriveSchemas(dir, [source])).toThrow(/but SOURCES.md records \d+ bytes and blob b{40}: the file changed without its provenance/);
  });

  test('fails for a listed file with no row in SOURCES.md', () => {
    lay({ 'example/widgets.yaml': crd });
    fs.writeFileSync(path.join(dir, 'SOURCES.md'), '# nothing recorded\n');
    expect(() => deriveSchemas(dir, [source])).toThrow('example/widgets.yaml has no row in');
  });

  test('fails for a file that is not one CustomResourceDefinition', () => {
    lay({ 'example/widgets.yaml': `${crd}---\n${crd}` });
    expect(() => deriveSchemas(dir, [source])).toThrow('example/widgets.yaml: 2 YAML documents; expected exactly one CustomResourceDefinition');
  });

  test('fails for a Kubernetes document that references a component it lacks', () => {
    const doc = JSON.stringify({ openapi: '3.0.0', components: { schemas: { A: { properties: { b: { $ref: '#/components/schemas/B' } } } } } });
    lay({ 'example/api.json': doc });
    expect(() => deriveSchemas(dir, [{ ...source, file: 'example/api.json', rootComponents: ['A'] }]))
      .toThrow('example/api.json: component "B" is referenced but not defined in components.schemas');
  });

  test('fails as one line on stderr with exit code 2 when the import task runs without the shared folder', () => {
    const out = path.join(dir, 'imports');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep'), 'untouched');
    let result: { status: number | null; stderr: string } = { status: 0, stderr: '' };
    try {
      execFileSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), [
        '--project', path.join(ROOT, 'scripts', 'tsconfig.json'), path.join(ROOT, 'scripts', 'imports', 'derive-schemas.ts'),
        path.join(dir, 'nowhere'), out,
      ], { stdio: 'pipe', encoding: 'utf8' });
    } catch (e: any) {
      result = { status: e.status, stderr: e.stderr };
    }
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^npx projen import: the vendors' schema files are not at .*nowhere/);
    // Nothing was deleted before the check.
    expect(fs.readFileSync(path.join(out, 'keep'), 'utf8')).toBe('untouched');
  });
});
