// Derives imports/ (the schemas the test suite validates against) from the vendors' files in ../shared/crds.
//
// Each derived schema keeps the shared file's path and format and everything validation reads; what is
// dropped is fixed and deterministic: every schema `description` (documentation, most of the bytes), and in
// the Kubernetes OpenAPI document the API paths and every component that the listed root components do not
// reference. A header (YAML comment, or an `x-` field in the JSON document) names the upstream project,
// release, commit, path and the shared copy's git blob, and says what was removed. Pure: it reads, never
// writes (derive-schemas.ts writes), so test/imports/derived-schemas.test.ts can compare its output with
// the committed files.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { parseAllDocuments, parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { SCHEMA_SOURCES, SchemaSource } from './schema-sources';

/** A file of imports/, by its path relative to imports/. */
export interface DerivedFile {
  readonly path: string;
  readonly content: string;
}

/** A vendor file that cannot be derived, or a folder that does not match its provenance. Says how to fix it. */
export class SchemaDerivationError extends Error {}

/** Where the derived schemas go, relative to imports/. */
export const SCHEMAS_FOLDER = 'schemas';

const GENERATOR = '`npx projen import` (scripts/imports/derive-schemas.ts)';
const PROVENANCE_FIELD = 'x-cdk8s-zero-trust-derived-from';

interface SharedEntry {
  readonly bytes: number;
  readonly blob: string;
}

/** The git blob SHA-1 of some bytes, as `git hash-object` computes it. */
export function gitBlobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The file tables of SOURCES.md (`| \`file\` | bytes | blob |`), keyed by path relative to the crds folder.
 * A table's files sit in the folder its `## <folder>/ — ...` heading names.
 */
export function parseSourcesTables(markdown: string): Map<string, SharedEntry> {
  const entries = new Map<string, SharedEntry>();
  let folder: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## ([\w.-]+)\/\s/.exec(line);
    if (heading) folder = heading[1];
    const row = /^\| `([^`]+)` \| (\d+) \| ([0-9a-f]{40}) \|\s*$/.exec(line);
    if (row && folder) entries.set(`${folder}/${row[1]}`, { bytes: Number(row[2]), blob: row[3] });
  }
  return entries;
}

/** Every file below `dir`, as `/`-separated paths relative to it, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap(e => (e.isDirectory() ? listFiles(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

// Keywords whose value is a schema, a list of schemas, or a map of name -> schema (OpenAPI 3.0 / JSON Schema).
const SCHEMA_VALUED = new Set(['not', 'additionalProperties', 'items', 'additionalItems']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);

/**
 * A copy of a schema without its `description` keywords, at every level. Only keywords are dropped: a
 * property that happens to be named `description` (Cilium's and Calico's specs have one) stays, because
 * `properties` maps names to schemas and only the schemas are visited.
 */
export function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (SCHEMA_VALUED.has(key) || SCHEMA_LISTS.has(key)) {out[key] = withoutDescriptions(value);} else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, withoutDescriptions(s)]));
    } else {out[key] = value;}
  }
  return out;
}

const COMPONENT_REF = '#/components/schemas/';

function refsIn(node: unknown, into: string[]): string[] {
  if (Array.isArray(node)) {node.forEach(n => refsIn(n, into));} else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value);
      else refsIn(value, into);
    }
  }
  return into;
}

/** The names of `roots` and of every component they reference, transitively, in the document's order. */
export function reachableComponents(schemas: Record<string, unknown>, roots: readonly string[], file: string): string[] {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    if (!Object.prototype.hasOwnProperty.call(schemas, name)) {
      throw new SchemaDerivationError(`${file}: component "${name}" is referenced but not defined in components.schemas; `
        + 'the document is not the Kubernetes OpenAPI v3 document SOURCES.md describes. Fix: restore the vendor file, '
        + 'or correct rootComponents in scripts/imports/schema-sources.ts');
    }
    seen.add(name);
    for (const ref of refsIn(schemas[name], [])) {
      if (!ref.startsWith(COMPONENT_REF)) {
        throw new SchemaDerivationError(`${file}: component "${name}" has $ref "${ref}"; expected only local `
          + `"${COMPONENT_REF}..." references. Fix: extend scripts/imports/schema-derivation.ts to follow it`);
      }
      pending.push(ref.slice(COMPONENT_REF.length));
    }
  }
  return Object.keys(schemas).filter(n => seen.has(n));
}

function upstreamLine(source: SchemaSource): string {
  const commit = source.commit ? `, commit ${source.commit}` : '';
  return `${source.project} ${source.ref}${commit}, ${source.upstreamPath}`;
}

function deriveOpenApi(source: SchemaSource, text: string, shared: SharedEntry): string {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SchemaDerivationError(`${source.file}: not valid JSON (${(e as Error).message}); expected the Kubernetes `
      + 'OpenAPI v3 document. Fix: restore the vendor file');
  }
  const schemas = doc?.components?.schemas;
  if (typeof doc?.openapi !== 'string' || !isObject(schemas)) {
    throw new SchemaDerivationError(`${source.file}: has no "openapi" version or no components.schemas; expected a `
      + 'Kubernetes OpenAPI v3 document. Fix: restore the vendor file');
  }
  const keep = reachableComponents(schemas, source.rootComponents ?? [], source.file);
  const derived = {
    openapi: doc.openapi,
    info: doc.info,
    [PROVENANCE_FIELD]: {
      generator: GENERATOR,
      source: `../shared/crds/${source.file}`,
      sharedBlob: shared.blob,
      sharedBytes: shared.bytes,
      upstream: upstreamLine(source),
      ...(source.note ? { note: source.note } : {}),
      changed: `kept only the components that ${(source.rootComponents ?? []).join(', ')} reference (transitively); `
        + 'removed the API paths and every schema description',
      licence: 'Apache-2.0, as the upstream project',
    },
    components: { schemas: Object.fromEntries(keep.map(name => [name, withoutDescriptions(schemas[name])])) },
  };
  return `${JSON.stringify(derived, null, 2)}\n`;
}

function deriveCrd(source: SchemaSource, text: string, shared: SharedEntry): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length !== 1 || docs[0].errors.length > 0) {
    const why = Array.isArray(docs) ? `${docs.length} YAML documents${docs.some(d => d.errors.length) ? ' with errors' : ''}` : 'no document';
    throw new SchemaDerivationError(`${source.file}: ${why}; expected exactly one CustomResourceDefinition. `
      + 'Fix: restore the vendor file (SOURCES.md says how it was cut)');
  }
  const crd: any = docs[0].toJS();
  if (crd?.kind !== 'CustomResourceDefinition' || !Array.isArray(crd?.spec?.versions)) {
    throw new SchemaDerivationError(`${source.file}: kind is ${JSON.stringify(crd?.kind)}; expected a `
      + 'CustomResourceDefinition with spec.versions. Fix: restore the vendor file');
  }
  const derived = {
    ...crd,
    spec: {
      ...crd.spec,
      versions: crd.spec.versions.map((v: any) => (v?.schema?.openAPIV3Schema === undefined ? v
        : { ...v, schema: { ...v.schema, openAPIV3Schema: withoutDescriptions(v.schema.openAPIV3Schema) } })),
    },
  };
  const body = stringifyYaml(derived, { lineWidth: 0, aliasDuplicateObjects: false });
  // The YAML must read back as exactly what was derived (no folding, no alias, no lost type).
  if (!isDeepStrictEqual(parseYaml(body), derived)) {
    throw new SchemaDerivationError(`${source.file}: the derived YAML does not read back as the derived schema; `
      + 'the yaml library changed how it writes. Fix: check scripts/imports/schema-derivation.ts\'s stringify options');
  }
  const header = [
    `# Derived by ${GENERATOR} from ../shared/crds/${source.file}; do not edit.`,
    `# Upstream: ${upstreamLine(source)}`,
    ...(source.note ? [`#   (${source.note})`] : []),
    `# Shared copy: git blob ${shared.blob}, ${shared.bytes} bytes (../shared/crds/SOURCES.md).`,
    '# Changed: every schema description removed (validation does not read them); nothing else.',
    '# Licence: Apache-2.0, as the upstream project.',
  ];
  return `${header.join('\n')}\n${body}`;
}

function readme(sources: readonly SchemaSource[], shared: Map<string, SharedEntry>): string {
  const rows = sources.map(s => `| \`${SCHEMAS_FOLDER}/${s.file}\` | ${s.project} | ${s.ref}${s.commit ? ` (${s.commit.slice(0, 12)})` : ''} `
    + `| \`${s.upstreamPath}\`${s.note ? ` (${s.note})` : ''} | ${shared.get(s.file)!.blob} |`);
  return [
    '# imports/ — the vendors\' schemas, derived',
    '',
    `Generated by ${GENERATOR}; do not edit. Regenerate with \`npx projen import\`, which needs the vendors'`,
    'original files in `../shared/crds` beside the repository (provenance in its `SOURCES.md`). Nothing else',
    'needs them: the test suite (`test/helpers/schema.ts`) validates every synthesized object against the',
    'schemas here, so a clone of the repository alone passes `npm ci && npx projen test`.',
    '',
    'Each file keeps the shared file\'s path and format, and everything validation reads. Removed, always and',
    'only: every schema `description`; in the Kubernetes OpenAPI document also the API paths and the',
    'components that NetworkPolicy does not reference. Each file\'s header says where it comes from.',
    '`test/imports/derived-schemas.test.ts` checks that these files are exactly what the import task writes.',
    '',
    'The typed bindings that the library compiles are generated by the same task into `src/imports/`',
    '(jsii compiles only `src/`); see docs/ARCHITECTURE.md.',
    '',
    '| file | project | release (commit) | upstream path | git blob of the shared copy |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'All sources are licensed under the Apache License 2.0; these files are modified as stated above.',
    '',
  ].join('\n');
}

/**
 * Derives every file of imports/ from the vendors' files in `crdsDir`. Fails (SchemaDerivationError) when
 * the folder is missing, a file has no provenance in schema-sources.ts or SOURCES.md, a file's bytes are not
 * the ones SOURCES.md records, or a file is not the kind of schema it should be.
 */
export function deriveSchemas(crdsDir: string, sources: readonly SchemaSource[] = SCHEMA_SOURCES): DerivedFile[] {
  const sourcesMd = path.join(crdsDir, 'SOURCES.md');
  if (!fs.existsSync(sourcesMd)) {
    throw new SchemaDerivationError(`the vendors' schema files are not at ${crdsDir} (no SOURCES.md there); `
      + 'regenerating imports/ and src/imports/ needs them. Fix: put the shared folder beside the repository '
      + '(../shared/crds), as on the project\'s machines. The tests do not need it: they read imports/schemas');
  }
  const shared = parseSourcesTables(fs.readFileSync(sourcesMd, 'utf8'));
  const present = listFiles(crdsDir).filter(f => f !== 'SOURCES.md');
  const known = new Set(sources.map(s => s.file));
  const unlisted = present.filter(f => !known.has(f));
  if (unlisted.length > 0) {
    throw new SchemaDerivationError(`${crdsDir} has files with no provenance in scripts/imports/schema-sources.ts: `
      + `${unlisted.join(', ')}. Fix: add each one there (project, release, commit, upstream path from SOURCES.md)`);
  }
  const files: DerivedFile[] = [];
  for (const source of sources) {
    const full = path.join(crdsDir, source.file);
    if (!fs.existsSync(full)) {
      throw new SchemaDerivationError(`${full} is listed in scripts/imports/schema-sources.ts but missing. `
        + 'Fix: restore it in the shared folder, or remove its entry');
    }
    const entry = shared.get(source.file);
    if (!entry) {
      throw new SchemaDerivationError(`${source.file} has no row in ${sourcesMd}'s file tables, so its git blob is `
        + 'unknown. Fix: record the file (bytes, blob) in SOURCES.md');
    }
    const bytes = fs.readFileSync(full);
    const blob = gitBlobSha(bytes);
    if (blob !== entry.blob || bytes.length !== entry.bytes) {
      throw new SchemaDerivationError(`${full} is ${bytes.length} bytes with git blob ${blob}, but SOURCES.md records `
        + `${entry.bytes} bytes and blob ${entry.blob}: the file changed without its provenance. Fix: restore the `
        + 'vendor file, or update SOURCES.md and scripts/imports/schema-sources.ts with where the new bytes come from');
    }
    const text = bytes.toString('utf8');
    const content = source.file.endsWith('.json') ? deriveOpenApi(source, text, entry) : deriveCrd(source, text, entry);
    files.push({ path: `${SCHEMAS_FOLDER}/${source.file}`, content });
  }
  files.push({ path: 'README.md', content: readme(sources, shared) });
  return files;
}

/** Every file below an imports/ folder, as derived-file paths, sorted; none if it does not exist. */
export function listImportsFolder(importsDir: string): string[] {
  return fs.existsSync(importsDir) ? listFiles(importsDir) : [];
}
