import { AllowDns, Workload } from '../../src';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';

describe('AllowDns', () => {
  test('allows UDP and TCP 53 to kube-dns in kube-system, as one namespace AND pod peer', () => {
    const chart = chartWith();
    new AllowDns(chart, 'allow-dns');
    expect(byName(synthValid(chart), 'allow-dns').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    });
  });

  test('takes other DNS labels, port and the NodeLocal DNSCache address', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns', {
      pods: Workload.select({ app: 'web' }),
      dnsNamespaceLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' },
      dnsPodLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
      dnsPort: 5353,
      nodeLocalDns: true,
    });
    const spec = byName(synthValid(chart), 'dns').spec;
    expect(spec.podSelector).toEqual({ matchLabels: { app: 'web' } });
    expect(spec.egress[0].to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } },
      { ipBlock: { cidr: '169.254.20.10/32' } },
    ]);
    expect(spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }]);
  });

  test('selects the DNS namespace by any labels the user gives', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns', { dnsNamespaceLabels: { role: 'dns' }, nodeLocalDns: true, nodeLocalDnsAddress: '169.254.25.10' });
    const to = byName(synthValid(chart), 'dns').spec.egress[0].to;
    expect(to[0].namespaceSelector).toEqual({ matchLabels: { role: 'dns' } });
    expect(to[1]).toEqual({ ipBlock: { cidr: '169.254.25.10/32' } });
  });

  test.each([
    ['an invalid DNS port', { dnsPort: 0 }, 'invalid dnsPort: got 0'],
    ['empty DNS pod labels', { dnsPodLabels: {} }, 'invalid dnsPodLabels: got {}'],
    ['a NodeLocal address without nodeLocalDns', { nodeLocalDnsAddress: '169.254.20.10' }, 'set nodeLocalDns: true'],
    ['an invalid NodeLocal address', { nodeLocalDns: true, nodeLocalDnsAddress: '169.254.20' }, 'invalid CIDR of Peer.cidr(): got "169.254.20/32"; expected an IPv4 address in four-part decimal form'],
  ])('throws at construction for %s', (_, props, message) => {
    const msg = errorOf(() => new AllowDns(chartWith(), 'dns', props as any));
    expect(msg).toMatch(/^\[test\/dns\] /);
    expect(msg).toContain(message);
  });
});
