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
