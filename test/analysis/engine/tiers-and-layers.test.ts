import { ClusterModel, evaluate, ipEndpoint, podEndpoint, PolicyTier, ReachabilityAnalyzer } from '../../../src/analysis';
import { expectTruthTable } from '../support/fixtures';
import { irPolicy, labelIs, podsIn, podsPeer, rule, rules } from '../support/ir-builders';

// The IR's ordered, tiered evaluation that Cilium, Calico and Istio translators will target, driven
// with hand-built policies. Every table is checked grouped and pair by pair.

const cluster = ClusterModel.create({
  pods: [
    { namespace: 'x', name: 'server', labels: { app: 'server' }, ips: ['10.0.0.1'] },
    { namespace: 'x', name: 'good', labels: { app: 'good' }, ips: ['10.0.0.2'] },
    { namespace: 'x', name: 'bad', labels: { app: 'bad' }, ips: ['10.0.0.3'] },
  ],
});
const server = podsIn('x', labelIs('app', 'server'));
const fromApp = (app: string) => podsPeer(podsIn('x', labelIs('app', app)));
const denyTier: PolicyTier = { name: 'deny', order: 0, defaultAction: 'pass' };
const allowTier: PolicyTier = { name: 'allow', order: 1, defaultAction: 'deny' };

function sourcesReachingServer(policies: Parameters<typeof evaluate>[1]): string[] {
  const analyzer = new ReachabilityAnalyzer(cluster, policies);
  const sources = ['good', 'bad'].filter((name) => analyzer.evaluate({ source: podEndpoint('x', name), destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' }).allowed);
  return sources;
}

describe('tiers, actions and layers', () => {
  test('a deny in an earlier tier beats an allow in a later one (Cilium deny policies)', () => {
    const policies = [
      irPolicy({ name: 'deny-bad', namespace: 'x', tier: denyTier, subject: server, ingress: rules([rule('deny', { peers: [fromApp('bad')] })], false) }),
      irPolicy({ name: 'allow-all', namespace: 'x', tier: allowTier, subject: server, ingress: rules([rule('allow')]) }),
    ];
    expect(sourcesReachingServer(policies)).toEqual(['good']);
    const verdict = evaluate(cluster, policies, { source: podEndpoint('x', 'bad'), destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' });
    expect(verdict.steps[1]).toMatchObject({ allowed: false, decidedBy: 'TestPolicy x/deny-bad rules[0]', deniedBy: ['TestPolicy x/deny-bad rules[0]'], reason: 'denied by TestPolicy x/deny-bad rules[0]' });
    expectTruthTable(cluster, policies, 80, 'TCP', `
               x/bad x/good x/server
      x/bad     .     .      X
      x/good    .     .      .
      x/server  .     .      .
    `);
  });

  test('a deny-only policy that does not isolate leaves other traffic open', () => {
    const policies = [
      irPolicy({ name: 'deny-bad', namespace: 'x', tier: denyTier, subject: server, ingress: rules([rule('deny', { peers: [fromApp('bad')] })], false) }),
    ];
    expect(sourcesReachingServer(policies)).toEqual(['good']);
    const verdict = evaluate(cluster, policies, { source: podEndpoint('x', 'good'), destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' });
    expect(verdict.steps[1].reason).toBe('not isolated: selected by TestPolicy x/deny-bad, none of which isolates it for ingress; no rule denied port 80/TCP from pod x/good');
  });

  test('the first matching rule decides inside a tier, ordered by policy order', () => {
    const calico: PolicyTier = { name: 'default', order: 100, defaultAction: 'deny' };
    const policies = [
      irPolicy({ name: 'late-allow', namespace: 'x', tier: calico, order: 200, subject: server, ingress: rules([rule('allow')]) }),
      irPolicy({ name: 'early-deny', namespace: 'x', tier: calico, order: 10, subject: server, ingress: rules([rule('deny', { peers: [fromApp('good')] })]) }),
      irPolicy({ name: 'unordered-allow', namespace: 'x', tier: calico, subject: server, ingress: rules([rule('allow', { peers: [fromApp('good')] })]) }),
    ];
    expect(sourcesReachingServer(policies)).toEqual(['bad']);
    const verdict = evaluate(cluster, policies, { source: podEndpoint('x', 'bad'), destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' });
    expect(verdict.steps[1].allowedBy).toEqual(['TestPolicy x/late-allow rules[0]']);
  });

  test('pass skips the rest of its tier and hands the flow to the next tier', () => {
    const platform: PolicyTier = { name: 'platform', order: 1, defaultAction: 'deny' };
    const app: PolicyTier = { name: 'app', order: 2, defaultAction: 'deny' };
    const policies = [
      irPolicy({ name: 'pass-good', namespace: 'x', tier: platform, order: 1, subject: server, ingress: rules([rule('pass', { peers: [fromApp('good')] }), rule('allow', { peers: [fromApp('good')] }, 'rules[1]')]) }),
      irPolicy({ name: 'platform-allow', namespace: 'x', tier: platform, order: 2, subject: server, ingress: rules([rule('allow', { peers: [fromApp('good')] })]) }),
      irPolicy({ name: 'app-deny-good', namespace: 'x', tier: app, subject: server, ingress: rules([rule('deny', { peers: [fromApp('good')] }), rule('allow', {}, 'rules[1]')]) }),
    ];
    expect(sourcesReachingServer(policies)).toEqual([]);
    expectTruthTable(cluster, policies, 80, 'TCP', `
               x/bad x/good x/server
      x/bad     .     .      X
      x/good    .     .      X
      x/server  .     .      .
    `);
  });

  test('a tier whose default action is pass lets unmatched flows on to the next tier', () => {
    const first: PolicyTier = { name: 'first', order: 1, defaultAction: 'pass' };
    const policies = [
      irPolicy({ name: 'deny-bad', namespace: 'x', tier: first, subject: server, ingress: rules([rule('deny', { peers: [fromApp('bad')] })]) }),
      irPolicy({ name: 'allow-good', namespace: 'x', tier: allowTier, subject: server, ingress: rules([rule('allow', { peers: [fromApp('good')] })]) }),
    ];
    expect(sourcesReachingServer(policies)).toEqual(['good']);
  });

  test('log rules record a match without deciding', () => {
    const policies = [
      irPolicy({ name: 'log-then-allow', namespace: 'x', subject: server, ingress: rules([rule('log'), rule('allow', { peers: [fromApp('good')] }, 'rules[1]')]) }),
    ];
    expect(sourcesReachingServer(policies)).toEqual(['good']);
  });

  test('staged (not enforced) policies change nothing', () => {
    const policies = [irPolicy({ name: 'staged-deny', namespace: 'x', enforced: false, subject: server, ingress: rules([]) })];
    expect(sourcesReachingServer(policies)).toEqual(['good', 'bad']);
  });

  test('a mesh layer can deny what the network layer allows, and the flow needs both', () => {
    const policies = [
      irPolicy({
        name: 'allow-good',
        namespace: 'x',
        kind: 'AuthorizationPolicy',
        layer: 'mesh',
        tier: { name: 'istio-allow', order: 2, defaultAction: 'deny' },
        subject: server,
        ingress: rules([rule('allow', { peers: [fromApp('good')] })]),
      }),
    ];
    expect(sourcesReachingServer(policies)).toEqual(['good']);
    const verdict = evaluate(cluster, policies, { source: podEndpoint('x', 'bad'), destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' });
    expect(verdict.steps.map((step) => `${step.layer} ${step.direction} ${step.allowed}`)).toEqual([
      'network egress true', 'network ingress true', 'mesh egress true', 'mesh ingress false',
    ]);
    expect(verdict.explanation).toContain('[mesh] ingress at pod x/server: isolated by AuthorizationPolicy x/allow-good');
  });

  test('identity peers match only mutually authenticated flows', () => {
    const policies = [
      irPolicy({ name: 'allow-good-identity', namespace: 'x', subject: server, ingress: rules([rule('allow', { peers: [podsPeer(podsIn('x', labelIs('app', 'good')), true)] })]) }),
    ];
    const flow = { source: podEndpoint('x', 'good'), destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' as const };
    expect(evaluate(cluster, policies, flow).allowed).toBe(false);
    expect(evaluate(cluster, policies, { ...flow, mesh: { mtls: true } }).allowed).toBe(true);
  });

  test('HTTP conditions match method and path, and decide plain flows by nonHttpFlows', () => {
    const http = [{ methods: ['GET'], path: { kind: 'prefix' as const, value: '/api/' } }];
    const allowGet = [irPolicy({ name: 'get-api', namespace: 'x', subject: server, ingress: rules([rule('allow', { http })]) })];
    const flow = { source: podEndpoint('x', 'good'), destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' as const };
    expect(evaluate(cluster, allowGet, { ...flow, http: { method: 'GET', path: '/api/v1' } }).allowed).toBe(true);
    // Methods compare case-sensitively, as Envoy compares :method.
    expect(evaluate(cluster, allowGet, { ...flow, http: { method: 'get', path: '/api/v1' } }).allowed).toBe(false);
    expect(evaluate(cluster, allowGet, { ...flow, http: { method: 'POST', path: '/api/v1' } }).allowed).toBe(false);
    expect(evaluate(cluster, allowGet, { ...flow, http: { method: 'GET', path: '/admin' } }).allowed).toBe(false);
    expect(evaluate(cluster, allowGet, flow).allowed).toBe(false);

    const regex = [irPolicy({ name: 'regex', namespace: 'x', subject: server, ingress: rules([rule('allow', { http: [{ path: { kind: 'regex', value: '/public' } }] })]) })];
    expect(evaluate(cluster, regex, { ...flow, http: { method: 'GET', path: '/public' } }).allowed).toBe(true);
    expect(evaluate(cluster, regex, { ...flow, http: { method: 'GET', path: '/public/x' } }).allowed).toBe(false);

    const denyPlain = [
      irPolicy({ name: 'deny-http', namespace: 'x', tier: denyTier, subject: server, ingress: rules([rule('deny', { http, nonHttpFlows: 'match' })], false) }),
    ];
    expect(evaluate(cluster, denyPlain, flow).allowed).toBe(false);
    expect(evaluate(cluster, denyPlain, { ...flow, http: { method: 'GET', path: '/other' } }).allowed).toBe(true);
    expectTruthTable(cluster, denyPlain, 80, 'TCP', `
               x/bad x/good x/server
      x/bad     .     .      X
      x/good    .     .      X
      x/server  .     .      .
    `);
  });

  test('entities tell pods of the model from the world outside it', () => {
    const policies = [
      irPolicy({ name: 'world-only', namespace: 'x', subject: server, ingress: rules([rule('allow', { peers: [{ kind: 'entity', entity: 'world' }] })]) }),
      irPolicy({ name: 'cluster-egress', namespace: 'x', subject: server, egress: rules([rule('allow', { peers: [{ kind: 'entity', entity: 'cluster' }] })]) }),
    ];
    const into = (source: ReturnType<typeof podEndpoint>) => evaluate(cluster, policies, { source, destination: podEndpoint('x', 'server'), port: 80, protocol: 'TCP' }).allowed;
    expect(into(ipEndpoint('198.51.100.1'))).toBe(true);
    expect(into(podEndpoint('x', 'good'))).toBe(false);
    const out = (destination: ReturnType<typeof podEndpoint>) => evaluate(cluster, policies, { source: podEndpoint('x', 'server'), destination, port: 80, protocol: 'TCP' }).allowed;
    expect(out(ipEndpoint('198.51.100.1'))).toBe(false);
    expect(out(podEndpoint('x', 'good'))).toBe(true);
  });

  test('fails when two policies define the same tier differently', () => {
    const policies = [
      irPolicy({ name: 'a', namespace: 'x', tier: { name: 'security', order: 1, defaultAction: 'deny' }, subject: server, ingress: rules([]) }),
      irPolicy({ name: 'b', namespace: 'x', tier: { name: 'security', order: 2, defaultAction: 'deny' }, subject: server, ingress: rules([]) }),
    ];
    expect(() => new ReachabilityAnalyzer(cluster, policies)).toThrow(
      'TestPolicy x/b places tier "security" at order 2 with default deny, but TestPolicy x/a uses order 1 with default deny; a tier must be defined once',
    );
  });
});
