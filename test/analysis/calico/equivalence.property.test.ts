import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AllowDns, AllowFrom, ClusterAllowDns, ClusterDefaultDeny, DefaultDeny, EgressToCidr, Engine, LabelExpression, Peer, PolicyDirection,
  PolicyStage, Port, Workload,
} from '../../../src';
import { ClusterModel } from '../../../src/analysis/cluster/cluster-model';
import { ReachabilityAnalyzer } from '../../../src/analysis/engine/reachability-analyzer';
import { podEndpoint } from '../../../src/analysis/ir/flow';
import { parsePolicies } from '../../../src/analysis/parse/parse-policies';
import { translateIntent } from '../../../src/analysis/translate/intent-model';
import { featuresOf } from '../../../src/dialects/feature';
import { PolicyCompiler } from '../../../src/engine/compiler';
import { reachabilityDifferences } from '../../equivalence/compare';
import { clusterArb } from '../support/arbitraries';

// The intent is the reference: for random intents and random clusters, the Calico manifests the
// engine writes, read back by the analyzer like any hand-written Calico YAML, must allow exactly
// the flows the intent allows (analysis/translate/intent-model.ts) — on every port and protocol.

const NAMESPACES = ['a', 'b', 'c'];
const ns = fc.constantFrom(...NAMESPACES);
const podLabels = fc.record({ app: fc.constantFrom('web', 'db'), tier: fc.constantFrom('x', 'y') }, { requiredKeys: [] });
const expressions = fc.array(fc.oneof(
  fc.constantFrom('app', 'tier').map(k => LabelExpression.exists(k)),
  fc.constantFrom('app', 'tier').map(k => LabelExpression.doesNotExist(k)),
  fc.constantFrom('web', 'x').map(v => LabelExpression.isNotIn(v === 'web' ? 'app' : 'tier', [v])),
), { maxLength: 1 });
type Build = (chart: Chart, id: string) => void;

/** A build step that prints as the construct call in a counterexample. */
function named(name: string, props: unknown, build: Build): Build {
  return Object.assign(build, { [fc.toStringMethod]: () => `new ${name}(chart, id, ${fc.stringify(props)})` });
}

const port: fc.Arbitrary<Port> = fc.constantFrom(
  Port.tcp(80), Port.udp(53), Port.tcp(53), Port.tcpRange(80, 81), Port.named('http'), Port.named('dns', 'UDP' as never),
  Port.allTcp(), Port.allUdp(), Port.allTraffic(), Port.sctp(81),
);
const ports = fc.array(port, { minLength: 1, maxLength: 2 });
const CIDR_PEERS = [Peer.cidr('10.0.0.0/30', ['10.0.0.2/31']), Peer.cidr('10.0.0.0/24'), Peer.ipv6('fd00::/120', ['fd00::4/126']), Peer.cidr('0.0.0.0/0', ['10.0.1.0/24'])];

/**
 * Random intents. `portable` keeps to what the Kubernetes engine expresses exactly: no identities,
 * no audit stage, no cluster-wide intents.
 */
function intentsArb(portable: boolean): fc.Arbitrary<Build[]> {
  const serviceAccount = portable ? fc.constant(undefined) : fc.option(fc.constantFrom('default', 'robot'), { nil: undefined });
  const stage = portable ? fc.constant(PolicyStage.ENFORCE)
    : fc.constantFrom(PolicyStage.ENFORCE, PolicyStage.ENFORCE, PolicyStage.ENFORCE, PolicyStage.AUDIT);
  const workload = fc.record({ labels: podLabels, expressions, namespace: ns, serviceAccount }).map(w => {
    const options = { namespace: w.namespace, expressions: w.expressions, ...(w.serviceAccount ? { serviceAccount: w.serviceAccount } : {}) };
    return Object.keys(w.labels).length || w.expressions.length ? Workload.select(w.labels, options) : Workload.allPods(options);
  });
  const peers: fc.Arbitrary<Peer>[] = [
    workload.map(w => Peer.workload(w)),
    fc.record({ namespace: ns, podLabels }).map(o => Peer.pods(o)),
    fc.constantFrom('red', 'blue').map(team => Peer.namespacesWithLabels({ team })),
    podLabels.map(l => Peer.pods({ allNamespaces: true, podLabels: { app: 'web', ...l } })),
    fc.constantFrom(...CIDR_PEERS),
    fc.constant(Peer.anyone()),
    fc.constant(Peer.kubeApiServer(['10.0.0.5/32', 'fd00::5/128'])),
  ];
  if (!portable) {
    peers.push(fc.record({ name: fc.constantFrom('default', 'robot'), namespace: fc.option(ns, { nil: undefined }) }).map(o => Peer.serviceAccount(o.name, o.namespace)));
  }
  const peer = fc.oneof(...peers);
  const directions = fc.constantFrom([PolicyDirection.INGRESS], [PolicyDirection.EGRESS], undefined);
  const intent: fc.Arbitrary<Build>[] = [
    fc.record({ namespace: ns, dirs: directions, pods: fc.option(workload, { nil: undefined }), stage })
      .map(o => named('DefaultDeny', o, (c, id) => { new DefaultDeny(c, id, { namespace: o.namespace, directions: o.dirs, pods: o.pods, stage: o.stage, acknowledgeDnsBlocked: true }); })),
    fc.record({ namespace: ns, pods: fc.option(workload, { nil: undefined }), stage })
      .map(o => named('AllowDns', o, (c, id) => { new AllowDns(c, id, { namespace: o.namespace, pods: o.pods, stage: o.stage }); })),
    fc.record({ to: workload, peers: fc.array(peer, { minLength: 1, maxLength: 2 }), ports, stage })
      .map(o => named('AllowFrom', o, (c, id) => { new AllowFrom(c, id, o); })),
    fc.record({ workload, block: fc.constantFrom(['10.0.0.0/24', ['10.0.0.2/32']], ['fd00::/120', []], ['0.0.0.0/0', []]), ports, stage })
      .map(o => named('EgressToCidr', o, (c, id) => {
        const [cidr, exceptCidrs] = o.block as [string, string[]];
        new EgressToCidr(c, id, { workload: o.workload, cidr, exceptCidrs, ports: o.ports, stage: o.stage, acknowledgeDnsBlocked: true });
      })),
  ];
  if (!portable) {
    intent.push(
      fc.record({ except: fc.subarray(NAMESPACES), dirs: directions, stage })
        .map(o => named('ClusterDefaultDeny', o, (c, id) => {
          new ClusterDefaultDeny(c, id, { exceptNamespaces: o.except, directions: o.dirs, stage: o.stage, acknowledgeDnsBlocked: true });
        })),
      fc.record({ except: fc.subarray(NAMESPACES), stage })
        .map(o => named('ClusterAllowDns', o, (c, id) => { new ClusterAllowDns(c, id, { exceptNamespaces: o.except, stage: o.stage }); })),
    );
  }
  return fc.array(fc.oneof(...intent), { minLength: 1, maxLength: 5 });
}

/**
 * The cluster of these tests: its pods are inside the CIDR peers on purpose (the property compares how Calico and
 * Kubernetes NetworkPolicy match pod addresses, which they do alike), so the engines opt into that
 * engine-dependent meaning (Cilium would differ).
 */
const OVERLAPPING_CIDRS = { podCidrs: ['10.0.0.0/16', 'fd00::/64'], serviceCidrs: ['10.96.0.0/16'], acceptCidrsOverlappingPods: true };

/** Builds the intents on a chart with the engine; returns the model statements and the YAML cdk8s writes. */
function synth(engine: Engine, builds: Build[]): { statements: ReturnType<PolicyCompiler['statements']>; yaml: string } {
  const app: App = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'a' });
  Engine.attach(chart, engine);
  builds.forEach((b, i) => b(chart, `i${i}`));
  return { statements: PolicyCompiler.of(chart).statements(), yaml: app.synthYaml() };
}


describe('Calico output allows exactly what the intent allows (property-based)', () => {
  test('on random intents (namespaced, cluster-wide, staged) and random clusters', () => {
    fc.assert(fc.property(intentsArb(false), clusterArb, (builds, cluster) => {
      const { statements, yaml } = synth(Engine.calico({ target: OVERLAPPING_CIDRS }), builds);
      const rendered = parsePolicies({ file: 'calico.yaml', text: yaml });
      // Complete: every class pair (pods and outside classes), every connection.
      expect(reachabilityDifferences(cluster, translateIntent(statements), rendered)).toEqual([]);
    }), { numRuns: 300 });
  });

  // Kubernetes' `anyone` (namespaceSelector {} plus ipBlock 0.0.0.0/0 and ::/0) reaches a host-network
  // pod's traffic through its node's address, Calico's rule without a source matches it directly; a
  // connection needs an address family both ends have, so the two agree on every cluster.
  const sharesFamilyWithEveryPod = (c: ClusterModel, host: ClusterModel['pods'][number]) =>
    c.pods.every(p => p.ips.some(ip => host.ips.some(h => h.family === ip.family)));
  const realistic = (c: ClusterModel) => c.pods.every(p => !p.hostNetwork || sharesFamilyWithEveryPod(c, p));

  test('and agrees with the Kubernetes output on intents Kubernetes expresses exactly', () => {
    fc.assert(fc.property(intentsArb(true), clusterArb, (builds, cluster) => {
      const calico = synth(Engine.calico({ target: OVERLAPPING_CIDRS }), builds);
      const table = Engine.kubernetes()._dialect.capabilities;
      expect(calico.statements.flatMap(featuresOf).filter(f => table[f].level !== 'exact')).toEqual([]);
      const viaKubernetes = parsePolicies({ file: 'k8s.yaml', text: synth(Engine.kubernetes({ target: OVERLAPPING_CIDRS }), builds).yaml });
      const viaCalico = parsePolicies({ file: 'calico.yaml', text: calico.yaml });
      expect(reachabilityDifferences(cluster, viaKubernetes, viaCalico)).toEqual([]);
    }), { numRuns: 200 });
  });

  test('found by the property above: a host-network source and a destination without an address of its family', () => {
    // seed -1734280491: for anyone and all pods of `a` allowed in on TCP 80, Calico allowed a/p0 (host
    // network, 10.0.0.1) -> a/p1 (no address) and the Kubernetes output did not: no common family for
    // its ipBlock. Such a pair cannot connect at all (no address family both have), so now neither
    // engine allows it; with an IPv4 address on a/p1 both allow the connection.
    const intents: Build[] = [
      (c, id) => { new AllowFrom(c, id, { to: Workload.allPods({ namespace: 'a' }), peers: [Peer.anyone(), Peer.pods({ namespace: 'a' })], ports: [Port.tcp(80)] }); },
      (c, id) => { new AllowDns(c, id, { namespace: 'a' }); },
    ];
    const clusterWith = (p1Ips: string[]) => ClusterModel.create({
      namespaces: [],
      pods: [
        { namespace: 'a', name: 'p0', labels: {}, serviceAccountName: 'default', ips: ['10.0.0.1'], ports: [], hostNetwork: true },
        { namespace: 'a', name: 'p1', labels: {}, serviceAccountName: 'default', ips: p1Ips, ports: [], hostNetwork: false },
      ],
    });
    const viaCalico = parsePolicies({ file: 'calico.yaml', text: synth(Engine.calico({ target: OVERLAPPING_CIDRS }), intents).yaml });
    const viaKubernetes = parsePolicies({ file: 'k8s.yaml', text: synth(Engine.kubernetes({ target: OVERLAPPING_CIDRS }), intents).yaml });
    for (const [ips, connects] of [[[], false], [['fd00::1'], false], [['10.0.0.2'], true]] as const) {
      const cluster = clusterWith([...ips]);
      expect(realistic(cluster)).toBe(connects);
      expect(reachabilityDifferences(cluster, viaKubernetes, viaCalico)).toEqual([]);
      const allowed = new ReachabilityAnalyzer(cluster, viaCalico).connections(podEndpoint('a', 'p0'), podEndpoint('a', 'p1'));
      expect(allowed.contains(80, 'TCP')).toBe(connects);
    }
  });
});
