/**
 * Validates generated Kubernetes manifests against the vendors' schemas (derived
 * into imports/schemas from ../shared/crds, see ./schema-catalog), the way an API server with strict field validation would:
 * OpenAPI/CRD structural schema with unknown fields rejected, ObjectMeta
 * syntax, the CEL rules listed in ./cel-rules, and the Go-side NetworkPolicy
 * checks in ./networkpolicy-validation.
 *
 *   expectValidManifests(Testing.synth(chart));
 *
 * Validators are compiled lazily, once per (group, version, kind) and process.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { checkCelRules } from './cel-rules';
import { addKubernetesVocabulary, goRegExp } from './k8s-ajv-vocabulary';
import { validateNetworkPolicySpec } from './networkpolicy-validation';
import { Issue, pointerSegment, validateObjectMeta } from './object-meta';
import {
  findSchemaSource, K8S_NETWORKING_OPENAPI, OBJECT_META_COMPONENT, parseApiVersion, readSchemaFile, SchemaSource,
  supportedKinds,
} from './schema-catalog';
import { closeStructuralSchema, prepareCrdRoot, SchemaNode } from './schema-transform';

type Scope = 'Namespaced' | 'Cluster';

interface KindValidator {
  /** One validator per release channel of the schema (labelled when there are several). */
  readonly channels: readonly { readonly label?: string; readonly validate: ValidateFunction }[];
  readonly scope: Scope;
}

/** Base URI under which the (closed) Kubernetes OpenAPI document is registered in ajv. */
const K8S_DOC_ID = 'https://cdk8s-zero-trust.test/k8s/networking.k8s.io/v1';

let ajvInstance: Ajv | undefined;
const crdFiles = new Map<string, any>();
const validators = new Map<string, KindValidator | string>();

function getAjv(): Ajv {
  if (!ajvInstance) {
    // strict: false - the schemas use OpenAPI/Kubernetes keywords (nullable,
    // x-kubernetes-*, example) that are not JSON Schema.
    // useDefaults - CRD defaults are applied before validation and CEL, as on
    // the server; the built-in document has its defaults stripped (see
    // closeStructuralSchema). We only ever validate a copy.
    const ajv = addKubernetesVocabulary(new Ajv({
      strict: false, allErrors: true, verbose: true, useDefaults: true, code: { regExp: goRegExp },
    }));
    const doc = JSON.parse(readSchemaFile(K8S_NETWORKING_OPENAPI));
    const schemas = Object.fromEntries(Object.entries(doc.components.schemas as Record<string, SchemaNode>)
      .map(([name, s]) => [name, closeStructuralSchema(s, { stripDefaults: true })]));
    ajv.addSchema({ $id: K8S_DOC_ID, components: { schemas } });
    ajvInstance = ajv;
  }
  return ajvInstance;
}

function componentRef(component: string): string {
  return `${K8S_DOC_ID}#/components/schemas/${component}`;
}

function loadCrd(file: string): any {
  let crd = crdFiles.get(file);
  if (!crd) {
    crd = parseYaml(readSchemaFile(file));
    crdFiles.set(file, crd);
  }
  return crd;
}

function buildValidator(source: SchemaSource, group: string, version: string, kind: string): KindValidator | string {
  const ajv = getAjv();
  if (source.format === 'openapi') {
    if (!source.versions.includes(version)) {
      return `${group}/${kind}: version "${version}" is not described by the schema (known: ${source.versions.join(', ')})`;
    }
    return { channels: [{ validate: ajv.compile({ $ref: componentRef(source.component) }) }], scope: source.scope };
  }
  const files = [source.file, ...(source.channels ?? [])];
  const schemaVersion = source.versionAliases?.[version] ?? version;
  const channels: { label?: string; validate: ValidateFunction }[] = [];
  let scope: Scope = 'Namespaced';
  for (const file of files) {
    const crd = loadCrd(file);
    if (crd?.spec?.group !== group || crd?.spec?.names?.kind !== kind) {
      throw new Error(`schema catalog points ${group}/${kind} at ${file}, which defines `
        + `${crd?.spec?.group}/${crd?.spec?.names?.kind}`);
    }
    const served = (crd.spec.versions as any[]).filter(v => v.served);
    const entry = served.find(v => v.name === schemaVersion);
    if (!entry) {
      return `${group}/${kind}: version "${version}" is not served by the CRD (served: ${served.map(v => v.name).join(', ')})`;
    }
    const root = prepareCrdRoot(entry.schema.openAPIV3Schema, componentRef(OBJECT_META_COMPONENT));
    const channel = crd.metadata?.annotations?.['policy.networking.k8s.io/channel'];
    channels.push({ ...(files.length > 1 ? { label: `${channel ?? file} channel` } : {}), validate: ajv.compile(closeStructuralSchema(root)) });
    scope = crd.spec.scope;
  }
  return { channels, scope };
}

function validatorFor(group: string, version: string, kind: string): KindValidator | string {
  const key = `${group}/${version}/${kind}`;
  let v = validators.get(key);
  if (v === undefined) {
    const source = findSchemaSource(group, kind);
    v = source
      ? buildValidator(source, group, version, kind)
      : `unsupported kind ${kind} in apiVersion ${group ? `${group}/` : ''}${version}: no schema is known for it `
        + `(supported: ${supportedKinds().join(', ')})`;
    validators.set(key, v);
  }
  return v;
}

/** Names of the alternatives of a oneOf/anyOf made only of `required` branches, e.g. Cilium's selectors. */
function requiredAlternatives(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches)) return undefined;
  const names = branches.map(b => (Array.isArray(b?.required) && b.required.length > 0 ? b.required.join(' + ') : undefined));
  return names.every((n): n is string => n !== undefined) ? names : undefined;
}

function typeAlternatives(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches)) return undefined;
  const types = branches.map(b => (b && Object.keys(b).length === 1 && typeof b.type === 'string' ? b.type : undefined));
  return types.every((t): t is string => t !== undefined) ? types : undefined;
}

function describe(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function ajvIssue(e: ErrorObject): Issue {
  const at = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties':
      return { pointer: `${at}/${pointerSegment(e.params.additionalProperty)}`, message: 'unknown field (not in the schema)' };
    case 'required':
      return { pointer: `${at}/${pointerSegment(e.params.missingProperty)}`, message: 'required field is missing' };
    case 'enum':
      return { pointer: at, message: `must be one of ${e.params.allowedValues.map(describe).join(', ')} (got ${describe(e.data)})` };
    case 'type':
      return { pointer: at, message: `must be of type ${e.params.type} (got ${describe(e.data)})` };
    case 'oneOf':
    case 'anyOf': {
      const required = requiredAlternatives(e.schema);
      const types = typeAlternatives(e.schema);
      if (required) {
        const quantifier = e.keyword === 'oneOf' ? 'exactly one' : 'at least one';
        return { pointer: at, message: `${quantifier} of [${required.join(', ')}] must be set` };
      }
      if (types) return { pointer: at, message: `must be of type ${types.join(' or ')} (got ${describe(e.data)})` };
      return { pointer: at, message: `${e.message}` };
    }
    case 'pattern':
    case 'format':
      return { pointer: at, message: `${e.message} (got ${describe(e.data)})` };
    default:
      return { pointer: at, message: `${e.message}` };
  }
}

/** Turns ajv errors into issues, folding the per-branch errors of a failed oneOf/anyOf into one line. */
function ajvIssues(errors: readonly ErrorObject[]): Issue[] {
  const junctions = errors.filter(e => e.keyword === 'oneOf' || e.keyword === 'anyOf').map(e => `${e.schemaPath}/`);
  return errors
    .filter(e => !junctions.some(prefix => e.schemaPath.startsWith(prefix)))
    .map(ajvIssue);
}

function format(issue: Issue): string {
  return `${issue.pointer || '(root)'}: ${issue.message}`;
}

/**
 * Validates one Kubernetes object. Returns human-readable errors, each
 * "<JSON pointer>: <message>"; an empty list means valid. An object whose
 * apiVersion/kind has no known schema is reported as an error, never as valid.
 * The object itself is not modified.
 */
export function validateManifest(obj: any): string[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return [`(root): a manifest must be an object, got ${describe(obj)}`];
  }
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || !obj.apiVersion || !obj.kind) {
    return ['(root): apiVersion and kind must be non-empty strings'];
  }
  const { group, version } = parseApiVersion(obj.apiVersion);
  const validator = validatorFor(group, version, obj.kind);
  if (typeof validator === 'string') return [`/apiVersion: ${validator}`];

  const issues: Issue[] = [...validateObjectMeta(obj, validator.scope)];
  for (const channel of validator.channels) {
    const copy = structuredClone(obj);
    const found: Issue[] = [];
    if (!channel.validate(copy)) found.push(...ajvIssues(channel.validate.errors ?? []));
    found.push(...checkCelRules(group, obj.kind, copy, channel.label));
    issues.push(...found.map(i => (channel.label ? { ...i, message: `${i.message} [${channel.label}]` } : i)));
  }
  if (group === 'networking.k8s.io' && obj.kind === 'NetworkPolicy') issues.push(...validateNetworkPolicySpec(obj));
  return [...new Set(issues.map(format))];
}

/** `Kind namespace/name` for messages. */
export function manifestLabel(obj: any): string {
  const meta = obj?.metadata ?? {};
  const name = meta.name ?? '<no name>';
  return `${obj?.kind ?? '<no kind>'} ${meta.namespace ? `${meta.namespace}/` : ''}${name}`;
}

/**
 * Validates many objects; every error is prefixed with `Kind namespace/name`
 * and the object's index.
 */
export function validateManifests(objs: readonly any[]): string[] {
  return objs.flatMap((obj, i) => validateManifest(obj).map(e => `[${i}] ${manifestLabel(obj)}: ${e}`));
}

/**
 * Jest-friendly assertion: throws one Error listing every problem of every
 * invalid object (kind/name, JSON pointer, message). An empty list passes.
 */
export function expectValidManifests(objs: readonly any[]): void {
  if (!Array.isArray(objs)) throw new Error(`expectValidManifests expects an array of objects, got ${describe(objs)}`);
  const errors = validateManifests(objs);
  if (errors.length > 0) {
    const bad = new Set(errors.map(e => e.slice(0, e.indexOf(']')))).size;
    throw new Error(`${bad} of ${objs.length} manifests are invalid:\n  ${errors.join('\n  ')}`);
  }
}
