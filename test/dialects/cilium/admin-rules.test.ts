import {
  ClusterAllowDns, ClusterAlwaysAllow, ClusterDelegateToNamespaces, ClusterDeny, ClusterRuleProps, Engine, Peer, PolicyDirection, Port,
} from '../../../src';
import { ciliumIntentLabels } from '../../helpers/intent-metadata';
import { chartWith, errorOf, synthValid } from '../../helpers/synth';
import { testEngine } from '../../helpers/target';

const rule: ClusterRuleProps = { priority: 10, direction: PolicyDirection.EGRESS, peers: [Peer.cidr('169.254.169.254/32')], ports: [Port.allTraffic()] };
const cilium = () => chartWith(testEngine.cilium());

describe('cluster-wide admin rules on the Cilium engine', () => {
  test('a guardrail is a clusterwide deny rule that does not enable default deny', () => {
    const c = cilium();
    new ClusterDeny(c, 'no-metadata', { ...rule, namespaceLabels: { tenant: 'yes' }, podLabels: { app: 'web' } });
    const [ccnp] = synthValid(c);
    expect(ccnp.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(ccnp.spec.labels).toEqual(ciliumIntentLabels('test/no-metadata', 'ClusterDeny'));
    expect(ccnp.spec.endpointSelector).toEqual({
      matchLabels: { 'k8s:app': 'web', 'k8s:io.cilium.k8s.namespace.labels.tenant': 'yes' },
      matchExpressions: [
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['calico-system', 'kube-system'] },
      ],
    });
    expect(ccnp.spec.enableDefaultDeny).toEqual({ egress: false });
    expect(ccnp.spec.egressDeny).toEqual([{ toCIDRSet: [{ cidr: '169.254.169.254/32' }] }]);
    expect(ccnp.spec.egress).toBeUndefined();
  });

  test('an always-allow is a clusterwide allow rule that does not enable default deny', () => {
    const c = cilium();
    new ClusterAlwaysAllow(c, 'scrape', { ...rule, direction: PolicyDirection.INGRESS, peers: [Peer.namespace('monitoring')], ports: [Port.tcp(9090)] });
    const [ccnp] = synthValid(c);
    expect(ccnp.spec.enableDefaultDeny).toEqual({ ingress: false });
    expect(ccnp.spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }],
      toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }],
    }]);
  });

  test('fails for delegation: Cilium policies have no pass action', () => {
    const c = cilium();
    new ClusterDelegateToNamespaces(c, 'pass', rule);
    const msg = errorOf(() => synthValid(c));
    expect(msg).toContain('the cilium engine cannot express a cluster-wide rule that delegates connections to namespace policies');
    expect(msg).toContain('Fix: use the Kubernetes engine with ClusterNetworkPolicy');
  });

  test('fails for an allowance that comes before a deny it may overlap: Cilium\'s deny always wins', () => {
    const c = cilium();
    new ClusterAlwaysAllow(c, 'first', { ...rule, priority: 5, peers: [Peer.anyone()], ports: [Port.tcp(8080)] });
    new ClusterDeny(c, 'second', { ...rule, priority: 10, peers: [Peer.namespace('beta')], ports: [Port.allTcp()] });
    const msg = errorOf(() => synthValid(c));
    expect(msg).toContain('[test/second] the cilium engine cannot keep the order of two cluster-wide rules');
    expect(msg).toContain('Fix: give the deny a lower priority number than the allowance');
  });

  test.each<[string, Partial<ClusterRuleProps>, Partial<ClusterRuleProps>]>([
    ['the deny comes first', { priority: 20 }, { priority: 10 }],
    ['their ports cannot overlap', { ports: [Port.tcp(53)] }, { ports: [Port.udp(53)] }],
    ['their peers cannot overlap (Cilium CIDRs never match pods)', { peers: [Peer.namespace('beta')] }, { peers: [Peer.cidr('192.0.2.0/24')] }],
    ['their subjects cannot overlap', { podLabels: { app: 'a' } }, { podLabels: { app: 'b' } }],
    ['their directions differ', { direction: PolicyDirection.INGRESS, peers: [Peer.namespace('beta')] }, {}],
  ])('renders an allowance and a deny when %s', (_why, allow, deny) => {
    const c = cilium();
    new ClusterAlwaysAllow(c, 'allow', { ...rule, priority: 5, ...allow });
    new ClusterDeny(c, 'deny', { ...rule, ...deny });
    expect(synthValid(c)).toHaveLength(2);
  });

  test('a ClusterAllowDns before an overlapping deny fails like any allowance', () => {
    const c = cilium();
    new ClusterAllowDns(c, 'dns', { priority: 1 });
    new ClusterDeny(c, 'no-kube-system', { ...rule, peers: [Peer.namespace('kube-system')] });
    expect(errorOf(() => synthValid(c))).toContain('the cilium engine cannot keep the order of two cluster-wide rules');
  });
});
