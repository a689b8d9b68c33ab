import * as fc from 'fast-check';
import { parseCluster, parsePolicies, ReachabilityAnalyzer } from '../../../src/analysis';

// The Service path checked against an independent evaluator written from the scenario's parameters and
// Istio's documented behaviour alone (no code of src/analysis): which path a connection takes
// (pilot/pkg/serviceregistry/ambient/waypoints.go), what the CNI sees (HBONE on TCP 15008,
// istio.io docs/ambient/usage/networkpolicy), the waypoint's targetRefs policies on the Service port with
// the client's identity and the request, and the endpoint's ztunnel on the target port with the waypoint's
// identity, L4 only (istio.io docs/ambient/usage/l7-features; pilot/pkg/security/authz semantics: DENY
// first, then ALLOW; an ALLOW rule with HTTP fields matches no connection without a request, a DENY rule
// drops them). Both the exact set (serviceConnections) and the per-flow verdict (evaluateService) must agree.

type Binding = 'service' | 'namespace' | 'none-on-service' | 'unbound' | 'not-ready' | 'workload-only';
type Client = 'frontend' | 'other' | 'plain';
interface Rule { action: 'ALLOW' | 'DENY'; principal?: 'frontend' | 'other'; port?: 'service' | 'target'; method?: 'GET' | 'POST' }
interface Scenario {
  binding: Binding;
  servicePort: 80 | 8080;
  namedTarget: boolean;
  client: Client;
  waypointRules: Rule[];
  ztunnel?: { principal?: 'waypoint' | 'frontend'; port?: 'service' | 'target' };
  clientEgress?: number[];
  backendIngressFrom?: 'waypoint' | 'frontend';
}

const TARGET = 8080;

const rule = fc.record({
  action: fc.constantFrom<'ALLOW' | 'DENY'>('ALLOW', 'DENY'),
  principal: fc.option(fc.constantFrom<'frontend' | 'other'>('frontend', 'other'), { nil: undefined }),
  port: fc.option(fc.constantFrom<'service' | 'target'>('service', 'target'), { nil: undefined }),
  method: fc.option(fc.constantFrom<'GET' | 'POST'>('GET', 'POST'), { nil: undefined }),
}, { requiredKeys: ['action'] });

const scenario: fc.Arbitrary<Scenario> = fc.record({
  binding: fc.constantFrom<Binding>('service', 'namespace', 'none-on-service', 'unbound', 'not-ready', 'workload-only'),
  servicePort: fc.constantFrom<80 | 8080>(80, 8080),
  namedTarget: fc.boolean(),
  client: fc.constantFrom<Client>('frontend', 'other', 'plain'),
  waypointRules: fc.array(rule, { maxLength: 3 }),
  ztunnel: fc.option(fc.record({
    principal: fc.option(fc.constantFrom<'waypoint' | 'frontend'>('waypoint', 'frontend'), { nil: undefined }),
    port: fc.option(fc.constantFrom<'service' | 'target'>('service', 'target'), { nil: undefined }),
  }, { requiredKeys: [] }), { nil: undefined }),
  clientEgress: fc.option(fc.subarray([15008, 8080, 80], { minLength: 1 }), { nil: undefined }),
  backendIngressFrom: fc.option(fc.constantFrom<'waypoint' | 'frontend'>('waypoint', 'frontend'), { nil: undefined }),
}, { requiredKeys: ['binding', 'servicePort', 'namedTarget', 'client', 'waypointRules'] });

function clusterYaml(s: Scenario): string {
  const ambient = 'annotations: { ambient.istio.io/redirection: enabled }';
  const nsLabel = s.binding === 'namespace' || s.binding === 'none-on-service' ? ', labels: { istio.io/use-waypoint: waypoint }' : '';
  const svcLabel = s.binding === 'none-on-service' ? 'none' : s.binding === 'unbound' || s.binding === 'namespace' ? undefined : 'waypoint';
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: { name: prod${nsLabel} }`,
    `apiVersion: v1\nkind: Pod\nmetadata: { name: frontend, namespace: prod, labels: { app: frontend }, ${ambient} }\nspec: { serviceAccountName: frontend, containers: [{ name: c }] }\nstatus: { podIP: 10.0.0.1 }`,
    `apiVersion: v1\nkind: Pod\nmetadata: { name: other, namespace: prod, labels: { app: other }, ${ambient} }\nspec: { serviceAccountName: other, containers: [{ name: c }] }\nstatus: { podIP: 10.0.0.2 }`,
    'apiVersion: v1\nkind: Pod\nmetadata: { name: plain, namespace: prod, labels: { app: plain } }\nspec: { serviceAccountName: plain, containers: [{ name: c }] }\nstatus: { podIP: 10.0.0.3 }',
    `apiVersion: v1\nkind: Pod\nmetadata: { name: backend, namespace: prod, labels: { app: backend }, ${ambient} }\n`
      + `spec: { serviceAccountName: backend, containers: [{ name: c, ports: [{ name: http, containerPort: ${TARGET} }] }] }\nstatus: { podIP: 10.0.0.4 }`,
    'apiVersion: v1\nkind: Pod\nmetadata: { name: waypoint-a, namespace: prod, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }\n'
      + 'spec: { serviceAccountName: waypoint, containers: [{ name: istio-proxy }] }\nstatus: { podIP: 10.0.0.9 }',
    `apiVersion: v1\nkind: Service\nmetadata: { name: backend, namespace: prod${svcLabel ? `, labels: { istio.io/use-waypoint: ${svcLabel} }` : ''} }\n`
      + `spec: { selector: { app: backend }, ports: [{ port: ${s.servicePort}, targetPort: ${s.namedTarget ? 'http' : TARGET} }] }`,
    `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: waypoint, namespace: prod, labels: { istio.io/waypoint-for: ${s.binding === 'workload-only' ? 'workload' : 'service'} } }\n`
      + `spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }${s.binding === 'not-ready' ? '' : '\nstatus: { addresses: [{ value: 10.96.0.9 }] }'}`,
  ].join('\n---\n');
}

function portOf(s: Scenario, which: 'service' | 'target'): number {
  return which === 'service' ? s.servicePort : TARGET;
}

function policyYaml(s: Scenario): string {
  const docs = s.waypointRules.map((r, i) => {
    const from = r.principal ? `from: [{ source: { principals: [cluster.local/ns/prod/sa/${r.principal}] } }]` : '';
    const op = [r.port ? `ports: ["${portOf(s, r.port)}"]` : '', r.method ? `methods: [${r.method}]` : ''].filter(Boolean).join(', ');
    const to = op ? `to: [{ operation: { ${op} } }]` : '';
    const body = [from, to].filter(Boolean).join(', ');
    return `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: wp-${i}, namespace: prod }\n`
      + `spec: { action: ${r.action}, targetRefs: [{ kind: Service, group: "", name: backend }], rules: [{ ${body} }] }`;
  });
  if (s.ztunnel) {
    const from = s.ztunnel.principal ? `from: [{ source: { principals: [cluster.local/ns/prod/sa/${s.ztunnel.principal}] } }]` : '';
    const to = s.ztunnel.port ? `to: [{ operation: { ports: ["${portOf(s, s.ztunnel.port)}"] } }]` : '';
    docs.push('apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: zt, namespace: prod }\n'
      + `spec: { selector: { matchLabels: { app: backend } }, rules: [{ ${[from, to].filter(Boolean).join(', ')} }] }`);
  }
  if (s.clientEgress) {
    const app = s.client === 'plain' ? 'plain' : s.client;
    docs.push('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: egress, namespace: prod }\n'
      + `spec: { podSelector: { matchLabels: { app: ${app} } }, policyTypes: [Egress], egress: [{ ports: [${s.clientEgress.map((p) => `{ port: ${p} }`).join(', ')}] }] }`);
  }
  if (s.backendIngressFrom) {
    const peer = s.backendIngressFrom === 'waypoint' ? '{ gateway.networking.k8s.io/gateway-name: waypoint }' : '{ app: frontend }';
    docs.push('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: ingress, namespace: prod }\n'
      + `spec: { podSelector: { matchLabels: { app: backend } }, ingress: [{ from: [{ podSelector: { matchLabels: ${peer} } }] }] }`);
  }
  return docs.join('\n---\n');
}

/** Istio's decision for rules [action, principal?, port?, method?] on one connection (identity undefined: plaintext). */
function istioAllows(rules: readonly Rule[], identity: string | undefined, port: number, method: string | undefined, s: Scenario): boolean {
  const matches = (r: Rule) => (r.principal === undefined || r.principal === identity)
    && (r.port === undefined || portOf(s, r.port) === port)
    // Without a request an ALLOW rule with a method matches nothing; a DENY rule drops the method.
    && (r.method === undefined || (method === undefined ? r.action === 'DENY' : r.method === method));
  if (rules.some((r) => r.action === 'DENY' && matches(r))) return false;
  const allows = rules.filter((r) => r.action === 'ALLOW');
  return allows.length === 0 || allows.some(matches);
}

/** The oracle: is a connection from the client to the Service port, carrying `method` (or no request), admitted by the endpoint? */
function oracle(s: Scenario, method: string | undefined): boolean {
  const bound = s.binding === 'service' || s.binding === 'namespace';
  const clientAmbient = s.client !== 'plain';
  const viaWaypoint = bound && clientAmbient;
  const clientIdentity = clientAmbient ? s.client : undefined;
  const egressAllows = (port: number) => s.clientEgress === undefined || s.clientEgress.includes(port);
  const ingressAllows = (peer: 'waypoint' | Client) => s.backendIngressFrom === undefined || s.backendIngressFrom === peer;
  const ztunnelRules: Rule[] = s.ztunnel ? [{ action: 'ALLOW', ...(s.ztunnel.principal ? { principal: s.ztunnel.principal as 'frontend' } : {}), ...(s.ztunnel.port ? { port: s.ztunnel.port } : {}) }] : [];
  if (viaWaypoint) {
    return egressAllows(15008)
      && istioAllows(s.waypointRules, clientIdentity, s.servicePort, method, s)
      && ingressAllows('waypoint')
      && istioAllows(ztunnelRules, 'waypoint', TARGET, undefined, s);
  }
  // Directly to the pod: HBONE (15008) from an ambient client, the target port otherwise; ztunnel L4 with the client's identity.
  return egressAllows(clientAmbient ? 15008 : TARGET) && ingressAllows(s.client) && istioAllows(ztunnelRules, clientIdentity, TARGET, undefined, s);
}

describe('Service-addressed connections agree with an independent evaluator of the documented hops', () => {
  test('on random bindings, waypoint policies, ztunnel policies and NetworkPolicies', () => {
    fc.assert(fc.property(scenario, (s) => {
      const cluster = parseCluster({ file: 'c.yaml', text: clusterYaml(s) });
      const text = policyYaml(s);
      const analyzer = new ReachabilityAnalyzer(cluster, text ? parsePolicies({ file: 'p.yaml', text }) : []);
      const client = cluster.findPod('prod', s.client)!;
      const service = cluster.findService('prod', 'backend')!;
      const exact = analyzer.serviceConnections(client, service);
      for (const method of [undefined, 'GET', 'POST', 'PUT']) {
        const request = method === undefined ? undefined : { method, path: '/' };
        const expected = oracle(s, method);
        expect([method, exact.every.contains(s.servicePort, 'TCP', request)]).toEqual([method, expected]);
        expect([method, analyzer.evaluateService({ kind: 'pod', namespace: 'prod', name: s.client }, 'prod', 'backend', s.servicePort, 'TCP', request).allowed]).toEqual([method, expected]);
      }
      // Nothing on a port the Service does not have.
      expect(exact.some.contains(s.servicePort === 80 ? 8080 : 80, 'TCP')).toBe(false);
    }), { numRuns: 300 });
  });
});
