import { CALICO_NETWORK_SET_KEYS, CALICO_POLICY_KEYS, CALICO_TIER_KEY, CalicoObjects } from './calico-readers';
import { CILIUM_POLICY_KEYS, readCiliumPolicies } from './cilium-readers';
import { FieldReader } from './field-reader';
import {
  ISTIO_AUTHORIZATION_POLICY_KEY, ISTIO_PEER_AUTHENTICATION_KEY, readIstioAuthorizationPolicies, readIstioPeerAuthentications,
} from './istio-readers';
import { readNetworkPolicy } from './kubernetes-network-policy';
import { LOOKALIKE_CLUSTER_POLICIES, NETWORK_POLICY_API_KEYS } from './network-policy-api';
import { checkNetworkPolicyApiSet, readNetworkPolicyApiPolicies } from './network-policy-api-readers';
import { classifyOtherKind, objectKindKey } from './object-kinds';
import { isRecord, readManifestObjects } from './yaml-documents';
import { InputProblem } from '../../validation/input-error';
import { checkNamespaceName, checkSubdomainName } from '../../validation/validators';
import { ClusterNamespace } from '../cluster/cluster-model';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy } from '../ir/analysis-policy';
import { formatPolicyRef, formatSourceLocation, PolicyRef, SourceLocation } from '../ir/policy-ref';
import { translateNetworkPolicy } from '../translate/kubernetes-network-policy';

/** A YAML text and the file name used in error messages. */
export interface PolicySource {
  readonly file: string;
  readonly text: string;
}

/** Options for reading policy manifests. */
export interface ParsePoliciesOptions {
  /**
   * Namespace of namespaced policies whose metadata has none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * Skip objects of the kinds known to carry no network policy (`KINDS_WITHOUT_POLICY`: workloads,
   * Services, ConfigMaps…) instead of failing. Kinds that may allow or deny traffic and that the
   * analyzer does not evaluate, and unknown kinds, are an error either way.
   * @default false
   */
  readonly ignoreOtherKinds?: boolean;
  /** Filled with the number of objects skipped per `<group>/<kind>` (`/Service` for the core group). */
  readonly skippedKinds?: Map<string, number>;
  /**
   * The Istio mesh's trust domain (`meshConfig.trustDomain`, assumed without aliases), for
   * AuthorizationPolicy principals whose meaning depends on it (`example.org/ns/a/sa/b`, prefixes).
   * @default - unknown: such principals are an error; principals in `cluster.local` and suffixes are read either way
   */
  readonly istioTrustDomain?: string;
  /**
   * The cluster's namespaces (`ClusterModel.namespaces`). Needed only when a Calico rule's
   * namespaceSelector tests namespace labels and a namespaced NetworkSet may match it: felix gives a
   * NetworkSet its namespace's labels.
   * @default - unknown: such a rule is an error that asks for the cluster
   */
  readonly clusterNamespaces?: ReadonlyMap<string, ClusterNamespace>;
  /**
   * Filled with the number of objects read from each source, in the order of the sources (objects of
   * skipped kinds included), so that a caller can refuse a source with none: an empty file read
   * after a failed `git show` or `kubectl` must not silently mean "no policies".
   */
  readonly objectCounts?: number[];
}

/** A SPIFFE trust domain as Istio's `meshConfig.trustDomain` takes it: lower-case letters, digits, `.`, `-`, `_`. */
const TRUST_DOMAIN = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;

function checkTrustDomain(trustDomain: unknown): void {
  if (trustDomain !== undefined && (typeof trustDomain !== 'string' || trustDomain.length > 255 || !TRUST_DOMAIN.test(trustDomain))) {
    throw new AnalysisInputError(`Istio trust domain (--istio-trust-domain, istioTrustDomain): expected a SPIFFE trust domain (lower-case letters, digits, ".", "-" or "_", e.g. cluster.local), got ${JSON.stringify(trustDomain)}; `
      + 'use the mesh\'s meshConfig.trustDomain');
  }
}

/** Reads one policy object into IR policies (a dialect may produce several, e.g. one per tier). */
type PolicyReader = (reader: FieldReader, value: unknown, options: ParsePoliciesOptions) => AnalysisPolicy[];

/** Supported kinds by `apiVersion` group and kind. Later dialects add their readers here. */
const READERS: ReadonlyMap<string, PolicyReader> = new Map<string, PolicyReader>([
  ['networking.k8s.io/NetworkPolicy', (reader, value, options) => [translateNetworkPolicy(readNetworkPolicy(reader, value, options))]],
  ...CILIUM_POLICY_KEYS.map((key): [string, PolicyReader] => [key, (r, v, o) => readCiliumPolicies(r, v, o.defaultNamespace)]),
  [ISTIO_AUTHORIZATION_POLICY_KEY, (r, v, o) => readIstioAuthorizationPolicies(r, v, o.defaultNamespace, o.istioTrustDomain)],
  [ISTIO_PEER_AUTHENTICATION_KEY, (r, v, o) => readIstioPeerAuthentications(r, v, o.defaultNamespace)],
]);

/**
 * Validates `metadata.name` and `metadata.namespace` as the API server does for every kind read here
 * (NetworkPolicy names and custom-resource names are DNS subdomains, namespaces DNS labels), so an
 * invalid name — with a newline, markdown or escape bytes — never reaches an output.
 */
export function checkObjectNames(reader: FieldReader, root: Record<string, unknown>): void {
  const metadata = isRecord(root.metadata) ? root.metadata : {};
  const fail = (path: string, problems: readonly InputProblem[]) => {
    if (problems.length > 0) reader.fail(path, `expected ${problems[0].expected}, got ${JSON.stringify(problems[0].value)}`);
  };
  if (typeof metadata.name === 'string' && metadata.name !== '') fail('metadata.name', checkSubdomainName('name', metadata.name));
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') fail('metadata.namespace', checkNamespaceName('namespace', metadata.namespace));
}

/** The error for an object no reader handles, or undefined when `--ignore-other-kinds` skips it. */
function otherKindProblem(apiVersion: string, kind: string, ignoreOtherKinds: boolean): string | undefined {
  const given = kind ? `kind ${kind}${apiVersion ? ` (${apiVersion})` : ''}` : 'an object without a kind';
  const other = classifyOtherKind(objectKindKey(apiVersion, kind));
  switch (other.kind) {
    case 'policy':
      return `${given} may allow or deny traffic (${other.reason}) and the analyzer cannot evaluate it, so it is an error with or without --ignore-other-kinds; `
        + 'remove it from the input only if it does not apply to the cluster analysed';
    case 'skippable':
      return ignoreOtherKinds ? undefined : `expected a policy such as NetworkPolicy (networking.k8s.io/v1), got ${given}; pass --ignore-other-kinds to skip objects of kinds that carry no network policy`;
    case 'unknown':
      return `expected a policy such as NetworkPolicy (networking.k8s.io/v1), got ${given}, a kind the analyzer does not know: it cannot tell whether it allows or denies traffic `
        + '(--ignore-other-kinds skips only kinds known to carry none: workloads, Services, ConfigMaps, …); remove it from the input';
  }
}

/**
 * Reads policy manifests (multi-document YAML or `kind: List`, hand-written or from
 * `kubectl get -o yaml`) and translates them into the analysis IR: Kubernetes NetworkPolicy, the
 * Calico, Cilium and Istio policy kinds, and network-policy-api's ClusterNetworkPolicy (v1alpha2,
 * v1beta1) and AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1). Other projects' kinds named
 * ClusterNetworkPolicy (Antrea's, the AWS VPC CNI's) are refused, even with `ignoreOtherKinds`.
 * Calico Tiers, NetworkSets and GlobalNetworkSets are read too: they produce no policy of their own
 * but decide what Calico (and, under Calico, ClusterNetworkPolicy) rules match, so those policies
 * are translated once every object is read.
 *
 * @throws ManifestError naming file, document, object and field for invalid YAML, invalid fields,
 * unknown or unsupported kinds, and a policy defined twice
 */
export function parsePolicies(sources: PolicySource | readonly PolicySource[], options: ParsePoliciesOptions = {}): AnalysisPolicy[] {
  checkTrustDomain(options.istioTrustDomain);
  // Calico policies are translated once every network set is read: entries keep the input order.
  const entries: (readonly AnalysisPolicy[] | (() => AnalysisPolicy[]))[] = [];
  const seen = new Map<string, SourceLocation | undefined>();
  const calico = new CalicoObjects();
  const checkUnique = (reader: FieldReader, ref: PolicyRef, source: SourceLocation | undefined) => {
    const id = formatPolicyRef(ref);
    if (seen.has(id) && seen.get(id) !== source) {
      const earlier = seen.get(id);
      reader.fail('metadata.name', `${id} is defined twice (first in ${earlier ? formatSourceLocation(earlier) : 'another source'}); names must be unique per namespace`);
    }
    seen.set(id, source);
  };
  for (const source of Array.isArray(sources) ? sources : [sources as PolicySource]) {
    const objects = readManifestObjects(source.text, source.file);
    options.objectCounts?.push(objects.length);
    for (const object of objects) {
      const reader: FieldReader = new FieldReader(object.location);
      const root = reader.object(object.value, '');
      const apiVersion = typeof root.apiVersion === 'string' ? root.apiVersion : '';
      const kind = typeof root.kind === 'string' ? root.kind : '';
      const key = `${apiVersion.split('/')[0]}/${kind}`;
      checkObjectNames(reader, root);
      if (key === CALICO_TIER_KEY) {
        calico.readTier(reader, root);
        continue;
      }
      if (CALICO_NETWORK_SET_KEYS.includes(key)) {
        calico.readNetworkSet(reader, root, options.defaultNamespace);
        continue;
      }
      if (NETWORK_POLICY_API_KEYS.includes(key)) {
        // Translated with the network sets: Calico matches a namespaces peer against them.
        const pending = readNetworkPolicyApiPolicies(reader, root);
        checkUnique(reader, pending.ref, reader.location);
        entries.push(() => pending.translate(calico.networkSetContext(options.clusterNamespaces)));
        continue;
      }
      if (CALICO_POLICY_KEYS.includes(key)) {
        const pending = calico.readPolicy(reader, root, options.defaultNamespace);
        checkUnique(reader, pending.ref, reader.location);
        entries.push(pending.policies);
        continue;
      }
      const lookalike = Object.prototype.hasOwnProperty.call(LOOKALIKE_CLUSTER_POLICIES, key) ? LOOKALIKE_CLUSTER_POLICIES[key] : undefined;
      if (lookalike) {
        // A policy kind whose name says ClusterNetworkPolicy but whose API is another one: never skipped, never misread.
        reader.fail('apiVersion', `${kind} (${apiVersion}) is ${lookalike}; the analyzer reads ClusterNetworkPolicy of policy.networking.k8s.io only, and cannot evaluate this policy`);
      }
      const read = READERS.get(key);
      if (!read) {
        const problem = otherKindProblem(apiVersion, kind, options.ignoreOtherKinds ?? false);
        if (problem !== undefined) {
          reader.fail('kind', problem);
        }
        const skipped = objectKindKey(apiVersion, kind);
        options.skippedKinds?.set(skipped, (options.skippedKinds.get(skipped) ?? 0) + 1);
        continue;
      }
      const policies = read(reader, root, options);
      for (const policy of policies) checkUnique(reader, policy.ref, policy.source);
      entries.push(policies);
    }
  }
  calico.translate(options.clusterNamespaces);
  const resolved = calico.resolveTiers(entries.flatMap(entry => (typeof entry === 'function' ? entry() : entry)));
  checkNetworkPolicyApiSet(resolved);
  return resolved;
}
