import { calico, ccnp, cnp, np, ruleTable } from './support';

const DENY_ALL = np('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const KUBE_DNS = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }];
const DNS_BOTH = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
const ALLOW_DNS = np('allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: KUBE_DNS, ports: DNS_BOTH }] });
const CILIUM_DNS_PORTS = [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }];
const CILIUM_KUBE_DNS = [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }];

ruleTable('egress-deny-without-dns', {
  nonCompliant: [
    ['the seed\'s case 1: default deny both ways, no DNS policy', [DENY_ALL], ['default-deny: spec.policyTypes']],
    ['a DNS policy in another namespace does not help', [DENY_ALL, np('allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: KUBE_DNS, ports: DNS_BOTH }] }, 'other')],
      ['default-deny: spec.policyTypes']],
    ['a DNS allowance for other pods only', [DENY_ALL, np('dns-for-web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: KUBE_DNS, ports: DNS_BOTH }] })],
      ['default-deny: spec.policyTypes']],
    ['TCP 53 only', [DENY_ALL, np('tcp-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: KUBE_DNS, ports: [{ protocol: 'TCP', port: 53 }] }] })],
      ['default-deny: spec.policyTypes', 'tcp-dns: spec.policyTypes']],
    ['every port, but only to pods of the own namespace', [DENY_ALL, np('same-ns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] })],
      ['default-deny: spec.policyTypes', 'same-ns: spec.policyTypes']],
    ['a Cilium default deny of egress', [cnp('deny', { endpointSelector: {}, egress: [{}] })], ['deny: spec.egress']],
    ['a Cilium DNS rule with an empty toEndpoints list allows nothing', [
      cnp('deny', { endpointSelector: {}, egress: [{}] }),
      cnp('dns', { endpointSelector: {}, egress: [{ toEndpoints: [], toPorts: CILIUM_DNS_PORTS }] }),
    ], ['deny: spec.egress', 'dns: spec.egress']],
    ['a Cilium deny-only egress policy isolates too', [cnp('deny', { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] })], ['deny: spec.egressDeny']],
    ['a Calico default deny with types', [calico('NetworkPolicy', 'deny', { selector: 'all()', types: ['Ingress', 'Egress'] })], ['deny: spec.types']],
    ['a Calico policy with only egress rules (types derived: Egress)', [calico('NetworkPolicy', 'web-out', {
      selector: "app == 'web'", egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }],
    })], ['web-out: spec.egress']],
    ['a clusterwide Calico default deny without any DNS allowance', [calico('GlobalNetworkPolicy', 'deny', {
      namespaceSelector: "kubernetes.io/metadata.name not in {'kube-system'}", types: ['Egress'],
    })], ['deny: spec.types']],
  ],
  compliant: [
    ['the seed\'s default deny with its allow-dns policy', [DENY_ALL, ALLOW_DNS], []],
    ['the seed\'s allow-dns peer (namespace only), UDP only', [DENY_ALL, np('dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }],
      }],
    })], []],
    ['an egress policy that allows DNS itself', [np('backend', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Egress'], egress: [{ to: KUBE_DNS, ports: DNS_BOTH }] })], []],
    ['DNS through every port to any peer', [DENY_ALL, np('open', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] })], []],
    ['a named DNS port and a port range including 53', [DENY_ALL, np('dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: KUBE_DNS, ports: [{ protocol: 'UDP', port: 'dns' }] }, { to: KUBE_DNS, ports: [{ protocol: 'UDP', port: 1, endPort: 1024 }] },
      ],
    })], []],
    ['an ingress-only default deny', [np('deny-in', { podSelector: {}, policyTypes: ['Ingress'] })], []],
    ['a Cilium default deny with the library\'s DNS policy', [
      cnp('deny', { endpointSelector: {}, egress: [{}], ingress: [{}] }),
      cnp('dns', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'prod' } }, egress: [{ toEndpoints: CILIUM_KUBE_DNS, toPorts: CILIUM_DNS_PORTS }] }),
    ], []],
    ['a Cilium policy with enableDefaultDeny.egress false does not isolate', [cnp('visibility', { endpointSelector: {}, egress: [{ toEntities: ['world'] }], enableDefaultDeny: { egress: false } })], []],
    ['a Kubernetes deny covered by a Cilium DNS policy (mixed dialects)', [DENY_ALL, cnp('dns', { endpointSelector: {}, egress: [{ toEndpoints: CILIUM_KUBE_DNS, toPorts: CILIUM_DNS_PORTS }] })], []],
    ['a Calico deny with the library\'s Calico DNS rules', [
      calico('NetworkPolicy', 'deny', { selector: "projectcalico.org/orchestrator == 'k8s'", types: ['Ingress', 'Egress'], order: 1000 }),
      calico('NetworkPolicy', 'dns', {
        selector: "projectcalico.org/orchestrator == 'k8s'",
        types: ['Egress'],
        order: 1000,
        egress: ['UDP', 'TCP'].map((protocol) => ({
          action: 'Allow', protocol, destination: { namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] },
        })),
      }),
    ], []],
    ['a clusterwide deny and a clusterwide DNS allowance', [
      ccnp('deny', { endpointSelector: {}, egress: [{}] }),
      ccnp('dns', { endpointSelector: {}, egress: [{ toEndpoints: CILIUM_KUBE_DNS, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] }),
    ], []],
    ['staged Calico policies are not enforced', [calico('StagedNetworkPolicy', 'deny', { selector: 'all()', types: ['Egress'] })], []],
  ],
});

ruleTable('dns-udp-only', {
  nonCompliant: [
    ['the seed\'s backend-egress-policy: DNS on UDP only', [np('backend-egress-policy', {
      podSelector: { matchLabels: { app: 'backend-api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'redis' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }, {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }],
      }],
    })], ['backend-egress-policy: spec.egress[1]']],
    ['a Calico UDP-only DNS rule', [calico('NetworkPolicy', 'dns', {
      selector: 'all()',
      types: ['Egress'],
      order: 10,
      egress: [{
        action: 'Allow', protocol: 'UDP', destination: { ports: [53] },
      }],
    })], ['dns: spec.egress[0]']],
    ['a Cilium UDP-only DNS rule', [cnp('dns', { endpointSelector: {}, egress: [{ toEndpoints: CILIUM_KUBE_DNS, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] })],
      ['dns: spec.egress[0]']],
  ],
  compliant: [
    ['UDP and TCP in one rule', [ALLOW_DNS], []],
    ['the seed\'s UDP-only rule next to its allow-dns policy for every pod', [ALLOW_DNS, np('backend', {
      podSelector: { matchLabels: { app: 'backend-api' } }, policyTypes: ['Egress'], egress: [{ to: KUBE_DNS, ports: [{ protocol: 'UDP', port: 53 }] }],
    })], []],
    ['a Cilium ANY port', [cnp('dns', { endpointSelector: {}, egress: [{ toEndpoints: CILIUM_KUBE_DNS, toPorts: [{ ports: [{ port: '53' }] }] }] })], []],
  ],
});

const KUBE_SYSTEM = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } };

ruleTable('dns-whole-namespace', {
  nonCompliant: [
    ['the seed\'s allow-dns: kube-system, no podSelector', [np('allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_SYSTEM], ports: DNS_BOTH }] })],
      ['allow-dns: spec.egress[0].to[0]']],
    ['an empty podSelector is every pod too, and UDP alone counts', [np('dns', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_DNS[0], { ...KUBE_SYSTEM, podSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }],
    })], ['dns: spec.egress[0].to[1]']],
    ['a range that includes 53', [np('range', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_SYSTEM], ports: [{ protocol: 'UDP', port: 50, endPort: 60 }] }] })],
      ['range: spec.egress[0].to[0]']],
    ['a Cilium toEndpoints on the namespace label only', [cnp('dns', {
      endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: CILIUM_DNS_PORTS }],
    })], ['dns: spec.egress[0].toEndpoints[0]']],
    ['a Calico destination with a namespaceSelector and no selector', [calico('NetworkPolicy', 'dns', {
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Allow', protocol: 'UDP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", ports: [53] } }],
    })], ['dns: spec.egress[0].destination']],
  ],
  compliant: [
    ['the DNS pods selected (AllowDns)', [ALLOW_DNS], []],
    ['a namespace on every port is not a DNS allowance', [np('all', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_SYSTEM] }] })], []],
    ['port 53 to an ipBlock (NodeLocal DNSCache)', [np('nodelocal', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: DNS_BOTH }],
    })], []],
    ['a Cilium rule on kube-dns pods', [cnp('dns', { endpointSelector: {}, egress: [{ toEndpoints: CILIUM_KUBE_DNS, toPorts: CILIUM_DNS_PORTS }] })], []],
    ['an ingress rule is not DNS egress', [np('in', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [KUBE_SYSTEM], ports: DNS_BOTH }] })], []],
  ],
});
