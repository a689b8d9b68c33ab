import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { APPS, clusterArb, NAMESPACES, toCluster } from './cluster-gen';
import { buildClusterIntents, clusterIntentsArb, expressibleOn } from './cluster-intent-gen';
import { reachabilityDifferences } from './compare';
import { buildIntents, describeIntents, IntentSpec, intentsArb } from './intent-gen';
import {
  AllowDns, AllowFrom, ClusterAllowDns, ClusterDefaultDeny, EgressToFqdn, Engine, HttpRule, Peer, PolicyDirection, Port, Workload,
} from '../../src';
import { AnalysisPolicy, ClusterModel, ReachabilityAnalyzer, podEndpoint } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { OVERLAPPING_TARGET, PROPERTY_TARGET } from '../helpers/target';

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 1000);

/**
 * Cilium refuses named ports on egress (capability `port.named-egress`: 1.19 resolves them against
 * every pod of the cluster); an EgressToCidr is egress, and an AllowFrom from pods always has an
 * egress half, and an AllowTo is egress. So in four cases out of five these get TCP 8080 (one of the numbers `http` has)
 * instead of the name; the fifth keeps it, is refused at synth and counted as skipped.
 */
function ciliumExpressible(specs: IntentSpec[]): IntentSpec[] {
  return specs.map(s => ((s.kind === 'AllowFrom' && s.peers.some(p => p.k !== 'cidr')) || s.kind === 'EgressToCidr' || s.kind === 'AllowTo'
    ? { ...s, ports: [...new Set(s.ports.map(p => (p === 'named-http' ? 'tcp8080' : p)))] }
    : s));
}
const intents = fc.oneof(
  { arbitrary: intentsArb({ withIdentity: true }).map(ciliumExpressible), weight: 4 },
  { arbitrary: intentsArb({ withIdentity: true }), weight: 1 },
);

/**
 * The generated cluster plus node traffic: a host-network pod on node-0 (where p0 runs) and one on a
 * node without other pods. Cilium sees them as `host` / `remote-node`, never as pods.
 */
function withNodes(cluster: ClusterModel): ClusterModel {
  const pods = cluster.pods.map((p) => ({
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    serviceAccountName: p.serviceAccountName,
    ips: p.ips.map((ip) => ip.text),
    ports: p.ports,
    hostNetwork: p.hostNetwork,
    ...(p.nodeName ? { nodeName: p.nodeName } : {}),
  }));
  const nodes = [
    { namespace: 'kube-system', name: 'node-agent-0', labels: { app: 'web' }, ips: ['10.0.0.10'], hostNetwork: true, nodeName: 'node-0' },
    { namespace: 'kube-system', name: 'node-agent-x', labels: { app: 'web' }, ips: ['10.0.0.11'], hostNetwork: true, nodeName: 'node-x' },
  ];
  const namespaces = [...cluster.namespaces.values()].map((ns) => ({ name: ns.name, labels: ns.labels }));
  return ClusterModel.create({ namespaces, pods: [...pods, ...nodes] });
}

/** Synthesizes with the Cilium engine: the policies, or why the engine refused (a capability it lacks). */
function synthesizeCilium(chart: Chart): { policies: AnalysisPolicy[] } | { refused: string } {
  try {
    return { policies: synthesizedPolicies(chart) };
  } catch (e) {
    const reason = refusal(e);
    if (reason === undefined) throw e;
    return { refused: reason };
  }
}

/** Why cdk8s refused to synthesize: the first problem the Cilium engine reported, without its construct path. */
function refusal(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/Validation failed/.test(message)) return undefined;
  const problem = /the cilium engine [^(.:]*/.exec(message);
  return problem ? problem[0].trim() : message.split('\n').find(line => line.includes('Fix:'))?.slice(0, 120) ?? 'other validation error';
}

/** Cluster-wide intents and service-account subjects, as plain data for counterexamples. */
type ExtraSpec =
  | { kind: 'ClusterDefaultDeny'; except: string[]; dirs: ('ingress' | 'egress')[] }
  | { kind: 'ClusterAllowDns'; except: string[] }
  | { kind: 'AllowToAccount'; ns: string; app: string; sa: string; fromApp: string; fromNs?: string }
  | { kind: 'EgressToFqdn'; ns: string; app: string; withDns: boolean; names: string[]; port: number }
  | { kind: 'ToApiServer'; ns: string; app: string };

/** Names for EgressToFqdn: exact names inside and outside the patterns, and nested patterns. */
const FQDN_NAMES = ['api.example.com', '*.example.com', 'example.com', '*.api.example.com', 'a.api.example.com', '*.example.org', 'db-1.example.org'];

const extraArb: fc.Arbitrary<ExtraSpec> = fc.oneof(
  fc.record({ kind: fc.constant('ClusterDefaultDeny' as const), except: fc.subarray(NAMESPACES), dirs: fc.constantFrom<('ingress' | 'egress')[]>(['ingress'], ['egress'], ['ingress', 'egress']) }),
  fc.record({ kind: fc.constant('ClusterAllowDns' as const), except: fc.subarray(NAMESPACES) }),
  fc.record({
    kind: fc.constant('AllowToAccount' as const),
    ns: fc.constantFrom(...NAMESPACES),
    app: fc.constantFrom(...APPS),
    sa: fc.constantFrom('default', 'svc'),
    fromApp: fc.constantFrom(...APPS),
    fromNs: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
  }),
  // toFQDNs and the DNS proxy rules it needs on AllowDns; without an AllowDns synthesis fails (skipped).
  // Overlapping exact names and one-label patterns, so that the DNS-name classes cut them several ways.
  fc.record({
    kind: fc.constant('EgressToFqdn' as const),
    ns: fc.constantFrom(...NAMESPACES),
    app: fc.constantFrom(...APPS),
    withDns: fc.boolean(),
    names: fc.uniqueArray(fc.constantFrom(...FQDN_NAMES), { minLength: 1, maxLength: 3 }),
    port: fc.constantFrom(443, 8443),
  }),
  // The kube-apiserver entity plus the addresses given, outside every pod address.
  fc.record({ kind: fc.constant('ToApiServer' as const), ns: fc.constantFrom(...NAMESPACES), app: fc.constantFrom(...APPS) }),
);

function buildExtras(scope: Construct, extras: ExtraSpec[]): void {
  const direction = (d: 'ingress' | 'egress') => (d === 'ingress' ? PolicyDirection.INGRESS : PolicyDirection.EGRESS);
  extras.forEach((x, i) => {
    const id = `x${i}`;
    switch (x.kind) {
      case 'ClusterDefaultDeny':
        new ClusterDefaultDeny(scope, id, { exceptNamespaces: x.except, directions: x.dirs.map(direction), acknowledgeDnsBlocked: true });
        break;
      case 'ClusterAllowDns':
        new ClusterAllowDns(scope, id, { exceptNamespaces: x.except });
        break;
      case 'AllowToAccount':
        new AllowFrom(scope, id, {
          namespace: x.ns,
          to: Workload.select({ app: x.app }, { serviceAccount: x.sa }),
          peers: [Peer.workload(Workload.select({ app: x.fromApp }, x.fromNs ? { namespace: x.fromNs } : {}))],
          ports: [Port.tcp(8080)],
        });
        break;
      case 'EgressToFqdn':
        if (x.withDns) new AllowDns(scope, `${id}-dns`, { namespace: x.ns });
        new EgressToFqdn(scope, id, { namespace: x.ns, workload: Workload.select({ app: x.app }), names: x.names, ports: [Port.tcp(x.port)] });
        break;
      case 'ToApiServer':
        new AllowFrom(scope, id, { namespace: x.ns, to: Workload.select({ app: x.app }), peers: [Peer.kubeApiServer(['203.0.113.200/32'])], ports: [Port.tcp(8080)] });
        break;
    }
  });
}

describe('the cilium engine allows exactly what the intent means', () => {
  // Cilium's CIDR rules never match pods, and the model says CIDR peers are addresses outside the
  // cluster: both sides are evaluated with ipBlockMatchesPods false (the intent's ipBlocks are
  // 'option' blocks, so the option is what makes the intent side say "outside the cluster" too).
  // The clusters also have host-network pods (`withNodes`): node traffic is where Cilium's entities
  // differ from pod selectors.
  test('on random intents, identities included, over random clusters (pod pairs and external addresses)', () => {
    const skipped = new Map<string, number>();
    let ran = 0;
    fc.assert(fc.property(intents, clusterArb(), (specs, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.cilium({ target: PROPERTY_TARGET }));
      buildIntents(chart, specs);
      const synthesized = synthesizeCilium(chart);
      if ('refused' in synthesized) {
        skipped.set(synthesized.refused, (skipped.get(synthesized.refused) ?? 0) + 1);
        return;
      }
      ran++;
      const options = { ipBlockMatchesPods: false };
      const diffs = reachabilityDifferences(withNodes(toCluster(cluster)), intentPolicies(chart), synthesized.policies, options);
      if (diffs.length) {
        throw new Error(`the cilium engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}`);
      }
    }), { numRuns: RUNS });
    const total = ran + [...skipped.values()].reduce((a, b) => a + b, 0);
    console.log(`cilium equivalence: ${ran} of ${total} cases ran; skipped: ${JSON.stringify(Object.fromEntries(skipped))}`);
    // Every skip is an intent the engine refuses on purpose (capability table); most cases must run.
    expect(total).toBe(RUNS);
    expect(ran / total).toBeGreaterThan(0.8);
  });

  test('with cluster-wide intents (CiliumClusterwideNetworkPolicy), service-account subjects, DNS names and the API server', () => {
    let ran = 0;
    const ranWith = new Set<string>();
    const extras = fc.array(extraArb, { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(intentsArb({ withIdentity: true }).map(ciliumExpressible), extras, clusterArb(), (specs, extraSpecs, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.cilium({ target: PROPERTY_TARGET }));
      buildIntents(chart, specs);
      buildExtras(chart, extraSpecs);
      const synthesized = synthesizeCilium(chart);
      if ('refused' in synthesized) return;
      ran++;
      extraSpecs.forEach((x) => ranWith.add(x.kind));
      const options = { ipBlockMatchesPods: false };
      const diffs = reachabilityDifferences(withNodes(toCluster(cluster)), intentPolicies(chart), synthesized.policies, options);
      if (diffs.length) {
        throw new Error(`the cilium engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}\nextras: ${JSON.stringify(extraSpecs)}`);
      }
    }), { numRuns: Math.ceil(RUNS / 4) });
    // Refused: an EgressToFqdn without an AllowDns for its pods (the DNS proxy would see no lookup).
    expect(ran).toBeGreaterThan(Math.ceil(RUNS / 4) * 0.6);
    expect([...ranWith].sort()).toEqual(['AllowToAccount', 'ClusterAllowDns', 'ClusterDefaultDeny', 'EgressToFqdn', 'ToApiServer']);
  });

  test('with cluster-wide admin rules (clusterwide deny and allow rules that isolate nothing)', () => {
    let ran = 0;
    const refused = new Map<string, number>();
    const namespaced = intentsArb({ withIdentity: true }).map(ciliumExpressible);
    fc.assert(fc.property(namespaced, clusterIntentsArb(), clusterArb(), (specs, clusterSpecs, cluster) => {
      // Cilium has no pass action (capability admin.delegate) and resolves egress port names cluster-wide.
      const wide = expressibleOn(clusterSpecs, { noDelegate: true, noNamedPorts: true });
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.cilium({ target: OVERLAPPING_TARGET }));
      buildIntents(chart, specs);
      buildClusterIntents(chart, wide);
      const synthesized = synthesizeCilium(chart);
      if ('refused' in synthesized) {
        refused.set(synthesized.refused, (refused.get(synthesized.refused) ?? 0) + 1);
        return;
      }
      ran++;
      const options = { ipBlockMatchesPods: false };
      const diffs = reachabilityDifferences(withNodes(toCluster(cluster)), intentPolicies(chart), synthesized.policies, options);
      if (diffs.length) {
        throw new Error(`the cilium engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}\n${JSON.stringify(wide)}`);
      }
    }), { numRuns: Math.ceil(RUNS / 2) });
    console.log(`cilium cluster-wide equivalence: ${ran} ran; refused: ${JSON.stringify(Object.fromEntries(refused))}`);
    // Refused on purpose: an allowance ahead of an overlapping deny (Cilium's deny always wins), and the refusals of the test above.
    expect(ran).toBeGreaterThan(Math.ceil(RUNS / 2) * 0.5);
  });

  // L7: the renderer's full-match RE2 regexes (escaping, exact vs prefix, query strings) against the
  // model's path semantics, on requests the analyzer evaluates with an RE2-equivalent matcher.
  const PATHS = ['/', '/api', '/api/v1/', '/a.b', '/a+b', '/x(y)', '/q$', '/healthz'];
  const httpRuleArb = fc.record({
    method: fc.option(fc.constantFrom('GET', 'POST', 'DELETE'), { nil: undefined }),
    path: fc.option(fc.tuple(fc.constantFrom(...PATHS), fc.boolean()).map(([p, prefix]) => (prefix ? `${p}*` : p)), { nil: undefined }),
  }).filter((r) => r.method !== undefined || r.path !== undefined);
  const requestArb = fc.record({
    // `get`: methods are case-sensitive in the model and in Envoy's regex matcher alike.
    method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'get'),
    path: fc.tuple(fc.constantFrom(...PATHS, '/aXb', '/aab', '/xy', '/q'), fc.constantFrom('', '/', 'x', '?a=1', '/c?d=e', '?')).map(([p, suffix]) => p + suffix),
  });
  const l7Cluster = ClusterModel.create({
    namespaces: [{ name: 'alpha' }],
    pods: [
      { namespace: 'alpha', name: 'client', labels: { app: 'web' }, ips: ['10.244.0.1'] },
      { namespace: 'alpha', name: 'server', labels: { app: 'api' }, ips: ['10.244.0.2'], ports: [{ name: 'http', port: 8080 }] },
    ],
  });

  test('on HTTP rules: every request the intent allows, and no other', () => {
    const rulesArb = fc.array(httpRuleArb, { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(rulesArb, fc.boolean(), fc.array(requestArb, { minLength: 1, maxLength: 8 }), (rules, alsoL4, requests) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.cilium({ target: PROPERTY_TARGET }));
      const to = Workload.select({ app: 'api' }, { namespace: 'alpha' });
      const peers = [Peer.workload(Workload.select({ app: 'web' }, { namespace: 'alpha' }))];
      new AllowFrom(chart, 'http', { to, peers, ports: [Port.tcp(8080)], http: rules.map((r) => (r.method ? HttpRule.method(r.method, r.path) : HttpRule.anyMethod(r.path!))) });
      if (alsoL4) new AllowFrom(chart, 'l4', { to, peers, ports: [Port.tcp(8080)] });
      const synthesized = synthesizeCilium(chart);
      if ('refused' in synthesized) throw new Error(`refused: ${synthesized.refused}`);
      const intent = new ReachabilityAnalyzer(l7Cluster, intentPolicies(chart));
      const cilium = new ReachabilityAnalyzer(l7Cluster, synthesized.policies);
      for (const http of requests) {
        const flow = { source: podEndpoint('alpha', 'client'), destination: podEndpoint('alpha', 'server'), port: 8080, protocol: 'TCP' as const, http };
        expect([http, cilium.evaluate(flow).allowed]).toEqual([http, intent.evaluate(flow).allowed]);
      }
      // Complete: every class pair, every connection atom and every request class of both sets' rules.
      expect(reachabilityDifferences(l7Cluster, intentPolicies(chart), synthesized.policies)).toEqual([]);
    }), { numRuns: Math.ceil(RUNS / 3) });
  });
});
