import {
  ClusterAllowDns, ClusterAlwaysAllow, ClusterDefaultDeny, ClusterDelegateToNamespaces, ClusterDeny, ClusterNetworkPolicyApiVersion,
  ClusterNetworkPolicyImplementation, ClusterNetworkPolicyOptions, ClusterRuleProps, Engine, Peer, PolicyDirection, Port, Workload,
} from '../../../src';
import { intentAnnotations } from '../../helpers/intent-metadata';
import { byName, chartWith, errorOf, synthValid } from '../../helpers/synth';
import { testEngine } from '../../helpers/target';

const calico = ClusterNetworkPolicyImplementation.calico();
const cnpEngine = (options: Partial<ClusterNetworkPolicyOptions> = {}) =>
  testEngine.kubernetes({ clusterNetworkPolicy: { implementation: calico, ...options } });
const on = (implementation: ClusterNetworkPolicyImplementation) => chartWith(testEngine.kubernetes({ clusterNetworkPolicy: { implementation } }));
const chart = (options: Partial<ClusterNetworkPolicyOptions> = {}) => chartWith(cnpEngine(options));
const NOT_SYSTEM = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['calico-system', 'kube-system'] }] };
const EVERY_DESTINATION = [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }];
const egressRule: ClusterRuleProps = { priority: 10, direction: PolicyDirection.EGRESS, peers: [Peer.cidr('169.254.169.254/32')], ports: [Port.allTraffic()] };

describe('cluster-wide intents on the Kubernetes engine, as ClusterNetworkPolicy', () => {
  test('a cluster-wide egress default deny is one Baseline-tier Deny of every destination', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true });
    expect(synthValid(c)).toEqual([{
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'baseline', annotations: intentAnnotations('test/baseline', 'ClusterDefaultDeny') },
      // The rule's name is the construct path and the part of the intent it is.
      spec: { tier: 'Baseline', priority: 1000, subject: { namespaces: NOT_SYSTEM }, egress: [{ name: 'test/baseline default-deny', action: 'Deny', to: EVERY_DESTINATION }] },
    }]);
  });

  test('fails on a cluster-wide ingress default deny: ingress rules can only name pods, so outside traffic would stay open', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { directions: [PolicyDirection.INGRESS] });
    const msg = errorOf(() => synthValid(c));
    expect(msg).toContain('[test/baseline] the kubernetes engine cannot express a cluster-wide ingress default deny exactly');
    expect(msg).toContain('ClusterNetworkPolicyIngressPeer');
    expect(msg).toContain('opt into the approximation with Engine.kubernetes({ clusterNetworkPolicy: { baselineIngressFromPodsOnly: true } })');
  });

  test('renders the ingress default deny from every pod once the approximation is named', () => {
    const c = chart({ baselineIngressFromPodsOnly: true });
    new ClusterDefaultDeny(c, 'baseline', { exceptNamespaces: ['monitoring'], acknowledgeDnsBlocked: true });
    const [cnp] = synthValid(c);
    expect(cnp.spec.ingress).toEqual([{ name: 'test/baseline default-deny', action: 'Deny', from: [{ namespaces: {} }] }]);
    expect(cnp.spec.egress).toEqual([{ name: 'test/baseline default-deny', action: 'Deny', to: EVERY_DESTINATION }]);
    expect(cnp.spec.subject.namespaces.matchExpressions[0].values).toEqual(['calico-system', 'kube-system', 'monitoring']);
  });

  test('a cluster-wide DNS allowance is an Admin-tier Accept at its priority plus the Baseline-tier egress deny it implies', () => {
    const c = chart();
    new ClusterAllowDns(c, 'dns', { priority: 50 });
    const objs = synthValid(c);
    expect(objs.map(o => `${o.metadata.name} ${o.spec.tier} ${o.spec.priority}`)).toEqual(['dns Admin 50', 'dns-isolation Baseline 1000']);
    expect(byName(objs, 'dns').spec.egress).toEqual([{
      name: 'test/dns',
      action: 'Accept',
      to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }],
      protocols: [{ udp: { destinationPort: { number: 53 } } }, { tcp: { destinationPort: { number: 53 } } }],
    }]);
    expect(byName(objs, 'dns-isolation').spec.egress).toEqual([{ name: 'test/dns isolation', action: 'Deny', to: EVERY_DESTINATION }]);
  });

  test.each([
    [ClusterDeny, 'Deny'],
    [ClusterAlwaysAllow, 'Accept'],
    [ClusterDelegateToNamespaces, 'Pass'],
  ] as const)('%p is an Admin-tier rule with action %s at its priority, for the pods it names', (Intent, action) => {
    const c = chart();
    new Intent(c, 'rule', { ...egressRule, namespaceLabels: { tenant: 'yes' }, podLabels: { app: 'web' } });
    expect(synthValid(c)).toEqual([expect.objectContaining({
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { pods: { namespaceSelector: { matchLabels: { tenant: 'yes' }, ...NOT_SYSTEM }, podSelector: { matchLabels: { app: 'web' } } } },
        egress: [{ name: 'test/rule', action, to: [{ networks: ['169.254.169.254/32'] }] }],
      },
    })]);
  });

  test('a CIDR with exceptions becomes the blocks of their difference (networks have no except)', () => {
    const c = chart();
    new ClusterAlwaysAllow(c, 'out', { ...egressRule, peers: [Peer.cidr('198.51.100.0/24', ['198.51.100.0/26', '198.51.100.128/26'])], ports: [Port.tcp(443)] });
    const [cnp] = synthValid(c);
    expect(cnp.spec.egress[0].to).toEqual([{ networks: ['198.51.100.64/26', '198.51.100.192/26'] }]);
  });

  test('pods, namespaces and everyone become the pods, namespaces and networks peers', () => {
    const c = chart();
    new ClusterDeny(c, 'out', {
      ...egressRule,
      peers: [Peer.workload(Workload.select({ app: 'db' }, { namespace: 'data' })), Peer.namespacesWithLabels({ team: 'x' }), Peer.anyone()],
      ports: [Port.tcpRange(8000, 8100), Port.allUdp(), Port.sctp(3868)],
    });
    const [cnp] = synthValid(c);
    expect(cnp.spec.egress[0].to).toEqual([
      { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } } } },
      { namespaces: { matchLabels: { team: 'x' } } },
      ...EVERY_DESTINATION,
    ]);
    expect(cnp.spec.egress[0].protocols).toEqual([
      { tcp: { destinationPort: { range: { start: 8000, end: 8100 } } } },
      { udp: { destinationPort: { range: { start: 1, end: 65535 } } } },
      { sctp: { destinationPort: { number: 3868 } } },
    ]);
  });

  test('more than 25 peers are split over rules with the same action (the API allows 25 per rule)', () => {
    const c = chart();
    const peers = Array.from({ length: 30 }, (_, i) => Peer.namespace(`ns-${i}`));
    new ClusterAlwaysAllow(c, 'many', { ...egressRule, direction: PolicyDirection.INGRESS, peers, ports: [Port.tcp(80)] });
    const [cnp] = synthValid(c);
    expect(cnp.spec.ingress.map((r: any) => [r.name, r.action, r.from.length])).toEqual([['test/many', 'Accept', 25], ['test/many 2', 'Accept', 5]]);
  });

  test('a rule name longer than the API\'s 100 characters is cut and ends in a hash of the whole name', () => {
    const c = chart();
    const id = `a-${'very-long-intent-id-'.repeat(6)}`;
    new ClusterDeny(c, id, egressRule);
    const [cnp] = synthValid(c);
    const name: string = cnp.spec.egress[0].name;
    expect(name.length).toBe(100);
    expect(name).toMatch(/^test\/a-very-long-intent-id-.*~[0-9a-f]{8}$/);
    expect(cnp.metadata.annotations['zero-trust.cdk8s.io/construct-path']).toBe(`test/${id}`);
  });

  test('writes v1beta1 when asked and the implementation is declared to read it', () => {
    const implementation = ClusterNetworkPolicyImplementation.calico({ readsV1beta1: true });
    const c = chartWith(testEngine.kubernetes({ clusterNetworkPolicy: { implementation, apiVersion: ClusterNetworkPolicyApiVersion.V1BETA1 } }));
    new ClusterDeny(c, 'rule', egressRule);
    expect(synthValid(c)[0].apiVersion).toBe('policy.networking.k8s.io/v1beta1');
  });

  describe('fails synthesis for what ClusterNetworkPolicy or the implementation lacks', () => {
    test('fails for v1beta1 when the implementation is not declared to read it', () => {
      const c = chart({ apiVersion: ClusterNetworkPolicyApiVersion.V1BETA1 });
      new ClusterDeny(c, 'rule', egressRule);
      const msg = errorOf(() => synthValid(c));
      expect(msg).toContain('Calico 3.32 reads ClusterNetworkPolicy v1alpha2, not v1beta1');
      expect(msg).toContain('ClusterNetworkPolicyImplementation.calico({ readsV1beta1: true })');
    });

    test('fails for an implementation whose support is off by default, naming the flag', () => {
      const c = on(ClusterNetworkPolicyImplementation.antrea());
      new ClusterDeny(c, 'rule', egressRule);
      const msg = errorOf(() => synthValid(c));
      expect(msg).toContain('Antrea 2.7 enforces ClusterNetworkPolicy only when its support is turned on');
      expect(msg).toContain('ClusterNetworkPolicy feature gate');
      expect(msg).toContain('ClusterNetworkPolicyImplementation.antrea({ enabled: true })');
    });

    test('fails for OVN-Kubernetes, which implements only AdminNetworkPolicy, and for its priority range', () => {
      const c = on(ClusterNetworkPolicyImplementation.ovnKubernetes());
      new ClusterDeny(c, 'rule', { ...egressRule, priority: 500 });
      const msg = errorOf(() => synthValid(c));
      expect(msg).toContain('OVN-Kubernetes implements the older AdminNetworkPolicy / BaselineAdminNetworkPolicy API (v1alpha1), not ClusterNetworkPolicy');
      expect(msg).toContain('OVN-Kubernetes accepts priorities 0-99, but the intent has priority 500');
    });

    test('fails on Cilium for a deny of every destination: its networks never match nodes', () => {
      const c = on(ClusterNetworkPolicyImplementation.cilium({ enabled: true }));
      new ClusterDefaultDeny(c, 'baseline', { directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true });
      const msg = errorOf(() => synthValid(c));
      expect(msg).toContain('Cilium 1.20 matches networks peers only against addresses outside the cluster, not against nodes');
      expect(msg).toContain('Fix: use Engine.cilium()');
    });

    test('renders on Cilium what it can express exactly', () => {
      const c = on(ClusterNetworkPolicyImplementation.cilium({ enabled: true }));
      new ClusterDeny(c, 'rule', egressRule);
      expect(synthValid(c)).toHaveLength(1);
    });

    test('fails for ingress from addresses: ingress rules name pods and namespaces only', () => {
      const c = chart();
      new ClusterDeny(c, 'rule', { ...egressRule, direction: PolicyDirection.INGRESS, peers: [Peer.cidr('192.0.2.0/24'), Peer.namespace('a')] });
      const msg = errorOf(() => synthValid(c));
      expect(msg).toContain('cannot express ingress from 192.0.2.0/24 in a ClusterNetworkPolicy: its ingress rules name pods and namespaces only');
    });

    test('fails for a named port: destinationNamedPort has no protocol', () => {
      const c = chart();
      new ClusterAlwaysAllow(c, 'rule', { ...egressRule, peers: [Peer.namespace('a')], ports: [Port.named('metrics')] });
      expect(errorOf(() => synthValid(c))).toContain('cannot express the named port(s) TCP metrics in a ClusterNetworkPolicy exactly');
    });

    test('fails without clusterNetworkPolicy options, naming them', () => {
      const c = chartWith(testEngine.kubernetes());
      new ClusterDeny(c, 'rule', egressRule);
      const msg = errorOf(() => synthValid(c));
      expect(msg).toContain('the kubernetes engine cannot express a cluster-wide guardrail that denies connections before any namespace policy (ClusterDeny)');
      expect(msg).toContain('Engine.kubernetes({ clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico() } })');
    });
  });

  test.each([
    [{ implementation: 'calico' }, 'invalid clusterNetworkPolicy.implementation of Engine.kubernetes(): got "calico"'],
    [{ implementation: calico, apiVersion: 'v2' }, 'invalid clusterNetworkPolicy.apiVersion of Engine.kubernetes(): got "v2"'],
    [{ implementation: calico, baselineIngressFromPodsOnly: 'yes' }, 'invalid baselineIngressFromPodsOnly of clusterNetworkPolicy of Engine.kubernetes(): got "yes"'],
  ])('Engine.kubernetes() throws for clusterNetworkPolicy %j', (options, message) => {
    expect(errorOf(() => testEngine.kubernetes({ clusterNetworkPolicy: options as never }))).toContain(message);
  });

  test('a profile throws for a declaration that is not a boolean', () => {
    expect(errorOf(() => ClusterNetworkPolicyImplementation.cilium({ enabled: 'true' as never }))).toContain('invalid enabled of ClusterNetworkPolicyImplementation.cilium(): got "true"');
  });
});
