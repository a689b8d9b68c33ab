import { ClusterModel, parsePolicies } from '../../src/analysis';
import { formatCannotExpress, planImport } from '../../src/importer/plan-import';

// The planner on its own: what it maps each input shape to, and what it lists as not expressible
// (object, field, why). The command's proof (test/cli/import.test.ts) and the property test check
// that what it maps means the same traffic.

const cluster = ClusterModel.create({
  namespaces: [{ name: 'shop' }, { name: 'ops', labels: { team: 'ops' } }, { name: 'kube-system' }],
  pods: [
    { namespace: 'shop', name: 'web', labels: { app: 'web' }, ips: ['10.244.0.10'] },
    { namespace: 'shop', name: 'api', labels: { app: 'api' }, ips: ['10.244.0.11'] },
    { namespace: 'kube-system', name: 'dns', labels: { 'k8s-app': 'kube-dns' }, ips: ['10.244.0.2'] },
  ],
});

function plan(text: string) {
  return planImport(parsePolicies({ file: 'in.yaml', text }, { clusterNamespaces: cluster.namespaces }), cluster, { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
}

const netpol = (name: string, spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: shop }\nspec:\n${spec}\n---\n`;

describe('planImport', () => {
  test('maps a default deny, an ingress rule and the cluster DNS allowance to DefaultDeny, AllowFrom and AllowDns, declaring each workload once', () => {
    const result = plan(netpol('deny', '  podSelector: {}\n  policyTypes: [Ingress, Egress]')
      + netpol('dns', '  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } }, '
        + 'podSelector: { matchLabels: { k8s-app: kube-dns } } }], ports: [{ protocol: UDP, port: 53 }, { protocol: TCP, port: 53 }] }]')
      + netpol('api', '  podSelector: { matchLabels: { app: api } }\n  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: 8080 }] }]')
      + netpol('api-2', '  podSelector: { matchLabels: { app: api } }\n  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: 9090 }] }]'));
    expect(result.cannotExpress).toBeUndefined();
    expect(result.plan!.intents.map(i => `${i.kind} ${i.id}`)).toEqual(['DefaultDeny deny', 'AllowDns dns-egress-0', 'AllowFrom api-ingress-0', 'AllowFrom api-2-ingress-0']);
    expect(result.plan!.workloads.filter(w => w.labels.app === 'api')).toHaveLength(1);
    const dns = result.plan!.intents[1];
    // The DNS allowance with the defaults says no more than `new AllowDns(chart, id)`.
    expect(dns).toMatchObject({ kind: 'AllowDns', namespace: 'shop' });
    expect(dns).not.toHaveProperty('dnsPodLabels');
    expect(dns).not.toHaveProperty('pods');
  });

  test('writes a source whose egress the input isolates by its namespace\'s name label, so that AllowFrom adds no egress for it', () => {
    const result = plan(netpol('deny', '  podSelector: {}\n  policyTypes: [Egress]')
      + netpol('api', '  podSelector: { matchLabels: { app: api } }\n  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }] }]'));
    const allow = result.plan!.intents.find(i => i.kind === 'AllowFrom');
    expect(allow).toMatchObject({ peers: [{ kind: 'pods', podLabels: { app: 'web' }, namespaces: { kind: 'labels', labels: { 'kubernetes.io/metadata.name': 'shop' } } }] });
  });

  test('writes a source whose egress nothing isolates as its workload', () => {
    const result = plan(netpol('api', '  podSelector: { matchLabels: { app: api } }\n  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }] }]'));
    const allow = result.plan!.intents.find(i => i.kind === 'AllowFrom');
    expect(allow).toMatchObject({ peers: [{ kind: 'workload' }] });
  });

  test('splits an egress rule into one EgressToCidr per block and an AllowTo for the pods', () => {
    const result = plan(netpol('out', '  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Egress]\n'
      + '  egress: [{ to: [{ ipBlock: { cidr: 192.0.2.0/24 } }, { ipBlock: { cidr: 198.51.100.0/24 } }, { podSelector: {} }], ports: [{ port: 443 }] }]'));
    expect(result.plan!.intents.map(i => `${i.kind} ${i.id}`)).toEqual(['EgressToCidr out-egress-0-cidr-0', 'EgressToCidr out-egress-0-cidr-1', 'AllowTo out-egress-0-pods']);
  });

  test('fails to plan a Calico deny rule, a || selector and a second tier, naming each object and field', () => {
    const calico = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-db, namespace: shop }
spec:
  selector: app == 'web' || app == 'api'
  types: [Egress]
  egress: [{ action: Deny }]
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: security.first, namespace: shop }
spec:
  tier: security
  selector: app == 'api'
  ingress: [{ action: Allow }]
`;
    const result = plan(calico);
    expect(result.plan).toBeUndefined();
    expect(result.cannotExpress!.map(formatCannotExpress)).toEqual([
      expect.stringMatching(/^projectcalico\.org\/NetworkPolicy shop\/security\.first \(in\.yaml, document 3\) tier: its tier security is a second namespace tier besides default: /),
      expect.stringMatching(/^projectcalico\.org\/NetworkPolicy shop\/deny-db \(in\.yaml, document 1\) subject: its pod selector uses \|\| or ! /),
    ]);
  });

  test('fails to plan a cluster-wide rule that covers a pod in kube-system, which every cluster-wide intent leaves alone', () => {
    const result = plan(`apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: everything }
spec:
  tier: Admin
  priority: 5
  subject: { namespaces: {} }
  ingress: [{ action: Deny, from: [{ namespaces: { matchLabels: { team: ops } } }] }]
`);
    expect(result.cannotExpress!.map(formatCannotExpress)).toEqual([
      'ClusterNetworkPolicy everything (in.yaml, document 1) spec.subject: it covers pod kube-system/dns, and every cluster-wide intent leaves kube-system alone; '
      + 'except kube-system in the input, or write its policies for that namespace as NetworkPolicies',
    ]);
  });

  test('fails to plan a CiliumNetworkPolicy the agent refuses: it enforces nothing, so no intent is it', () => {
    const result = plan('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: empty, namespace: shop }\n');
    expect(result.cannotExpress!.map(formatCannotExpress)).toEqual([
      expect.stringMatching(/^CiliumNetworkPolicy shop\/empty \(in\.yaml, document 1\) spec: Cilium does not enforce it \(.*it has no rules .*\): fix or remove it, then import$/),
    ]);
  });

  test('keeps the order of admin rules whose actions differ at one priority by giving the later ones the next numbers', () => {
    const result = plan(`apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ordered }
spec:
  tier: Admin
  priority: 7
  subject: { namespaces: { matchLabels: { team: ops } } }
  egress:
  - { action: Pass, to: [{ namespaces: { matchLabels: { team: ops } } }] }
  - { action: Deny, to: [{ namespaces: {} }] }
  - { action: Deny, to: [{ networks: [0.0.0.0/0] }] }
  - { action: Accept, to: [{ networks: [192.0.2.0/24] }] }
`);
    expect(result.plan!.intents.map(i => [i.kind, 'priority' in i ? i.priority : undefined])).toEqual([
      ['ClusterDelegateToNamespaces', 7], ['ClusterDeny', 8], ['ClusterDeny', 8], ['ClusterAlwaysAllow', 9],
    ]);
  });
});
