import { calico, ruleTable } from './support';

const ALLOW_HTTPS = { action: 'Allow', protocol: 'TCP', destination: { ports: [443] } };

ruleTable('calico-missing-order', {
  nonCompliant: [
    ['a NetworkPolicy without order', [calico('NetworkPolicy', 'a', { selector: 'all()', types: ['Ingress'] })], ['a: spec.order']],
    ['a GlobalNetworkPolicy with Deny rules and no order', [calico('GlobalNetworkPolicy', 'b', {
      namespaceSelector: "team == 'x'", types: ['Ingress'], ingress: [{ action: 'Deny', source: { nets: ['10.0.0.0/8'] } }],
    })], ['b: spec.order']],
    ['a staged policy', [calico('StagedNetworkPolicy', 'c', { selector: 'all()', types: ['Egress'] })], ['c: spec.order']],
  ],
  compliant: [
    ['order set', [calico('NetworkPolicy', 'a', { selector: 'all()', types: ['Ingress'], order: 100 })], []],
    ['order 0', [calico('NetworkPolicy', 'b', { selector: 'all()', types: ['Ingress'], order: 0 })], []],
  ],
});

ruleTable('calico-missing-types', {
  nonCompliant: [
    ['egress rules only (derived: Egress)', [calico('NetworkPolicy', 'a', { selector: 'all()', order: 1, egress: [ALLOW_HTTPS] })], ['a: spec.types']],
    ['no rules (derived: Ingress)', [calico('NetworkPolicy', 'b', { selector: 'all()', order: 1 })], ['b: spec.types']],
    ['both', [calico('GlobalNetworkPolicy', 'c', { namespaceSelector: "team == 'x'", order: 1, ingress: [{ action: 'Allow' }], egress: [ALLOW_HTTPS] })], ['c: spec.types']],
  ],
  compliant: [
    ['types set', [calico('NetworkPolicy', 'a', { selector: 'all()', order: 1, types: ['Egress'], egress: [ALLOW_HTTPS] })], []],
  ],
});

ruleTable('calico-global-selects-all', {
  nonCompliant: [
    ['no selector and no namespaceSelector', [calico('GlobalNetworkPolicy', 'a', { order: 1, types: ['Ingress', 'Egress'] })], ['a: spec.selector']],
    ['selector all()', [calico('GlobalNetworkPolicy', 'b', { selector: 'all()', order: 1, types: ['Ingress'] })], ['b: spec.selector']],
    ['every Kubernetes pod, kube-system included', [calico('GlobalNetworkPolicy', 'c', {
      selector: "projectcalico.org/orchestrator == 'k8s'", namespaceSelector: 'all()', order: 1, types: ['Egress'],
    })], ['c: spec.selector']],
  ],
  compliant: [
    ['system namespaces excluded (the library\'s ClusterDefaultDeny)', [calico('GlobalNetworkPolicy', 'a', {
      selector: "projectcalico.org/orchestrator == 'k8s'", namespaceSelector: "kubernetes.io/metadata.name not in {'kube-system', 'calico-system'}", order: 1, types: ['Ingress'],
    })], []],
    ['a selected workload', [calico('GlobalNetworkPolicy', 'b', { selector: "app == 'web'", order: 1, types: ['Ingress'] })], []],
    ['a host-endpoint policy (preDNAT)', [calico('GlobalNetworkPolicy', 'c', {
      selector: 'all()', order: 1, types: ['Ingress'], preDNAT: true, applyOnForward: true, ingress: [{ action: 'Deny', source: { nets: ['192.0.2.0/24'] } }],
    })], []],
    ['a namespaced policy with all()', [calico('NetworkPolicy', 'd', { selector: 'all()', order: 1, types: ['Ingress'] })], []],
  ],
});

ruleTable('calico-http-requires-alp', {
  nonCompliant: [
    ['an ingress Allow with http', [calico('NetworkPolicy', 'a', {
      selector: "app == 'web'", order: 1, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] } }],
    })], ['a: spec.ingress[0].http']],
  ],
  compliant: [
    ['no http', [calico('NetworkPolicy', 'a', { selector: "app == 'web'", order: 1, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP' }] })], []],
  ],
});
