import { ccnp, cnp, ruleTable } from './support';

const WEB = { matchLabels: { app: 'web' } };
const KUBE_DNS = [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }];
const DNS_PROXY = { toEndpoints: KUBE_DNS, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }] };
const FQDN = { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };

ruleTable('cilium-ruleless-policy', {
  nonCompliant: [
    ['no rule lists at all', [cnp('a', { endpointSelector: {} })], ['a: spec']],
    ['empty lists and null', [cnp('b', { endpointSelector: {}, ingress: [], egress: null })], ['b: spec']],
    ['only enableDefaultDeny', [cnp('c', { endpointSelector: {}, enableDefaultDeny: { ingress: true } })], ['c: spec']],
    ['one rule-less entry of specs', [cnp('d', undefined, { specs: [{ endpointSelector: {}, ingress: [{}] }, { endpointSelector: WEB }] })], ['d: specs[1]']],
    ['neither spec nor specs', [cnp('e', undefined)], ['e: spec']],
    ['a clusterwide policy', [ccnp('f', { endpointSelector: {} })], ['f: spec']],
  ],
  compliant: [
    ['the default-deny form ingress: [{}]', [cnp('a', { endpointSelector: {}, ingress: [{}] })], []],
    ['a deny-only policy', [cnp('b', { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] })], []],
    ['specs whose entries all have rules', [cnp('c', undefined, { specs: [{ endpointSelector: {}, egress: [{}] }] })], []],
  ],
});

ruleTable('cilium-fqdn-without-dns-proxy', {
  nonCompliant: [
    ['toFQDNs and no DNS rule anywhere', [cnp('a', { endpointSelector: WEB, egress: [FQDN] })], ['a: spec.egress[0].toFQDNs']],
    ['a DNS allowance without rules.dns', [cnp('b', { endpointSelector: WEB, egress: [{ toEndpoints: KUBE_DNS, toPorts: DNS_PROXY.toPorts.map(({ ports }) => ({ ports })) }, FQDN] })],
      ['b: spec.egress[1].toFQDNs']],
    ['a DNS rule for other pods', [cnp('c', { endpointSelector: WEB, egress: [FQDN] }), cnp('dns', { endpointSelector: { matchLabels: { app: 'other' } }, egress: [DNS_PROXY] })],
      ['c: spec.egress[0].toFQDNs']],
    ['a DNS rule in another namespace', [cnp('d', { endpointSelector: WEB, egress: [FQDN] }), cnp('dns', { endpointSelector: {}, egress: [DNS_PROXY] }, {}, 'other')],
      ['d: spec.egress[0].toFQDNs']],
  ],
  compliant: [
    ['the DNS rule in the same policy', [cnp('a', { endpointSelector: WEB, egress: [DNS_PROXY, FQDN] })], []],
    ['a DNS rule for every pod of the namespace', [cnp('a', { endpointSelector: WEB, egress: [FQDN] }), cnp('dns', { endpointSelector: {}, egress: [DNS_PROXY] })], []],
    ['a clusterwide DNS rule', [cnp('a', { endpointSelector: WEB, egress: [FQDN] }), ccnp('dns', { endpointSelector: {}, egress: [DNS_PROXY] })], []],
    ['no toFQDNs', [cnp('a', { endpointSelector: WEB, egress: [{ toEntities: ['world'] }] })], []],
  ],
});

ruleTable('cilium-port-without-protocol', {
  nonCompliant: [
    ['an ingress port without protocol', [cnp('a', { endpointSelector: WEB, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '8080' }] }] }] })],
      ['a: spec.ingress[0].toPorts[0].ports[0].protocol']],
    ['the second port of an egress deny rule', [cnp('b', { endpointSelector: WEB, egressDeny: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }, { port: '23' }] }] }] })],
      ['b: spec.egressDeny[0].toPorts[0].ports[1].protocol']],
  ],
  compliant: [
    ['explicit protocols, ANY included', [cnp('a', { endpointSelector: WEB, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '53', protocol: 'ANY' }] }] }] })], []],
  ],
});

ruleTable('cilium-l7-requires-tcp', {
  nonCompliant: [
    ['HTTP rules on a port without protocol (ANY)', [cnp('a', { endpointSelector: WEB, ingress: [{ toPorts: [{ ports: [{ port: '8080' }], rules: { http: [{ method: 'GET' }] } }] }] })],
      ['a: spec.ingress[0].toPorts[0].ports']],
    ['HTTP rules on a UDP port next to a TCP one', [cnp('b', {
      endpointSelector: WEB,
      egress: [{
        toPorts: [{
          ports: [{ port: '80', protocol: 'TCP' }, { port: '80', protocol: 'UDP' }], rules: { http: [{ path: '/' }] },
        }],
      }],
    })], ['b: spec.egress[0].toPorts[0].ports']],
  ],
  compliant: [
    ['HTTP rules on TCP ports', [cnp('a', { endpointSelector: WEB, ingress: [{ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] })], []],
    ['DNS rules on UDP (not L7 HTTP)', [cnp('b', { endpointSelector: WEB, egress: [DNS_PROXY] })], []],
  ],
});

ruleTable('cilium-clusterwide-selects-all', {
  nonCompliant: [
    ['an empty endpointSelector', [ccnp('a', { endpointSelector: {}, ingress: [{}] })], ['a: spec.endpointSelector']],
    ['an endpointSelector with empty lists', [ccnp('b', { endpointSelector: { matchLabels: {}, matchExpressions: [] }, egress: [{}] })], ['b: spec.endpointSelector']],
  ],
  compliant: [
    ['system namespaces excluded', [ccnp('a', { endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] }, ingress: [{}] })], []],
    ['one namespace named', [ccnp('b', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'prod' } }, ingress: [{}] })], []],
    ['a host policy (nodeSelector)', [ccnp('c', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })], []],
    ['a namespaced policy with an empty selector', [cnp('d', { endpointSelector: {}, ingress: [{}] })], []],
  ],
});

ruleTable('cilium-deny-only-isolates', {
  nonCompliant: [
    ['ingressDeny only', [cnp('a', { endpointSelector: WEB, ingressDeny: [{ fromEntities: ['world'] }] })], ['a: spec.ingressDeny']],
    ['egressDeny next to ingress allows', [cnp('b', { endpointSelector: WEB, ingress: [{ fromEndpoints: [{}] }], egressDeny: [{ toEntities: ['world'] }] })], ['b: spec.egressDeny']],
  ],
  compliant: [
    ['enableDefaultDeny false for the direction', [cnp('a', { endpointSelector: WEB, ingressDeny: [{ fromEntities: ['world'] }], enableDefaultDeny: { ingress: false } })], []],
    ['enableDefaultDeny true: the isolation is explicit', [cnp('b', { endpointSelector: WEB, ingressDeny: [{ fromEntities: ['world'] }], enableDefaultDeny: { ingress: true } })], []],
    ['allows and denies together', [cnp('c', { endpointSelector: WEB, ingress: [{ fromEndpoints: [{}] }], ingressDeny: [{ fromEntities: ['world'] }] })], []],
  ],
});

ruleTable('cilium-mutual-auth-deprecated', {
  nonCompliant: [
    ['authentication on an ingress rule', [cnp('a', { endpointSelector: WEB, ingress: [{ fromEndpoints: [{}], authentication: { mode: 'required' } }] })], ['a: spec.ingress[0].authentication']],
  ],
  compliant: [
    ['no authentication', [cnp('a', { endpointSelector: WEB, ingress: [{ fromEndpoints: [{}] }] })], []],
  ],
});
