import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import {
  AllowDns, AllowFrom, DefaultDeny, EgressToCidr, EgressToFqdn, Engine, HttpRule, LabelExpression, Peer, PolicyDirection, Port, Workload,
} from '../../../src';
import { ClusterModel, evaluate, FlowEndpoint, ipEndpoint, parsePolicies, podEndpoint } from '../../../src/analysis';
import { byName, chartWith, errorOf, synthValid } from '../../helpers/synth';
import { testEngine } from '../../helpers/target';

const NS = 'k8s:io.kubernetes.pod.namespace';
const frontend = Workload.select({ app: 'frontend' });
const backend = Workload.select({ app: 'backend-api' });

function cilium(chartNamespace = 'production'): Chart {
  return chartWith(testEngine.cilium(), chartNamespace);
}

describe('the Cilium dialect renders', () => {
  test('DefaultDeny as a CiliumNetworkPolicy with one empty rule per direction and enableDefaultDeny set', () => {
    const chart = cilium();
    new DefaultDeny(chart, 'deny', { acknowledgeDnsBlocked: true });
    const [policy] = synthValid(chart);
    expect(policy).toMatchObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'deny', namespace: 'production' } });
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { [NS]: 'production' } });
    expect(policy.spec.ingress).toEqual([{}]);
    expect(policy.spec.egress).toEqual([{}]);
    expect(policy.spec.enableDefaultDeny).toEqual({ ingress: true, egress: true });
  });

  test('a one-direction DefaultDeny touches only that direction', () => {
    const chart = cilium();
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS], pods: backend });
    const [policy] = synthValid(chart);
    expect(policy.spec.egress).toBeUndefined();
    expect(policy.spec.enableDefaultDeny).toEqual({ ingress: true });
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { [NS]: 'production', 'k8s:app': 'backend-api' } });
  });

  test('AllowDns as egress to kube-dns in kube-system on UDP and TCP 53, without the DNS proxy when no FQDN intent needs it', () => {
    const chart = cilium();
    new AllowDns(chart, 'dns');
    const [policy] = synthValid(chart);
    expect(policy.spec.egress).toEqual([{
      toEndpoints: [{ matchLabels: { [NS]: 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }],
    }]);
    expect(policy.spec.enableDefaultDeny).toEqual({ egress: true });
  });

  test('AllowFrom with pod, other-namespace and service-account peers, each namespace explicit', () => {
    const chart = cilium();
    new AllowFrom(chart, 'in', {
      to: backend,
      peers: [Peer.workload(frontend), Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } }), Peer.serviceAccount('robot', 'ops'), Peer.pods({ allNamespaces: true, podLabels: { app: 'probe' } })],
      ports: [Port.tcp(8080), Port.udpRange(30000, 30100), Port.named('metrics'), Port.allSctp()],
    });
    // Nothing isolates the peers' egress, so no source half is rendered (or checked).
    const policy = byName(synthValid(chart), 'in-ingress');
    expect(policy.spec.ingress).toEqual([{
      fromEndpoints: [
        { matchLabels: { [NS]: 'production', 'k8s:app': 'frontend' } },
        { matchLabels: { [NS]: 'shop', 'k8s:app': 'cart' } },
        { matchLabels: { [NS]: 'ops', 'k8s:io.cilium.k8s.policy.serviceaccount': 'robot' } },
        { matchLabels: { 'k8s:app': 'probe' }, matchExpressions: [{ key: NS, operator: 'Exists' }] },
      ],
      toPorts: [{
        ports: [
          { port: '8080', protocol: 'TCP' },
          { port: '30000', endPort: 30100, protocol: 'UDP' },
          { port: 'metrics', protocol: 'TCP' },
          { port: '0', protocol: 'SCTP' },
        ],
      }],
    }]);
  });

  test('a service-account subject selects the Cilium service-account label', () => {
    const chart = cilium();
    new AllowFrom(chart, 'in', { to: Workload.select({ app: 'db' }, { serviceAccount: 'db' }), peers: [Peer.workload(frontend)], ports: [Port.tcp(5432)] });
    const policy = byName(synthValid(chart), 'in-ingress');
    expect(policy.spec.endpointSelector.matchLabels).toEqual({ [NS]: 'production', 'k8s:app': 'db', 'k8s:io.cilium.k8s.policy.serviceaccount': 'db' });
  });

  test('match expressions keep their operator and get the k8s: source prefix', () => {
    const chart = cilium();
    new AllowFrom(chart, 'in', {
      to: Workload.select({}, { expressions: [LabelExpression.isIn('tier', ['api', 'web'])] }),
      peers: [Peer.pods({ podExpressions: [LabelExpression.doesNotExist('canary')] })],
      ports: [Port.tcp(80)],
    });
    const policy = byName(synthValid(chart), 'in-ingress');
    expect(policy.spec.endpointSelector.matchExpressions).toEqual([{ key: 'k8s:tier', operator: 'In', values: ['api', 'web'] }]);
    expect(policy.spec.ingress[0].fromEndpoints[0].matchExpressions).toEqual([{ key: 'k8s:canary', operator: 'DoesNotExist' }]);
  });

  test('a namespace-label peer makes a CiliumClusterwideNetworkPolicy scoped to the subject\'s namespace, without metadata.namespace', () => {
    const chart = cilium();
    new AllowFrom(chart, 'scrape', { to: backend, peers: [Peer.pods({ namespaceLabels: { team: 'monitoring' }, podLabels: { app: 'prometheus' } })], ports: [Port.tcp(9090)] });
    const policy = byName(synthValid(chart), 'scrape-production-ingress', 'CiliumClusterwideNetworkPolicy');
    expect(policy.metadata.namespace).toBeUndefined();
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { [NS]: 'production', 'k8s:app': 'backend-api' } });
    expect(policy.spec.ingress[0].fromEndpoints).toEqual([{
      matchLabels: { 'k8s:app': 'prometheus', 'k8s:io.cilium.k8s.namespace.labels.team': 'monitoring' },
      matchExpressions: [{ key: NS, operator: 'Exists' }],
    }]);
  });

  test('anyone as the all entity: pods and the world, and node traffic too (a remote node\'s host-network pod, NodePort traffic SNATed by a node)', () => {
    const chart = cilium();
    new AllowFrom(chart, 'public', { to: frontend, peers: [Peer.anyone()], ports: [Port.tcp(443)] });
    const objects = synthValid(chart);
    const policy = byName(objects, 'public-ingress');
    expect(policy.spec.ingress).toEqual([{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }]);
    // Read back by the analyzer: a host-network pod on another node reaches the frontend, as the intent
    // says (pods plus `world` alone would have dropped it: remote nodes are neither).
    const cluster = ClusterModel.create({
      namespaces: [{ name: 'production' }, { name: 'kube-system' }],
      pods: [
        { namespace: 'production', name: 'web', labels: { app: 'frontend' }, ips: ['10.244.0.5'], nodeName: 'n1' },
        { namespace: 'kube-system', name: 'node-agent', ips: ['10.0.0.2'], hostNetwork: true, nodeName: 'n2' },
      ],
    });
    const policies = parsePolicies({ file: 'cilium.yaml', text: objects.map((o) => stringify(o)).join('---\n') });
    const flow = (source: FlowEndpoint) => evaluate(cluster, policies, { source, destination: podEndpoint('production', 'web'), port: 443, protocol: 'TCP' }).allowed;
    expect([flow(podEndpoint('kube-system', 'node-agent')), flow(ipEndpoint('203.0.113.9'))]).toEqual([true, true]);
  });

  test('Port.allTraffic as rules without toPorts', () => {
    const chart = cilium();
    new AllowFrom(chart, 'all', { to: frontend, peers: [Peer.workload(backend)], ports: [Port.allTraffic(), Port.tcp(80)] });
    const policy = byName(synthValid(chart), 'all-ingress');
    expect(policy.spec.ingress).toEqual([{ fromEndpoints: [{ matchLabels: { [NS]: 'production', 'k8s:app': 'backend-api' } }] }]);
  });

  test('the API server as the kube-apiserver entity, plus the addresses given', () => {
    const chart = cilium();
    new AllowDns(chart, 'dns');
    new EgressToCidr(chart, 'unused', { workload: frontend, cidr: '192.0.2.0/24', ports: [Port.tcp(1)] });
    new AllowFrom(chart, 'webhook', { to: frontend, peers: [Peer.kubeApiServer(), Peer.kubeApiServer(['172.20.0.1/32'])], ports: [Port.tcp(9443)] });
    const policy = byName(synthValid(chart), 'webhook-ingress');
    expect(policy.spec.ingress.map((r: any) => Object.keys(r)[0])).toEqual(['fromEntities', 'fromCIDRSet']);
    expect(policy.spec.ingress[0].fromEntities).toEqual(['kube-apiserver']);
    expect(policy.spec.ingress[1].fromCIDRSet).toEqual([{ cidr: '172.20.0.1/32' }]);
  });

  test('EgressToCidr as toCIDRSet with except and explicit protocol', () => {
    const chart = cilium();
    new AllowDns(chart, 'dns');
    new EgressToCidr(chart, 'https', { workload: backend, cidr: '0.0.0.0/0', exceptCidrs: ['10.0.0.0/8', '192.168.0.0/16'], ports: [Port.tcp(443)] });
    const policy = byName(synthValid(chart), 'https-egress');
    expect(policy.spec.egress).toEqual([{
      toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] }],
      toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
    }]);
  });

  test('more than 40 ports are split over several port rules (Cilium\'s limit per rule)', () => {
    const chart = cilium();
    const ports = Array.from({ length: 45 }, (_, i) => Port.tcp(1000 + i));
    new AllowFrom(chart, 'many', { to: frontend, peers: [Peer.workload(backend)], ports });
    const policy = byName(synthValid(chart), 'many-ingress');
    expect(policy.spec.ingress[0].toPorts.map((r: any) => r.ports.length)).toEqual([40, 5]);
  });
});

describe('the source half of AllowFrom on Cilium', () => {
  test('is rendered only for source pods that something else isolates', () => {
    const chart = cilium();
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    expect(synthValid(chart).map(o => o.metadata.name)).toEqual(['in-ingress']);
  });

  test('covers the intersection of the source with each isolated pod set', () => {
    const chart = cilium();
    const web = Workload.select({ tier: 'web' });
    new AllowDns(chart, 'dns', { pods: web });
    new DefaultDeny(chart, 'deny-frontend', { directions: [PolicyDirection.EGRESS], pods: web });
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    const half = byName(synthValid(chart), 'in-egress-production');
    expect(half.spec.endpointSelector.matchLabels).toEqual({ [NS]: 'production', 'k8s:app': 'frontend', 'k8s:tier': 'web' });
    expect(half.spec.egress).toEqual([{
      toEndpoints: [{ matchLabels: { [NS]: 'production', 'k8s:app': 'backend-api' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    }]);
  });
});

describe('L7 HTTP rules on Cilium', () => {
  test('render method and full-match path regexes on TCP ports', () => {
    const chart = cilium();
    new AllowFrom(chart, 'api', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/v1/products'), HttpRule.post('/api/v1/*')] });
    const policy = byName(synthValid(chart), 'api-ingress');
    expect(policy.spec.ingress[0].toPorts).toEqual([{
      ports: [{ port: '8080', protocol: 'TCP' }],
      rules: { http: [{ method: 'GET', path: '/api/v1/products(?:\\?.*)?' }, { method: 'POST', path: '/api/v1/.*' }] },
    }]);
  });

  test('an L4 allowance from other peers on the same port stays separate, so the L7 restriction holds for the L7 peers only (union, as the model says)', () => {
    const chart = cilium();
    new AllowFrom(chart, 'l7', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)], http: [HttpRule.get('/healthz')] });
    new AllowFrom(chart, 'l4', { to: backend, peers: [Peer.workload(Workload.select({ app: 'admin' }))], ports: [Port.tcp(8080)] });
    const objs = synthValid(chart);
    const l7 = byName(objs, 'l7-ingress').spec.ingress[0];
    const l4 = byName(objs, 'l4-ingress').spec.ingress[0];
    // Cilium keeps L7 rules per peer selector: frontend's requests go through the HTTP rules,
    // admin's are allowed whole. Only a peer selected by both would be allowed everything,
    // which is also what the model's union says for such a peer.
    expect(l7.fromEndpoints).toEqual([{ matchLabels: { [NS]: 'production', 'k8s:app': 'frontend' } }]);
    expect(l7.toPorts[0].rules.http).toEqual([{ method: 'GET', path: '/healthz(?:\\?.*)?' }]);
    expect(l4.fromEndpoints).toEqual([{ matchLabels: { [NS]: 'production', 'k8s:app': 'admin' } }]);
    expect(l4.toPorts[0].rules).toBeUndefined();
  });

  test('fails when HTTP rules meet ports that are not single TCP ports', () => {
    const chart = cilium();
    new AllowFrom(chart, 'api', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080), Port.allTcp(), Port.udp(53)], http: [HttpRule.get('/x')] });
    const msg = errorOf(() => Testing.synth(chart));
    expect(msg).toContain('attaches HTTP rules only to TCP ports given one by one');
    expect(msg).toContain('all TCP ports, UDP 53');
    expect(msg).toContain('Fix: list the TCP ports');
  });

  test('fails on a path too long for Envoy\'s RE2 program size limit', () => {
    const chart = cilium();
    new AllowFrom(chart, 'api', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)], http: [HttpRule.get(`/${'x'.repeat(90)}`)] });
    expect(errorOf(() => Testing.synth(chart))).toMatch(/RE2 instructions.*Fix: use a shorter path/);
  });
});

describe('FQDN egress on Cilium', () => {
  test('renders toFQDNs and puts the DNS proxy rule on the covering AllowDns', () => {
    const chart = cilium();
    new AllowDns(chart, 'dns', { nodeLocalDns: false });
    new EgressToFqdn(chart, 'stripe', { workload: backend, names: ['api.stripe.com', '*.stripe.network'], ports: [Port.tcp(443)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'stripe-egress').spec.egress).toEqual([{
      toFQDNs: [{ matchPattern: '*.stripe.network' }, { matchName: 'api.stripe.com' }],
      toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
    }]);
    expect(byName(objs, 'dns').spec.egress[0].toPorts).toEqual([{
      ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }],
      rules: { dns: [{ matchPattern: '*' }] },
    }]);
  });

  test('leaves the DNS allowance of other namespaces alone', () => {
    const app = Testing.app();
    const prod = chartWith(testEngine.cilium(), 'production', app);
    const other = new Chart(app, 'other', { namespace: 'other' });
    Engine.attach(other, testEngine.cilium());
    new AllowDns(prod, 'dns');
    new AllowDns(other, 'dns');
    new EgressToFqdn(prod, 'stripe', { workload: backend, names: ['api.stripe.com'], ports: [Port.tcp(443)] });
    expect(byName(synthValid(prod), 'dns').spec.egress[0].toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
    expect(byName(synthValid(other), 'dns').spec.egress[0].toPorts[0].rules).toBeUndefined();
  });

  test('fails without an AllowDns covering the pods, even when DNS blocking is acknowledged', () => {
    const chart = cilium();
    new AllowDns(chart, 'dns', { pods: frontend });
    new EgressToFqdn(chart, 'stripe', { workload: backend, names: ['api.stripe.com'], ports: [Port.tcp(443)], acknowledgeDnsBlocked: true });
    const msg = errorOf(() => Testing.synth(chart));
    expect(msg).toContain('needs the pods\' DNS lookups to go through Cilium\'s DNS proxy');
    expect(msg).toContain('Fix: add new AllowDns(scope, \'allow-dns\', { namespace: \'production\' })');
  });

  test('an AllowDns rendered by another engine does not count', () => {
    const chart = cilium();
    const k8s = new Construct(chart, 'k8s');
    Engine.attach(k8s, testEngine.kubernetes());
    new AllowDns(k8s, 'dns');
    new EgressToFqdn(chart, 'stripe', { workload: backend, names: ['api.stripe.com'], ports: [Port.tcp(443)] });
    expect(errorOf(() => Testing.synth(chart))).toContain('No AllowDns rendered by the cilium engine covers these pods');
  });

  test('the Kubernetes engine refuses FQDN egress and names the engines that can', () => {
    const chart = chartWith(testEngine.kubernetes());
    new AllowDns(chart, 'dns');
    new EgressToFqdn(chart, 'stripe', { workload: backend, names: ['api.stripe.com'], ports: [Port.tcp(443)] });
    const msg = errorOf(() => Testing.synth(chart));
    expect(msg).toContain('the kubernetes engine cannot express DNS-name (FQDN) egress');
    expect(msg).toMatch(/Engine\.cilium\(\).*Calico Enterprise/);
  });
});

describe('guardrails of the Cilium dialect', () => {
  test('fails on pod label keys Cilium keeps out of identities, which would make a default deny select nothing', () => {
    const chart = cilium();
    new DefaultDeny(chart, 'deny', { pods: Workload.select({ 'statefulset.kubernetes.io/pod-name': 'db-0' }), directions: [PolicyDirection.INGRESS] });
    const msg = errorOf(() => Testing.synth(chart));
    expect(msg).toContain('cannot select pods by the label key(s) statefulset.kubernetes.io/pod-name');
    expect(msg).toContain('Fix: select the pods by labels Cilium keeps in identities');
  });

  test('accepts app.kubernetes.io labels, which Cilium keeps', () => {
    const chart = cilium();
    new DefaultDeny(chart, 'deny', { pods: Workload.select({ 'app.kubernetes.io/name': 'db' }), directions: [PolicyDirection.INGRESS] });
    expect(synthValid(chart)[0].spec.endpointSelector.matchLabels['k8s:app.kubernetes.io/name']).toBe('db');
  });

  test('fails on named ports on egress, with the port number as the fix', () => {
    const chart = cilium();
    new AllowDns(chart, 'dns');
    new DefaultDeny(chart, 'deny');
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.named('http')] });
    const msg = errorOf(() => Testing.synth(chart));
    expect(msg).toContain('the cilium engine cannot express named ports on egress');
    expect(msg).toContain('Fix: use the port number');
  });

  test('NodeLocal DNSCache needs the host-entity opt-in, which renders host plus the address', () => {
    const refused = cilium();
    new AllowDns(refused, 'dns', { nodeLocalDns: true });
    expect(errorOf(() => Testing.synth(refused))).toContain('Engine.cilium({ nodeLocalDnsViaHost: true })');

    const opted = chartWith(testEngine.cilium({ nodeLocalDnsViaHost: true }));
    new AllowDns(opted, 'dns', { nodeLocalDns: true });
    const egress = synthValid(opted)[0].spec.egress;
    expect(egress.slice(1).map((r: any) => [r.toEntities, r.toCIDRSet])).toEqual([[['host'], undefined], [undefined, [{ cidr: '169.254.20.10/32' }]]]);
  });

  test('audit-stage intents fail with a fix', () => {
    const chart = cilium();
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS], stage: 'audit' as any });
    expect(errorOf(() => Testing.synth(chart))).toMatch(/cilium engine cannot express audit-only.*Fix: use Engine\.calico\(\)/);
  });
});
