import { App, Chart, Testing } from 'cdk8s';
import {
  AllowDns, AllowFrom, AllowTo, DefaultDeny, Engine, HttpRule, IstioMode, Peer, PolicyDirection, Port, Workload, ZeroTrustNamespace,
} from '../../src';
import { ClusterModel, podEndpoint, ReachabilityAnalyzer } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { meshedDifferences, reachabilityDifferences } from '../equivalence/compare';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';
import { testEngine } from '../helpers/target';

const backend = Workload.select({ app: 'backend-api' });
const redis = Workload.select({ app: 'redis' });

describe('AllowTo', () => {
  test('says the seed\'s backend-egress-policy from the backend: egress to redis on TCP 6379, with explicit policyTypes', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns');
    new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
    const objs = synthValid(chart);
    // No ingress half: redis's ingress is not isolated.
    expect(objs.map(o => o.metadata.name).sort()).toEqual(['backend-to-redis-egress', 'dns']);
    expect(byName(objs, 'backend-to-redis-egress').spec).toEqual({
      podSelector: { matchLabels: { app: 'backend-api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'redis' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    });
  });

  test('adds the ingress half where the destination namespace denies ingress, so the flow really works', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
    expect(byName(synthValid(chart), 'backend-to-redis-ingress-production').spec).toEqual({
      podSelector: { matchLabels: { app: 'redis' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'backend-api' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    });
  });

  test('limits the ingress half to the destination pods a partial default deny isolates', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny-cache', { directions: [PolicyDirection.INGRESS], pods: Workload.select({ tier: 'cache' }) });
    new AllowDns(chart, 'dns');
    new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
    expect(byName(synthValid(chart), 'backend-to-redis-ingress-production').spec.podSelector).toEqual({ matchLabels: { app: 'redis', tier: 'cache' } });
  });

  test('puts the ingress half in the destination namespace, admitting the workload by namespace and labels', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns');
    new DefaultDeny(chart, 'data-deny', { namespace: 'data', directions: [PolicyDirection.INGRESS] });
    new AllowTo(chart, 'to-db', { workload: backend, peers: [Peer.workload(Workload.select({ app: 'db' }, { namespace: 'data' }))], ports: [Port.tcp(5432)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'to-db-egress').spec.egress[0].to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } } },
    ]);
    const half = byName(objs, 'to-db-ingress-data');
    expect(half.metadata.namespace).toBe('data');
    expect(half.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'production' } }, podSelector: { matchLabels: { app: 'backend-api' } } },
    ]);
  });

  test('adds no other side for peers without a pod set of their own: namespace labels, every namespace, CIDRs, anyone', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new AllowTo(chart, 'out', {
      workload: backend,
      peers: [Peer.namespacesWithLabels({ team: 'x' }), Peer.pods({ allNamespaces: true, podLabels: { app: 'y' } }), Peer.cidr('10.100.0.0/16'), Peer.anyone()],
      ports: [Port.tcp(443)],
    });
    const names = synthValid(chart).map(o => o.metadata.name);
    expect(names.filter(n => n.startsWith('out'))).toEqual(['out-egress']);
  });

  test('allows exactly what the intent means on every engine, on the seed\'s production namespace', () => {
    const cluster = ClusterModel.create({
      namespaces: [{ name: 'production' }, { name: 'kube-system' }],
      pods: [
        { namespace: 'production', name: 'backend', labels: { app: 'backend-api' }, serviceAccountName: 'backend', ips: ['10.244.0.10'], ports: [], nodeName: 'n1' },
        { namespace: 'production', name: 'redis', labels: { app: 'redis' }, serviceAccountName: 'redis', ips: ['10.244.0.11'], ports: [], nodeName: 'n2' },
        { namespace: 'production', name: 'other', labels: { app: 'other' }, serviceAccountName: 'default', ips: ['10.244.0.12'], ports: [], nodeName: 'n3' },
        { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ips: ['10.244.1.2'], ports: [], nodeName: 'n4' },
      ],
    });
    // Istio admits the backend by its identity (every pod running as `backend`); Kubernetes selects labels only.
    const byIdentity = Workload.allPods({ serviceAccount: 'backend' });
    const engines: [string, () => Engine, Workload][] = [
      ['kubernetes', () => testEngine.kubernetes(), backend],
      ['cilium', () => testEngine.cilium(), byIdentity],
      ['calico', () => testEngine.calico(), byIdentity],
      ['istio-sidecar-calico', () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() }), byIdentity],
      ['istio-ambient-cilium', () => testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.cilium() }), byIdentity],
    ];
    for (const [name, engine, workload] of engines) {
      const chart = chartWith(engine());
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowTo(chart, 'backend-to-redis', { workload, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
      const intent = new ReachabilityAnalyzer(cluster, intentPolicies(chart));
      const synthesized = synthesizedPolicies(chart);
      const rendered = new ReachabilityAnalyzer(cluster, synthesized);
      // Only backend → redis on 6379: not another client, not another destination, not another port.
      const flows: [string, string, number, boolean][] = [['backend', 'redis', 6379, true], ['other', 'redis', 6379, false], ['backend', 'other', 6379, false], ['backend', 'redis', 6380, false]];
      for (const [from, to, port, allowed] of flows) {
        const flow = { source: podEndpoint('production', from), destination: podEndpoint('production', to), port, protocol: 'TCP' as const, mesh: { mtls: true } };
        const verdicts = [intent.evaluate(flow).allowed, rendered.evaluate(flow).allowed];
        expect([name, from, to, port, ...verdicts]).toEqual([name, from, to, port, allowed, allowed]);
      }
      // Istio's pod-to-pod connections are meshed (its identity rules need mTLS): compared on every
      // atom with mTLS, and completely, in plaintext, from and to the outside — as the Istio equivalence property does.
      const differences = name.startsWith('istio')
        ? [...reachabilityDifferences(cluster, intentPolicies(chart), synthesized, {}, 'withExternal'), ...meshedDifferences(cluster, intentPolicies(chart), synthesized, [undefined])]
        : reachabilityDifferences(cluster, intentPolicies(chart), synthesized);
      expect([name, differences]).toEqual([name, []]);
    }
  });

  describe('on Istio', () => {
    const sidecar = () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() });
    const ambient = () => testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.cilium() });

    test('renders the destination side as an ALLOW policy for the isolated destination pods, from the workload\'s identity', () => {
      const chart = chartWith(sidecar());
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowTo(chart, 'backend-to-redis', { workload: Workload.allPods({ serviceAccount: 'backend' }), peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
      const ap = byName(synthValid(chart), 'backend-to-redis-ingress-production', 'AuthorizationPolicy');
      expect(ap.spec).toEqual({
        selector: { matchLabels: { app: 'redis' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/backend'] } }], to: [{ operation: { ports: ['6379'] } }] }],
      });
    });

    test('renders nothing in Istio where the destination is not isolated: egress is the CNI\'s alone (sidecar)', () => {
      const chart = chartWith(sidecar());
      new AllowDns(chart, 'dns');
      new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
      const objs = synthValid(chart);
      expect(objs.filter(o => o.kind === 'AuthorizationPolicy')).toEqual([]);
      expect(byName(objs, 'backend-to-redis-egress', 'NetworkPolicy').spec.egress).toHaveLength(1);
    });

    test('in ambient mode, lets the workload reach the destination pods on HBONE, which their ztunnel checks', () => {
      const chart = chartWith(ambient());
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowTo(chart, 'backend-to-redis', { workload: Workload.allPods({ serviceAccount: 'backend' }), peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
      const objs = synthValid(chart);
      expect(byName(objs, 'backend-to-redis-hbone-egress', 'CiliumNetworkPolicy').spec.egress).toEqual([{
        toEndpoints: [{ matchLabels: { 'k8s:app': 'redis', 'k8s:io.kubernetes.pod.namespace': 'production' } }],
        toPorts: [{ ports: [{ port: '15008', protocol: 'TCP' }] }],
      }]);
      expect(byName(objs, 'backend-to-redis-ingress-production', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['6379'] } }]);
    });

    test('fails in ambient mode when the destination\'s ingress is not isolated, naming the engines that can', () => {
      const chart = chartWith(ambient());
      new AllowDns(chart, 'dns');
      new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
      expect(errorOf(() => Testing.synth(chart))).toContain('[test/backend-to-redis] the istio-ambient-cilium engine cannot express egress to production/app=redis, whose ingress nothing isolates '
        + '(in ambient mode the CNI sees every connection to a mesh pod as HBONE (TCP 15008), whatever its port, and a destination without an ALLOW policy admits every port, so the workload could connect on ports the intent denies); '
        + 'in: allow egress of production/app=backend-api to [pods app=redis in namespace production] on [TCP 6379]. '
        + 'Fix: isolate the destination\'s ingress too (new DefaultDeny(scope, \'id\', { namespace: \'production\' }) or a ZeroTrustNamespace), so that its ztunnel checks this allowance; '
        + 'or use IstioMode.SIDECAR, or a CNI engine (Engine.cilium(), Engine.calico(), Engine.kubernetes()), which express it exactly.');
    });

    test('fails in ambient mode for destinations chosen by namespace labels', () => {
      const chart = chartWith(ambient());
      new AllowDns(chart, 'dns');
      new AllowTo(chart, 'out', { workload: backend, peers: [Peer.pods({ namespaceLabels: { team: 'x' }, podLabels: { app: 'y' } })], ports: [Port.tcp(80)] });
      expect(errorOf(() => Testing.synth(chart))).toMatch(/cannot express egress to pods app=y in namespaces team=x .*Fix: name the destination namespace .*or use IstioMode.SIDECAR/);
    });

    test('fails in ambient mode for a destination bound to the waypoint, whose policies are per Service', () => {
      const chart = chartWith(ambient());
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowFrom(chart, 'web', { to: Workload.select({ app: 'redis' }, { service: 'redis' }), peers: [Peer.serviceAccount('web')], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
      new AllowTo(chart, 'backend-to-redis', { workload: Workload.allPods({ serviceAccount: 'backend' }), peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
      expect(errorOf(() => Testing.synth(chart))).toMatch(/Service redis, from test\/web\).*Fix: say it from the destination's side: new AllowFrom\(scope, 'id', \{ to: Workload.select\(\{...\}, \{ service: 'redis' \}\)/);
    });

    test('fails when the destination is isolated and the workload has no identity Istio can check', () => {
      const chart = chartWith(sidecar());
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
      expect(errorOf(() => Testing.synth(chart))).toContain('cannot express pods app=backend-api in namespace production (pods chosen by labels have no identity in Istio');
    });
  });

  test('is offered by ZeroTrustNamespace, in the namespace\'s stage, covered by its DNS allowance', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    const ztn = new ZeroTrustNamespace(chart, 'zt', { engine: testEngine.kubernetes(), acknowledgeNoEncryption: true });
    ztn.allowTo('backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'zt-backend-to-redis-egress').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
    expect(byName(objs, 'zt-backend-to-redis-ingress-production').spec.podSelector).toEqual({ matchLabels: { app: 'redis' } });
  });

  test('fails when no AllowDns covers the workload, whose egress it isolates', () => {
    const chart = chartWith();
    new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
    expect(errorOf(() => Testing.synth(chart))).toContain('[test/backend-to-redis] egress of production/app=backend-api is default-deny');
    const acknowledged = chartWith(testEngine.kubernetes(), 'production', new App());
    new AllowTo(acknowledged, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)], acknowledgeDnsBlocked: true });
    expect(synthValid(acknowledged)).toHaveLength(1);
  });

  test('throws for an empty peer or port list, and names the construct', () => {
    const chart = chartWith();
    expect(errorOf(() => new AllowTo(chart, 'x', { workload: backend, peers: [], ports: [Port.tcp(1)] }))).toContain('[test/x] invalid peers: got []; expected a list with at least one Peer');
    expect(errorOf(() => new AllowTo(chart, 'y', { workload: backend, peers: [Peer.anyone()], ports: [] }))).toContain('[test/y] invalid ports: got []; expected a list with at least one Port');
  });
});
