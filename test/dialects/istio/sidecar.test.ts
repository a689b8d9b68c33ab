import { istioChart, ofKind } from './support';
import {
  AllowDns, AllowFrom, DefaultDeny, EgressToCidr, Engine, HttpRule, IstioMode, Peer, PolicyDirection, PolicyStage, Port, Workload,
} from '../../../src';
import { otherAnnotations } from '../../helpers/intent-metadata';
import { byName, synthValid } from '../../helpers/synth';

const backend = Workload.select({ app: 'backend-api' });

describe('Istio (sidecar) on Kubernetes NetworkPolicy renders', () => {
  test('DefaultDeny as the CNI default deny plus the ALLOW-nothing AuthorizationPolicy spec: {} — never a DENY rule', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'default-deny', { directions: [PolicyDirection.INGRESS] });
    const objs = synthValid(chart);
    expect(byName(objs, 'default-deny', 'NetworkPolicy').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const ap = byName(objs, 'default-deny', 'AuthorizationPolicy');
    expect(ap.apiVersion).toBe('security.istio.io/v1');
    expect(ap.spec).toEqual({});
    expect(JSON.stringify(objs)).not.toContain('DENY');
  });

  test('a DefaultDeny of some pods as an ALLOW policy with their selector and no rules', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'deny-backend', { directions: [PolicyDirection.INGRESS], pods: backend });
    expect(byName(synthValid(chart), 'deny-backend', 'AuthorizationPolicy').spec).toEqual({ selector: { matchLabels: { app: 'backend-api' } } });
  });

  test('egress isolation with the istiod plumbing (TCP 15012) the sidecars need, and no Istio object (Istio has no egress authorization)', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'deny-egress', { directions: [PolicyDirection.EGRESS] });
    new AllowDns(chart, 'dns');
    const objs = synthValid(chart);
    expect(ofKind(objs, 'AuthorizationPolicy')).toEqual([]);
    expect(byName(objs, 'mesh-istiod-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }],
        ports: [{ protocol: 'TCP', port: 15012 }],
      }],
    });
    // AllowDns renders on the CNI only.
    expect(byName(objs, 'dns').kind).toBe('NetworkPolicy');
  });

  test('the istiod location is configurable', () => {
    const chart = istioChart(IstioMode.SIDECAR, Engine.kubernetes(), { istiodNamespace: 'mesh', istiodLabels: { 'istio.io/rev': 'canary' } });
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true });
    expect(byName(synthValid(chart), 'mesh-istiod-egress').spec.egress[0].to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mesh' } }, podSelector: { matchLabels: { 'istio.io/rev': 'canary' } } },
    ]);
  });

  test('plumbing is rendered once per namespace, by the namespace-wide isolation, not again for each isolated workload', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new EgressToCidr(chart, 'rds', { workload: backend, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
    const names = synthValid(chart).map(o => o.metadata.name);
    expect(names.filter(n => n.includes('mesh-istiod'))).toEqual(['mesh-istiod-egress']);
  });

  test('AllowFrom a service account as principals, and a whole namespace as namespaces; the CNI allows the L4 part', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'in', {
      to: backend,
      peers: [Peer.serviceAccount('frontend'), Peer.serviceAccount('prometheus', 'monitoring'), Peer.namespace('ingress')],
      ports: [Port.tcp(8080)],
    });
    const objs = synthValid(chart);
    const ap = byName(objs, 'in-ingress', 'AuthorizationPolicy');
    expect(ap.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'backend-api' } },
      rules: [{
        from: [
          { source: { principals: ['cluster.local/ns/monitoring/sa/prometheus', 'cluster.local/ns/production/sa/frontend'] } },
          { source: { namespaces: ['ingress'] } },
        ],
        to: [{ operation: { ports: ['8080'] } }],
      }],
    });
    // Kubernetes NetworkPolicy cannot select service accounts: it admits the accounts' namespaces at L4, Istio checks the identity.
    expect(byName(objs, 'in-ingress', 'NetworkPolicy').spec.ingress).toEqual([{
      from: [
        { podSelector: {} },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } },
      ],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
  });

  test('principals use the configured trust domain', () => {
    const chart = istioChart(IstioMode.SIDECAR, Engine.kubernetes(), { trustDomain: 'prod.example.com' });
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
    expect(byName(synthValid(chart), 'in-ingress', 'AuthorizationPolicy').spec.rules[0].from[0].source.principals).toEqual(['prod.example.com/ns/production/sa/frontend']);
  });

  test('HTTP rules as operations: one per path with its methods, exact paths as they are and prefixes as p*; the CNI gets no HTTP', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'api', {
      to: backend,
      peers: [Peer.serviceAccount('frontend')],
      ports: [Port.tcp(8080)],
      http: [HttpRule.get('/api/v1/*'), HttpRule.post('/api/v1/*'), HttpRule.anyMethod('/healthz'), HttpRule.get('/healthz')],
    });
    const objs = synthValid(chart);
    expect(byName(objs, 'api-ingress', 'AuthorizationPolicy').spec.rules[0].to).toEqual([
      { operation: { ports: ['8080'], methods: ['GET', 'POST'], paths: ['/api/v1/*'] } },
      { operation: { ports: ['8080'], paths: ['/healthz'] } },
    ]);
    expect(JSON.stringify(byName(objs, 'api-ingress', 'NetworkPolicy'))).not.toMatch(/GET|api\/v1/);
  });

  test('CIDR peers as ipBlocks minus notIpBlocks, anyone as a rule without `from`', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'lb', { to: backend, peers: [Peer.cidr('172.16.0.0/12', ['172.17.0.0/16'])], ports: [Port.tcp(443)] });
    new AllowFrom(chart, 'public', { to: Workload.select({ app: 'web' }), peers: [Peer.anyone()], ports: [Port.tcp(80)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'lb-ingress', 'AuthorizationPolicy').spec.rules).toEqual([{
      from: [{ source: { ipBlocks: ['172.16.0.0/12'], notIpBlocks: ['172.17.0.0/16'] } }], to: [{ operation: { ports: ['443'] } }],
    }]);
    expect(byName(objs, 'public-ingress', 'AuthorizationPolicy').spec.rules).toEqual([{ to: [{ operation: { ports: ['80'] } }] }]);
  });

  test('port ranges spelled out, every TCP port as no `ports`, UDP left to the CNI alone (a UDP-only allowance isolates its pods in Istio with ALLOW nothing)', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'range', { to: backend, peers: [Peer.namespace('batch')], ports: [Port.tcpRange(8080, 8082), Port.udp(53)] });
    new AllowFrom(chart, 'all-tcp', { to: backend, peers: [Peer.namespace('ops')], ports: [Port.allTcp()] });
    new AllowFrom(chart, 'udp-only', { to: backend, peers: [Peer.namespace('ops')], ports: [Port.udp(5353)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'range-ingress', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['8080', '8081', '8082'] } }]);
    expect(byName(objs, 'all-tcp-ingress', 'AuthorizationPolicy').spec.rules[0].to).toBeUndefined();
    expect(objs.filter(o => o.metadata.name === 'udp-only-ingress').map(o => o.kind)).toEqual(['NetworkPolicy', 'AuthorizationPolicy']);
    expect(byName(objs, 'udp-only-ingress', 'AuthorizationPolicy').spec).toEqual({ selector: { matchLabels: { app: 'backend-api' } } });
  });

  test('audit-stage intents as dry-run AuthorizationPolicies, with nothing on a CNI that cannot stage', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS], stage: PolicyStage.AUDIT });
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], stage: PolicyStage.AUDIT });
    const objs = synthValid(chart);
    expect(objs.map(o => o.kind)).toEqual(['AuthorizationPolicy', 'AuthorizationPolicy']);
    for (const ap of objs) expect(otherAnnotations(ap.metadata.annotations)).toEqual({ 'istio.io/dry-run': 'true' });
  });

  test('audit-stage intents as dry-run policies and Calico staged policies on Calico', () => {
    const chart = istioChart(IstioMode.SIDECAR, Engine.calico());
    new DefaultDeny(chart, 'deny', { stage: PolicyStage.AUDIT });
    new AllowDns(chart, 'dns', { stage: PolicyStage.AUDIT });
    const objs = synthValid(chart);
    expect(otherAnnotations(byName(objs, 'deny', 'AuthorizationPolicy').metadata.annotations)).toEqual({ 'istio.io/dry-run': 'true' });
    expect(objs.filter(o => o.apiVersion === 'projectcalico.org/v3').map(o => o.kind)).toEqual(expect.arrayContaining(['StagedNetworkPolicy']));
    expect(objs.filter(o => o.apiVersion === 'projectcalico.org/v3' && o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('identical output for identical intents', () => {
    const build = () => {
      const chart = istioChart(IstioMode.SIDECAR);
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowFrom(chart, 'in', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [HttpRule.get('/x')] });
      return JSON.stringify(synthValid(chart));
    };
    expect(build()).toBe(build());
  });
});
