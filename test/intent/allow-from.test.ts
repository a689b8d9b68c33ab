import { AllowDns, AllowFrom, DefaultDeny, Engine, HttpRule, LabelExpression, Peer, PolicyDirection, PolicyStage, Port, Workload } from '../../src';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';
import { testEngine } from '../helpers/target';

const backend = Workload.select({ app: 'backend-api' });
const frontend = Workload.select({ app: 'frontend' });

describe('AllowFrom', () => {
  test('allows same-namespace pods on a port with a podSelector peer and explicit policyTypes', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'frontend-to-backend', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    const objs = synthValid(chart);
    expect(objs).toHaveLength(1); // no egress half: frontend's egress is not isolated
    expect(byName(objs, 'frontend-to-backend-ingress').spec).toEqual({
      podSelector: { matchLabels: { app: 'backend-api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
  });

  test('adds the egress half where the source namespace denies egress, so the flow really works', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'default-deny');
    new AllowDns(chart, 'dns');
    new AllowFrom(chart, 'frontend-to-backend', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    expect(byName(synthValid(chart), 'frontend-to-backend-egress-production').spec).toEqual({
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'backend-api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
  });

  test('limits the egress half to the pods a partial default deny isolates', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny-web-egress', { directions: [PolicyDirection.EGRESS], pods: Workload.select({ tier: 'web' }), acknowledgeDnsBlocked: true });
    new AllowFrom(chart, 'frontend-to-backend', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    const half = byName(synthValid(chart), 'frontend-to-backend-egress-production');
    expect(half.spec.podSelector).toEqual({ matchLabels: { app: 'frontend', tier: 'web' } });
  });

  test('puts the egress half in the peer namespace when that namespace is isolated by the app', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'monitoring-deny', { namespace: 'monitoring' });
    new AllowDns(chart, 'monitoring-dns', { namespace: 'monitoring' });
    const prometheus = Workload.select({ app: 'prometheus' }, { namespace: 'monitoring' });
    new AllowFrom(chart, 'scrape', { to: backend, peers: [Peer.workload(prometheus)], ports: [Port.named('metrics')] });
    const objs = synthValid(chart);
    expect(byName(objs, 'scrape-ingress').spec.ingress[0].from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { app: 'prometheus' } },
    }]);
    const half = byName(objs, 'scrape-egress-monitoring');
    expect(half.metadata.namespace).toBe('monitoring');
    expect(half.spec.egress[0]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'production' } }, podSelector: { matchLabels: { app: 'backend-api' } } }],
      ports: [{ protocol: 'TCP', port: 'metrics' }],
    });
  });

  test('keeps namespace AND pod criteria in one peer, and separate peers separate (OR)', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'mixed', {
      to: backend,
      peers: [
        Peer.pods({ namespaceLabels: { team: 'monitoring' }, podLabels: { app: 'prometheus' } }),
        Peer.namespace('ops'),
        Peer.pods({ allNamespaces: true, podExpressions: [LabelExpression.isNotIn('env', ['dev'])] }),
      ],
      ports: [Port.tcp(9090), Port.udpRange(5000, 5100), Port.allSctp()],
    });
    const rule = byName(synthValid(chart), 'mixed-ingress').spec.ingress[0];
    expect(rule.from).toEqual([
      { namespaceSelector: { matchLabels: { team: 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
      { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } },
    ]);
    expect(rule.ports).toEqual([{ protocol: 'TCP', port: 9090 }, { protocol: 'UDP', port: 5000, endPort: 5100 }, { protocol: 'SCTP' }]);
  });

  test('spells out "anyone" instead of an empty peer list', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'public', { to: backend, peers: [Peer.anyone()], ports: [Port.tcp(443)] });
    expect(byName(synthValid(chart), 'public-ingress').spec.ingress[0].from).toEqual([
      { namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } },
    ]);
  });

  test('renders all traffic as a rule without ports, only when spelled out', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'all', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.allTraffic()] });
    expect(byName(synthValid(chart), 'all-ingress').spec.ingress[0]).toEqual({ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] });
  });

  test('creating the same allowance twice is harmless: duplicates collapse inside one construct, and two constructs only repeat the union', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'a', { to: backend, peers: [Peer.workload(frontend), Peer.workload(frontend)], ports: [Port.tcp(8080), Port.tcp(8080)] });
    new AllowFrom(chart, 'b', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'a-ingress').spec.ingress[0]).toEqual(byName(objs, 'b-ingress').spec.ingress[0]);
    expect(byName(objs, 'a-ingress').spec.ingress[0].ports).toHaveLength(1);
  });

  test('fails synthesis for service-account peers unless the label approximation is opted into', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'sa', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('[test/sa] the kubernetes engine cannot express service-account (identity) peers exactly');
    expect(msg).toContain('Engine.kubernetes({ serviceAccountLabel })');
    expect(msg).toContain('widens the policy');

    const approx = chartWith(testEngine.kubernetes({ serviceAccountLabel: 'zero-trust.io/service-account' }));
    new AllowFrom(approx, 'sa', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
    expect(byName(synthValid(approx), 'sa-ingress').spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'zero-trust.io/service-account': 'frontend' } } }]);
  });

  test('fails synthesis for HTTP rules on the kubernetes engine instead of allowing the whole port', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'l7', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)], http: [HttpRule.get('/healthz')] });
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('cannot express L7 HTTP method and path rules');
    expect(msg).toContain('use Engine.cilium() or an Istio engine');
  });

  test('fails synthesis for an audit stage on the kubernetes engine', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'audit', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)], stage: PolicyStage.AUDIT });
    expect(errorOf(() => synthValid(chart))).toContain('NetworkPolicy has no audit or staged mode');
  });

  test('fails synthesis for the API server without addresses, and renders the addresses given', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'api', { to: backend, peers: [Peer.kubeApiServer()], ports: [Port.tcp(8443)] });
    expect(errorOf(() => synthValid(chart))).toContain('Peer.kubeApiServer(["<address>/32"])');
    const ok = chartWith();
    new AllowFrom(ok, 'api', { to: backend, peers: [Peer.kubeApiServer(['172.20.0.1/32', '172.20.0.2/32'])], ports: [Port.tcp(8443)] });
    expect(byName(synthValid(ok), 'api-ingress').spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '172.20.0.1/32' } }, { ipBlock: { cidr: '172.20.0.2/32' } }]);
  });

  test.each([
    ['an empty peer list', { peers: [] }, 'invalid peers: got []', 'say [Peer.anyone()] if that is what you mean'],
    ['an empty port list', { ports: [] }, 'invalid ports: got []', 'say [Port.allTcp()] or [Port.allTraffic()]'],
    ['an invalid port', { ports: [Port.tcp(70000)] }, 'invalid port of Port.tcp(): got 70000; expected an integer from 1 to 65535', 'Fix:'],
    ['a port range that ends first', { ports: [Port.tcpRange(9000, 8000)] }, 'got "9000-8000"', 'write Port.tcpRange(8000, 9000)'],
    ['an invalid named port', { ports: [Port.named('HTTP_PORT')] }, 'expected an IANA service name', 'use the `name` of the container port'],
    ['a CIDR with host bits', { peers: [Peer.cidr('10.0.0.1/8')] }, 'got "10.0.0.1/8"; expected the network address', 'write "10.0.0.0/8"'],
    ['an invalid label value on the workload', { to: Workload.select({ app: 'back end' }) }, 'got "back end"', 'cannot contain spaces'],
    ['a workload without labels', { to: Workload.select({}) }, 'expected at least one label or expression', 'Workload.allPods()'],
    ['an empty http list', { http: [] }, 'invalid http: got []', 'leave `http` out'],
    ['an invalid HTTP path', { http: [HttpRule.get('/a/../b')] }, 'expected a path without "." or ".." segments', 'write the normalized path'],
  ])('throws at construction for %s, with the construct path, the value, the expectation and a fix', (_, override, message, fix) => {
    const chart = chartWith();
    const msg = errorOf(() => new AllowFrom(chart, 'bad', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)], ...override } as any));
    expect(msg).toMatch(/^\[test\/bad\] /);
    expect(msg).toContain(message);
    expect(msg).toContain(fix);
  });

  test('reports every problem of one construct at once', () => {
    const msg = errorOf(() => new AllowFrom(chartWith(), 'bad', { to: backend, peers: [], ports: [Port.tcp(0)] }));
    expect(msg).toContain('[test/bad] 2 problems:');
  });
});
