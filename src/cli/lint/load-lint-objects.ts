import { CLUSTER_SCOPED_KINDS, describeObject, KIND, kindKey, LINTED_KINDS, LintObject } from './lint-object';
import {
  FieldReader, formatSourceLocation, PolicySource, readManifestObjects, readNetworkPolicy,
} from '../../analysis';
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
}

/** The objects to lint, and the kinds that were linted as written, without validation. */
export interface LoadedLintObjects {
  readonly objects: readonly LintObject[];
  readonly unvalidatedKinds: readonly string[];
}

/** Validators that check a manifest as its API server would, without judging whether the analyzer can evaluate it. */
type Validator = (reader: FieldReader, raw: unknown, defaultNamespace: string) => void;
const VALIDATORS: ReadonlyMap<string, Validator> = new Map<string, Validator>([
  [KIND.calicoNetworkPolicy, readCalicoPolicy],
  [KIND.calicoGlobalNetworkPolicy, readCalicoPolicy],
  [KIND.calicoStagedNetworkPolicy, readCalicoPolicy],
  [KIND.calicoStagedGlobalNetworkPolicy, readCalicoPolicy],
  [KIND.calicoTier, (reader: FieldReader, raw: unknown) => { readCalicoTier(reader, raw); }],
]);

/**
 * Reads policy objects for linting. Kubernetes NetworkPolicies and Calico policies are validated as
 * their API servers would (the analyzer's readers, which name file, document and field); other kinds
 * (Cilium, Istio) are linted as written and listed in `unvalidatedKinds`. Unlike `parsePolicies`,
 * nothing is refused because the analyzer cannot evaluate it: a linter must read what the evaluator
 * cannot (a STRICT PeerAuthentication, a waypoint policy).
 *
 * @throws ManifestError for invalid YAML, invalid Kubernetes or Calico policies, an object defined
 * twice, and (without `ignoreOtherKinds`) objects that are not policies
 */
export function loadLintObjects(sources: readonly PolicySource[], options: LoadLintObjectsOptions = {}): LoadedLintObjects {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const objects: LintObject[] = [];
  const seen = new Map<string, LintObject>();
  const unvalidated = new Set<string>();
  for (const source of sources) {
    for (const manifest of readManifestObjects(source.text, source.file)) {
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
            ? `expected a policy (a Kubernetes NetworkPolicy, or a Cilium, Calico or Istio policy kind), got ${given}; pass --ignore-other-kinds to skip objects of kinds that carry no network policy`
            : `expected a policy (a Kubernetes NetworkPolicy, or a Cilium, Calico or Istio policy kind), got ${given}, a kind the linter does not know; remove it from the input `
              + '(--ignore-other-kinds skips only kinds known to carry no network policy)');
      }
      checkObjectNames(reader, raw);
      const metadata = reader.object(raw.metadata, 'metadata');
      const name = reader.string(metadata.name, 'metadata.name');
      const namespace = CLUSTER_SCOPED_KINDS.includes(key)
        ? undefined
        : reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
      const networkPolicy = key === KIND.kubernetesNetworkPolicy ? readNetworkPolicy(reader, raw, { defaultNamespace }) : undefined;
      const validate = VALIDATORS.get(key);
      if (validate) {
        validate(reader, raw, defaultNamespace);
      } else if (!networkPolicy) {
        unvalidated.add(kind);
      }
      const object: LintObject = {
        key,
        kind,
        apiVersion,
        name,
        location: manifest.location,
        raw,
        ...(namespace === undefined ? {} : { namespace }),
        ...(networkPolicy ? { networkPolicy } : {}),
      };
      const id = `${key} ${describeObject(object)}`;
      const earlier = seen.get(id);
      if (earlier) {
        reader.fail('metadata.name', `${describeObject(object)} is defined twice (first in ${formatSourceLocation(earlier.location)}); names must be unique`);
      }
      seen.set(id, object);
      objects.push(object);
    }
  }
  return { objects, unvalidatedKinds: [...unvalidated].sort() };
}
