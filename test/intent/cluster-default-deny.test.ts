import {
  AllowDns, ClusterAllowDns, ClusterDefaultDeny, DefaultDeny, Engine, PolicyDirection, PolicyStage,
} from '../../src';
import { PolicyCompiler } from '../../src/engine/compiler';
import { chartWith, errorOf, synthValid } from '../helpers/synth';

const calico = () => chartWith(Engine.calico());

describe('ClusterDefaultDeny', () => {
  test('records one cluster-wide isolation of both directions, always leaving kube-system and calico-system alone', () => {
    const chart = calico();
    const deny = new ClusterDefaultDeny(chart, 'baseline', { exceptNamespaces: ['monitoring', 'kube-system', 'monitoring'], acknowledgeDnsBlocked: true });
    expect(deny.exceptNamespaces).toEqual(['calico-system', 'kube-system', 'monitoring']);
    expect(PolicyCompiler.of(chart).statements()).toEqual([expect.objectContaining({
      kind: 'isolate-cluster', stage: 'enforce', directions: ['egress', 'ingress'], exceptNamespaces: ['calico-system', 'kube-system', 'monitoring'],
    })]);
    expect(synthValid(chart)).toHaveLength(1);
  });

  test('fails synthesis on the Kubernetes engine without ClusterNetworkPolicy, with a fix naming it', () => {
    const chart = chartWith(Engine.kubernetes());
    new ClusterDefaultDeny(chart, 'baseline', { directions: [PolicyDirection.INGRESS] });
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('[test/baseline]');
    expect(msg).toContain('the kubernetes engine cannot express one policy for every namespace except a list');
    expect(msg).toContain('Fix: render them as ClusterNetworkPolicy with Engine.kubernetes({ clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico() } })');
  });

  test.each([
    [{ exceptNamespaces: ['Monitoring'] }, 'invalid namespace in exceptNamespaces: got "Monitoring"'],
    [{ exceptNamespaces: 'monitoring' }, 'invalid exceptNamespaces: got "monitoring"; expected a list of namespace names'],
    [{ directions: [] }, 'invalid directions: got []'],
    [{ directions: ['both'] }, 'invalid entry of directions: got "both"'],
    [{ stage: 'dry-run' }, 'invalid stage: got "dry-run"'],
  ])('throws for %j, naming the construct path', (props, message) => {
    const chart = calico();
    const msg = errorOf(() => new ClusterDefaultDeny(chart, 'baseline', props as any));
    expect(msg).toContain('[test/baseline]');
    expect(msg).toContain(message);
  });

  describe('the DNS guardrail', () => {
    test('fails when egress is denied everywhere and no ClusterAllowDns covers every namespace', () => {
      const chart = calico();
      new ClusterDefaultDeny(chart, 'baseline');
      const msg = errorOf(() => synthValid(chart));
      expect(msg).toContain('no ClusterAllowDns covers all of those namespaces');
      expect(msg).toContain('Fix: add new ClusterAllowDns(scope, \'cluster-allow-dns\', { exceptNamespaces: ["calico-system","kube-system"] })');
      expect(msg).toContain('acknowledgeDnsBlocked: true');
    });

    test('a namespaced AllowDns cannot cover namespaces created later', () => {
      const chart = calico();
      new ClusterDefaultDeny(chart, 'baseline');
      new AllowDns(chart, 'dns');
      expect(errorOf(() => synthValid(chart))).toContain('no ClusterAllowDns covers all of those namespaces');
    });

    test('a ClusterAllowDns that leaves out a namespace the deny covers does not satisfy it', () => {
      const chart = calico();
      new ClusterDefaultDeny(chart, 'baseline', { exceptNamespaces: ['monitoring'] });
      new ClusterAllowDns(chart, 'dns', { exceptNamespaces: ['monitoring', 'batch'] });
      expect(errorOf(() => synthValid(chart))).toContain('no ClusterAllowDns covers all of those namespaces');
    });

    test('a ClusterAllowDns with the same or fewer exceptions satisfies it', () => {
      const chart = calico();
      new ClusterDefaultDeny(chart, 'baseline', { exceptNamespaces: ['monitoring', 'batch'] });
      new ClusterAllowDns(chart, 'dns', { exceptNamespaces: ['monitoring'] });
      // The deny, and the DNS allowance as an admin-tier Allow plus its own egress isolation.
      expect(synthValid(chart).map(o => `${o.kind} ${o.metadata.name} ${o.spec.tier}`)).toEqual([
        'GlobalNetworkPolicy baseline default', 'GlobalNetworkPolicy dns kube-admin', 'GlobalNetworkPolicy dns-isolation default',
      ]);
    });

    test('an audit ClusterAllowDns does not satisfy an enforced deny', () => {
      const chart = calico();
      new ClusterDefaultDeny(chart, 'baseline');
      new ClusterAllowDns(chart, 'dns', { stage: PolicyStage.AUDIT });
      expect(errorOf(() => synthValid(chart))).toContain('no ClusterAllowDns covers all of those namespaces');
    });

    test('an ingress-only or audit deny needs no DNS allowance', () => {
      const chart = calico();
      new ClusterDefaultDeny(chart, 'in', { directions: [PolicyDirection.INGRESS] });
      new ClusterDefaultDeny(chart, 'audit', { stage: PolicyStage.AUDIT });
      expect(synthValid(chart)).toHaveLength(2);
    });

    test('a ClusterAllowDns covers a namespaced DefaultDeny in any namespace it does not except', () => {
      const chart = calico();
      new DefaultDeny(chart, 'deny');
      new ClusterAllowDns(chart, 'dns');
      expect(synthValid(chart)).toHaveLength(3);
      const excepted = calico();
      new DefaultDeny(excepted, 'deny');
      new ClusterAllowDns(excepted, 'dns', { exceptNamespaces: ['production'] });
      expect(errorOf(() => synthValid(excepted))).toContain('no AllowDns covers these pods');
    });
  });
});

describe('ClusterAllowDns', () => {
  test('records a cluster-wide, isolating DNS allowance with the AllowDns defaults', () => {
    const chart = calico();
    const dns = new ClusterAllowDns(chart, 'dns', { dnsPort: 5353 });
    expect(dns.exceptNamespaces).toEqual(['calico-system', 'kube-system']);
    expect(PolicyCompiler.of(chart).statements()).toEqual([expect.objectContaining({
      kind: 'allow-cluster',
      direction: 'egress',
      purpose: 'dns',
      ports: [{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }],
      peers: [{ kind: 'pods', namespaces: { kind: 'name', name: 'kube-system' }, pods: expect.objectContaining({ matchLabels: { 'k8s-app': 'kube-dns' } }) }],
    })]);
  });

  test.each([
    [{ dnsPort: 0 }, 'invalid dnsPort: got 0'],
    [{ dnsPodLabels: {} }, 'invalid dnsPodLabels'],
    [{ nodeLocalDnsAddress: '169.254.25.10' }, 'expected nodeLocalDns: true alongside it'],
    [{ exceptNamespaces: ['a b'] }, 'invalid namespace in exceptNamespaces'],
  ])('throws for %j', (props, message) => {
    expect(errorOf(() => new ClusterAllowDns(calico(), 'dns', props as any))).toContain(message);
  });

  test('fails synthesis on the Kubernetes engine', () => {
    const chart = chartWith(Engine.kubernetes());
    new ClusterAllowDns(chart, 'dns');
    expect(errorOf(() => synthValid(chart))).toContain('the kubernetes engine cannot express one policy for every namespace except a list');
  });
});
