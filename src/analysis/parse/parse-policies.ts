import { CALICO_POLICY_KEYS, CALICO_TIER_KEY, CalicoTiers, readCalicoPolicies } from './calico-readers';
import { CILIUM_POLICY_KEYS, readCiliumPolicies } from './cilium-readers';
import { FieldReader } from './field-reader';
import {
  ISTIO_AUTHORIZATION_POLICY_KEY, ISTIO_PEER_AUTHENTICATION_KEY, readIstioAuthorizationPolicies, readIstioPeerAuthentications,
} from './istio-readers';
import { readNetworkPolicy } from './kubernetes-network-policy';
import { readManifestObjects } from './yaml-documents';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy } from '../ir/analysis-policy';
import { formatPolicyRef, formatSourceLocation } from '../ir/policy-ref';
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
   * Skip objects of kinds that are not policies (Deployments, Services…) instead of failing.
   * Policy kinds the analyzer does not support yet are an error either way.
   * @default false
   */
  readonly ignoreOtherKinds?: boolean;
  /**
   * The Istio mesh's trust domain (`meshConfig.trustDomain`, assumed without aliases), for
   * AuthorizationPolicy principals whose meaning depends on it (`example.org/ns/a/sa/b`, prefixes).
   * @default - unknown: such principals are an error; principals in `cluster.local` and suffixes are read either way
   */
  readonly istioTrustDomain?: string;
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
  ...CALICO_POLICY_KEYS.map((key): [string, PolicyReader] => [key, (r, v, o) => readCalicoPolicies(r, v, o.defaultNamespace)]),
  ...CILIUM_POLICY_KEYS.map((key): [string, PolicyReader] => [key, (r, v, o) => readCiliumPolicies(r, v, o.defaultNamespace)]),
  [ISTIO_AUTHORIZATION_POLICY_KEY, (r, v, o) => readIstioAuthorizationPolicies(r, v, o.defaultNamespace, o.istioTrustDomain)],
  [ISTIO_PEER_AUTHENTICATION_KEY, (r, v, o) => readIstioPeerAuthentications(r, v, o.defaultNamespace)],
]);

/** Policy kinds of the other dialects, recognised so the error can say they are not supported yet. */
const PLANNED_KINDS = new Set([
  'projectcalico.org/NetworkPolicy',
  'projectcalico.org/GlobalNetworkPolicy',
  'projectcalico.org/StagedNetworkPolicy',
  'projectcalico.org/StagedGlobalNetworkPolicy',
  'projectcalico.org/StagedKubernetesNetworkPolicy',
  'projectcalico.org/Tier',
]);

/**
 * Reads policy manifests (multi-document YAML or `kind: List`, hand-written or from
 * `kubectl get -o yaml`) and translates them into the analysis IR. Supported now: Kubernetes
 * `networking.k8s.io/v1` NetworkPolicy.
 *
 * @throws ManifestError naming file, document, object and field for invalid YAML, invalid fields,
 * unknown or unsupported kinds, and a policy defined twice
 */
export function parsePolicies(sources: PolicySource | readonly PolicySource[], options: ParsePoliciesOptions = {}): AnalysisPolicy[] {
  checkTrustDomain(options.istioTrustDomain);
  const policies: AnalysisPolicy[] = [];
  const seen = new Map<string, AnalysisPolicy>();
  const calicoTiers = new CalicoTiers();
  for (const source of Array.isArray(sources) ? sources : [sources as PolicySource]) {
    for (const object of readManifestObjects(source.text, source.file)) {
      const reader: FieldReader = new FieldReader(object.location);
      const root = reader.object(object.value, '');
      const apiVersion = typeof root.apiVersion === 'string' ? root.apiVersion : '';
      const kind = typeof root.kind === 'string' ? root.kind : '';
      const key = `${apiVersion.split('/')[0]}/${kind}`;
      if (key === CALICO_TIER_KEY) {
        calicoTiers.read(reader, root);
        continue;
      }
      const read = READERS.get(key);
      if (!read) {
        if (PLANNED_KINDS.has(key)) {
          reader.fail('kind', `${kind} (${apiVersion}) is not supported by the analyzer yet; supported: NetworkPolicy (networking.k8s.io/v1)`);
        }
        if (options.ignoreOtherKinds) {
          continue;
        }
        const given = kind ? `kind ${kind}${apiVersion ? ` (${apiVersion})` : ''}` : 'an object without a kind';
        reader.fail('kind', `expected a policy such as NetworkPolicy (networking.k8s.io/v1), got ${given}`);
      }
      for (const policy of read(reader, root, options)) {
        const id = `${formatPolicyRef(policy.ref)}`;
        const earlier = seen.get(id);
        if (earlier && earlier.source !== policy.source) {
          reader.fail('metadata.name', `${id} is defined twice (first in ${earlier.source ? formatSourceLocation(earlier.source) : 'another source'}); names must be unique per namespace`);
        }
        seen.set(id, policy);
        policies.push(policy);
      }
    }
  }
  return calicoTiers.finish(policies);
}
