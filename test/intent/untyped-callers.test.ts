import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AllowDns, AllowFrom, AllowTo, ClusterAllowDns, ClusterAlwaysAllow, ClusterDefaultDeny, ClusterDelegateToNamespaces, ClusterDeny,
  ClusterNetworkPolicyImplementation, DefaultDeny, EgressToCidr, EgressToFqdn, Engine, HttpRule, IstioMode,
  LabelExpression, MeshMigration, MtlsMode, MutualTls, Peer, PolicyDirection, PolicyStage, Port, Workload, ZeroTrustNamespace,
} from '../../src';

/**
 * Callers the TypeScript compiler does not check (JavaScript, `any`) pass values of the wrong type.
 * Every construct and every value-object factory must answer with the same clear error as a typed
 * mistake: a PolicyInputError whose message starts with the construct path and names the prop —
 * never a TypeError from deep inside, and never silence.
 */

type Build = (scope: Construct, id: string, props: any) => unknown;

/** What a prop holds; each kind has values of the wrong type. */
type Kind = 'workload' | 'peers' | 'ports' | 'http' | 'namespace' | 'boolean' | 'stage' | 'labels' | 'port-number' | 'strings' | 'directions'
  | 'cidr' | 'mtls-mode' | 'port-exceptions' | 'engine' | 'monitoring' | 'workloads' | 'phase' | 'priority' | 'direction' | 'expressions';

const WRONG: Record<Kind, unknown[]> = {
  'workload': [null, 42, 'backend', {}, [Workload.select({ app: 'a' })], Peer.anyone(), Port.tcp(80)],
  'peers': [null, 42, 'frontend', {}, [undefined], [null], ['frontend'], [{}], Peer.anyone(), [Port.tcp(80)], [Workload.select({ app: 'a' })]],
  'ports': [null, 80, 'tcp/80', {}, [undefined], [80], ['80'], Port.tcp(80), [Peer.anyone()]],
  'http': [null, 'GET /', {}, [undefined], ['GET /'], HttpRule.get('/')],
  'namespace': [null, 42, {}, ['production'], true],
  'boolean': [null, 'yes', 1, {}, []],
  'stage': [null, 'enforced', 42, {}],
  'labels': [null, 'app=web', 42, ['app'], { app: 42 }],
  'port-number': [null, '53', {}, [53], 0],
  'strings': [null, 'monitoring', 42, [42], [undefined]],
  'directions': [null, 'INGRESS', PolicyDirection.INGRESS, [undefined], ['in'], {}],
  'cidr': [null, 42, {}, ['10.0.0.0/8']],
  'mtls-mode': [null, 'strict', 42, {}],
  'port-exceptions': [null, 'x', {}, [undefined], [null], [42], [{ port: '80', mode: MtlsMode.PERMISSIVE }]],
  'engine': [null, 'kubernetes', {}, Engine, () => Engine.kubernetes()],
  'monitoring': [null, 'monitoring', 42, {}, { namespace: 42, ports: [Port.tcp(9090)] }, { namespace: 'monitoring', ports: Port.tcp(9090) }, { namespace: 'monitoring', namespaceLabels: { team: 'm' }, ports: [Port.tcp(9090)] }, { namespace: 'monitoring', ports: [Port.tcp(9090)], pods: 'web' }],
  'workloads': [null, 'web', {}, [undefined], ['web'], Workload.select({ app: 'a' })],
  'phase': [null, 'strict!', 42],
  'priority': [null, '10', 10.5, -1, 1001, {}],
  'direction': [null, 'EGRESS', [PolicyDirection.EGRESS], 42, {}],
  'expressions': [null, 'tier', {}, [undefined], ['tier'], [{}]],
};

const web = Workload.select({ app: 'web' });

interface Case {
  readonly name: string;
  readonly build: Build;
  /** Valid props: each prop is made wrong in turn. */
  readonly valid: Record<string, unknown>;
  readonly props: Record<string, Kind>;
  /** Whether the construct takes no props at all (`undefined` is valid). */
  readonly optionalProps?: boolean;
}

const CASES: Case[] = [
  {
    name: 'DefaultDeny',
    build: (s, id, p) => new DefaultDeny(s, id, p),
    optionalProps: true,
    valid: { acknowledgeDnsBlocked: true },
    props: { namespace: 'namespace', directions: 'directions', pods: 'workload', acknowledgeDnsBlocked: 'boolean', stage: 'stage' },
  },
  {
    name: 'AllowDns',
    build: (s, id, p) => new AllowDns(s, id, p),
    optionalProps: true,
    valid: {},
    props: { namespace: 'namespace', pods: 'workload', dnsNamespaceLabels: 'labels', dnsPodLabels: 'labels', dnsPort: 'port-number', nodeLocalDns: 'boolean', stage: 'stage' },
  },
  {
    name: 'AllowFrom',
    build: (s, id, p) => new AllowFrom(s, id, p),
    valid: { to: web, peers: [Peer.anyone()], ports: [Port.tcp(80)] },
    props: { to: 'workload', peers: 'peers', ports: 'ports', namespace: 'namespace', http: 'http', stage: 'stage' },
  },
  {
    name: 'AllowTo',
    build: (s, id, p) => new AllowTo(s, id, p),
    valid: { workload: web, peers: [Peer.anyone()], ports: [Port.tcp(80)], acknowledgeDnsBlocked: true },
    props: { workload: 'workload', peers: 'peers', ports: 'ports', namespace: 'namespace', acknowledgeDnsBlocked: 'boolean', stage: 'stage' },
  },
  {
    name: 'EgressToCidr',
    build: (s, id, p) => new EgressToCidr(s, id, p),
    valid: { workload: web, cidr: '10.0.0.0/8', ports: [Port.tcp(80)], acknowledgeDnsBlocked: true },
    props: { workload: 'workload', cidr: 'cidr', exceptCidrs: 'strings', ports: 'ports', namespace: 'namespace', acknowledgeDnsBlocked: 'boolean', stage: 'stage' },
  },
  {
    name: 'EgressToFqdn',
    build: (s, id, p) => new EgressToFqdn(s, id, p),
    valid: { workload: web, names: ['api.example.com'], ports: [Port.tcp(443)], acknowledgeDnsBlocked: true },
    props: { workload: 'workload', names: 'strings', ports: 'ports', namespace: 'namespace', acknowledgeDnsBlocked: 'boolean', stage: 'stage' },
  },
  {
    name: 'ClusterDefaultDeny',
    build: (s, id, p) => new ClusterDefaultDeny(s, id, p),
    optionalProps: true,
    valid: { acknowledgeDnsBlocked: true },
    props: { exceptNamespaces: 'strings', directions: 'directions', acknowledgeDnsBlocked: 'boolean', stage: 'stage' },
  },
  {
    name: 'ClusterAllowDns',
    build: (s, id, p) => new ClusterAllowDns(s, id, p),
    optionalProps: true,
    valid: {},
    props: { exceptNamespaces: 'strings', dnsNamespaceLabels: 'labels', dnsPodLabels: 'labels', dnsPort: 'port-number', nodeLocalDns: 'boolean', priority: 'priority', stage: 'stage' },
  },
  ...([
    ['ClusterDeny', (s, id, p) => new ClusterDeny(s, id, p)],
    ['ClusterAlwaysAllow', (s, id, p) => new ClusterAlwaysAllow(s, id, p)],
    ['ClusterDelegateToNamespaces', (s, id, p) => new ClusterDelegateToNamespaces(s, id, p)],
  ] as [string, Build][]).map(([name, build]): Case => ({
    name,
    build,
    valid: { priority: 10, direction: PolicyDirection.EGRESS, peers: [Peer.cidr('169.254.169.254/32')], ports: [Port.allTraffic()] },
    props: {
      priority: 'priority',
      direction: 'direction',
      peers: 'peers',
      ports: 'ports',
      exceptNamespaces: 'strings',
      namespaceLabels: 'labels',
      namespaceExpressions: 'expressions',
      podLabels: 'labels',
      podExpressions: 'expressions',
      stage: 'stage',
    },
  })),
  {
    name: 'MutualTls',
    build: (s, id, p) => new MutualTls(s, id, p),
    valid: { mode: MtlsMode.STRICT },
    props: { namespace: 'namespace', workload: 'workload', mode: 'mtls-mode', portExceptions: 'port-exceptions', acknowledgeNoEncryption: 'boolean' },
  },
  {
    name: 'ZeroTrustNamespace',
    build: (s, id, p) => new ZeroTrustNamespace(s, id, p),
    optionalProps: true,
    valid: {},
    props: { namespace: 'namespace', engine: 'engine', mtlsMode: 'mtls-mode', acknowledgeNoEncryption: 'boolean', monitoring: 'monitoring', nodeLocalDns: 'boolean', denyEgress: 'boolean', stage: 'stage' },
  },
  {
    name: 'ZeroTrustNamespace.allowFrom',
    build: (s, id, p) => new ZeroTrustNamespace(s, `${id}-zt`).allowFrom(id, p),
    valid: { to: web, peers: [Peer.anyone()], ports: [Port.tcp(80)] },
    props: { to: 'workload', peers: 'peers', ports: 'ports', http: 'http', stage: 'stage' },
  },
  {
    name: 'ZeroTrustNamespace.allowTo',
    build: (s, id, p) => new ZeroTrustNamespace(s, `${id}-zt`).allowTo(id, p),
    valid: { workload: web, peers: [Peer.anyone()], ports: [Port.tcp(80)] },
    props: { workload: 'workload', peers: 'peers', ports: 'ports', stage: 'stage', acknowledgeDnsBlocked: 'boolean' },
  },
  {
    name: 'ZeroTrustNamespace.egressToCidr',
    build: (s, id, p) => new ZeroTrustNamespace(s, `${id}-zt`).egressToCidr(id, p),
    valid: { workload: web, cidr: '10.0.0.0/8', ports: [Port.tcp(80)] },
    props: { workload: 'workload', cidr: 'cidr', exceptCidrs: 'strings', ports: 'ports', stage: 'stage' },
  },
  {
    name: 'MeshMigration',
    build: (s, id, p) => new MeshMigration(s, id, p),
    valid: { namespace: 'production', engine: Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes() }) },
    props: { namespace: 'namespace', engine: 'engine', enrolledNamespaces: 'strings', enrolledWorkloads: 'workloads', monitoring: 'monitoring', nodeLocalDns: 'boolean', lastPhase: 'phase' },
  },
];

function scope(): Chart {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
  Engine.attach(chart, Engine.kubernetes());
  return chart;
}

/** What a wrong value reads as in a test name. */
function label(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (v instanceof Port || v instanceof Peer || v instanceof Workload || v instanceof HttpRule) return `a ${v.constructor.name} (not a list)`;
  try {
    return JSON.stringify(v, (_k, x) => (x === undefined ? 'undefined' : x instanceof Peer || x instanceof Port || x instanceof Workload ? `<${x.constructor.name}>` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The error a call throws, which must be a PolicyInputError naming the path; fails otherwise. */
function inputError(call: () => unknown): Error {
  try {
    call();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a PolicyInputError, but nothing was thrown');
}

const propCases = CASES.flatMap(c => Object.entries(c.props)
  .flatMap(([prop, kind]) => WRONG[kind].map(v => [c.name, prop, label(v), c, v] as const)));

describe('a construct given a value of the wrong type', () => {
  test.each(propCases)('%s throws a PolicyInputError naming its path and the prop %s for %s', (_name, prop, _label, c, value) => {
    const error = inputError(() => c.build(scope(), 'x', { ...c.valid, [prop]: value }));
    expect(error.name).toBe('PolicyInputError');
    expect(error.message).toMatch(/^\[test\/x(-zt)?(\/[^\]]*)?\] /);
    expect(error.message.toLowerCase()).toContain(prop.toLowerCase());
  });

  const propsObjects = CASES.flatMap(c => [null, 42, 'props', [c.valid], ...(c.optionalProps ? [] : [undefined])].map(v => [c.name, label(v), c, v] as const));
  test.each(propsObjects)('%s throws a PolicyInputError for the props object %s', (_name, _label, c, value) => {
    const error = inputError(() => c.build(scope(), 'x', value));
    expect(error.name).toBe('PolicyInputError');
    expect(error.message).toMatch(/^\[test\/x/);
  });

  test.each(CASES.map(c => [c.name, c] as const))('%s throws for an unknown prop, suggesting the one meant', (_name, c) => {
    const [first] = Object.keys(c.props);
    const misspelt = `${first.slice(0, -1)}`; // e.g. "port" for "ports"
    const error = inputError(() => c.build(scope(), 'x', { ...c.valid, [misspelt]: c.valid[first] ?? 1 }));
    expect(error.name).toBe('PolicyInputError');
    expect(error.message).toContain(`invalid prop "${misspelt}"`);
    expect(error.message).toContain(`did you mean "${first}"?`);
  });

  test('shows the values as they were given, a value object by its class and readable form', () => {
    expect(inputError(() => new AllowFrom(scope(), 'x', { to: web, peers: [Peer.anyone()], ports: Port.tcp(80) as any })).message)
      .toBe('[test/x] invalid ports: got a Port TCP 80; expected a list of Port, e.g. [Port.tcp(8080)]. Fix: wrap the Port in a list, e.g. ports: [Port.tcp(8080)]');
    expect(inputError(() => new AllowFrom(scope(), 'x', { to: web, peers: [undefined as any], ports: [Port.tcp(80)] })).message)
      .toBe('[test/x] invalid peers[0]: got nothing; expected a Peer, e.g. Peer.workload(Workload.select({ app: "frontend" })). Fix: pass Peer.workload(Workload.select({ app: "frontend" })); there is no default');
    expect(inputError(() => new AllowFrom(scope(), 'x', { to: web, peers: ['frontend' as any], ports: [Port.tcp(80)] })).message)
      .toBe('[test/x] invalid peers[0]: got "frontend"; expected a Peer, e.g. Peer.workload(Workload.select({ app: "frontend" })). Fix: a string is not a Peer: create one with its factory, e.g. Peer.workload(Workload.select({ app: "frontend" }))');
  });
});

/** A factory call with wrong arguments, and the construct that receives its result. */
const FACTORIES: [string, () => unknown, (v: any) => Build][] = [];
const asTo = (w: any): Build => (s, id) => new AllowFrom(s, id, { to: w, peers: [Peer.anyone()], ports: [Port.tcp(80)] });
const asPeer = (p: any): Build => (s, id) => new AllowFrom(s, id, { to: web, peers: [p], ports: [Port.tcp(80)] });
const asPort = (p: any): Build => (s, id) => new AllowFrom(s, id, { to: web, peers: [Peer.anyone()], ports: [p] });
const asHttp = (h: any): Build => (s, id) => new AllowFrom(s, id, { to: web, peers: [Peer.anyone()], ports: [Port.tcp(80)], http: [h] });
const asExpression = (e: any): Build => asTo(Workload.select({ app: 'web' }, { expressions: [e] }));
const u: any = undefined;
const add = (name: string, make: () => unknown, into: (v: any) => Build) => FACTORIES.push([name, make, into]);
for (const [name, make] of [
  ['Workload.select(null)', () => Workload.select(null as any)],
  ['Workload.select(undefined)', () => Workload.select(u)],
  ['Workload.select("app=web")', () => Workload.select('app=web' as any)],
  ['Workload.select({ app: 1 })', () => Workload.select({ app: 1 } as any)],
  ['Workload.select({ app }, null)', () => Workload.select({ app: 'web' }, null as any)],
  ['Workload.select({ app }, "ns")', () => Workload.select({ app: 'web' }, 'ns' as any)],
  ['Workload.select({ app }, { expressions: [undefined] })', () => Workload.select({ app: 'web' }, { expressions: [u] })],
  ['Workload.select({ app }, { expressions: "tier" })', () => Workload.select({ app: 'web' }, { expressions: 'tier' as any })],
  ['Workload.select({ app }, { namespace: 42 })', () => Workload.select({ app: 'web' }, { namespace: 42 as any })],
  ['Workload.select({ app }, { serviceAccount: {} })', () => Workload.select({ app: 'web' }, { serviceAccount: {} as any })],
  ['Workload.select({ app }, { service: 1 })', () => Workload.select({ app: 'web' }, { service: 1 as any })],
  ['Workload.select({ app }, { namespaces: "a" })', () => Workload.select({ app: 'web' }, { namespaces: 'a' } as any)],
  ['Workload.allPods(null)', () => Workload.allPods(null as any)],
  ['Workload.allPods({ namespace: 1 })', () => Workload.allPods({ namespace: 1 as any })],
] as const) add(name, make, asTo);
for (const [name, make] of [
  ['Peer.workload(undefined)', () => Peer.workload(u)],
  ['Peer.workload(null)', () => Peer.workload(null as any)],
  ['Peer.workload("frontend")', () => Peer.workload('frontend' as any)],
  ['Peer.workload(Peer.anyone())', () => Peer.workload(Peer.anyone() as any)],
  ['Peer.namespace(undefined)', () => Peer.namespace(u)],
  ['Peer.namespace(42)', () => Peer.namespace(42 as any)],
  ['Peer.namespacesWithLabels(null)', () => Peer.namespacesWithLabels(null as any)],
  ['Peer.namespacesWithLabels({ team }, null)', () => Peer.namespacesWithLabels({ team: 'a' }, null as any)],
  ['Peer.namespacesWithLabels({ team }, [undefined])', () => Peer.namespacesWithLabels({ team: 'a' }, [u])],
  ['Peer.pods(undefined)', () => Peer.pods(u)],
  ['Peer.pods(null)', () => Peer.pods(null as any)],
  ['Peer.pods("app=web")', () => Peer.pods('app=web' as any)],
  ['Peer.pods({ podLabels: "app" })', () => Peer.pods({ podLabels: 'app' as any })],
  ['Peer.pods({ podExpressions: [undefined] })', () => Peer.pods({ podExpressions: [u] })],
  ['Peer.pods({ namespaceExpressions: "x" })', () => Peer.pods({ namespaceExpressions: 'x' as any })],
  ['Peer.pods({ allNamespaces: "yes", podLabels })', () => Peer.pods({ allNamespaces: 'yes' as any, podLabels: { app: 'a' } })],
  ['Peer.pods({ labels: { app } })', () => Peer.pods({ labels: { app: 'a' } } as any)],
  ['Peer.serviceAccount(undefined)', () => Peer.serviceAccount(u)],
  ['Peer.serviceAccount("sa", 42)', () => Peer.serviceAccount('sa', 42 as any)],
  ['Peer.cidr(undefined)', () => Peer.cidr(u)],
  ['Peer.cidr(10)', () => Peer.cidr(10 as any)],
  ['Peer.cidr("10.0.0.0/8", "10.1.0.0/16")', () => Peer.cidr('10.0.0.0/8', '10.1.0.0/16' as any)],
  ['Peer.cidr("10.0.0.0/8", [undefined])', () => Peer.cidr('10.0.0.0/8', [u])],
  ['Peer.ipv4(null)', () => Peer.ipv4(null as any)],
  ['Peer.ipv6({})', () => Peer.ipv6({} as any)],
  ['Peer.kubeApiServer("10.0.0.1/32")', () => Peer.kubeApiServer('10.0.0.1/32' as any)],
  ['Peer.kubeApiServer([undefined])', () => Peer.kubeApiServer([u])],
  ['Peer.fromPodSelector(undefined)', () => Peer.fromPodSelector(u)],
  ['Peer.fromPodSelector("app=web")', () => Peer.fromPodSelector('app=web' as any)],
  ['Peer.fromNamespaceSelector(null)', () => Peer.fromNamespaceSelector(null as any)],
] as const) add(name, make, asPeer);
for (const [name, make] of [
  ['Port.tcp("80")', () => Port.tcp('80' as any)],
  ['Port.tcp(undefined)', () => Port.tcp(u)],
  ['Port.udp(null)', () => Port.udp(null as any)],
  ['Port.sctp({})', () => Port.sctp({} as any)],
  ['Port.tcpRange("1", 2)', () => Port.tcpRange('1' as any, 2)],
  ['Port.udpRange(1, undefined)', () => Port.udpRange(1, u)],
  ['Port.sctpRange(null, null)', () => Port.sctpRange(null as any, null as any)],
  ['Port.named(undefined)', () => Port.named(u)],
  ['Port.named("http", "ICMP")', () => Port.named('http', 'ICMP' as any)],
] as const) add(name, make, asPort);
for (const [name, make] of [
  ['HttpRule.get(undefined)', () => HttpRule.get(u)],
  ['HttpRule.post(42)', () => HttpRule.post(42 as any)],
  ['HttpRule.method(42, "/")', () => HttpRule.method(42 as any, '/')],
  ['HttpRule.method("GET", {})', () => HttpRule.method('GET', {} as any)],
  ['HttpRule.anyMethod(null)', () => HttpRule.anyMethod(null as any)],
] as const) add(name, make, asHttp);
for (const [name, make] of [
  ['LabelExpression.isIn(undefined, ["a"])', () => LabelExpression.isIn(u, ['a'])],
  ['LabelExpression.isIn("tier", "a")', () => LabelExpression.isIn('tier', 'a' as any)],
  ['LabelExpression.isNotIn("tier", [1])', () => LabelExpression.isNotIn('tier', [1 as any])],
  ['LabelExpression.exists(null)', () => LabelExpression.exists(null as any)],
  ['LabelExpression.doesNotExist(42)', () => LabelExpression.doesNotExist(42 as any)],
] as const) add(name, make, asExpression);

describe('a value-object factory given arguments of the wrong type', () => {
  test.each(FACTORIES)('%s never throws; the intent that receives it throws a PolicyInputError with its path', (_name, make, into) => {
    let value: unknown;
    expect(() => { value = make(); }).not.toThrow();
    const error = inputError(() => into(value)(scope(), 'x', undefined));
    expect(error.name).toBe('PolicyInputError');
    expect(error.message).toMatch(/^\[test\/x\] /);
  });
});

describe('an engine factory given options of the wrong type', () => {
  const calls: [string, () => unknown, string][] = [
    ['Engine.kubernetes(null)', () => Engine.kubernetes(null as any), 'options of Engine.kubernetes()'],
    ['Engine.kubernetes({ serviceAccountLabel: 42 })', () => Engine.kubernetes({ serviceAccountLabel: 42 as any }), 'serviceAccountLabel of Engine.kubernetes()'],
    ['Engine.kubernetes({ serviceAcountLabel })', () => Engine.kubernetes({ serviceAcountLabel: 'sa' } as any), 'option "serviceAcountLabel" of Engine.kubernetes()'],
    ['Engine.kubernetes({ clusterNetworkPolicy: null })', () => Engine.kubernetes({ clusterNetworkPolicy: null as any }), 'options of clusterNetworkPolicy of Engine.kubernetes()'],
    ['Engine.kubernetes({ clusterNetworkPolicy: {} })', () => Engine.kubernetes({ clusterNetworkPolicy: {} as any }), 'clusterNetworkPolicy.implementation of Engine.kubernetes()'],
    ['Engine.kubernetes({ clusterNetworkPolicy: { implementation: "calico" } })', () => Engine.kubernetes({ clusterNetworkPolicy: { implementation: 'calico' as any } }), 'clusterNetworkPolicy.implementation of Engine.kubernetes()'],
    ['Engine.kubernetes({ clusterNetworkPolicy: { implementation, apiVersion: "v1" } })', () => Engine.kubernetes({ clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico(), apiVersion: 'v1' as any } }), 'clusterNetworkPolicy.apiVersion of Engine.kubernetes()'],
    ['Engine.kubernetes({ clusterNetworkPolicy: { implementation, baselineIngressFromPodsOnly: "yes" } })', () => Engine.kubernetes({ clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico(), baselineIngressFromPodsOnly: 'yes' as any } }), 'baselineIngressFromPodsOnly of clusterNetworkPolicy of Engine.kubernetes()'],
    ['Engine.kubernetes({ clusterNetworkPolicy: { implementation, apiversion } })', () => Engine.kubernetes({ clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico(), apiversion: 'x' } as any }), 'option "apiversion" of clusterNetworkPolicy of Engine.kubernetes()'],
    ['ClusterNetworkPolicyImplementation.calico("x")', () => ClusterNetworkPolicyImplementation.calico('x' as any), 'ClusterNetworkPolicyImplementation'],
    ['Engine.cilium("x")', () => Engine.cilium('x' as any), 'options of Engine.cilium()'],
    ['Engine.cilium({ nodeLocalDnsViaHost: "yes" })', () => Engine.cilium({ nodeLocalDnsViaHost: 'yes' as any }), 'nodeLocalDnsViaHost of Engine.cilium()'],
    ['Engine.calico({ tier: 1 })', () => Engine.calico({ tier: 1 as any }), 'tier of Engine.calico()'],
    ['Engine.calico({ order: "1" })', () => Engine.calico({ order: '1' as any }), 'order of Engine.calico()'],
    ['Engine.calico({ enterprise: 1 })', () => Engine.calico({ enterprise: 1 as any }), 'enterprise of Engine.calico()'],
    ['Engine.istio(undefined)', () => Engine.istio(u), 'mode of Engine.istio()'],
    ['Engine.istio({ mode: "x", cni })', () => Engine.istio({ mode: 'x' as any, cni: Engine.kubernetes() }), 'mode of Engine.istio()'],
    ['Engine.istio({ mode, cni: "kubernetes" })', () => Engine.istio({ mode: IstioMode.SIDECAR, cni: 'kubernetes' as any }), 'cni of Engine.istio()'],
    ['Engine.istio({ mode, cni, matchPeersByServiceAccount: "yes" })', () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes(), matchPeersByServiceAccount: 'yes' as any }), 'matchPeersByServiceAccount of Engine.istio()'],
    ['Engine.attach(chart, "kubernetes")', () => Engine.attach(new Chart(Testing.app(), 'c'), 'kubernetes' as any), '[c] invalid engine of Engine.attach()'],
  ];
  test.each(calls)('%s throws an error naming the option, never a TypeError', (_name, call, option) => {
    const error = inputError(call);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error.message).toContain(option);
  });
});

test('a typed stage value still works after the checks (PolicyStage.AUDIT)', () => {
  const chart = scope();
  new AllowFrom(chart, 'x', { to: web, peers: [Peer.anyone()], ports: [Port.tcp(80)], stage: PolicyStage.ENFORCE });
  expect(Testing.synth(chart)).toHaveLength(1);
});
