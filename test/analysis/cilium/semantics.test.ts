import { allows, ccnp, cnp } from './helpers';
import { ClusterModel, dnsEndpoint, evaluate, FlowEndpoint, ipEndpoint, podEndpoint } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// Cilium's policy semantics, pinned by truth tables (grouped matrix AND pair-by-pair evaluation) and
// single flows over hand-written cilium.io/v2 YAML. Sources: SEMANTICS.md §2, cilium/cilium
// pkg/k8s/apis/cilium.io/utils/utils.go (namespace scoping), pkg/policy/utils (rule → entry
// conversion, empty peer lists), pkg/policy/api/entity.go, pkg/policy/api/rule_validation.go.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a', 'z/c'], {
  namespaceLabels: { y: { team: 'ops' } },
  podLabels: { 'x/b': { role: 'db' }, 'x/a': { 'pod-template-hash': 'abc' } },
});
const EXTERNAL = '192.0.2.1';

/** The truth table where x/a and x/b accept nothing from other pods. */
const X_ISOLATED = `
        x/a x/b y/a z/c
   x/a  .   X   .   .
   x/b  X   .   .   .
   y/a  X   X   .   .
   z/c  X   X   .   .
`;

describe('default deny and subjects', () => {
  test('ingress: [{}] isolates: the empty rule allows nothing (the opposite of Kubernetes\' [{}])', () => {
    const policies = policiesFromYaml(cnp('x', 'deny', '{ endpointSelector: {}, ingress: [{}] }'));
    expectTruthTable(cluster, policies, 80, 'TCP', X_ISOLATED);
    expect(allows(cluster, policies, EXTERNAL, 'x/a')).toBe(false);
  });

  test('the endpointSelector of a CiliumNetworkPolicy always selects in the policy\'s own namespace (another namespace written there is replaced)', () => {
    const policies = policiesFromYaml(cnp('x', 'deny', '{ endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "y" } }, ingress: [{}] }'));
    expectTruthTable(cluster, policies, 80, 'TCP', X_ISOLATED);
  });

  test('a clusterwide endpointSelector {} selects every pod of every namespace', () => {
    expectTruthTable(cluster, policiesFromYaml(ccnp('deny', '{ endpointSelector: {}, ingress: [{}] }')), 80, 'TCP', `
          x/a x/b y/a z/c
     x/a  .   X   X   X
     x/b  X   .   X   X
     y/a  X   X   .   X
     z/c  X   X   X   .
    `);
  });

  test('labels Cilium\'s label filter keeps out of identities never match: a default deny on pod-template-hash isolates nothing', () => {
    const policies = policiesFromYaml(cnp('x', 'deny', '{ endpointSelector: { matchLabels: { pod-template-hash: abc } }, ingress: [{}] }'));
    expect(policies[0].subject.namespaces).toEqual({ kind: 'names', names: [] });
    expect(allows(cluster, policies, 'x/b', 'x/a')).toBe(true);
  });
});

describe('peer selectors and namespace scoping', () => {
  const toA = (peers: string, kind: 'cnp' | 'ccnp' = 'cnp') => policiesFromYaml(kind === 'cnp'
    ? cnp('x', 'to-a', `{ endpointSelector: { matchLabels: { pod: a } }, ingress: [{ fromEndpoints: ${peers} }] }`)
    : ccnp('to-a', `{ endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": x, pod: a } }, ingress: [{ fromEndpoints: ${peers} }] }`));

  test('fromEndpoints: [{}] in a CiliumNetworkPolicy means the pods of the policy\'s namespace', () => {
    const policies = toA('[{}]');
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a z/c
     x/a  .   .   .   .
     x/b  .   .   .   .
     y/a  X   .   .   .
     z/c  X   .   .   .
    `);
    expect(allows(cluster, policies, EXTERNAL, 'x/a')).toBe(false);
  });

  test('fromEndpoints: [{}] in a clusterwide policy means every pod, but nothing outside the cluster', () => {
    const policies = toA('[{}]', 'ccnp');
    expect(['x/b', 'y/a', 'z/c'].map((from) => allows(cluster, policies, from, 'x/a'))).toEqual([true, true, true]);
    expect(allows(cluster, policies, EXTERNAL, 'x/a')).toBe(false);
  });

  test('a selector without the namespace key stays in the policy\'s namespace; with it (k8s: prefix or none) it leaves it', () => {
    expect(['x/b', 'y/a', 'z/c'].map((from) => allows(cluster, toA('[{ matchLabels: { pod: a } }]'), from, 'x/a'))).toEqual([false, false, false]);
    const named = toA('[{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "y" } }, { matchLabels: { io.kubernetes.pod.namespace: z } }]');
    expect(['x/b', 'y/a', 'z/c'].map((from) => allows(cluster, named, from, 'x/a'))).toEqual([false, true, true]);
    const clusterwide = toA('[{ matchLabels: { pod: a } }]', 'ccnp');
    expect(['x/b', 'y/a', 'z/c'].map((from) => allows(cluster, clusterwide, from, 'x/a'))).toEqual([false, true, false]);
  });

  test('namespace labels (io.cilium.k8s.namespace.labels.*) select namespaces, and are not narrowed to the policy\'s namespace even in a CNP', () => {
    for (const policies of [toA('[{ matchLabels: { "k8s:io.cilium.k8s.namespace.labels.team": ops } }]'), toA('[{ matchLabels: { io.cilium.k8s.namespace.labels.team: ops } }]', 'ccnp')]) {
      expect(['x/b', 'y/a', 'z/c'].map((from) => allows(cluster, policies, from, 'x/a'))).toEqual([false, true, false]);
    }
  });

  test('service accounts select through io.cilium.k8s.policy.serviceaccount', () => {
    const accounts = ClusterModel.create({
      namespaces: [{ name: 'x' }],
      pods: [
        { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.1'] },
        { namespace: 'x', name: 'b', serviceAccountName: 'robot', ips: ['10.1.0.2'] },
        { namespace: 'x', name: 'c', ips: ['10.1.0.3'] },
      ],
    });
    const policies = toA('[{ matchLabels: { "k8s:io.cilium.k8s.policy.serviceaccount": robot } }]');
    expect(['x/b', 'x/c'].map((from) => allows(accounts, policies, from, 'x/a'))).toEqual([true, false]);
  });

  test('a selector with only negative requirements also matches endpoints without Kubernetes labels: the world and the nodes', () => {
    const policies = toA('[{ matchExpressions: [{ key: "k8s:io.kubernetes.pod.namespace", operator: NotIn, values: [x] }] }]', 'ccnp');
    expect(['x/b', 'y/a', 'z/c', EXTERNAL].map((from) => allows(cluster, policies, from, 'x/a'))).toEqual([false, true, true, true]);
  });

  test('a NotIn on a label Cilium filters out of identities matches every pod of the scope', () => {
    const policies = toA('[{ matchExpressions: [{ key: pod-template-hash, operator: NotIn, values: [abc] }] }]');
    expect(['x/b', 'y/a'].map((from) => allows(cluster, policies, from, 'x/a'))).toEqual([true, false]);
  });
});

describe('entities', () => {
  const nodes = ClusterModel.create({
    namespaces: [{ name: 'x' }],
    pods: [
      { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.1'], nodeName: 'n1' },
      { namespace: 'x', name: 'b', labels: { pod: 'b' }, ips: ['10.1.0.2'], nodeName: 'n2' },
      { namespace: 'x', name: 'h1', hostNetwork: true, ips: ['192.168.0.1'], nodeName: 'n1' },
      { namespace: 'x', name: 'h2', hostNetwork: true, ips: ['192.168.0.2'], nodeName: 'n2' },
    ],
  });
  const entity = (entities: string, direction: 'ingress' | 'egress' = 'ingress') => policiesFromYaml(cnp('x', 'entity',
    `{ endpointSelector: { matchLabels: { pod: a } }, ${direction}: [{ ${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: [${entities}] }] }`));
  const evaluateNodes = { nodeLocalTraffic: 'evaluate' as const };

  test('host = host-network pods on the selected pod\'s node; remote-node = those on other nodes', () => {
    expectTruthTable(nodes, entity('host'), 80, 'TCP', `
           x/a x/b x/h1 x/h2
     x/a   .   .   .    .
     x/b   X   .   .    .
     x/h1  .   .   .    .
     x/h2  X   .   .    .
    `, evaluateNodes);
    expectTruthTable(nodes, entity('remote-node'), 80, 'TCP', `
           x/a x/b x/h1 x/h2
     x/a   .   .   .    .
     x/b   X   .   .    .
     x/h1  X   .   .    .
     x/h2  .   .   .    .
    `, evaluateNodes);
    expectTruthTable(nodes, entity('remote-node', 'egress'), 80, 'TCP', `
           x/a x/b x/h1 x/h2
     x/a   .   X   X    .
     x/b   .   .   .    .
     x/h1  .   .   .    .
     x/h2  .   .   .    .
    `, evaluateNodes);
  });

  test('world = addresses outside the cluster; cluster = every pod, host-network ones included; all = both', () => {
    const sources = ['x/b', 'x/h2', EXTERNAL];
    const verdicts = (entities: string) => sources.map((from) => allows(nodes, entity(entities), from, 'x/a', 80, 'TCP', { options: evaluateNodes }));
    expect(verdicts('world')).toEqual([false, false, true]);
    expect(verdicts('cluster')).toEqual([true, true, false]);
    expect(verdicts('all')).toEqual([true, true, true]);
  });

  test('kube-apiserver, init, health, unmanaged, ingress and none have no member in the cluster model', () => {
    const sources = ['x/b', 'x/h1', 'x/h2', EXTERNAL];
    const verdicts = sources.map((from) => allows(nodes, entity('kube-apiserver, init, health, unmanaged, ingress, none'), from, 'x/a', 80, 'TCP', { options: evaluateNodes }));
    expect(verdicts).toEqual([false, false, false, false]);
  });
});

describe('CIDR rules', () => {
  const cidr = (rule: string, direction: 'ingress' | 'egress' = 'ingress') => policiesFromYaml(cnp('x', 'cidr',
    `{ endpointSelector: { matchLabels: { pod: a } }, ${direction}: [${rule}] }`));

  test('never match pods, even where ipBlocks are evaluated as matching pod IPs', () => {
    const policies = cidr('{ fromCIDR: [10.0.0.0/8] }');
    for (const ipBlockMatchesPods of [true, false]) {
      expect(['x/b', 'y/a', '10.9.9.9'].map((from) => allows(cluster, policies, from, 'x/a', 80, 'TCP', { options: { ipBlockMatchesPods } })))
        .toEqual([false, false, true]);
    }
  });

  test('except removes addresses from its own CIDR only; a bare address is a /32', () => {
    const policies = cidr('{ fromCIDRSet: [{ cidr: 10.0.0.0/8, except: [10.9.0.0/16] }, { cidr: 10.9.1.0/24 }] }, { fromCIDR: [192.0.2.7] }');
    expect(['10.8.0.1', '10.9.0.1', '10.9.1.1', '192.0.2.7', '192.0.2.8'].map((from) => allows(cluster, policies, from, 'x/a')))
      .toEqual([true, false, true, true, false]);
  });

  test('toCIDRSet on egress', () => {
    const policies = cidr('{ toCIDRSet: [{ cidr: 203.0.113.0/24 }] }', 'egress');
    expect(['203.0.113.5', '198.51.100.1', 'x/b'].map((to) => allows(cluster, policies, 'x/a', to))).toEqual([true, false, false]);
  });
});

describe('ports', () => {
  const ports = (portList: string, direction: 'ingress' | 'egress' = 'ingress') => policiesFromYaml(cnp('x', 'ports', direction === 'ingress'
    ? `{ endpointSelector: { matchLabels: { pod: a } }, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: ${portList} }] }] }`
    : `{ endpointSelector: { matchLabels: { pod: a } }, egress: [{ toPorts: [{ ports: ${portList} }] }] }`));
  const probes: [number, 'TCP' | 'UDP' | 'SCTP'][] = [[80, 'TCP'], [80, 'UDP'], [80, 'SCTP'], [81, 'TCP'], [81, 'UDP'], [82, 'TCP']];
  const verdicts = (portList: string) => probes.map(([port, protocol]) => allows(cluster, ports(portList), 'x/b', 'x/a', port, protocol));

  test('an omitted protocol and ANY mean TCP, UDP and SCTP (not TCP, unlike Kubernetes)', () => {
    expect(verdicts('[{ port: "80" }]')).toEqual([true, true, true, false, false, false]);
    expect(verdicts('[{ port: "80", protocol: ANY }]')).toEqual([true, true, true, false, false, false]);
    expect(verdicts('[{ port: "80", protocol: TCP }]')).toEqual([true, false, false, false, false, false]);
  });

  test('port "0" is every port of the protocol; endPort makes an inclusive range', () => {
    expect(verdicts('[{ port: "0", protocol: UDP }]')).toEqual([false, true, false, false, true, false]);
    expect(verdicts('[{ port: "80", endPort: 81, protocol: TCP }]')).toEqual([true, false, false, true, false, false]);
  });

  test('a named port on ingress resolves against the selected pod\'s own container ports (names are case-insensitive)', () => {
    expect(verdicts('[{ port: serve-81-tcp, protocol: TCP }]')).toEqual([false, false, false, true, false, false]);
    expect(verdicts('[{ port: SERVE-81-UDP }]')).toEqual([false, false, false, false, true, false]);
  });

  test('VRRP, IGMP and ICMP rules never allow TCP, UDP or SCTP, but still isolate', () => {
    expect(verdicts('[{ port: "0", protocol: VRRP }]')).toEqual([false, false, false, false, false, false]);
    const icmp = policiesFromYaml(cnp('x', 'icmp', '{ endpointSelector: { matchLabels: { pod: a } }, ingress: [{ icmps: [{ fields: [{ type: 8 }] }] }] }'));
    expect(allows(cluster, icmp, 'x/b', 'x/a')).toBe(false);
  });

  test('a named port on egress resolves against EVERY pod of the cluster (Cilium 1.16–1.19): it opens that number to any destination, and a name with two numbers opens nothing', () => {
    const servers = (named: Record<string, number>) => ClusterModel.create({
      namespaces: [{ name: 'x' }],
      pods: [
        { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.1'] },
        ...Object.entries(named).map(([name, port], i) => ({ namespace: 'x', name, ips: [`10.1.0.${i + 10}`], ports: [{ name: 'http', port }] })),
        { namespace: 'x', name: 'plain', ips: ['10.1.0.99'] },
        // Host-network pods and pods without an address are not in Cilium's named-port map (and a
        // pod without an address has no network at all).
        { namespace: 'x', name: 'host', ips: ['192.168.0.1'], hostNetwork: true, ports: [{ name: 'http', port: 7000 }] },
        { namespace: 'x', name: 'pending', ports: [{ name: 'http', port: 7001 }] },
      ],
    });
    const policies = ports('[{ port: http, protocol: TCP }]', 'egress');
    const agreeing = servers({ s1: 8080, s2: 8080 });
    expectTruthTable(agreeing, policies, 8080, 'TCP', `
               x/a x/host x/pending x/plain x/s1 x/s2
     x/a       .   .      X         .       .    .
     x/host    .   .      X         .       .    .
     x/pending X   X      X         X       X    X
     x/plain   .   .      X         .       .    .
     x/s1      .   .      X         .       .    .
     x/s2      .   .      X         .       .    .
    `);
    expect(allows(agreeing, policies, 'x/a', '203.0.113.9', 8080)).toBe(true);
    expect(allows(agreeing, policies, 'x/a', 'x/s1', 9090)).toBe(false);
    const conflicting = servers({ s1: 8080, s2: 9090 });
    expect(['x/s1', 'x/s2'].map((to) => allows(conflicting, policies, 'x/a', to, to === 'x/s1' ? 8080 : 9090))).toEqual([false, false]);
  });
});

describe('peers and ports combined', () => {
  const rule = (ingressRule: string, direction: 'ingress' | 'egress' = 'ingress') => policiesFromYaml(cnp('x', 'rule',
    `{ endpointSelector: { matchLabels: { pod: a } }, ${direction}: [${ingressRule}] }`));
  const from = ['x/b', 'y/a', EXTERNAL];

  test('toPorts without a peer field applies to every peer, the world included', () => {
    expect(from.map((f) => allows(cluster, rule('{ toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }'), f, 'x/a'))).toEqual([true, true, true]);
  });

  test('a peer field present as an empty list selects nothing, whatever else the rule says', () => {
    expect(from.map((f) => allows(cluster, rule('{ fromEndpoints: [], toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }'), f, 'x/a'))).toEqual([false, false, false]);
    expect(from.map((f) => allows(cluster, rule('{ fromEntities: [all], fromCIDR: [] }'), f, 'x/a'))).toEqual([false, false, false]);
  });

  test('toFQDNs matches an address reached by a matching name only (never a pod, never an address without a name); an empty toFQDNs list is not checked by Cilium, so with ports it allows every destination', () => {
    const fqdn = rule('{ toFQDNs: [{ matchName: Example.COM }, { matchPattern: "api-*.example.org" }], toPorts: [{ ports: [{ port: "443", protocol: TCP }] }] }', 'egress');
    const allowedTo = (destination: FlowEndpoint) => evaluate(cluster, fqdn, { source: podEndpoint('x', 'a'), destination, port: 443, protocol: 'TCP' }).allowed;
    expect(allows(cluster, fqdn, 'x/a', '93.184.216.34', 443)).toBe(false);
    // Cilium lower-cases names and patterns and adds the trailing dot (pkg/fqdn/matchpattern); "*" stays inside one label.
    expect(['example.com', 'EXAMPLE.com.', 'www.example.com', 'api-v1.example.org', 'api-.example.org', 'api-v1.eu.example.org', 'api.example.org']
      .map((name) => allowedTo(dnsEndpoint(name, '93.184.216.34')))).toEqual([true, true, false, true, true, false, false]);
    // A name that resolves to a pod address is that pod: toFQDNs never applies to in-cluster addresses.
    expect(allowedTo(dnsEndpoint('example.com', '10.2.0.12'))).toBe(false);
    const empty = rule('{ toFQDNs: [], toPorts: [{ ports: [{ port: "443", protocol: TCP }] }] }', 'egress');
    expect(['93.184.216.34', 'y/a'].map((to) => allows(cluster, empty, 'x/a', to, 443))).toEqual([true, true]);
  });

  test('rules.dns only routes lookups through the DNS proxy: the port is allowed like any L4 rule', () => {
    const dns = rule('{ toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "y" } }], toPorts: [{ ports: [{ port: "53", protocol: UDP }], rules: { dns: [{ matchPattern: "*" }] } }] }', 'egress');
    expect([allows(cluster, dns, 'x/a', 'y/a', 53, 'UDP'), allows(cluster, dns, 'x/a', 'y/a', 53, 'TCP')]).toEqual([true, false]);
  });
});

describe('L7 HTTP rules', () => {
  const http = policiesFromYaml(cnp('x', 'http', `
  endpointSelector: { matchLabels: { pod: a } }
  ingress:
    - fromEndpoints: [{}]
      toPorts:
        - ports: [{ port: "80", protocol: TCP }]
          rules:
            http:
              - { method: "GET|HEAD", path: /public }
              - { path: "/api/v[0-9]+/.*" }
              - { host: "shop\\\\.example\\\\.com", path: /shop }
`));
  const request = (method: string, path: string, host?: string) => allows(cluster, http, 'x/b', 'x/a', 80, 'TCP', { http: { method, path, ...(host ? { host } : {}) } });

  test('a plain L4 flow is not allowed by HTTP rules (the proxy answers 403 to every request they do not allow)', () => {
    expect(allows(cluster, http, 'x/b', 'x/a')).toBe(false);
  });

  test('method and path are RE2 regexes matching the WHOLE value, and :path includes the query string', () => {
    expect([
      request('GET', '/public'), request('HEAD', '/public'), request('get', '/public'), request('POST', '/public'),
      request('GET', '/public?a=1'), request('GET', '/public/x'), request('GET', '/publicx'),
    ]).toEqual([true, true, false, false, false, false, false]);
    expect([request('POST', '/api/v2/items'), request('GET', '/api/v2/'), request('GET', '/api/v2'), request('GET', '/api/vx/items')])
      .toEqual([true, true, false, false]);
  });

  test('host is a regex on the authority; a request without one does not match', () => {
    expect([request('GET', '/shop', 'shop.example.com'), request('GET', '/shop', 'shopXexample.com'), request('GET', '/shop')]).toEqual([true, false, false]);
  });

  test('another rule allowing the same port at L4 makes the HTTP restriction void for its peers (union)', () => {
    const both = [...http, ...policiesFromYaml(cnp('x', 'l4', '{ endpointSelector: { matchLabels: { pod: a } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: db } }], toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }] }'))];
    expect(allows(cluster, both, 'x/b', 'x/a', 80, 'TCP', { http: { method: 'DELETE', path: '/anything' } })).toBe(true);
    expect(allows(cluster, both, 'x/b', 'x/a')).toBe(true);
  });

  test('each HTTP port rule is a rule of its own, labelled with its toPorts index', () => {
    expect(http[0].ingress?.rules.map((r) => r.label)).toEqual(['ingress[0].toPorts[0]']);
  });
});

describe('deny rules', () => {
  const allowX = '{ fromEndpoints: [{}] }';
  test('ingressDeny beats an allow of the same policy, of another Cilium policy and of a Kubernetes NetworkPolicy', () => {
    const same = policiesFromYaml(cnp('x', 'p', `{ endpointSelector: { matchLabels: { pod: a } }, ingress: [${allowX}], ingressDeny: [{ fromEndpoints: [{ matchLabels: { role: db } }] }] }`));
    expect(allows(cluster, same, 'x/b', 'x/a')).toBe(false);
    const other = policiesFromYaml(`${cnp('x', 'deny', '{ endpointSelector: {}, ingressDeny: [{ fromEndpoints: [{ matchLabels: { role: db } }] }] }')}
${ccnp('allow', '{ endpointSelector: {}, ingress: [{ fromEntities: [all] }] }')}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow, namespace: x }
spec: { podSelector: {}, ingress: [{}] }
`);
    expect(['x/b', 'y/a'].map((f) => allows(cluster, other, f, 'x/a'))).toEqual([false, true]);
    const verdict = evaluate(cluster, other, { source: podEndpoint('x', 'b'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.steps[1].deniedBy).toEqual(['CiliumNetworkPolicy x/deny ingressDeny[0]']);
  });

  test('a deny-only policy isolates its pods in that direction: everything not allowed elsewhere is denied', () => {
    const policies = policiesFromYaml(cnp('x', 'deny', '{ endpointSelector: { matchLabels: { pod: a } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { role: db } }] }] }'));
    expect(['x/b', 'y/a', EXTERNAL].map((f) => allows(cluster, policies, f, 'x/a'))).toEqual([false, false, false]);
  });

  test('with enableDefaultDeny false a deny-only policy denies just its peers', () => {
    const policies = policiesFromYaml(cnp('x', 'deny',
      '{ endpointSelector: { matchLabels: { pod: a } }, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { role: db } }], toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }] }'));
    expect([allows(cluster, policies, 'x/b', 'x/a'), allows(cluster, policies, 'x/b', 'x/a', 81), allows(cluster, policies, 'y/a', 'x/a')]).toEqual([false, true, true]);
  });

  test('egressDeny to the world beats an egress allow to 0.0.0.0/0', () => {
    const policies = policiesFromYaml(cnp('x', 'p', '{ endpointSelector: { matchLabels: { pod: a } }, egress: [{ toCIDR: [0.0.0.0/0] }], egressDeny: [{ toEntities: [world] }] }'));
    expect(allows(cluster, policies, 'x/a', '203.0.113.1')).toBe(false);
  });
});

describe('enableDefaultDeny and rule directions', () => {
  test('a policy with enableDefaultDeny false adds allows without isolating: alone it changes nothing, next to an isolating policy it widens the union', () => {
    const open = cnp('x', 'open', '{ endpointSelector: { matchLabels: { pod: a } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": z } }] }] }');
    expect(['x/b', 'y/a', 'z/c'].map((f) => allows(cluster, policiesFromYaml(open), f, 'x/a'))).toEqual([true, true, true]);
    const isolating = cnp('x', 'isolating', '{ endpointSelector: { matchLabels: { pod: a } }, ingress: [{ fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "y" } }] }] }');
    expect(['x/b', 'y/a', 'z/c'].map((f) => allows(cluster, policiesFromYaml(open + isolating), f, 'x/a'))).toEqual([false, true, true]);
  });

  test('a direction without rules is not touched, whatever enableDefaultDeny says', () => {
    const policies = policiesFromYaml(cnp('x', 'p', '{ endpointSelector: { matchLabels: { pod: a } }, enableDefaultDeny: { ingress: true }, egress: [{ toEntities: [world] }] }'));
    expect(allows(cluster, policies, 'x/b', 'x/a')).toBe(true);
    expect(allows(cluster, policies, 'x/a', 'x/b')).toBe(false);
  });

  test('Cilium policies and Kubernetes NetworkPolicies add up: one endpoint, one union of allows', () => {
    const policies = policiesFromYaml(`${cnp('x', 'from-z', '{ endpointSelector: { matchLabels: { pod: a } }, ingress: [{ fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": z } }] }] }')}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-y, namespace: x }
spec: { podSelector: { matchLabels: { pod: a } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: ops } } }] }] }
`);
    expect(['x/b', 'y/a', 'z/c'].map((f) => allows(cluster, policies, f, 'x/a'))).toEqual([false, true, true]);
  });

  test('specs holds several rules, each with its own selector; labels name the item', () => {
    const policies = policiesFromYaml(`---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: two, namespace: x }
specs:
  - { endpointSelector: { matchLabels: { pod: a } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: db } }] }] }
  - { endpointSelector: { matchLabels: { role: db } }, ingress: [{}] }
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a z/c
     x/a  .   X   .   .
     x/b  .   .   .   .
     y/a  X   X   .   .
     z/c  X   X   .   .
    `);
    expect(policies.map((p) => p.ingress?.rules.map((r) => [r.label, r.peers]))).toEqual([[['specs[0].ingress[0]', expect.any(Array)]], [['specs[1].ingress[0]', []]]]);
  });
});

describe('policies Cilium does not enforce', () => {
  test('a rule without any rule list (ingress: [] counts as none) is refused by the agent although the API server stores it: not enforced, with a note', () => {
    const policies = policiesFromYaml(cnp('x', 'trap', '{ endpointSelector: {}, enableDefaultDeny: { ingress: true }, ingress: [] }'));
    expect(policies).toHaveLength(1);
    expect(policies[0].enforced).toBe(false);
    expect(policies[0].notes?.[0]).toMatch(/Valid=False.*rule must have at least one of Ingress.*ingress: \[\{\}\]/);
    expect(allows(cluster, policies, 'y/a', 'x/a')).toBe(true);
  });

  test('one rule-less item of specs makes the whole policy unenforced', () => {
    const policies = policiesFromYaml(`---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: mixed, namespace: x }
specs:
  - { endpointSelector: {}, ingress: [{}] }
  - { endpointSelector: {}, egress: [] }
`);
    expect(policies.map((p) => p.enforced)).toEqual([false]);
    expect(policies[0].notes?.[0]).toMatch(/specs\[1\] has none of ingress/);
    expect(allows(cluster, policies, 'y/a', 'x/a')).toBe(true);
  });

  test('a policy without spec and specs is not enforced', () => {
    const empty = policiesFromYaml('{ apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: { name: e, namespace: x } }');
    expect(empty.map((p) => [p.enforced, p.notes?.[0]])).toEqual([[false, expect.stringMatching(/no rules/)]]);
  });

  test('a status saying Valid=False is a note, and the spec is evaluated: status is written by the cluster, not the author', () => {
    const invalid = policiesFromYaml(`${cnp('x', 'bad', '{ endpointSelector: {}, ingress: [{}] }')}status:
  conditions: [{ type: Valid, status: "False", message: "some agent error" }]
`);
    expect(invalid.map((p) => [p.enforced, p.notes?.[0]])).toEqual([[true, expect.stringMatching(/status says Valid=False \(some agent error\): status is written by the cluster/)]]);
    // ingress: [{}] is Cilium's default deny: evaluated, it isolates x/a.
    expect(allows(cluster, invalid, 'y/a', 'x/a')).toBe(false);
    expect(allows(cluster, policiesFromYaml(cnp('x', 'bad', '{ endpointSelector: {}, ingress: [{}] }')), 'y/a', 'x/a')).toBe(false);
  });

  test('host policies (nodeSelector) are read but not evaluated', () => {
    const policies = policiesFromYaml(ccnp('host', '{ nodeSelector: {}, ingress: [{}] }'));
    expect(policies.map((p) => [p.enforced, p.notes?.[0]])).toEqual([[false, expect.stringMatching(/host policy/)]]);
  });

  test('external flows are decided by the same rules as pod flows (sanity: the world can be denied and allowed)', () => {
    const policies = policiesFromYaml(cnp('x', 'w', '{ endpointSelector: { matchLabels: { pod: a } }, ingress: [{ fromEntities: [world], toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }] }'));
    const verdict = (port: number) => evaluate(cluster, policies, { source: ipEndpoint(EXTERNAL), destination: podEndpoint('x', 'a'), port, protocol: 'TCP' }).allowed;
    expect([verdict(80), verdict(81)]).toEqual([true, false]);
  });
});
