import { CLUSTER_SCOPED_KINDS, describeObject, KIND, kindKey, LINTED_KINDS, LintObject } from './lint-object';
import {
  FieldReader, formatSourceLocation, PolicySource, readManifestObjects, readNetworkPolicy, readNetworkPolicyApiObject,
} from '../../analysis';
import { readCalicoPolicy, readCalicoTier } from '../../analysis/parse/calico-policy';

/** Options for reading objects to lint. */
export interface LoadLintObjectsOptions {
  /** Skip objects of kinds that are not policies. @default false */
  readonly ignoreOtherKinds?: boolean;
  /** Namespace of namespaced policies without one. @default 'default' */
  readonly defaultNamespace?: string;
}

/** The objects to lint, and the kinds that were linted as written, without validation. */
export interface LoadedLintObjects {
  readonly objects: readonly LintObject[];
  readonly unvalidatedKinds: readonly string[];
}

const NETWORK_POLICY_API_KINDS: readonly string[] = [KIND.clusterNetworkPolicy, KIND.adminNetworkPolicy, KIND.baselineAdminNetworkPolicy];

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
        if (options.ignoreOtherKinds) {
          continue;
        }
        const given = kind ? `kind ${kind}${apiVersion ? ` (${apiVersion})` : ''}` : 'an object without a kind';
        reader.fail('kind', `expected a policy (a Kubernetes NetworkPolicy or ClusterNetworkPolicy, or a Cilium, Calico or Istio policy kind), got ${given}; `
          + 'pass --ignore-other-kinds to skip objects that are not policies');
      }
      const metadata = reader.object(raw.metadata, 'metadata');
      const name = reader.string(metadata.name, 'metadata.name');
      const namespace = CLUSTER_SCOPED_KINDS.includes(key)
        ? undefined
        : reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
      const networkPolicy = key === KIND.kubernetesNetworkPolicy ? readNetworkPolicy(reader, raw, { defaultNamespace }) : undefined;
      const networkPolicyApi = NETWORK_POLICY_API_KINDS.includes(key) ? readNetworkPolicyApiObject(reader, raw) : undefined;
      const validate = VALIDATORS.get(key);
      if (validate) {
        validate(reader, raw, defaultNamespace);
      } else if (!networkPolicy && !networkPolicyApi) {
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
        ...(networkPolicyApi ? { networkPolicyApi } : {}),
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
