import { ClusterModel, LabelSelectorManifest, matchesSelector, selectorFromLabelSelector } from '../../../analysis';
import { ISTIO_ROOT_NAMESPACE } from '../istio-policy';
import { policyDirections } from '../kubernetes-policy';
import { describeObject, KIND, LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { asObject, asString, specOf } from '../manifest-fields';
import { perRun } from '../per-run';

/**
 * The addresses Istio ambient gives kubelet's probes (SNAT), IPv4 and IPv6; ztunnel lets them through whatever
 * the mTLS mode ([IO-NP]). Defaults of istio-cni (istio/istio `cni/pkg/nodeagent/options.go`).
 */
const AMBIENT_PROBE_SOURCES: ReadonlySet<string> = new Set(['169.254.7.127/32', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128']);

const ENROLMENT_LABELS: readonly [string, string | undefined][] = [
  ['istio-injection', 'enabled'], ['istio.io/rev', undefined], ['istio.io/dataplane-mode', 'ambient'],
];

/**
 * STRICT mTLS that rejects clients the policies let in — the seed's case 2, reported where there is
 * evidence: a Kubernetes NetworkPolicy ingress rule in a namespace whose effective mode is STRICT
 * (its namespace-wide PeerAuthentication, else the mesh-wide one in the root namespace) that admits
 * clients outside the cluster (an ipBlock other than ambient's probe addresses 169.254.7.127/32 and
 * fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128, or no
 * `from`), which have no mesh certificate; with
 * `--cluster`, also one that admits namespaces without the labels that enrol pods in the mesh, and
 * a STRICT PeerAuthentication in a namespace that is not enrolled itself (IAPI; SEMANTICS §4, §6 Istio 8).
 */
export function istioStrictMtls(object: LintObject, context: LintContext): LintViolation[] {
  if (object.key === KIND.istioPeerAuthentication) {
    return notEnrolled(object, context.cluster);
  }
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  const strict = perRun(context, strictByNamespace).get(policy.namespace);
  if (!strict) {
    return [];
  }
  const ingress = policyDirections(policy)[0];
  if (!ingress.effective) {
    return [];
  }
  const violations: LintViolation[] = [];
  ingress.rules.forEach((rule, i) => {
    const plaintext: { path: string; who: string }[] = rule.peers.length === 0
      ? [{ path: `spec.ingress[${i}]`, who: 'every client, those outside the cluster included' }]
      : rule.peers.flatMap((peer, j) => {
        const path = `spec.ingress[${i}].from[${j}]`;
        if (peer.ipBlock && !AMBIENT_PROBE_SOURCES.has(peer.ipBlock.cidr)) {
          return [{ path, who: `addresses in ${peer.ipBlock.cidr}, which are not pods of the mesh` }];
        }
        if (peer.ipBlock) {
          return []; // kubelet probes: ztunnel does not apply mTLS to them (IO-NP), sidecars get them rewritten
        }
        const outside = peer.namespaceSelector && context.cluster ? unenrolledNamespaces(context, peer.namespaceSelector) : [];
        return outside.length > 0 ? [{ path, who: `pods of namespace${outside.length === 1 ? '' : 's'} ${outside.join(', ')}, which no label enrols in the mesh` }] : [];
      });
    for (const { path, who } of plaintext) {
      violations.push({
        path,
        message: `this rule lets in ${who}, but ${describeObject(strict)} makes mTLS STRICT for namespace ${policy.namespace}: `
          + 'their plaintext connections are rejected by the proxy, so the allowance is dead',
        fix: 'route such clients through a mesh gateway or enrol them in the mesh; or make the destination ports PERMISSIVE (portLevelMtls) and say why',
      });
    }
  });
  return violations;
}

/** A STRICT PeerAuthentication in a namespace the cluster shows is not enrolled in the mesh. */
function notEnrolled(object: LintObject, cluster: ClusterModel | undefined): LintViolation[] {
  const spec = specOf(object.raw);
  const strict = asString(asObject(spec.mtls)?.mode) === 'STRICT'
    || Object.values(asObject(spec.portLevelMtls) ?? {}).some((value) => asString(asObject(value)?.mode) === 'STRICT');
  if (!strict || !cluster || object.namespace === undefined || object.namespace === ISTIO_ROOT_NAMESPACE) {
    return [];
  }
  const labels = cluster.namespaces.get(object.namespace)?.labels;
  if (labels === undefined || enrolled(labels)) {
    return [];
  }
  return [{
    path: asString(asObject(spec.mtls)?.mode) === 'STRICT' ? 'spec.mtls.mode' : 'spec.portLevelMtls',
    message: `STRICT mTLS in namespace ${object.namespace}, which carries none of the labels that enrol pods in the mesh (istio-injection=enabled, istio.io/rev, `
      + 'istio.io/dataplane-mode=ambient): its pods have no proxy to present or accept mesh certificates, and clients expecting STRICT get plaintext',
    fix: `label namespace ${object.namespace} for the mesh and restart its pods, or remove the PeerAuthentication; migrate through PERMISSIVE`,
  }];
}

function enrolled(labels: Readonly<Record<string, string>>): boolean {
  return ENROLMENT_LABELS.some(([key, value]) => Object.prototype.hasOwnProperty.call(labels, key) && (value === undefined || labels[key] === value));
}

/** A cache of `unenrolledNamespaces` (its identity keys it in `perRun`). */
function newSelectorCache(): Map<string, readonly string[]> {
  return new Map();
}

/** The cluster's namespaces a selector matches that are not enrolled, cached per selector for the run. */
function unenrolledNamespaces(context: LintContext, selector: LabelSelectorManifest): readonly string[] {
  const cache = perRun(context, newSelectorCache);
  const key = JSON.stringify(selector);
  let names = cache.get(key);
  if (names === undefined) {
    const expr = selectorFromLabelSelector(selector.matchLabels, selector.matchExpressions);
    names = [...context.cluster!.namespaces.values()]
      .filter((ns) => matchesSelector(expr, ns.labels) && !enrolled(ns.labels)).map((ns) => ns.name).sort();
    cache.set(key, names);
  }
  return names;
}

/**
 * Per run: the namespaces whose effective mode is STRICT, with the PeerAuthentication that makes it
 * so — the namespace-wide one (the first given; `istio-duplicate-peer-authentication` reports the
 * others), else the mesh-wide one when the namespace has none or it is UNSET.
 */
function strictByNamespace(context: LintContext): { get(namespace: string): LintObject | undefined } {
  const namespaceWide = new Map<string, LintObject>();
  for (const object of context.objects) {
    const selector = asObject(specOf(object.raw).selector);
    if (object.key === KIND.istioPeerAuthentication && object.namespace !== undefined && !namespaceWide.has(object.namespace)
      && (selector === undefined || Object.keys(asObject(selector.matchLabels) ?? {}).length === 0)) {
      namespaceWide.set(object.namespace, object);
    }
  }
  const mode = (object: LintObject | undefined) => (object ? asString(asObject(specOf(object.raw).mtls)?.mode) ?? 'UNSET' : 'UNSET');
  const root = namespaceWide.get(ISTIO_ROOT_NAMESPACE);
  return {
    get(namespace: string) {
      const own = namespaceWide.get(namespace);
      const decisive = own && mode(own) !== 'UNSET' ? own : root;
      return mode(decisive) === 'STRICT' ? decisive : undefined;
    },
  };
}
