import { isIdentityLabel } from './identity-labels';
import { ClusterSubjectModel, hasLabel, LabelSelectorModel, NamespaceScopeModel, PodSetModel } from '../../model';

/** Cilium's label for the pod's namespace (the `k8s:` source prefix: set from Kubernetes). */
export const NAMESPACE_KEY = 'k8s:io.kubernetes.pod.namespace';
/** Cilium's label for the pod's service account. */
export const SERVICE_ACCOUNT_KEY = 'k8s:io.cilium.k8s.policy.serviceaccount';
/** Prefix under which Cilium copies the pod's namespace labels into its identity. */
export const NAMESPACE_LABELS_PREFIX = 'k8s:io.cilium.k8s.namespace.labels.';
/** Prefix of pod labels that come from Kubernetes. */
export const K8S_SOURCE = 'k8s:';

/** A Cilium EndpointSelector as plain data (a Kubernetes label selector over Cilium labels). */
export interface CiliumSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { readonly key: string; readonly operator: string; readonly values?: string[] }[];
}

/**
 * Builds a selector from parts: every part's labels and requirements are
 * ANDed. Keys are written as given (already prefixed), in a stable order.
 */
interface SelectorPart {
  readonly labels: Record<string, string>;
  readonly exprs: { readonly key: string; readonly operator: string; readonly values: readonly string[] }[];
}

function build(parts: SelectorPart[]): CiliumSelector {
  const labels: Record<string, string> = {};
  const exprs: { key: string; operator: string; values?: string[] }[] = [];
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.labels)) {
      if (hasLabel(labels, k) && labels[k] !== v) exprs.push({ key: k, operator: 'In', values: [v] });
      else labels[k] = v;
    }
    for (const e of p.exprs) {
      exprs.push(e.values.length ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator });
    }
  }
  const sortedLabels: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) sortedLabels[k] = labels[k];
  const out: { matchLabels?: Record<string, string>; matchExpressions?: typeof exprs } = {};
  if (Object.keys(sortedLabels).length) out.matchLabels = sortedLabels;
  if (exprs.length) out.matchExpressions = exprs;
  return out;
}

/** A model label selector with every key under a Cilium source/key prefix. */
function prefixed(s: LabelSelectorModel, prefix: string): SelectorPart {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.matchLabels)) labels[prefix + k] = v;
  return { labels, exprs: s.matchExpressions.map(e => ({ key: prefix + e.key, operator: e.operator, values: e.values })) };
}

/** The endpointSelector of a subject: its namespace (always explicit), pod labels and service account. */
export function subjectSelector(p: PodSetModel): CiliumSelector {
  return build([
    { labels: { [NAMESPACE_KEY]: p.namespace }, exprs: [] },
    prefixed(p.pods, K8S_SOURCE),
    { labels: p.serviceAccount ? { [SERVICE_ACCOUNT_KEY]: p.serviceAccount } : {}, exprs: [] },
  ]);
}

/**
 * The selector of a pods peer. The namespace is always explicit, so that
 * Cilium never injects the policy's own namespace: one namespace by name,
 * every namespace (`Exists`), or namespaces by label (`Exists` AND the
 * namespace labels, which Cilium copies into each pod's identity).
 */
export function peerSelector(namespaces: NamespaceScopeModel, pods: LabelSelectorModel, serviceAccount: string | undefined): CiliumSelector {
  const ns: SelectorPart = namespaces.kind === 'name'
    ? { labels: { [NAMESPACE_KEY]: namespaces.name }, exprs: [] }
    : { labels: {}, exprs: [{ key: NAMESPACE_KEY, operator: 'Exists', values: [] }] };
  const parts: SelectorPart[] = [ns];
  if (namespaces.kind === 'labels') parts.push(prefixed(namespaces.selector, NAMESPACE_LABELS_PREFIX));
  parts.push(prefixed(pods, K8S_SOURCE));
  if (serviceAccount) parts.push({ labels: { [SERVICE_ACCOUNT_KEY]: serviceAccount }, exprs: [] });
  return build(parts);
}

/**
 * Every pod of every namespace but the exceptions, including namespaces
 * created later. `Exists` keeps Cilium's own endpoints without a namespace
 * (health, init) out: `NotIn` alone also matches endpoints that lack the key.
 */
export function allNamespacesExcept(except: readonly string[]): CiliumSelector {
  return build([{ labels: {}, exprs: [{ key: NAMESPACE_KEY, operator: 'Exists', values: [] }, ...(except.length ? [{ key: NAMESPACE_KEY, operator: 'NotIn', values: [...except].sort() }] : [])] }]);
}

/** Pod label keys of a selector that Cilium's default label filter keeps out of identities. */
export function nonIdentityKeys(s: LabelSelectorModel): string[] {
  const keys = [...Object.keys(s.matchLabels), ...s.matchExpressions.map(e => e.key)];
  return [...new Set(keys.filter(k => !isIdentityLabel(k)))].sort();
}

/**
 * The pods of a cluster-wide subject: every namespace but the exceptions (as
 * `allNamespacesExcept`), AND the namespace labels (which Cilium copies into
 * each pod's identity), AND the pod labels.
 */
export function clusterSubjectSelector(s: ClusterSubjectModel): CiliumSelector {
  const parts: SelectorPart[] = [{ labels: {}, exprs: [{ key: NAMESPACE_KEY, operator: 'Exists', values: [] }, ...(s.exceptNamespaces.length ? [{ key: NAMESPACE_KEY, operator: 'NotIn', values: [...s.exceptNamespaces].sort() }] : [])] }];
  if (s.namespaces) parts.push(prefixed(s.namespaces, NAMESPACE_LABELS_PREFIX));
  parts.push(prefixed(s.pods, K8S_SOURCE));
  return build(parts);
}
