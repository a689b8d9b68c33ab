import { clusterNetworkPolicy, np, ruleTable } from './support';
import { ClusterModel, CNP_PROFILES } from '../../../src/analysis';

const ALL = { namespaces: {} };
const TENANTS = { namespaces: { matchLabels: { tenant: 'yes' } } };
const deny = (to: unknown[], extra: Record<string, unknown> = {}) => ({ action: 'Deny', to, ...extra });
const admin = (priority: number, spec: Record<string, unknown>) => ({ tier: 'Admin', priority, subject: ALL, ...spec });
const TCP = (number: number) => ({ tcp: { destinationPort: { number } } });
const TCP_RANGE = (start: number, end: number) => ({ tcp: { destinationPort: { range: { start, end } } } });

ruleTable('cnp-shadowed-rule', {
  nonCompliant: [
    ['a rule below one that matches every namespace', [clusterNetworkPolicy('a', admin(10, {
      egress: [deny([ALL]), { action: 'Accept', to: [TENANTS], protocols: [TCP(443)] }],
    }))], ['a: spec.egress[1]']],
    ['a rule of a later policy whose ports an earlier range covers', [
      clusterNetworkPolicy('first', admin(5, { ingress: [{ action: 'Deny', from: [ALL], protocols: [TCP_RANGE(1, 1024)] }] })),
      clusterNetworkPolicy('second', { ...admin(9, { ingress: [{ name: 'web', action: 'Accept', from: [TENANTS], protocols: [TCP(443)] }] }), subject: TENANTS }),
    ], ['second: spec.ingress[0]']],
    ['a networks block inside an earlier one', [clusterNetworkPolicy('a', admin(10, {
      egress: [deny([{ networks: ['10.0.0.0/8'] }]), deny([{ networks: ['10.1.0.0/16'] }])],
    }))], ['a: spec.egress[1]']],
  ],
  compliant: [
    ['a narrower rule above a broader one', [clusterNetworkPolicy('a', admin(10, { egress: [{ action: 'Accept', to: [TENANTS] }, deny([ALL])] }))], []],
    ['an earlier rule with fewer ports', [clusterNetworkPolicy('a', admin(10, { egress: [deny([ALL], { protocols: [TCP(80)] }), deny([ALL], { protocols: [TCP(81)] })] }))], []],
    ['policies of one priority (their order is the implementation\'s)', [
      clusterNetworkPolicy('a', admin(5, { egress: [deny([ALL])] })),
      clusterNetworkPolicy('b', admin(5, { egress: [deny([ALL])] })),
    ], []],
    ['an earlier policy over fewer pods', [
      clusterNetworkPolicy('a', { ...admin(1, { egress: [deny([ALL])] }), subject: TENANTS }),
      clusterNetworkPolicy('b', admin(2, { egress: [deny([ALL])] })),
    ], []],
    ['the other tier', [
      clusterNetworkPolicy('a', admin(1, { egress: [deny([ALL])] })),
      clusterNetworkPolicy('b', { ...admin(2, { egress: [deny([ALL])] }), tier: 'Baseline' }),
    ], []],
  ],
});

const cluster = ClusterModel.create({
  namespaces: [{ name: 'prod', labels: { tenant: 'yes' } }, { name: 'dev', labels: { tenant: 'yes' } }],
  pods: [{ namespace: 'prod', name: 'web', labels: { app: 'web' } }, { namespace: 'dev', name: 'api', labels: { app: 'api' } }],
});
const passTenants = clusterNetworkPolicy('delegate', { ...admin(3, { ingress: [{ action: 'Pass', from: [TENANTS] }] }), subject: TENANTS });

ruleTable('cnp-pass-without-network-policy', {
  cluster,
  nonCompliant: [
    ['pods of the subject that no NetworkPolicy selects for the direction', [
      passTenants,
      np('prod-in', { podSelector: {}, policyTypes: ['Ingress'] }),
      np('dev-out', { podSelector: {}, policyTypes: ['Egress'] }, 'dev'),
    ], ['delegate: spec.ingress[0].action']],
  ],
  compliant: [
    ['every pod of the subject has an ingress NetworkPolicy', [
      passTenants,
      np('prod-in', { podSelector: {}, policyTypes: ['Ingress'] }),
      np('dev-in', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] }, 'dev'),
    ], []],
    ['no Pass rule', [clusterNetworkPolicy('a', admin(1, { ingress: [{ action: 'Deny', from: [ALL] }] }))], []],
  ],
});

ruleTable('cnp-subject-selects-nothing', {
  cluster,
  nonCompliant: [
    ['a namespace label no namespace has', [clusterNetworkPolicy('a', { ...admin(1, { egress: [deny([ALL])] }), subject: { namespaces: { matchLabels: { tenant: 'no' } } } })], ['a: spec.subject.namespaces']],
    ['pod labels no pod has', [clusterNetworkPolicy('b', { ...admin(1, { egress: [deny([ALL])] }), subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } } })], ['b: spec.subject.pods']],
  ],
  compliant: [['the pods of labelled namespaces', [clusterNetworkPolicy('a', { ...admin(1, { egress: [deny([ALL])] }), subject: TENANTS })], []]],
});

ruleTable('cnp-implementation-lacks', {
  implementation: CNP_PROFILES.calico,
  nonCompliant: [
    ['nodes and domainNames peers on Calico', [clusterNetworkPolicy('a', admin(1, {
      egress: [{ action: 'Accept', to: [{ nodes: {} }, { domainNames: ['example.com'] }] }],
    }))], ['a: spec.egress[0].to[0].nodes', 'a: spec.egress[0].to[1].domainNames']],
  ],
  compliant: [
    ['networks, named ports and ranges on Calico', [clusterNetworkPolicy('a', admin(1, {
      egress: [deny([{ networks: ['10.0.0.0/8'] }], { protocols: [TCP_RANGE(1, 9)] }), { action: 'Accept', to: [ALL], protocols: [{ destinationNamedPort: 'http' }] }],
    }))], []],
  ],
});

ruleTable('cnp-implementation-lacks', {
  implementation: CNP_PROFILES['ovn-kubernetes'],
  nonCompliant: [
    ['a ClusterNetworkPolicy on OVN-Kubernetes, which implements AdminNetworkPolicy', [clusterNetworkPolicy('a', admin(1, { egress: [deny([ALL])] }))], ['a: apiVersion']],
    ['an AdminNetworkPolicy priority above its 0-99', [{
      apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'b' }, spec: { priority: 500, subject: ALL, egress: [deny([ALL])] },
    }], ['b: spec.priority']],
  ],
  compliant: [['an AdminNetworkPolicy in its range', [{
    apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'b' }, spec: { priority: 50, subject: ALL, egress: [deny([ALL])] },
  }], []]],
});

// The DNS guardrail knows the cluster-wide forms: a Baseline deny of every destination isolates
// egress; an Admin Accept of DNS, or Calico's kube-admin Allow, allows it; a kube-admin Deny
// isolates nothing (the tier passes what it does not match).
const dnsAccept = clusterNetworkPolicy('dns', admin(50, {
  egress: [{ action: 'Accept', to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }], protocols: [{ udp: { destinationPort: { number: 53 } } }, TCP(53)] }],
}));
const baselineDeny = clusterNetworkPolicy('floor', { tier: 'Baseline', priority: 1000, subject: ALL, egress: [deny([ALL, { networks: ['0.0.0.0/0'] }])] });
const calicoGnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const notSystem = "projectcalico.org/name not in {'calico-system', 'kube-system'}";
const pods = "projectcalico.org/orchestrator == 'k8s'";

ruleTable('egress-deny-without-dns', {
  nonCompliant: [
    ['a Baseline deny of every destination without a DNS allowance', [baselineDeny], ['floor: spec.egress[0]']],
  ],
  compliant: [
    ['a Baseline deny with an Admin Accept of DNS', [baselineDeny, dnsAccept], []],
    ['a namespace default deny with an Admin Accept of DNS', [np('deny', { podSelector: {}, policyTypes: ['Egress'] }), dnsAccept], []],
    ['a kube-admin Deny, which isolates nothing', [calicoGnp('no-metadata', {
      tier: 'kube-admin', order: 10, selector: pods, namespaceSelector: notSystem, types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
    })], []],
    ['a namespace default deny with a cluster-wide Calico DNS Allow for every namespace but the system ones', [
      np('deny', { podSelector: {}, policyTypes: ['Egress'] }),
      calicoGnp('dns', {
        tier: 'kube-admin',
        order: 50,
        selector: pods,
        namespaceSelector: notSystem,
        types: ['Egress'],
        egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }, { action: 'Allow', protocol: 'TCP', destination: { ports: [53] } }],
      }),
    ], []],
  ],
});
