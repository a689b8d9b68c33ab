import {
  ClusterAllowDns, ClusterAlwaysAllow, ClusterDelegateToNamespaces, ClusterDeny, ClusterRuleProps, Engine, Peer, PolicyDirection, PolicyStage, Port,
} from '../../../src';
import { calicoRuleMetadata } from '../../helpers/intent-metadata';
import { byName, chartWith, synthValid } from '../../helpers/synth';
import { testEngine } from '../../helpers/target';

const rule: ClusterRuleProps = { priority: 10, direction: PolicyDirection.EGRESS, peers: [Peer.cidr('169.254.169.254/32')], ports: [Port.tcp(80)] };

describe('cluster-wide admin rules on the Calico engine', () => {
  test.each([
    [ClusterDeny, 'Deny'],
    [ClusterAlwaysAllow, 'Allow'],
    [ClusterDelegateToNamespaces, 'Pass'],
  ] as const)('%p is a GlobalNetworkPolicy in the kube-admin tier, order = priority, with %s rules', (Intent, action) => {
    const c = chartWith(testEngine.calico());
    new Intent(c, 'rule', { ...rule, namespaceLabels: { tenant: 'yes' }, podLabels: { app: 'web' } });
    expect(synthValid(c)).toEqual([expect.objectContaining({
      kind: 'GlobalNetworkPolicy',
      spec: {
        tier: 'kube-admin',
        order: 10,
        namespaceSelector: "projectcalico.org/name not in {'calico-system', 'kube-system'} && tenant == 'yes'",
        selector: "projectcalico.org/orchestrator == 'k8s' && app == 'web'",
        types: ['Egress'],
        egress: [{ action, protocol: 'TCP', destination: { nets: ['169.254.169.254/32'], ports: [80] }, metadata: calicoRuleMetadata('test/rule', Intent.name) }],
      },
    })]);
  });

  test('the DNS allowance goes to kube-admin at its priority and its isolation to the engine\'s tier', () => {
    const c = chartWith(testEngine.calico({ tier: 'platform', order: 50 }));
    new ClusterAllowDns(c, 'dns', { priority: 20 });
    const objs = synthValid(c);
    expect([byName(objs, 'dns').spec.tier, byName(objs, 'dns').spec.order]).toEqual(['kube-admin', 20]);
    expect(byName(objs, 'dns-isolation').spec).toEqual({
      tier: 'platform',
      order: 50,
      namespaceSelector: "projectcalico.org/name not in {'calico-system', 'kube-system'}",
      selector: "projectcalico.org/orchestrator == 'k8s'",
      types: ['Egress'],
    });
  });

  test('an audit-stage rule is a StagedGlobalNetworkPolicy in kube-admin', () => {
    const c = chartWith(testEngine.calico());
    new ClusterDeny(c, 'rule', { ...rule, stage: PolicyStage.AUDIT });
    const [o] = synthValid(c);
    expect([o.kind, o.spec.tier, o.spec.stagedAction]).toEqual(['StagedGlobalNetworkPolicy', 'kube-admin', 'Set']);
  });
});
