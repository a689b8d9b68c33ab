import { ClusterModel, evaluate, parsePolicies, podEndpoint } from '../../../src/analysis';

// A selector key __proto__ or constructor used to be dropped by the readers (assigned into a plain
// object), turning `matchLabels: { __proto__: x }` into "select every pod". No pod can carry the
// key __proto__ (the API server refuses it as a label key), so such a selector selects nothing.

const cluster = ClusterModel.create({
  namespaces: [{ name: 'x' }],
  pods: [{ namespace: 'x', name: 'a', ips: ['10.0.0.1'] }, { namespace: 'x', name: 'b', ips: ['10.0.0.2'], labels: { constructor: 'c' } }],
});
const flowTo = (name: string) => ({ source: podEndpoint('x', 'a'), destination: podEndpoint('x', name), port: 80, protocol: 'TCP' as const });

const cnp = (key: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: deny, namespace: x }
spec:\n  endpointSelector: { matchLabels: { ${key}: ${key === 'constructor' ? 'c' : 'x'} } }\n  ingress: [{}]\n`;
const ap = (key: string) => `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny, namespace: x }
spec:\n  selector: { matchLabels: { ${key}: ${key === 'constructor' ? 'c' : 'x'} } }\n`;

describe.each([['a CiliumNetworkPolicy', cnp], ['an Istio AuthorizationPolicy', ap]])('%s with a selector key', (_title, policy) => {
  test('__proto__ keeps the key and selects no pod, instead of every pod', () => {
    const policies = parsePolicies({ file: 'p.yaml', text: policy('__proto__') });
    expect(evaluate(cluster, policies, flowTo('b')).allowed).toBe(true);
    expect(evaluate(cluster, policies, flowTo('a')).allowed).toBe(true);
  });

  test('constructor selects exactly the pods labelled constructor', () => {
    const policies = parsePolicies({ file: 'p.yaml', text: policy('constructor') });
    expect(evaluate(cluster, policies, flowTo('b')).allowed).toBe(false);
    expect(evaluate(cluster, policies, flowTo('a')).allowed).toBe(true);
  });
});

test('fails on a NetworkPolicy selector key __proto__, which the API server refuses as a label key', () => {
  expect(() => parsePolicies({ file: 'p.yaml', text: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np }\nspec:\n  podSelector: { matchLabels: { __proto__: x } }\n' }))
    .toThrow(/spec\.podSelector\.matchLabels\.__proto__: expected a label key/);
});
