import { AnalysisInputError, evaluate, ipEndpoint, podEndpoint, ReachabilityAnalyzer } from '../../../src/analysis';
import { policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a']);
const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "y" } } }]
    ports: [{ port: 5432 }]
  - from: [{ podSelector: { matchLabels: { pod: b } } }]
  - from: [{ namespaceSelector: {} }]
    ports: [{ port: 5432 }]
`);
const analyzer = new ReachabilityAnalyzer(cluster, policies);

describe('explanations', () => {
  test('a denied flow names the isolating policies, the flow, and the rules that matched only half of it', () => {
    const verdict = analyzer.evaluate({ source: podEndpoint('y', 'a'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.allowed).toBe(false);
    expect(verdict.explanation).toEqual([
      'DENIED: pod y/a -> pod x/a on 80/TCP over IPv4',
      '  egress at pod y/a: not isolated: no policy selects pod y/a for egress',
      '  ingress at pod x/a: isolated by NetworkPolicy x/deny-all, NetworkPolicy x/web; no rule allowed port 80/TCP from pod y/a'
        + ' (NetworkPolicy x/web ingress[0] allows pod y/a but not 80/TCP; NetworkPolicy x/web ingress[1] allows 80/TCP but not pod y/a;'
        + ' NetworkPolicy x/web ingress[2] allows pod y/a but not 80/TCP)',
    ].join('\n'));
  });

  test('an allowed flow lists every rule that allows it, in evaluation order', () => {
    const verdict = analyzer.evaluate({ source: podEndpoint('y', 'a'), destination: podEndpoint('x', 'a'), port: 5432, protocol: 'TCP' });
    const ingress = verdict.steps[1];
    expect(verdict.allowed).toBe(true);
    expect(ingress).toMatchObject({
      layer: 'network',
      direction: 'ingress',
      endpoint: 'pod x/a',
      applies: true,
      isolated: true,
      selectedBy: ['NetworkPolicy x/deny-all', 'NetworkPolicy x/web'],
      isolatedBy: ['NetworkPolicy x/deny-all', 'NetworkPolicy x/web'],
      decidedBy: 'NetworkPolicy x/web ingress[0]',
      allowedBy: ['NetworkPolicy x/web ingress[0]', 'NetworkPolicy x/web ingress[2]'],
      deniedBy: [],
      reason: 'allowed by NetworkPolicy x/web ingress[0], NetworkPolicy x/web ingress[2]',
    });
  });

  test('the rule trace says which condition of each rule matched', () => {
    const verdict = analyzer.evaluate({ source: podEndpoint('x', 'b'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.steps[1].rules.map((rule) => [rule.rule, rule.peerMatched, rule.portMatched, rule.matched])).toEqual([
      ['NetworkPolicy x/web ingress[0]', false, false, false],
      ['NetworkPolicy x/web ingress[1]', true, true, true],
      ['NetworkPolicy x/web ingress[2]', true, false, false],
    ]);
  });

  test('an egress denial says where the flow was going and that the other end would have allowed it', () => {
    const verdict = analyzer.evaluate({ source: podEndpoint('x', 'b'), destination: podEndpoint('x', 'a'), port: 5432, protocol: 'TCP' });
    expect(verdict.allowed).toBe(false);
    expect(verdict.steps[0].reason).toBe('isolated by NetworkPolicy x/deny-all; no rule allowed port 5432/TCP to pod x/a');
    expect(verdict.steps[1].allowed).toBe(true);
  });

  test('an external endpoint has no policies of its own', () => {
    const verdict = analyzer.evaluate({ source: ipEndpoint('203.0.113.1'), destination: podEndpoint('y', 'a'), port: 443, protocol: 'TCP' });
    expect(verdict.allowed).toBe(true);
    expect(verdict.source).toBe('203.0.113.1');
    expect(verdict.steps[0]).toMatchObject({ applies: false, reason: '203.0.113.1 is outside the cluster model; no egress policy applies there' });
    expect(verdict.steps[1].reason).toBe('not isolated: no policy selects pod y/a for ingress');
  });

  test('an IP that belongs to a pod of the model is evaluated as that pod, and the explanation says so', () => {
    const verdict = analyzer.evaluate({ source: ipEndpoint('10.1.0.11'), destination: podEndpoint('y', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.allowed).toBe(false);
    expect(verdict.source).toBe('pod x/b');
    expect(verdict.notes).toEqual(['10.1.0.11 is the IP of pod x/b']);
    expect(verdict.explanation).toContain('note: 10.1.0.11 is the IP of pod x/b');
  });

  test('a self connection explains that it is always allowed and what the policies alone would do', () => {
    const verdict = analyzer.evaluate({ source: podEndpoint('x', 'a'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.allowed).toBe(true);
    expect(verdict.explanation.split('\n').slice(0, 2)).toEqual([
      'ALLOWED: pod x/a -> pod x/a on 80/TCP over IPv4',
      '  always allowed: a pod can always reach itself',
    ]);
  });

  test.each([
    ['an unknown pod', { source: podEndpoint('x', 'nope'), destination: podEndpoint('x', 'a') }, 'source: unknown pod x/nope (pods in x: a, b)'],
    ['a pod in an unknown namespace', { source: podEndpoint('x', 'a'), destination: podEndpoint('q', 'a') }, 'destination: unknown pod q/a (the cluster model has no pods in namespace q)'],
    ['an invalid IP', { source: ipEndpoint('10.0.0.300'), destination: podEndpoint('x', 'a') }, 'source: expected an IPv4 address with four parts from 0 to 255, got "10.0.0.300"'],
  ])('rejects a flow with %s', (_title, ends, message) => {
    const attempt = () => evaluate(cluster, policies, { ...ends, port: 80, protocol: 'TCP' });
    expect(attempt).toThrow(AnalysisInputError);
    expect(attempt).toThrow(message);
  });

  test('rejects a port outside 1-65535 and a lower-case protocol', () => {
    const flow = { source: podEndpoint('x', 'a'), destination: podEndpoint('x', 'b') };
    expect(() => analyzer.evaluate({ ...flow, port: 0, protocol: 'TCP' })).toThrow('port: expected an integer from 1 to 65535, got 0');
    expect(() => analyzer.evaluate({ ...flow, port: 80, protocol: 'tcp' as never })).toThrow('protocol: expected one of TCP, UDP, SCTP, got "tcp"');
  });

  test('rejects an address family that contradicts an IP endpoint', () => {
    expect(() => analyzer.evaluate({ source: podEndpoint('x', 'a'), destination: ipEndpoint('2001:db8::1'), port: 80, protocol: 'TCP', ipFamily: 'IPv4' }))
      .toThrow('ipFamily: IPv4 was requested, but 2001:db8::1 is an IPv6 address');
  });
});
