import {
  ClusterAllowDns, ClusterAlwaysAllow, ClusterDelegateToNamespaces, ClusterDeny, ClusterRuleProps, Engine, LabelExpression, Peer, PolicyDirection,
  PolicyStage, Port, Workload,
} from '../../src';
import { PolicyCompiler } from '../../src/engine/compiler';
import { chartWith, errorOf, synthValid } from '../helpers/synth';
import { testEngine } from '../helpers/target';

const calico = () => chartWith(testEngine.calico());
const metadata: ClusterRuleProps = {
  priority: 10,
  direction: PolicyDirection.EGRESS,
  peers: [Peer.cidr('169.254.169.254/32')],
  ports: [Port.allTraffic()],
};

describe('the cluster-wide admin rules', () => {
  test.each([
    ['ClusterDeny', ClusterDeny, 'deny'],
    ['ClusterAlwaysAllow', ClusterAlwaysAllow, 'allow'],
    ['ClusterDelegateToNamespaces', ClusterDelegateToNamespaces, 'delegate'],
  ] as const)('%s records one admin rule with its action, priority, subject, peers and ports', (_name, Intent, action) => {
    const chart = calico();
    const rule = new Intent(chart, 'rule', {
      ...metadata,
      namespaceLabels: { tenant: 'yes' },
      namespaceExpressions: [LabelExpression.isNotIn('tier', ['system'])],
      podLabels: { app: 'web' },
      exceptNamespaces: ['monitoring'],
    });
    expect(rule.priority).toBe(10);
    expect(PolicyCompiler.of(chart).statements()).toEqual([expect.objectContaining({
      kind: 'cluster-rule',
      action,
      priority: 10,
      direction: 'egress',
      stage: 'enforce',
      subject: {
        exceptNamespaces: ['calico-system', 'kube-system', 'monitoring'],
        namespaces: { matchLabels: { tenant: 'yes' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['system'] }] },
        pods: { matchLabels: { app: 'web' }, matchExpressions: [] },
      },
      peers: [{ kind: 'cidr', cidr: '169.254.169.254/32', except: [] }],
      ports: [{ protocol: 'ANY' }],
    })]);
  });

  test('without namespace or pod labels a rule applies to every pod of every namespace but the system ones', () => {
    const chart = calico();
    new ClusterDeny(chart, 'rule', metadata);
    expect(PolicyCompiler.of(chart).statements()[0]).toEqual(expect.objectContaining({
      subject: { exceptNamespaces: ['calico-system', 'kube-system'], pods: { matchLabels: {}, matchExpressions: [] } },
    }));
  });

  test('pod peers keep the namespace they name; a rule has no namespace of its own to give them', () => {
    const chart = calico();
    new ClusterAlwaysAllow(chart, 'rule', {
      ...metadata,
      direction: PolicyDirection.INGRESS,
      peers: [Peer.workload(Workload.select({ app: 'prometheus' }, { namespace: 'monitoring' })), Peer.namespacesWithLabels({ team: 'ops' })],
      ports: [Port.tcp(9090)],
    });
    expect(PolicyCompiler.of(chart).statements()[0]).toEqual(expect.objectContaining({
      peers: [
        { kind: 'pods', namespaces: { kind: 'name', name: 'monitoring' }, pods: { matchLabels: { app: 'prometheus' }, matchExpressions: [] } },
        { kind: 'pods', namespaces: { kind: 'labels', selector: { matchLabels: { team: 'ops' }, matchExpressions: [] } }, pods: { matchLabels: {}, matchExpressions: [] } },
      ],
    }));
  });

  test.each<[string, Partial<Record<keyof ClusterRuleProps, unknown>>, string]>([
    ['a priority below 0', { priority: -1 }, 'invalid priority: got -1; expected an integer from 0 to 1000'],
    ['a priority above 1000', { priority: 1001 }, 'invalid priority: got 1001'],
    ['a fractional priority', { priority: 1.5 }, 'invalid priority: got 1.5'],
    ['a priority that is a string', { priority: '10' }, 'invalid priority: got "10"'],
    ['no priority', { priority: undefined }, 'invalid priority: got nothing'],
    ['no direction', { direction: undefined }, 'invalid direction: got nothing; expected PolicyDirection.INGRESS or PolicyDirection.EGRESS'],
    ['both directions', { direction: 'both' }, 'invalid direction: got "both"'],
    ['no peers', { peers: [] }, 'invalid peers: got []; expected a list with at least one Peer. Fix: say [Peer.anyone()] to mean everyone'],
    ['a peer that is not a Peer', { peers: ['10.0.0.0/8'] }, 'invalid peers[0]: got "10.0.0.0/8"; expected a Peer (from its static factories)'],
    ['no ports', { ports: undefined }, 'invalid ports: got nothing; expected a list with at least one Port'],
    ['a port that is not a Port', { ports: [80] }, 'invalid ports[0]: got 80; expected a Port'],
    ['an invalid peer', { peers: [Peer.cidr('10.0.0.0/33')] }, 'invalid CIDR of Peer.cidr()'],
    ['a pod peer without a namespace', { peers: [Peer.workload(Workload.select({ app: 'x' }))] }, 'invalid peer: got "pods app=x in namespace <policy namespace>"; expected pods of a named namespace'],
    ['an invalid namespace label', { namespaceLabels: { 'bad key!': 'x' } }, 'invalid label key in namespaceLabels: got "bad key!"'],
    ['expressions that are not LabelExpressions', { podExpressions: [{ key: 'a' }] }, 'invalid podExpressions[0]'],
    ['an invalid excepted namespace', { exceptNamespaces: ['Kube'] }, 'invalid namespace in exceptNamespaces: got "Kube"'],
    ['an unknown stage', { stage: 'later' }, 'invalid stage: got "later"'],
  ])('throws for %s, naming the construct path, the value and a fix', (_what, change, message) => {
    const chart = calico();
    const msg = errorOf(() => new ClusterDeny(chart, 'rule', { ...metadata, ...change } as ClusterRuleProps));
    expect(msg).toContain('[test/rule]');
    expect(msg).toContain(message);
    expect(msg).toContain('Fix:');
  });

  test('throws for props that are not an object, with an example', () => {
    const msg = errorOf(() => new ClusterDeny(calico(), 'rule', undefined as unknown as ClusterRuleProps));
    expect(msg).toContain('[test/rule] invalid props: got nothing; expected an object with priority, direction, peers and ports');
  });

  describe('the priority guardrail', () => {
    test('fails when two rules of one direction share a priority but not their action, naming both', () => {
      const chart = calico();
      new ClusterDeny(chart, 'deny', metadata);
      new ClusterAlwaysAllow(chart, 'allow', { ...metadata, peers: [Peer.cidr('172.16.0.0/12')] });
      const msg = errorOf(() => synthValid(chart));
      expect(msg).toContain('[test/deny] admin priority 10 is used for egress both by this intent (deny) and by test/allow (always allow)');
      expect(msg).toContain('[test/allow] admin priority 10 is used for egress both by this intent (always allow) and by test/deny (deny)');
      expect(msg).toContain('Fix: give one of them another priority');
    });

    test('a ClusterAllowDns takes part with its own priority', () => {
      const chart = calico();
      new ClusterAllowDns(chart, 'dns', { priority: 10 });
      new ClusterDelegateToNamespaces(chart, 'pass', metadata);
      expect(errorOf(() => synthValid(chart))).toContain('admin priority 10 is used for egress both by this intent (always allow) and by test/pass (delegate to the namespaces)');
    });

    test('accepts one priority for rules with the same action, for other directions, or for different stages', () => {
      const chart = calico();
      new ClusterDeny(chart, 'a', metadata);
      new ClusterDeny(chart, 'b', { ...metadata, peers: [Peer.cidr('172.16.0.0/12')] });
      new ClusterAlwaysAllow(chart, 'c', { ...metadata, direction: PolicyDirection.INGRESS, peers: [Peer.namespace('monitoring')] });
      new ClusterAlwaysAllow(chart, 'd', { ...metadata, stage: PolicyStage.AUDIT });
      expect(synthValid(chart).map(o => o.kind)).toEqual(['GlobalNetworkPolicy', 'GlobalNetworkPolicy', 'GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy']);
    });
  });

  test('ClusterAllowDns defaults to priority 1000 and validates a given one', () => {
    expect(new ClusterAllowDns(calico(), 'dns').priority).toBe(1000);
    expect(new ClusterAllowDns(calico(), 'dns', { priority: 5 }).priority).toBe(5);
    expect(errorOf(() => new ClusterAllowDns(calico(), 'dns', { priority: 2000 }))).toContain('[test/dns] invalid priority: got 2000');
  });
});
