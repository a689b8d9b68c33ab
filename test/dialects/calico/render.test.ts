import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  AllowDns, AllowFrom, CalicoSelector, ClusterAllowDns, ClusterDefaultDeny, DefaultDeny, EgressToCidr, EgressToFqdn, Engine, HttpRule,
  LabelExpression, Peer, PolicyDirection, PolicyStage, Port, Workload,
} from '../../../src';
import { evaluateSelector } from '../../../src/dialects/calico/selector-ast';
import { parseCalicoSelector } from '../../../src/dialects/calico/selector-parser';
import { calicoRuleMetadata, intentAnnotations } from '../../helpers/intent-metadata';
import { validateManifest } from '../../helpers/schema';
import { byName, chartWith, errorOf, synthValid } from '../../helpers/synth';
import { testEngine } from '../../helpers/target';

const web = Workload.select({ app: 'web' });
const api = Workload.select({ app: 'api' });
const PODS = "projectcalico.org/orchestrator == 'k8s'";

/** A chart in namespace `production` with the Calico engine. */
const calicoChart = (options = {}) => chartWith(testEngine.calico(options));

/** Whether a rendered selector holds for the labels (parsed the way Calico parses it). */
const holds = (selector: string, labels: Record<string, string>) => evaluateSelector(parseCalicoSelector(selector), labels);

describe('Calico policies: tier, order and types are always explicit', () => {
  test('DefaultDeny is a NetworkPolicy on every Kubernetes pod of the namespace, both types, no rules', () => {
    const chart = calicoChart();
    new DefaultDeny(chart, 'default-deny');
    new AllowDns(chart, 'dns');
    const np = byName(synthValid(chart), 'default-deny', 'NetworkPolicy');
    expect(np.apiVersion).toBe('projectcalico.org/v3');
    expect(np.metadata).toEqual({ name: 'default-deny', namespace: 'production', annotations: intentAnnotations('test/default-deny', 'DefaultDeny') });
    expect(np.spec).toEqual({ tier: 'default', order: 1000, selector: PODS, types: ['Ingress', 'Egress'] });
  });

  test('an ingress-only deny of some pods says types [Ingress] and selects exactly those pods', () => {
    const chart = calicoChart();
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS], pods: Workload.select({ app: 'web' }, { expressions: [LabelExpression.doesNotExist('canary')] }) });
    const spec = byName(synthValid(chart), 'deny').spec;
    expect(spec.types).toEqual(['Ingress']);
    expect(holds(spec.selector, { 'app': 'web', 'projectcalico.org/orchestrator': 'k8s' })).toBe(true);
    expect(holds(spec.selector, { 'app': 'web', 'canary': 'y', 'projectcalico.org/orchestrator': 'k8s' })).toBe(false);
    // Host endpoints and network sets carry no orchestrator label and are never selected.
    expect(holds(spec.selector, { app: 'web' })).toBe(false);
  });

  test('tier and order come from the engine options', () => {
    const chart = calicoChart({ tier: 'platform', order: 250.5 });
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS] });
    expect(byName(synthValid(chart), 'deny').spec).toMatchObject({ tier: 'platform', order: 250.5 });
  });

  test.each([
    [{ tier: 'kube-admin' }, 'always passes unmatched traffic on'],
    [{ tier: 'kube-baseline' }, 'always passes unmatched traffic on'],
    [{ tier: 'Platform' }, 'invalid tier of Engine.calico()'],
    [{ tier: 'a.b' }, 'invalid tier of Engine.calico()'],
    [{ order: -1 }, 'invalid order of Engine.calico()'],
    [{ order: Number.NaN }, 'expected a finite number >= 0'],
  ])('Engine.calico(%j) throws', (options, message) => {
    expect(errorOf(() => testEngine.calico(options))).toContain(message);
  });
});

describe('AllowDns', () => {
  test('allows UDP and TCP 53 to kube-dns pods in kube-system, one rule per protocol (calico#8224)', () => {
    const chart = calicoChart();
    new AllowDns(chart, 'allow-dns');
    const spec = byName(synthValid(chart), 'allow-dns').spec;
    expect(spec.types).toEqual(['Egress']);
    const destination = {
      namespaceSelector: "projectcalico.org/name == 'kube-system'",
      selector: `${PODS} && k8s-app == 'kube-dns'`,
      ports: [53],
    };
    const metadata = calicoRuleMetadata('test/allow-dns', 'AllowDns');
    expect(spec.egress).toEqual([
      { action: 'Allow', protocol: 'UDP', destination, metadata },
      { action: 'Allow', protocol: 'TCP', destination, metadata },
    ]);
  });

  test('allows the NodeLocal DNSCache address through nets', () => {
    const chart = calicoChart();
    new AllowDns(chart, 'dns', { nodeLocalDns: true, nodeLocalDnsAddress: '169.254.25.10' });
    const egress = byName(synthValid(chart), 'dns').spec.egress;
    const metadata = calicoRuleMetadata('test/dns', 'AllowDns');
    expect(egress.slice(2)).toEqual([
      { action: 'Allow', protocol: 'UDP', destination: { nets: ['169.254.25.10/32'], ports: [53] }, metadata },
      { action: 'Allow', protocol: 'TCP', destination: { nets: ['169.254.25.10/32'], ports: [53] }, metadata },
    ]);
  });
});

describe('AllowFrom peers', () => {
  const ingressOf = (chart: Chart, name = 'allow-ingress') => byName(synthValid(chart), name).spec.ingress;

  test('pods of the same namespace: a selector only, which Calico scopes to the policy namespace', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.workload(web)], ports: [Port.tcp(8080)] });
    const np = byName(synthValid(chart), 'allow-ingress');
    expect(np.spec).toEqual({
      tier: 'default',
      order: 1000,
      selector: `${PODS} && app == 'api'`,
      types: ['Ingress'],
      ingress: [{
        action: 'Allow',
        protocol: 'TCP',
        source: { selector: `${PODS} && app == 'web'` },
        destination: { ports: [8080] },
        metadata: calicoRuleMetadata('test/allow', 'AllowFrom'),
      }],
    });
  });

  test('pods of another namespace: namespaceSelector on projectcalico.org/name AND the selector', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })], ports: [Port.tcp(80)] });
    expect(ingressOf(chart)[0].source).toEqual({ namespaceSelector: "projectcalico.org/name == 'shop'", selector: `${PODS} && app == 'cart'` });
  });

  test('a whole namespace still selects only its Kubernetes pods, not its network sets', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.namespace('shop')], ports: [Port.tcp(80)] });
    expect(ingressOf(chart)[0].source).toEqual({ namespaceSelector: "projectcalico.org/name == 'shop'", selector: PODS });
  });

  test('namespaces by labels and expressions', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.namespacesWithLabels({ team: 'ops' }, [LabelExpression.isNotIn('env', ['dev'])])], ports: [Port.tcp(80)] });
    const ns = ingressOf(chart)[0].source.namespaceSelector;
    expect(holds(ns, { team: 'ops', env: 'prod' })).toBe(true);
    expect(holds(ns, { team: 'ops' })).toBe(true);
    expect(holds(ns, { team: 'ops', env: 'dev' })).toBe(false);
    expect(holds(ns, { env: 'prod' })).toBe(false);
  });

  test('every namespace: namespaceSelector all()', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.pods({ allNamespaces: true, podLabels: { app: 'probe' } })], ports: [Port.tcp(80)] });
    expect(ingressOf(chart)[0].source).toEqual({ namespaceSelector: 'all()', selector: `${PODS} && app == 'probe'` });
  });

  test('a service account: serviceAccounts.names, scoped to its namespace', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.serviceAccount('robot'), Peer.serviceAccount('scraper', 'monitoring')], ports: [Port.tcp(80)] });
    expect(ingressOf(chart).map((r: any) => r.source)).toEqual([
      { selector: PODS, serviceAccounts: { names: ['robot'] } },
      { namespaceSelector: "projectcalico.org/name == 'monitoring'", selector: PODS, serviceAccounts: { names: ['scraper'] } },
    ]);
  });

  test('a subject with a service account: serviceAccountSelector on the account name', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: Workload.select({ app: 'api' }, { serviceAccount: 'api' }), peers: [Peer.workload(web)], ports: [Port.tcp(80)] });
    const spec = byName(synthValid(chart), 'allow-ingress').spec;
    expect(spec.serviceAccountSelector).toBe("projectcalico.org/name == 'api'");
  });

  test('a CIDR with excepts: nets and notNets', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.cidr('198.51.100.0/24', ['198.51.100.0/28'])], ports: [Port.tcp(80)] });
    expect(ingressOf(chart)[0].source).toEqual({ nets: ['198.51.100.0/24'], notNets: ['198.51.100.0/28'] });
  });

  test('API server addresses: nets, one rule per IP family (Calico refuses mixed families)', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.kubeApiServer(['172.20.0.1/32', 'fd00::1/128', '172.20.0.2/32'])], ports: [Port.tcp(443)] });
    expect(ingressOf(chart).map((r: any) => r.source)).toEqual([{ nets: ['172.20.0.1/32', '172.20.0.2/32'] }, { nets: ['fd00::1/128'] }]);
  });

  test('anyone: a rule without any source, which matches every packet', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.anyone()], ports: [Port.tcp(443)] });
    // No source at all (the metadata only names the intent; Calico matches nothing on it).
    expect(ingressOf(chart)).toEqual([{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] }, metadata: calicoRuleMetadata('test/allow', 'AllowFrom') }]);
  });

  test('fails for the API server without addresses, with a fix', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.kubeApiServer()], ports: [Port.tcp(443)] });
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('the calico engine cannot express the Kubernetes API server as a peer without its addresses');
    expect(msg).toContain('Peer.kubeApiServer(["<address>/32"])');
  });
});

describe('ports: explicit protocol, numbers, "from:to" ranges and names', () => {
  const rulesFor = (ports: Port[]) => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.workload(web)], ports });
    return byName(synthValid(chart), 'allow-ingress').spec.ingress.map((r: any) => ({ protocol: r.protocol, ports: r.destination?.ports }));
  };

  test('groups ports per protocol, in the order given', () => {
    expect(rulesFor([Port.udp(53), Port.tcp(80), Port.tcpRange(8000, 8100), Port.named('metrics'), Port.sctp(3868)])).toEqual([
      { protocol: 'UDP', ports: [53] },
      { protocol: 'TCP', ports: [80, '8000:8100', 'metrics'] },
      { protocol: 'SCTP', ports: [3868] },
    ]);
  });

  test('every port of a protocol: the protocol without ports, which absorbs that protocol\'s single ports', () => {
    expect(rulesFor([Port.tcp(80), Port.allTcp(), Port.udp(53)])).toEqual([{ protocol: 'TCP', ports: undefined }, { protocol: 'UDP', ports: [53] }]);
  });

  test('all traffic: no protocol and no ports', () => {
    expect(rulesFor([Port.tcp(80), Port.allTraffic()])).toEqual([{ protocol: undefined, ports: undefined }]);
  });

  test('a named UDP port keeps its protocol', () => {
    expect(rulesFor([Port.named('dns', 'UDP' as any)])).toEqual([{ protocol: 'UDP', ports: ['dns'] }]);
  });
});

describe('the source half of AllowFrom (non-isolating)', () => {
  test('is an egress policy on the sources only where something else isolates their egress', () => {
    const chart = calicoChart();
    new DefaultDeny(chart, 'deny', { namespace: 'shop', directions: [PolicyDirection.EGRESS], pods: Workload.select({ tier: 'front' }), acknowledgeDnsBlocked: true });
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })], ports: [Port.tcp(80)] });
    const objs = synthValid(chart);
    const half = byName(objs, 'allow-egress-shop');
    expect(half.metadata.namespace).toBe('shop');
    expect(half.spec.types).toEqual(['Egress']);
    // Only the cart pods that the DefaultDeny isolates (tier=front) are selected: no pod gets isolated by the half.
    expect(holds(half.spec.selector, { 'app': 'cart', 'tier': 'front', 'projectcalico.org/orchestrator': 'k8s' })).toBe(true);
    expect(holds(half.spec.selector, { 'app': 'cart', 'projectcalico.org/orchestrator': 'k8s' })).toBe(false);
    expect(half.spec.egress).toEqual([{
      action: 'Allow',
      protocol: 'TCP',
      destination: { namespaceSelector: "projectcalico.org/name == 'production'", selector: `${PODS} && app == 'api'`, ports: [80] },
      // The source half names the AllowFrom that needs it.
      metadata: calicoRuleMetadata('test/allow', 'AllowFrom'),
    }]);
  });

  test('is not rendered when nothing isolates the sources', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })], ports: [Port.tcp(80)] });
    expect(synthValid(chart).map(o => o.metadata.name)).toEqual(['allow-ingress']);
  });

  test('covers every source pod of a namespace a ClusterDefaultDeny isolates', () => {
    const chart = calicoChart();
    new ClusterDefaultDeny(chart, 'baseline');
    new ClusterAllowDns(chart, 'baseline-dns');
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })], ports: [Port.tcp(80)] });
    expect(byName(synthValid(chart), 'allow-egress-shop').spec.selector).toBe(`${PODS} && app == 'cart'`);
  });
});

describe('stages: audit statements render as staged policies, which Calico reports and never enforces', () => {
  test('DefaultDeny in audit stage is a StagedNetworkPolicy with stagedAction Set and the name the enforced one will have', () => {
    const chart = calicoChart();
    new DefaultDeny(chart, 'default-deny', { stage: PolicyStage.AUDIT });
    const objs = synthValid(chart);
    expect(objs.map(o => o.kind)).toEqual(['StagedNetworkPolicy']);
    expect(objs[0].metadata).toEqual({ name: 'default-deny', namespace: 'production', annotations: intentAnnotations('test/default-deny', 'DefaultDeny') });
    expect(objs[0].spec).toEqual({ tier: 'default', order: 1000, selector: PODS, types: ['Ingress', 'Egress'], stagedAction: 'Set' });
  });

  test('an audit AllowFrom\'s source half covers the sources an audit DefaultDeny would isolate, so the preview shows the intended flow allowed', () => {
    const chart = calicoChart();
    new DefaultDeny(chart, 'deny', { namespace: 'shop', stage: PolicyStage.AUDIT });
    new AllowDns(chart, 'dns', { namespace: 'shop', stage: PolicyStage.AUDIT });
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })], ports: [Port.tcp(80)], stage: PolicyStage.AUDIT });
    const objs = synthValid(chart);
    expect(new Set(objs.map(o => o.kind))).toEqual(new Set(['StagedNetworkPolicy']));
    expect(byName(objs, 'allow-egress-shop').spec.selector).toBe(`${PODS} && app == 'cart'`);
  });

  test('an enforced AllowFrom\'s source half ignores audit-only isolation (it would isolate the sources for real)', () => {
    const chart = calicoChart();
    new DefaultDeny(chart, 'deny', { namespace: 'shop', stage: PolicyStage.AUDIT });
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })], ports: [Port.tcp(80)] });
    expect(synthValid(chart).map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['NetworkPolicy/allow-ingress', 'StagedNetworkPolicy/deny']);
  });

  test('a cluster-wide deny in audit stage is a StagedGlobalNetworkPolicy', () => {
    const chart = calicoChart();
    new ClusterDefaultDeny(chart, 'baseline', { stage: PolicyStage.AUDIT });
    const objs = synthValid(chart);
    expect(objs.map(o => o.kind)).toEqual(['StagedGlobalNetworkPolicy']);
    expect(objs[0].spec.stagedAction).toBe('Set');
    expect(objs[0].metadata.namespace).toBeUndefined();
  });
});

describe('cluster-wide intents: GlobalNetworkPolicy', () => {
  test('ClusterDefaultDeny selects Kubernetes pods outside the excepted namespaces, never host endpoints', () => {
    const chart = calicoChart();
    new ClusterDefaultDeny(chart, 'baseline', { exceptNamespaces: ['monitoring', 'ingress-nginx'] });
    new ClusterAllowDns(chart, 'baseline-dns', { exceptNamespaces: ['monitoring'] });
    const gnp = byName(synthValid(chart), 'baseline', 'GlobalNetworkPolicy');
    expect(gnp.metadata).toEqual({ name: 'baseline', annotations: intentAnnotations('test/baseline', 'ClusterDefaultDeny') });
    expect(gnp.spec.types).toEqual(['Ingress', 'Egress']);
    expect(gnp.spec).toMatchObject({ tier: 'default', order: 1000, selector: PODS });
    const ns = gnp.spec.namespaceSelector;
    for (const excepted of ['kube-system', 'calico-system', 'monitoring', 'ingress-nginx']) expect(holds(ns, { 'projectcalico.org/name': excepted })).toBe(false);
    expect(holds(ns, { 'projectcalico.org/name': 'production' })).toBe(true);
    // A host endpoint has no namespace labels, so the `not in` holds for it: the pod selector keeps it out.
    expect(holds(ns, {}) && holds(gnp.spec.selector, {})).toBe(false);
  });

  test('ClusterAllowDns puts a namespace selector on every peer (a global rule selector would match every namespace)', () => {
    const chart = calicoChart();
    new ClusterAllowDns(chart, 'dns', { nodeLocalDns: true });
    const gnp = byName(synthValid(chart), 'dns', 'GlobalNetworkPolicy');
    expect(gnp.spec.types).toEqual(['Egress']);
    expect(gnp.spec.egress.map((r: any) => [r.protocol, r.destination])).toEqual([
      ['UDP', { namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: `${PODS} && k8s-app == 'kube-dns'`, ports: [53] }],
      ['TCP', { namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: `${PODS} && k8s-app == 'kube-dns'`, ports: [53] }],
      ['UDP', { nets: ['169.254.20.10/32'], ports: [53] }],
      ['TCP', { nets: ['169.254.20.10/32'], ports: [53] }],
    ]);
  });
});

describe('L7 HTTP rules need application layer policy', () => {
  const build = (chart: Chart, ports: Port[] = [Port.tcp(8080)]) => new AllowFrom(chart, 'allow', {
    to: api, peers: [Peer.workload(web)], ports, http: [HttpRule.get('/api/v1/*'), HttpRule.post('/orders'), HttpRule.anyMethod('/healthz')],
  });

  test('fails without the opt-in, saying what Calico needs', () => {
    const chart = calicoChart();
    build(chart);
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('the calico engine cannot express L7 HTTP method and path rules');
    expect(msg).toContain('Istio sidecar');
    expect(msg).toContain('Engine.calico({ applicationLayerPolicy: true })');
  });

  test('renders one ingress Allow rule per HTTP rule, TCP only, with exact and prefix paths', () => {
    const chart = calicoChart({ applicationLayerPolicy: true });
    build(chart);
    const rules = byName(synthValid(chart), 'allow-ingress').spec.ingress;
    expect(rules.map((r: any) => [r.action, r.protocol, r.destination, r.http])).toEqual([
      ['Allow', 'TCP', { ports: [8080] }, { methods: ['GET'], paths: [{ prefix: '/api/v1/' }] }],
      ['Allow', 'TCP', { ports: [8080] }, { methods: ['POST'], paths: [{ exact: '/orders' }] }],
      ['Allow', 'TCP', { ports: [8080] }, { paths: [{ exact: '/healthz' }] }],
    ]);
  });

  test('all traffic with HTTP rules means every TCP port: only TCP carries the requests', () => {
    const chart = calicoChart({ applicationLayerPolicy: true });
    build(chart, [Port.allTraffic()]);
    expect(byName(synthValid(chart), 'allow-ingress').spec.ingress[0]).toMatchObject({ protocol: 'TCP', http: { methods: ['GET'] } });
    expect(byName(synthValid(chart), 'allow-ingress').spec.ingress[0].destination).toBeUndefined();
  });

  test('fails for HTTP rules on UDP ports, which Calico refuses', () => {
    const chart = calicoChart({ applicationLayerPolicy: true });
    build(chart, [Port.tcp(8080), Port.udp(8080)]);
    expect(errorOf(() => synthValid(chart))).toContain('cannot apply HTTP rules to UDP ports');
  });
});

describe('DNS names need Calico Enterprise', () => {
  const build = (chart: Chart, names: string[]) => {
    new AllowDns(chart, 'dns');
    new EgressToFqdn(chart, 'out', { workload: api, names, ports: [Port.tcp(443)] });
  };

  test('fails on Calico Open Source, naming the pruning risk and the fix', () => {
    const chart = calicoChart();
    build(chart, ['api.example.com']);
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('destination.domains exists only in Calico Enterprise');
    expect(msg).toContain('Engine.calico({ enterprise: true })');
  });

  test('renders destination.domains with enterprise: true; the Open Source schema knows no other difference', () => {
    const chart = calicoChart({ enterprise: true });
    build(chart, ['b.example.com', 'a.example.com']);
    const objs = Testing.synth(chart);
    const np = byName(objs, 'out-egress');
    const metadata = calicoRuleMetadata('test/out', 'EgressToFqdn');
    expect(np.spec.egress).toEqual([
      { action: 'Allow', protocol: 'TCP', destination: { domains: ['a.example.com'], ports: [443] }, metadata },
      { action: 'Allow', protocol: 'TCP', destination: { domains: ['b.example.com'], ports: [443] }, metadata },
    ]);
    // The only thing the Open Source schema in ../shared/crds rejects is the Enterprise field itself.
    expect(validateManifest(np)).toEqual([
      '/spec/egress/0/destination/domains: unknown field (not in the schema)',
      '/spec/egress/1/destination/domains: unknown field (not in the schema)',
    ]);
    expect(validateManifest(byName(objs, 'dns'))).toEqual([]);
  });

  test('fails for a wildcard, which Calico Enterprise matches against one or more labels', () => {
    const chart = calicoChart({ enterprise: true });
    build(chart, ['*.example.com']);
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('"*" matches one OR MORE labels');
    expect(msg).toContain('would also allow a.b.example.com');
  });
});

describe('output', () => {
  const buildAll = (chart: Chart) => {
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.workload(web), Peer.namespacesWithLabels({ team: 'ops' })], ports: [Port.tcp(80)] });
    new EgressToCidr(chart, 'out', { workload: api, cidr: '172.16.0.0/12', ports: [Port.tcp(5432)] });
  };

  test('is deterministic', () => {
    const one = calicoChart();
    buildAll(one);
    const two = calicoChart();
    buildAll(two);
    expect(Testing.synth(two)).toEqual(Testing.synth(one));
  });

  test('selectors survive YAML, including ones that start with "!"', () => {
    const chart = calicoChart();
    new AllowFrom(chart, 'allow', { to: api, peers: [Peer.namespacesWithLabels({}, [LabelExpression.doesNotExist('restricted')])], ports: [Port.tcp(80)] });
    // The YAML cdk8s writes: a plain scalar starting with "!" would be a YAML tag, so it must come out quoted.
    const text = (chart.node.root as App).synthYaml();
    expect(text).toMatch(/namespaceSelector: ["']!has\(restricted\)["']/);
    const docs = parseAllDocuments(text).map(d => d.toJS());
    expect(docs).toEqual(chart.toJson());
    expect(docs[0].spec.ingress[0].source.namespaceSelector).toBe('!has(restricted)');
  });

  test('CalicoSelector renders the same strings the engine writes', () => {
    expect(CalicoSelector.allOf(CalicoSelector.equalTo('projectcalico.org/orchestrator', 'k8s'), CalicoSelector.equalTo('app', 'api')).toString()).toBe(`${PODS} && app == 'api'`);
  });
});
