import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LabelExpression, Peer, Workload } from '../../src';

const resolve = (p: Peer) => p._resolve('production');

describe('Peer', () => {
  test('a workload peer without a namespace lives in the policy namespace', () => {
    expect(resolve(Peer.workload(Workload.select({ app: 'frontend' })))).toEqual({
      kind: 'pods', namespaces: { kind: 'name', name: 'production' }, pods: { matchLabels: { app: 'frontend' }, matchExpressions: [] },
    });
  });

  test('a workload peer keeps its own namespace and service account', () => {
    expect(resolve(Peer.workload(Workload.select({ app: 'prometheus' }, { namespace: 'monitoring', serviceAccount: 'prometheus' })))).toMatchObject({
      namespaces: { kind: 'name', name: 'monitoring' }, serviceAccount: 'prometheus',
    });
  });

  test('Peer.pods combines namespace labels AND pod labels in one peer', () => {
    expect(resolve(Peer.pods({ namespaceLabels: { team: 'monitoring' }, podLabels: { app: 'prometheus' } }))).toEqual({
      kind: 'pods',
      namespaces: { kind: 'labels', selector: { matchLabels: { team: 'monitoring' }, matchExpressions: [] } },
      pods: { matchLabels: { app: 'prometheus' }, matchExpressions: [] },
    });
  });

  test('Peer.pods keeps expressions sorted and de-duplicated', () => {
    const p = resolve(Peer.pods({ podExpressions: [LabelExpression.isIn('tier', ['b', 'a', 'a']), LabelExpression.exists('x'), LabelExpression.exists('x')] }));
    expect(p).toMatchObject({ pods: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'Exists', values: [] }] } });
  });

  test('all namespaces must be spelled out', () => {
    expect(resolve(Peer.pods({ allNamespaces: true, podLabels: { app: 'x' } }))).toMatchObject({ namespaces: { kind: 'all' } });
  });

  test('Peer.anyone() is the only way to say everyone', () => {
    expect(resolve(Peer.anyone())).toEqual({ kind: 'anyone' });
  });

  test('CIDR peers keep canonical excepts, sorted', () => {
    expect(resolve(Peer.ipv4('0.0.0.0/0', ['192.168.0.0/16', '10.0.0.0/8']))).toEqual({ kind: 'cidr', cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] });
    expect(resolve(Peer.ipv6('2001:db8::/32', ['2001:db8:1::/48']))).toEqual({ kind: 'cidr', cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] });
  });

  test('the API server peer carries the addresses the user gave', () => {
    expect(resolve(Peer.kubeApiServer(['172.20.0.1/32']))).toEqual({ kind: 'kube-apiserver', cidrs: ['172.20.0.1/32'] });
  });

  test('accepts cdk8s-plus pods and namespaces', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'production' });
    const deployment = new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx', portNumber: 80 }] });
    const fromDeployment = resolve(Peer.fromPodSelector(deployment));
    expect(fromDeployment).toMatchObject({ kind: 'pods', namespaces: { kind: 'name', name: 'production' } });
    expect((fromDeployment as any).pods.matchLabels['cdk8s.io/metadata.addr']).toBeDefined();
    const ns = new kplus.Namespace(chart, 'monitoring', { metadata: { name: 'monitoring' } });
    expect(resolve(Peer.fromNamespaceSelector(ns))).toEqual({ kind: 'pods', namespaces: { kind: 'name', name: 'monitoring' }, pods: { matchLabels: {}, matchExpressions: [] } });
    const selected = kplus.Pods.select(chart, 'prom', { labels: { app: 'prometheus' }, namespaces: kplus.Namespaces.select(chart, 'mon', { labels: { team: 'monitoring' } }) });
    expect(resolve(Peer.fromPodSelector(selected))).toMatchObject({ namespaces: { kind: 'labels', selector: { matchLabels: { team: 'monitoring' } } }, pods: { matchLabels: { app: 'prometheus' } } });
  });

  test.each([
    ['a CIDR without a prefix length', () => Peer.cidr('10.0.0.1'), 'a CIDR block', 'add the prefix length, e.g. "10.0.0.1/32"'],
    ['a malformed CIDR', () => Peer.cidr('10.0.0.300/24'), 'a CIDR block', 'check the address'],
    ['a CIDR with host bits set', () => Peer.cidr('10.1.2.3/16'), 'the network address of the block', 'write "10.1.0.0/16"'],
    ['an IPv6 CIDR with host bits set', () => Peer.ipv6('2001:db8::1/32'), 'the network address of the block', 'write "2001:db8::/32"'],
    ['an except outside its CIDR', () => Peer.cidr('10.0.0.0/16', ['10.1.0.0/24']), 'a block strictly inside 10.0.0.0/16', 'widen the CIDR'],
    ['an except equal to its CIDR', () => Peer.cidr('10.0.0.0/16', ['10.0.0.0/16']), 'a block strictly inside 10.0.0.0/16', 'drop it'],
    ['a three-part IPv4 address', () => Peer.cidr('10.1.0/24'), 'four-part decimal form', 'write all four octets'],
    ['an upper-case IPv6 block', () => Peer.cidr('2001:DB8::/32'), 'the canonical form of the block', 'write "2001:db8::/32"'],
    ['mixing IPv4 and IPv6 in one block', () => Peer.cidr('10.0.0.0/8', ['2001:db8::/32']), 'cannot mix IPv4 and IPv6', 'separate Peer.ipv6()'],
    ['an IPv6 block given to Peer.ipv4', () => Peer.ipv4('2001:db8::/32'), 'an IPv4 block', 'use Peer.ipv6()'],
    ['an invalid namespace name', () => Peer.namespace('Prod_NS'), 'a namespace name', 'e.g. "prod-ns"'],
    ['a namespace name longer than 63 characters', () => Peer.namespace('n'.repeat(64)), 'a namespace name', 'real name'],
    ['an invalid label key', () => Peer.pods({ podLabels: { 'bad key': 'x' } }), 'a key name of at most 63 characters', 'valid Kubernetes label key'],
    ['an invalid label key prefix', () => Peer.pods({ podLabels: { 'Example.COM/app': 'x' } }), 'a key prefix that is a DNS subdomain', 'valid Kubernetes label key'],
    ['an invalid label value', () => Peer.pods({ podLabels: { app: 'front end' } }), 'a label value', 'cannot contain spaces'],
    ['a label value longer than 63 characters', () => Peer.pods({ podLabels: { app: 'a'.repeat(64) } }), 'a label value', 'cannot contain spaces'],
    ['an invalid service account name', () => Peer.serviceAccount('Front_End'), 'an object name', 'real Kubernetes name'],
    ['two namespace scopes at once', () => Peer.pods({ namespace: 'a', allNamespaces: true }), 'at most one of namespace', 'choose one way'],
    ['an empty pod criterion', () => Peer.pods({}), 'at least one pod, namespace or service account criterion', 'Peer.anyone()'],
    ['empty namespace labels', () => Peer.namespacesWithLabels({}), 'at least one label or expression', 'allNamespaces: true'],
    ['an In expression without values', () => Peer.pods({ podExpressions: [LabelExpression.isIn('a', [])] }), 'at least one value', 'LabelExpression.exists()'],
  ])('records a problem for %s', (_, make, expected, fix) => {
    const problems = make()._problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map(p => p.expected).join(' | ')).toContain(expected);
    expect(problems.map(p => p.fix).join(' | ')).toContain(fix);
  });

  test('a CIDR parsed again (parse outcomes are cached per text) gives the same block, and each caller its own problem', () => {
    expect(resolve(Peer.ipv4('10.20.0.0/16'))).toEqual(resolve(Peer.cidr('10.20.0.0/16')));
    expect(Peer.ipv4('10.30.0.0/16', ['10.30.1.0/24'])._problems).toEqual([]);
    expect(Peer.ipv4('10.31.0.0/16', ['10.30.1.0/24'])._problems.map(p => p.expected)).toEqual(['a block strictly inside 10.31.0.0/16']);
    const first = Peer.cidr('10.1.2.3/16')._problems;
    const again = Peer.ipv4('0.0.0.0/0', ['10.1.2.3/16'])._problems;
    expect(first).toEqual([expect.objectContaining({ what: 'CIDR of Peer.cidr()', value: '10.1.2.3/16', fix: expect.stringContaining('write "10.1.0.0/16"') })]);
    expect(again).toEqual([expect.objectContaining({ what: 'exceptCidrs entry of Peer.ipv4()', value: '10.1.2.3/16', fix: first[0].fix, expected: first[0].expected })]);
  });

  test('CIDRs stay correct once the parse cache has been emptied for being full (10,000 texts)', () => {
    for (let i = 0; i < 10_001; i++) expect(Peer.cidr(`10.${Math.floor(i / 256)}.${i % 256}.0/24`)._problems).toEqual([]);
    expect(resolve(Peer.cidr('10.0.0.0/24'))).toEqual({ kind: 'cidr', cidr: '10.0.0.0/24', except: [] });
    expect(Peer.cidr('10.0.0.1/24')._problems.map(p => p.fix)).toEqual([expect.stringContaining('write "10.0.0.0/24"')]);
  });
});
