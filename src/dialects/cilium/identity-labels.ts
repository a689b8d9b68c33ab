/**
 * Which pod label keys take part in a Cilium security identity.
 *
 * Cilium selects pods by the labels of their identity, and its default
 * label filter (`pkg/labelsfilter/filter.go`, `defaultLabelPrefixCfg`) leaves
 * some Kubernetes labels out of identities. A selector on such a key never
 * matches: a subject selector then isolates nothing (a default deny that is
 * silently open) and a `NotIn`/`DoesNotExist` peer selector matches more pods
 * than the intent says. So the dialect refuses those keys.
 *
 * The filter: a label is kept unless an "ignore" prefix matches at the start
 * of its key and no longer "include" prefix does.
 */
const INCLUDE = [
  'io.kubernetes.pod.namespace',
  'io.cilium.k8s.namespace.labels',
  'app.kubernetes.io',
  'io.cilium.k8s.policy.cluster',
];
const IGNORE: RegExp[] = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^annotation.*/,
  /^etcd_node/,
];

/** Whether Cilium's default label filter keeps a pod label key in identities. */
export function isIdentityLabel(key: string): boolean {
  let ignored = 0;
  for (const re of IGNORE) {
    const m = re.exec(key);
    if (m && (ignored === 0 || m[0].length < ignored)) ignored = m[0].length;
  }
  if (ignored === 0) return true;
  const included = Math.max(0, ...INCLUDE.filter(p => key.startsWith(p)).map(p => p.length));
  return included > ignored;
}
