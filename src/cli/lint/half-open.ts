import { isCalicoPolicy } from './calico-policy';
import { KIND, LintObject } from './lint-object';
import { LintContext } from './lint-rule';
import {
  AnalysisInputError, AnalysisPolicy, ClusterModel, ClusterPod, DirectionalRules, formatRuleRef, ManifestError, parsePolicies, podEndpoint, podId,
  PortMatch, Protocol, PROTOCOLS, ReachabilityAnalyzer, ReachabilityMatrix,
} from '../../analysis';

/**
 * Half-open flows: connections one end allows and the other end denies, so they fail although the
 * author wrote an allowance for them — an ingress rule whose sources' egress is isolated and does
 * not allow the flow, or an egress rule whose destinations' ingress is isolated and does not.
 *
 * What is checked, exactly (no sampling): every ordered pair of distinct pods of the cluster model
 * that have an address, every destination port 1–65535 of TCP, UDP and SCTP, without HTTP and
 * mTLS, on the network layer (Kubernetes, Calico and Cilium policies; Istio only authorizes
 * ingress and is not part of it). Ports are taken in classes that no rule and no named port can
 * tell apart (the boundaries of every port, range and container port), pods in the analyzer's
 * groups of pods no policy can tell apart; one representative flow per group pair and class is
 * decided with `ReachabilityAnalyzer` over the ingress halves and the egress halves of the
 * policies separately, and over the policies without their rules (which pods are isolated):
 * ingress-allowed, destination isolated and egress-denied is half-open, and the reverse.
 */
export interface HalfOpenResult {
  /** Half-open flows by the object and path of the rule that allows them. */
  readonly byRule: ReadonlyMap<LintObject, ReadonlyMap<string, HalfOpenRule>>;
  /** Why the check could not run, on the object that stopped it (or undefined: the whole run). */
  readonly notChecked?: { readonly object?: LintObject; readonly reason: string };
}

/** The half-open flows one rule allows. */
export interface HalfOpenRule {
  /** `ingress` when the rule allows ingress and the sources' egress denies; `egress` the reverse. */
  readonly side: 'ingress' | 'egress';
  /** The pod pairs (`<ns>/<pod> -> <ns>/<pod>`) with a half-open flow on some port. */
  readonly pairs: ReadonlySet<string>;
  /** The first few, as `pod a/b -> pod c/d on 8080/TCP`. */
  readonly examples: readonly string[];
  /** What denies at the other end (the first example's reason). */
  readonly otherEnd: string;
}

/** Group pairs times port classes the check decides at most; beyond, it says so instead of sampling. */
export const HALF_OPEN_LIMIT = 20_000_000;
const EXAMPLES = 3;

/** The half-open flows of the run (needs the cluster; pass to `perRun`). */
export function halfOpenFlows(context: LintContext): HalfOpenResult {
  const byRule = new Map<LintObject, Map<string, HalfOpenRule>>();
  const cluster = context.cluster;
  const objects = context.objects.filter(isNetworkLayer);
  if (!cluster || objects.length === 0) {
    return { byRule };
  }
  let policies: AnalysisPolicy[];
  try {
    // One JSON List (read with JSON.parse): item i is objects[i].
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.map(withNamespace) });
    policies = parsePolicies({ file: 'lint', text }, { clusterNamespaces: cluster.namespaces });
  } catch (e) {
    if (e instanceof ManifestError) {
      const item = /^items\[(\d+)\]\.?(.*)$/.exec(e.fieldPath);
      const object = item ? objects[Number(item[1])] : undefined;
      const field = item ? item[2] : e.fieldPath;
      return { byRule, notChecked: { object, reason: `the analyzer cannot evaluate this object (${field ? `${field}: ` : ''}${e.problem})` } };
    }
    if (e instanceof AnalysisInputError) {
      return { byRule, notChecked: { reason: e.message } };
    }
    throw e;
  }
  const rules = ruleLocations(policies, objects);
  const pods = cluster.pods.filter((pod) => pod.ips.length > 0);
  const classes = portClasses(policies, cluster);
  const full = new ReachabilityAnalyzer(cluster, policies);
  const withAddress = new Set(pods);
  const groupsOf = ({ protocol, from }: PortClass) => full.matrix(from, protocol).groups
    .map((group) => group.pods.filter((pod) => withAddress.has(pod)))
    .filter((members) => members.length > 0);
  // Cost: pairs of the analyzer's pod groups, per class. Decided before any pair when possible —
  // there are at most as many groups as pods; else the first class's groups tell — and the check
  // stops before deciding more than the limit: it never reports a part.
  const tooLarge = (work: number, groups: number) => ({
    byRule: new Map(),
    notChecked: {
      reason: `${pods.length.toLocaleString('en-US')} pods in ${groups.toLocaleString('en-US')} groups over ${classes.length} port classes `
        + `(${work.toLocaleString('en-US')} group pairs and more) are more than the check decides (${HALF_OPEN_LIMIT.toLocaleString('en-US')} group pairs); `
        + 'lint a part of the cluster (fewer namespaces) to check it',
    },
  });
  const bound = pods.length;
  let first: ClusterPod[][] | undefined;
  if (bound * bound * classes.length > HALF_OPEN_LIMIT) {
    first = groupsOf(classes[0]);
    if (first.length * first.length * classes.length > HALF_OPEN_LIMIT) {
      return tooLarge(first.length * first.length * classes.length, first.length);
    }
  }
  const ingressHalves = new ReachabilityAnalyzer(cluster, policies.map((p) => ({ ...p, egress: undefined })));
  const egressHalves = new ReachabilityAnalyzer(cluster, policies.map((p) => ({ ...p, ingress: undefined })));
  // Which pods are isolated per direction does not depend on port or protocol: one matrix each.
  const ingressIsolation = new ReachabilityAnalyzer(cluster, policies.map((p) => ({ ...p, ingress: withoutRules(p.ingress), egress: undefined }))).matrix(1, 'TCP');
  const egressIsolation = new ReachabilityAnalyzer(cluster, policies.map((p) => ({ ...p, ingress: undefined, egress: withoutRules(p.egress) }))).matrix(1, 'TCP');
  let work = 0;
  for (const [c, { protocol, from, to }] of classes.entries()) {
    const groups = c === 0 && first ? first : groupsOf(classes[c]);
    work += groups.length * groups.length;
    if (work > HALF_OPEN_LIMIT) {
      return tooLarge(work, groups.length);
    }
    const views: Views = {
      ingress: ingressHalves.matrix(from, protocol), egress: egressHalves.matrix(from, protocol), ingressIsolation, egressIsolation,
    };
    for (const sources of groups) {
      for (const destinations of groups) {
        const [source, destination] = sources === destinations ? [sources[0], sources[1]] : [sources[0], destinations[0]];
        if (destination === undefined) {
          continue; // a one-pod group: the pair is the pod and itself
        }
        const side = halfOpenSide(source, destination, views);
        if (side === undefined) {
          continue;
        }
        const pairs = sources.flatMap((s) => destinations.filter((d) => d !== s).map((d) => `${podId(s)} -> ${podId(d)}`));
        record(byRule, rules, full, side, source, destination, { protocol, from, to }, pairs);
      }
    }
  }
  return { byRule };
}

/** The four views of one port class: each direction's halves, and each direction's isolation. */
interface Views {
  readonly ingress: ReachabilityMatrix;
  readonly egress: ReachabilityMatrix;
  /** Denied = the destination is isolated for ingress. */
  readonly ingressIsolation: ReachabilityMatrix;
  /** Denied = the source is isolated for egress. */
  readonly egressIsolation: ReachabilityMatrix;
}

/** Which end's allowance the other, isolated end defeats, or undefined when the pair is not half-open. */
function halfOpenSide(source: ClusterPod, destination: ClusterPod, views: Views): 'ingress' | 'egress' | undefined {
  const ingressAllows = views.ingress.isAllowed(source, destination);
  const egressAllows = views.egress.isAllowed(source, destination);
  if (ingressAllows === egressAllows) {
    return undefined;
  }
  const bothIsolated = !views.ingressIsolation.isAllowed(source, destination) && !views.egressIsolation.isAllowed(source, destination);
  if (!bothIsolated) {
    return undefined; // an explicit deny at a pod that is not isolated, or an allowance that isolation does not need
  }
  return ingressAllows ? 'ingress' : 'egress';
}

/** Adds the pairs of one group pair and port class to the rules that allow them on the open side. */
function record(
  byRule: Map<LintObject, Map<string, HalfOpenRule>>, rules: ReadonlyMap<string, { object: LintObject; path: string }>, full: ReachabilityAnalyzer,
  side: 'ingress' | 'egress', source: ClusterPod, destination: ClusterPod, { protocol, from, to }: PortClass, pairs: readonly string[],
): void {
  const verdict = full.evaluate({
    source: podEndpoint(source.namespace, source.name), destination: podEndpoint(destination.namespace, destination.name), port: from, protocol,
  });
  const allowing = verdict.steps.find((step) => step.layer === 'network' && step.direction === side && step.allowed);
  const denying = verdict.steps.find((step) => step.layer === 'network' && step.direction !== side && !step.allowed);
  const ports = from === to ? `${from}/${protocol}` : `${protocol} ${from}-${to}`;
  const example = `pod ${podId(source)} -> pod ${podId(destination)} on ${ports}`;
  const refs = allowing?.allowedBy.length ? allowing.allowedBy : [];
  for (const ref of refs) {
    const location = rules.get(ref);
    if (!location) {
      continue;
    }
    let paths = byRule.get(location.object);
    if (!paths) {
      paths = new Map();
      byRule.set(location.object, paths);
    }
    const known = paths.get(location.path);
    if (known) {
      pairs.forEach((pair) => (known.pairs as Set<string>).add(pair));
      if (known.examples.length < EXAMPLES) {
        (known.examples as string[]).push(example);
      }
    } else {
      const otherEnd = denying ? `${denying.direction} at ${denying.endpoint}: ${denying.reason}` : 'the other end denies it';
      paths.set(location.path, { side, pairs: new Set(pairs), examples: [example], otherEnd });
    }
  }
}

/** The objects the network layer enforces (Istio's are left out: it authorizes ingress only). */
function isNetworkLayer(object: LintObject): boolean {
  return object.key === KIND.kubernetesNetworkPolicy || object.key === KIND.ciliumNetworkPolicy || object.key === KIND.ciliumClusterwideNetworkPolicy
    || isCalicoPolicy(object) || object.key === KIND.calicoTier || object.key === KIND.calicoNetworkSet || object.key === KIND.calicoGlobalNetworkSet;
}

/** The raw object with the namespace lint gave it (a `--default-namespace` may differ from the analyzer's default). */
function withNamespace(object: LintObject): unknown {
  if (object.namespace === undefined) {
    return object.raw;
  }
  const metadata = { ...(object.raw.metadata as Record<string, unknown>), namespace: object.namespace };
  return { ...object.raw, metadata };
}

function withoutRules(rules: DirectionalRules | undefined): DirectionalRules | undefined {
  return rules === undefined ? undefined : { isolates: rules.isolates, rules: [] };
}

/** Where each rule of the translated policies is written: `<kind> <ns>/<name> <label>` → object and field path. */
function ruleLocations(policies: readonly AnalysisPolicy[], objects: readonly LintObject[]): Map<string, { object: LintObject; path: string }> {
  const locations = new Map<string, { object: LintObject; path: string }>();
  for (const policy of policies) {
    const item = /^items\[(\d+)\]$/.exec(policy.source?.path ?? '');
    const object = item ? objects[Number(item[1])] : undefined;
    if (!object) {
      continue;
    }
    for (const rules of [policy.ingress, policy.egress]) {
      for (const rule of rules?.rules ?? []) {
        const label = rule.label.replace(/\.toPorts\[\d+\]$/, '');
        locations.set(formatRuleRef(policy.ref, rule.label), { object, path: label.startsWith('specs[') ? label : `spec.${label}` });
      }
    }
  }
  return locations;
}

/** A port class: every port from `from` to `to` of a protocol is treated alike by every rule. */
interface PortClass {
  readonly protocol: Protocol;
  readonly from: number;
  readonly to: number;
}

/** The classes: boundaries at every port, range end and container port (named ports resolve to container ports). */
function portClasses(policies: readonly AnalysisPolicy[], cluster: ClusterModel): PortClass[] {
  const bounds: Record<Protocol, Set<number>> = { TCP: new Set([1, 65536]), UDP: new Set([1, 65536]), SCTP: new Set([1, 65536]) };
  const add = (protocol: Protocol | 'ANY', from: number, to: number) => {
    for (const p of protocol === 'ANY' ? PROTOCOLS : [protocol]) {
      bounds[p].add(Math.max(1, from));
      bounds[p].add(Math.min(65536, to + 1));
    }
  };
  const visit = (match: PortMatch) => {
    if (typeof match.port === 'number') {
      add(match.protocol, match.port, match.endPort ?? match.port);
    }
  };
  for (const policy of policies) {
    for (const rules of [policy.ingress, policy.egress]) {
      for (const rule of rules?.rules ?? []) {
        rule.ports?.forEach(visit);
      }
    }
  }
  for (const pod of cluster.pods) {
    for (const port of pod.ports) {
      add(port.protocol, port.port, port.port);
    }
  }
  return PROTOCOLS.flatMap((protocol) => {
    const sorted = [...bounds[protocol]].filter((b) => b >= 1 && b <= 65536).sort((a, b) => a - b);
    return sorted.slice(0, -1).map((from, i) => ({ protocol, from, to: sorted[i + 1] - 1 }));
  });
}
