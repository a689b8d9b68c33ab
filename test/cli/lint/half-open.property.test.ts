import * as fc from 'fast-check';
import {
  ClusterModel, ClusterPod, IpFamily, LabelSelectorManifest, NAMESPACE_NAME_LABEL, NetworkPolicyManifest, NetworkPolicyPeerManifest,
  NetworkPolicyPortManifest, parseCidr, cidrContains, podId, Protocol, PROTOCOLS,
} from '../../../src/analysis';
import { halfOpenFlows } from '../../../src/cli/lint/half-open';
import { loadLintObjects } from '../../../src/cli/lint/load-lint-objects';
import { clusterArb, k8sManifestsArb } from '../../analysis/support/arbitraries';

/*
 * The half-open check against an independent brute force: Kubernetes NetworkPolicy semantics written
 * out here (K8S-TYPES, K8S-DOC; the analyzer's defaults: ipBlocks match pod addresses, a pod and its
 * node always connect), evaluated pair by pair and port by port. The random policies name ports 53,
 * 80, 81, ranges up to +8000 and the container ports 53, 80, 81, 8080, so every class of ports they
 * can tell apart has a member in 1-100, 7990-8100 or 65535: those are the ports tried.
 */
const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 200);
const PORTS = [...range(1, 100), ...range(7990, 8100), 65535];

describe('half-open flows, against a brute-force Kubernetes evaluation', () => {
  test('report exactly the pod pairs one direction allows and the other, isolated, denies', () => {
    fc.assert(fc.property(clusterArb, k8sManifestsArb, (cluster, manifests) => {
      const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests.map(toObject) });
      const { objects } = loadLintObjects([{ file: 'p.json', text }]);
      const result = halfOpenFlows({ objects, cluster });
      expect(result.notChecked).toBeUndefined();
      const reported = new Set<string>();
      for (const paths of result.byRule.values()) {
        for (const rule of paths.values()) {
          const pairs = rule.pairs();
          expect(rule.pairCount).toBe(pairs.length);
          pairs.forEach((pair) => reported.add(`${rule.side} ${pair}`));
        }
      }
      expect([...reported].sort()).toEqual(bruteForce(cluster, manifests).sort());
    }), { numRuns: RUNS });
  });
});

function bruteForce(cluster: ClusterModel, policies: readonly NetworkPolicyManifest[]): string[] {
  const found = new Set<string>();
  const pods = cluster.pods.filter((pod) => pod.ips.length > 0);
  for (const s of pods) {
    for (const d of pods) {
      if (s === d || nodeLocal(s, d)) {
        continue;
      }
      // A connection is over one address family: each family both pods have is a flow of its own.
      for (const family of commonFamilies(s, d)) {
        for (const protocol of PROTOCOLS) {
          for (const port of PORTS) {
            const ingress = allows(cluster, policies, 'Ingress', s, d, port, protocol, family);
            const egress = allows(cluster, policies, 'Egress', s, d, port, protocol, family);
            if (ingress !== egress && isolated(policies, 'Ingress', d) && isolated(policies, 'Egress', s)) {
              found.add(`${ingress ? 'ingress' : 'egress'} ${podId(s)} -> ${podId(d)}`);
            }
          }
        }
      }
    }
  }
  return [...found];
}

function effectiveTypes(policy: NetworkPolicyManifest): string[] {
  const declared = policy.spec.policyTypes ?? [];
  if (declared.length > 0) return [...declared];
  return (policy.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function selects(policy: NetworkPolicyManifest, type: string, pod: ClusterPod): boolean {
  return !pod.hostNetwork && pod.namespace === policy.namespace && labelsMatch(policy.spec.podSelector, pod.labels)
    && effectiveTypes(policy).includes(type);
}

function isolated(policies: readonly NetworkPolicyManifest[], type: string, pod: ClusterPod): boolean {
  return policies.some((policy) => selects(policy, type, pod));
}

/** Whether the policies at one end allow the flow s -> d in that direction (the end is d for Ingress, s for Egress). */
function allows(
  cluster: ClusterModel, policies: readonly NetworkPolicyManifest[], type: 'Ingress' | 'Egress', s: ClusterPod, d: ClusterPod,
  port: number, protocol: Protocol, family: IpFamily | undefined,
): boolean {
  const [end, peer] = type === 'Ingress' ? [d, s] : [s, d];
  const selecting = policies.filter((policy) => selects(policy, type, end));
  if (selecting.length === 0) return true;
  return selecting.some((policy) => (type === 'Ingress' ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
    : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })))
    .some((rule) => peersMatch(cluster, policy, rule.peers, peer, family) && portsMatch(rule.ports, d, port, protocol)));
}

function peersMatch(
  cluster: ClusterModel, policy: NetworkPolicyManifest, peers: readonly NetworkPolicyPeerManifest[] | undefined,
  pod: ClusterPod, family: IpFamily | undefined,
): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock) {
      const ip = family === undefined ? undefined : pod.ips.find((address) => address.family === family);
      return ip !== undefined && cidrContains(parseCidr(peer.ipBlock.cidr), ip)
        && !(peer.ipBlock.except ?? []).some((e) => cidrContains(parseCidr(e), ip));
    }
    if (pod.hostNetwork) return false;
    const namespaceLabels = { ...(cluster.namespaces.get(pod.namespace)?.labels ?? {}), [NAMESPACE_NAME_LABEL]: pod.namespace };
    const namespaceOk = peer.namespaceSelector ? labelsMatch(peer.namespaceSelector, namespaceLabels) : pod.namespace === policy.namespace;
    return namespaceOk && (peer.podSelector === undefined || labelsMatch(peer.podSelector, pod.labels));
  });
}

function portsMatch(ports: readonly NetworkPolicyPortManifest[] | undefined, destination: ClusterPod, port: number, protocol: Protocol): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
    return destination.ports.some((c) => c.name === p.port && c.protocol === protocol && c.port === port);
  });
}

function labelsMatch(selector: LabelSelectorManifest | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => has(key) && labels[key] === value)
    && (selector.matchExpressions ?? []).every((e) => {
      switch (e.operator) {
        case 'In': return has(e.key) && (e.values ?? []).includes(labels[e.key]);
        case 'NotIn': return !has(e.key) || !(e.values ?? []).includes(labels[e.key]);
        case 'Exists': return has(e.key);
        default: return !has(e.key);
      }
    });
}

/** The families a pair can connect over: a connection needs an address of its family at both ends (none: no connection either way). */
function commonFamilies(s: ClusterPod, d: ClusterPod): (IpFamily | undefined)[] {
  return (['IPv4', 'IPv6'] as IpFamily[]).filter((f) => s.ips.some((ip) => ip.family === f) && d.ips.some((ip) => ip.family === f));
}

function nodeLocal(s: ClusterPod, d: ClusterPod): boolean {
  return (s.hostNetwork || d.hostNetwork) && s.nodeName !== undefined && s.nodeName === d.nodeName;
}

function toObject(m: NetworkPolicyManifest): unknown {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: m.name, namespace: m.namespace }, spec: m.spec };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
