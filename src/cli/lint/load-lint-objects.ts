import {
  CLUSTER_SCOPED_KINDS, describeObject, KIND, kindKey, LINTED_KINDS, LintObject, ManifestProblem, RawObject,
} from './lint-object';
import {
  FieldReader, formatSourceLocation, ManifestError, NetworkPolicyApiManifest, NetworkPolicyManifest, PolicySource, readManifestObjects,
  readNetworkPolicy, readNetworkPolicyApiObject, SourceLocation,
} from '../../analysis';
import { readCalicoNetworkSet } from '../../analysis/parse/calico-network-set';
import { readCalicoPolicy, readCalicoTier } from '../../analysis/parse/calico-policy';
import { classifyOtherKind, objectKindKey } from '../../analysis/parse/object-kinds';
import { checkObjectNames } from '../../analysis/parse/parse-policies';

/** Options for reading objects to lint. */
export interface LoadLintObjectsOptions {
  /** Skip objects of kinds that are not policies. @default false */
  readonly ignoreOtherKinds?: boolean;
  /** Namespace of namespaced policies without one. @default 'default' */
  readonly defaultNamespace?: string;
  /** Filled with the number of objects skipped per `<group>/<kind>`. */
  readonly skippedKinds?: Map<string, number>;
  /** Filled with the number of objects of each source, in order (see `ParsePoliciesOptions.objectCounts`). */
  readonly objectCounts?: number[];
}

/** The objects to lint, and the kinds that were linted as written, without validation. */
export interface LoadedLintObjects {
  readonly objects: readonly LintObject[];
  readonly unvalidatedKinds: readonly string[];
}

/** The validated form of an object, for the kinds whose rules look at it. */
interface Validated {
  readonly networkPolicy?: NetworkPolicyManifest;
  readonly networkPolicyApi?: NetworkPolicyApiManifest;
}

/** Validators that check a manifest as its API server would, without judging whether the analyzer can evaluate it. */
type Validator = (reader: FieldReader, raw: Record<string, unknown>, defaultNamespace: string) => Validated | undefined;
const validateNetworkPolicyApi: Validator = (reader, raw) => ({ networkPolicyApi: readNetworkPolicyApiObject(reader, raw) });
const validateCalico: Validator = (reader, raw, defaultNamespace) => {
  readCalicoPolicy(reader, raw, defaultNamespace);
  return undefined;
};
const validateNetworkSet: Validator = (reader, raw, defaultNamespace) => {
  readCalicoNetworkSet(reader, raw, defaultNamespace);
  return undefined;
};
const VALIDATORS: ReadonlyMap<string, Validator> = new Map<string, Validator>([
  [KIND.kubernetesNetworkPolicy, (reader, raw, defaultNamespace) => ({ networkPolicy: readNetworkPolicy(reader, raw, { defaultNamespace }) })],
  [KIND.clusterNetworkPolicy, validateNetworkPolicyApi],
  [KIND.adminNetworkPolicy, validateNetworkPolicyApi],
  [KIND.baselineAdminNetworkPolicy, validateNetworkPolicyApi],
  [KIND.calicoNetworkPolicy, validateCalico],
  [KIND.calicoGlobalNetworkPolicy, validateCalico],
  [KIND.calicoStagedNetworkPolicy, validateCalico],
  [KIND.calicoStagedGlobalNetworkPolicy, validateCalico],
  [KIND.calicoTier, (reader, raw) => {
    readCalicoTier(reader, raw);
    return undefined;
  }],
  [KIND.calicoNetworkSet, validateNetworkSet],
  [KIND.calicoGlobalNetworkSet, validateNetworkSet],
]);

/** A rule of a direction, by the value written in its place while the object is checked again for its other problems. */
type RulePlaceholder = (direction: string) => unknown;
/** A network-policy-api rule: one action, and a peer every kind accepts in both directions (every namespace). */
const npaRule = (action: string): RulePlaceholder => (direction) => ({ action, [direction === 'ingress' ? 'from' : 'to']: [{ namespaces: {} }] });
const RULE_PLACEHOLDERS: ReadonlyMap<string, RulePlaceholder> = new Map<string, RulePlaceholder>([
  [KIND.kubernetesNetworkPolicy, () => ({})],
  [KIND.calicoNetworkPolicy, () => ({ action: 'Allow' })],
  [KIND.calicoGlobalNetworkPolicy, () => ({ action: 'Allow' })],
  [KIND.calicoStagedNetworkPolicy, () => ({ action: 'Allow' })],
  [KIND.calicoStagedGlobalNetworkPolicy, () => ({ action: 'Allow' })],
  [KIND.clusterNetworkPolicy, npaRule('Accept')],
  [KIND.adminNetworkPolicy, npaRule('Allow')],
  [KIND.baselineAdminNetworkPolicy, npaRule('Allow')],
]);

const INVALID_FIX = 'correct the field as the message says; until then the API server rejects the object and none of it applies';

/**
 * Reads policy objects for linting. Kubernetes NetworkPolicies, the network-policy-api kinds and Calico policies are validated as
 * their API servers would (the analyzer's readers); other kinds (Cilium, Istio) are linted as
 * written and listed in `unvalidatedKinds`. Unlike `parsePolicies`, nothing is refused because the
 * analyzer cannot evaluate it: a linter must read what the evaluator cannot (a waypoint policy).
 *
 * An object its API server would reject — an invalid field, a missing name, a name defined twice —
 * is not an error of the whole run: it carries its `problems` (every rule of the object that fails
 * validation is one problem; the others are still checked) and the other objects are linted.
 *
 * @throws ManifestError for invalid YAML, a document that is not a mapping, and (without
 * `ignoreOtherKinds`) objects that are not policies
 */
export function loadLintObjects(sources: readonly PolicySource[], options: LoadLintObjectsOptions = {}): LoadedLintObjects {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const objects: LintObject[] = [];
  const seen = new Map<string, LintObject>();
  const unvalidated = new Set<string>();
  for (const source of sources) {
    const manifests = readManifestObjects(source.text, source.file);
    options.objectCounts?.push(manifests.length);
    for (const manifest of manifests) {
      const reader = new FieldReader(manifest.location);
      const raw = reader.object(manifest.value, '');
      const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
      const kind = typeof raw.kind === 'string' ? raw.kind : '';
      const key = kindKey(apiVersion, kind);
      if (!LINTED_KINDS.includes(key)) {
        const given = kind ? `kind ${kind}${apiVersion ? ` (${apiVersion})` : ''}` : 'an object without a kind';
        const other = classifyOtherKind(objectKindKey(apiVersion, kind));
        if (other.kind === 'skippable' && options.ignoreOtherKinds) {
          const skipped = objectKindKey(apiVersion, kind);
          options.skippedKinds?.set(skipped, (options.skippedKinds.get(skipped) ?? 0) + 1);
          continue;
        }
        reader.fail('kind', other.kind === 'policy'
          ? `${given} may allow or deny traffic (${other.reason}) and the linter does not read it; it is an error with or without --ignore-other-kinds`
          : other.kind === 'skippable'
            ? `expected a policy (a Kubernetes NetworkPolicy or ClusterNetworkPolicy, or a Cilium, Calico or Istio policy kind), got ${given}; pass --ignore-other-kinds to skip objects of kinds that carry no network policy`
            : `expected a policy (a Kubernetes NetworkPolicy or ClusterNetworkPolicy, or a Cilium, Calico or Istio policy kind), got ${given}, a kind the linter does not know; remove it from the input `
              + '(--ignore-other-kinds skips only kinds known to carry no network policy)');
      }
      const problems: ManifestProblem[] = [];
      const identity = readIdentity(reader, raw, key, defaultNamespace, problems);
      const validate = VALIDATORS.get(key);
      const validated = validate
        ? validateAll(raw, key, manifest.location, (r, value) => validate(r, value, defaultNamespace), problems)
        : undefined;
      if (!validate) {
        unvalidated.add(kind);
      }
      const draft: LintObject = {
        key,
        kind,
        apiVersion,
        name: identity.name,
        location: manifest.location,
        raw,
        ...(identity.namespace === undefined ? {} : { namespace: identity.namespace }),
      };
      const id = `${key} ${describeObject(draft)}`;
      const earlier = identity.named ? seen.get(id) : undefined;
      if (earlier) {
        problems.push({
          path: 'metadata.name',
          message: `${describeObject(draft)} is defined twice (first in ${formatSourceLocation(earlier.location)}): the API server keeps one object per name, so applying both leaves only the one applied last`,
          fix: 'rename one of them, or merge their rules into one object',
        });
      } else if (identity.named) {
        seen.set(id, draft);
      }
      objects.push({ ...draft, ...(problems.length === 0 ? validated : {}), ...(problems.length > 0 ? { problems } : {}) });
    }
  }
  return { objects, unvalidatedKinds: [...unvalidated].sort() };
}

/** The name and namespace of an object; a missing or invalid one is a problem, and the object is named `<no name>`. */
function readIdentity(reader: FieldReader, raw: RawObject, key: string, defaultNamespace: string, problems: ManifestProblem[]): {
  readonly name: string; readonly namespace?: string; readonly named: boolean;
} {
  let name: string | undefined;
  let namespace: string | undefined = CLUSTER_SCOPED_KINDS.includes(key) ? undefined : defaultNamespace;
  catchProblem(reader.location, problems, () => {
    // An invalid name (a newline, markdown, escape bytes) is a problem and never shown as the name.
    checkObjectNames(reader, raw);
    const metadata = reader.object(raw.metadata, 'metadata');
    if (!CLUSTER_SCOPED_KINDS.includes(key)) {
      namespace = reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
    }
    name = reader.string(metadata.name, 'metadata.name');
  });
  return { name: name ?? '<no name>', ...(namespace === undefined ? {} : { namespace }), named: name !== undefined };
}

/**
 * Validates an object and, when a rule of it is invalid, validates it again with a valid rule in that
 * place, so that every invalid rule is reported (paths stay those of the object as written).
 */
function validateAll<T>(
  raw: Record<string, unknown>, key: string, location: SourceLocation,
  validate: (reader: FieldReader, raw: Record<string, unknown>) => T, problems: ManifestProblem[],
): T | undefined {
  const placeholder = RULE_PLACEHOLDERS.get(key);
  let current = raw;
  const replaced = new Set<string>();
  for (;;) {
    const reader = new FieldReader(location);
    let error: ManifestError | undefined;
    let result: T | undefined;
    try {
      result = validate(reader, current);
    } catch (e) {
      if (!(e instanceof ManifestError)) {
        throw e;
      }
      error = e;
    }
    if (!error) {
      return result;
    }
    const path = relativePath(error, location.path);
    if (problems.some((problem) => problem.path === path)) {
      return undefined; // already reported (a missing name)
    }
    problems.push({ path, message: `${error.problem}; the API server rejects the object as written, so none of it applies`, fix: INVALID_FIX });
    const rule = /^spec\.(ingress|egress)\[(\d+)\]/.exec(path);
    if (!rule || placeholder === undefined || replaced.has(rule[0])) {
      return undefined;
    }
    replaced.add(rule[0]);
    current = withRule(current, rule[1], Number(rule[2]), placeholder(rule[1]));
  }
}

function withRule(raw: Record<string, unknown>, direction: string, index: number, placeholder: unknown): Record<string, unknown> {
  const spec = raw.spec as Record<string, unknown>;
  const rules = [...(spec[direction] as unknown[])];
  rules[index] = placeholder;
  return { ...raw, spec: { ...spec, [direction]: rules } };
}

/** The field path of an error inside its object (without the `items[i]` prefix of a List item). */
function relativePath(error: ManifestError, itemPath: string | undefined): string {
  if (!itemPath) {
    return error.fieldPath;
  }
  return error.fieldPath === itemPath ? '' : error.fieldPath.startsWith(`${itemPath}.`) ? error.fieldPath.slice(itemPath.length + 1) : error.fieldPath;
}

function catchProblem(location: SourceLocation, problems: ManifestProblem[], read: () => void): void {
  try {
    read();
  } catch (e) {
    if (!(e instanceof ManifestError)) {
      throw e;
    }
    problems.push({ path: relativePath(e, location.path), message: `${e.problem}; the API server rejects the object as written`, fix: INVALID_FIX });
  }
}
