import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ACCOUNTS, APPS, ClusterSpec, clusterArb, NAMESPACES } from './cluster-gen';
import { reachabilityDifferenceList } from './compare';
import { allowToArb, buildIntents, describeIntents, exclusivePeerArb, IntentSpec, PeerSpec, PortSpec, withAccountsByApp } from './intent-gen';
import { AllowFrom, Engine, HttpRule, IstioMode, MtlsMode, MutualTls, Peer, Port, Workload } from '../../src';
import { AnalysisPolicy, ClusterModel, MeshEnrollment, parsePolicies, PodInput, ReachabilityAnalyzer } from '../../src/analysis';
import { istioIntentPolicies } from '../../src/analysis/intent/istio-intent-meaning';
import { synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { PROPERTY_TARGET } from '../helpers/target';

/** The pod label Istio puts on a waypoint's pods. */
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/*
 * The Istio engine held to the CNI engines' proof (issue 13 item 8): random intents over random clusters whose
 * pods are randomly enrolled (namespace labels, per-pod opt-outs) and whose PeerAuthentications set random modes
 * at mesh, namespace and workload level (portLevelMtls included), compared as exact sets — every class pair,
 * every connection atom, every HTTP request class — with what the intent means on Istio
 * (`istioIntentPolicies`: the intent, the mesh plumbing, and its ingress read as identities by the proxy),
 * on the same cluster model. Nothing is filtered: a difference fails the case.
 */

/**
 * The Service rows: from every pod but the waypoint's own (a proxy, not a client; as in `diff`), to every Service of the
 * cluster, per endpoint pod, every Service port and request class of both policy sets' joint space, exact sets
 * (`ReachabilityAnalyzer.serviceConnections`): through the waypoint where the Service is bound to it.
 */
function serviceDifferences(
  cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[],
): { diffs: string[]; reached: boolean } {
  if (cluster.services.length === 0) return { diffs: [], reached: false };
  let reached = false;
  const analyzers = [new ReachabilityAnalyzer(cluster, expected), new ReachabilityAnalyzer(cluster, actual)];
  const [want, got] = ReachabilityAnalyzer.jointServicePaths(analyzers);
  const out: string[] = [];
  for (const service of cluster.services) {
    for (const source of cluster.pods.filter((pod) => pod.labels[GATEWAY_NAME_LABEL] === undefined)) {
      const a = want.connections(source, service).endpoints;
      const b = got.connections(source, service).endpoints;
      a.forEach(({ pod, connections }, i) => {
        const engine = b[i].connections;
        const more = engine.subtract(connections);
        const less = connections.subtract(engine);
        if (!engine.isEmpty()) reached = true;
        const label = `pod ${source.namespace}/${source.name} → svc ${service.namespace}/${service.name} (endpoint ${pod.namespace}/${pod.name})`;
        if (!more.isEmpty()) out.push(`${label}: the intent denies and the engine allows ${more.format()}`);
        if (!less.isEmpty()) out.push(`${label}: the intent allows and the engine denies ${less.format()}`);
      });
    }
  }
  return { diffs: out, reached };
}

/** Runs per engine configuration: ≥ 500 in CI (issue 13 item 8). */
export const ISTIO_RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 500);

export type DataPlane = 'sidecar' | 'ambient';
export type CniName = 'Kubernetes NetworkPolicy' | 'Calico' | 'Cilium';

const CNIS: Record<CniName, { engine: () => Engine; selectsAccounts: boolean }> = {
  'Kubernetes NetworkPolicy': { engine: () => Engine.kubernetes({ target: PROPERTY_TARGET }), selectsAccounts: false },
  'Calico': { engine: () => Engine.calico({ target: PROPERTY_TARGET }), selectsAccounts: true },
  'Cilium': { engine: () => Engine.cilium({ target: PROPERTY_TARGET }), selectsAccounts: true },
};

type Mode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';
const MODES: Mode[] = ['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET'];

/** A cluster with its mesh: which namespaces enrol, which pods opt out, and the PeerAuthentications. */
export interface MeshClusterSpec {
  readonly cluster: ClusterSpec;
  /** Per namespace of NAMESPACES: labelled for the engine's data plane (`istio-injection=enabled` or `istio.io/dataplane-mode=ambient`). */
  readonly enrolled: readonly boolean[];
  /** Per pod (by index): opts out (`sidecar.istio.io/inject: "false"` or `istio.io/dataplane-mode: none`). */
  readonly optOut: readonly boolean[];
  /**
   * Per pod (by index), how an enrolled pod is in the mesh: as the engine's data plane says (`main`), a sidecar that
   * also listens HBONE (`hbone`, label `networking.istio.io/tunnel: http`; sidecar mode only), or in the other data
   * plane (`other`: a migration in progress).
   */
  readonly dataPlane: readonly ('main' | 'hbone' | 'other')[];
  readonly meshMode?: Mode;
  readonly namespaceModes: readonly { ns: string; mode: Mode }[];
  readonly workload?: { ns: string; app: string; mode?: Mode; port?: { port: 8080 | 9090; mode: Mode } };
}

const ns = fc.constantFrom(...NAMESPACES);
const app = fc.constantFrom(...APPS);

/** Random enrollment and PeerAuthentications over a random cluster (most namespaces enrolled: the mesh's usual state). */
export function meshClusterArb(exclusive: boolean): fc.Arbitrary<MeshClusterSpec> {
  return fc.record({
    cluster: exclusive ? clusterArb().map(withAccountsByApp) : clusterArb(),
    enrolled: fc.tuple(...NAMESPACES.map(() => fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }))),
    optOut: fc.array(fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }), {
      minLength: 8, maxLength: 8,
    }),
    dataPlane: fc.array(fc.oneof(
      { arbitrary: fc.constant('main' as const), weight: 6 }, { arbitrary: fc.constant('hbone' as const), weight: 1 }, { arbitrary: fc.constant('other' as const), weight: 1 },
    ), { minLength: 8, maxLength: 8 }),
    meshMode: fc.option(fc.constantFrom(...MODES), { nil: undefined }),
    namespaceModes: fc.uniqueArray(fc.record({ ns, mode: fc.constantFrom(...MODES) }), { selector: (x) => x.ns, maxLength: 2 }),
    workload: fc.option(fc.record({
      ns,
      app,
      mode: fc.option(fc.constantFrom(...MODES), { nil: undefined }),
      port: fc.option(fc.record({ port: fc.constantFrom<8080 | 9090>(8080, 9090), mode: fc.constantFrom(...MODES) }), { nil: undefined }),
    }, { requiredKeys: ['ns', 'app'] }), { nil: undefined }),
  }, { requiredKeys: ['cluster', 'enrolled', 'optOut', 'dataPlane', 'namespaceModes'] });
}

/**
 * The cluster model of a spec: the generated pods enrolled as their namespace and opt-out say, kube-system's
 * kube-dns and istio-system's istiod outside the mesh (Istio never enrols them).
 */
export function toMeshCluster(spec: MeshClusterSpec, plane: DataPlane, inMesh: readonly ProxyChecked[] = [], waypoint?: WaypointSpec): ClusterModel {
  const nsLabel = plane === 'sidecar' ? { 'istio-injection': 'enabled' } : { 'istio.io/dataplane-mode': 'ambient' };
  const optOutLabel = plane === 'sidecar' ? { 'sidecar.istio.io/inject': 'false' } : { 'istio.io/dataplane-mode': 'none' };
  const enrolLabel = plane === 'sidecar' ? { 'sidecar.istio.io/inject': 'true' } : { 'istio.io/dataplane-mode': 'ambient' };
  const pods: PodInput[] = spec.cluster.pods.map((p, i) => {
    // A pod only a proxy can protect as the intent says is enrolled by its own label (the engine's precondition).
    const required = inMesh.some((x) => x.ns === p.namespace && x.app === p.app && (x.tier === undefined || x.tier === p.tier));
    const enrolled = required || (spec.enrolled[NAMESPACES.indexOf(p.namespace)] && !spec.optOut[i]);
    // With a waypoint-bound Service no pod is in the other data plane: a sidecar client of such a Service is not modelled (docs/ANALYSIS.md).
    const how = required || (waypoint && spec.dataPlane[i] === 'other') ? 'main' : spec.dataPlane[i];
    const enrollment: MeshEnrollment = !enrolled ? 'none' : how === 'other' ? (plane === 'sidecar' ? 'ambient' : 'sidecar') : plane;
    const hbone = enrolled && enrollment === 'sidecar' && how === 'hbone';
    return {
      namespace: p.namespace,
      name: `p${i}`,
      labels: {
        app: p.app,
        ...(p.tier ? { tier: p.tier } : {}),
        ...(required ? enrolLabel : spec.optOut[i] ? optOutLabel : {}),
        ...(hbone ? { 'networking.istio.io/tunnel': 'http' } : {}),
      },
      serviceAccountName: p.sa,
      ips: [`10.244.0.${i + 10}`, `fd00::${(i + 10).toString(16)}`],
      ports: [{ name: 'http', port: p.httpPort, protocol: 'TCP' as const }],
      nodeName: `node-${i}`,
      mesh: hbone ? { enrollment, hbone } : { enrollment },
    };
  });
  pods.push({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ips: ['10.244.1.2'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }], nodeName: 'node-dns', mesh: { enrollment: 'none' } });
  pods.push({ namespace: 'istio-system', name: 'istiod', labels: { app: 'istiod' }, ips: ['10.244.1.3'], ports: [{ name: 'grpc-xds', port: 15012, protocol: 'TCP' }], nodeName: 'node-cp', mesh: { enrollment: 'none' } });
  if (waypoint) {
    // The namespace's waypoint (`istioctl waypoint apply`): one ready pod of the Gateway, running as the waypoint's account, a proxy.
    pods.push({
      namespace: waypoint.ns,
      name: 'waypoint-0',
      labels: { [GATEWAY_NAME_LABEL]: 'waypoint', 'istio.io/dataplane-mode': 'none' },
      serviceAccountName: 'waypoint',
      ips: ['10.244.2.10'],
      nodeName: 'node-waypoint',
      mesh: { enrollment: 'sidecar' },
    });
  }
  return ClusterModel.create({
    namespaces: [
      ...NAMESPACES.map((name, i) => ({ name, labels: { team: spec.cluster.teams[i], ...(spec.enrolled[i] ? nsLabel : {}) } })),
      { name: 'kube-system' }, { name: 'istio-system' },
    ],
    pods,
    ...(waypoint ? {
      // The Service the HTTP allowance names, bound to the waypoint as docs/dialects/istio.md tells the user to, with the
      // ports the allowance declares (SERVICE_PORTS). Its HTTP port differs from its target port: the waypoint matches the
      // Service port (src/dialects/istio/waypoint-ports.ts), the pods' ztunnel the target port.
      services: [{
        namespace: waypoint.ns,
        name: waypoint.service,
        labels: { 'istio.io/use-waypoint': 'waypoint' },
        selector: { app: waypoint.service },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 9090 }],
      }],
      waypoints: [{ namespace: waypoint.ns, name: 'waypoint' }],
    } : {}),
  });
}

/** The ports of the Service an ambient HTTP allowance names, as its workload declares them (the cluster's Service has them). */
const SERVICE_PORTS = [{ port: 80, targetPort: 8080 }, { port: 9090 }];

/** Ambient: the Service an HTTP allowance names (by the pods' app), bound to its namespace's waypoint. */
export interface WaypointSpec {
  readonly ns: string;
  readonly service: string;
}

/** Pods (by namespace and labels) that must be in the mesh for the engine's output to mean the intent. */
export interface ProxyChecked {
  readonly ns: string;
  readonly app: string;
  readonly tier?: string;
}

/**
 * The engine's precondition (docs/dialects/istio.md "Enrollment"): a pod whose allowance only its proxy can
 * check as the intent says — an HTTP allowance (the CNI sees no requests), or an allowance from a service
 * account on a CNI that cannot select one (the CNI admits the account's namespace) — is in the mesh. Every
 * other pod is enrolled at random.
 */
export function proxyChecked(
  specs: readonly IntentSpec[], http: { ns: string; app: string } | undefined, cniSelectsAccounts: boolean,
): ProxyChecked[] {
  const out: ProxyChecked[] = http ? [{ ns: http.ns, app: http.app }] : [];
  for (const s of specs) {
    if (s.kind === 'AllowFrom' && !cniSelectsAccounts && s.peers.some((p) => p.k === 'serviceAccount')) out.push({ ns: s.ns, app: s.app, ...(s.tier ? { tier: s.tier } : {}) });
  }
  return out;
}

/** The cluster's PeerAuthentications (the cluster's, not the intent's: given to both sides of the comparison). */
export function peerAuthentications(spec: MeshClusterSpec, intentNamespace?: string): AnalysisPolicy[] {
  const mode = (m: Mode | undefined) => (m === undefined ? '' : `mtls: { mode: ${m} }`);
  const pa = (name: string, namespace: string, body: string) => `---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec: { ${body} }\n`;
  let text = '';
  if (spec.meshMode) text += pa('mesh', 'istio-system', mode(spec.meshMode));
  // A namespace the intent sets mTLS for is left to it: two PeerAuthentications at one level without timestamps are undecidable.
  for (const n of spec.namespaceModes.filter((x) => x.ns !== intentNamespace)) text += pa('namespace', n.ns, mode(n.mode));
  if (spec.workload && spec.workload.ns !== intentNamespace) {
    const w = spec.workload;
    const parts = [`selector: { matchLabels: { app: ${w.app} } }`, mode(w.mode), w.port ? `portLevelMtls: { "${w.port.port}": { mode: ${w.port.mode} } }` : ''];
    text += pa('workload', w.ns, parts.filter(Boolean).join(', '));
  }
  return text ? parsePolicies({ file: 'cluster PeerAuthentications', text }) : [];
}

/** Peers with an identity Istio can check, or none needed (anyone, CIDRs). */
const peer: fc.Arbitrary<PeerSpec> = fc.oneof(
  fc.record({ k: fc.constant('namespace' as const), ns }),
  fc.record({ k: fc.constant('serviceAccount' as const), name: fc.constantFrom(...ACCOUNTS), ns: fc.option(ns, { nil: undefined }) }),
  fc.constant({ k: 'anyone' as const }),
  fc.constantFrom<PeerSpec>({ k: 'cidr', cidr: '192.0.2.0/24' }, { k: 'cidr', cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }),
);
const ports = fc.uniqueArray(fc.constantFrom<PortSpec>('tcp8080', 'tcp9090', 'tcp8000-8100', 'udp53', 'allTcp', 'sctp3868', 'allTraffic'), { minLength: 1, maxLength: 3 });

/**
 * Random intents. An AllowTo's own side is the CNI's alone (Istio has no egress authorization), so on a
 * CNI that cannot select service accounts (Kubernetes) it goes from workloads without one to peers
 * without one (those are refused there, with a fix): most cases are then compared, not refused. With
 * `exclusive`, workloads also declare their account exclusive (for clusters where that holds).
 */
export function istioIntentsArb(cniSelectsAccounts: boolean, exclusive: boolean, plane: DataPlane): fc.Arbitrary<IntentSpec[]> {
  const ambient = plane === 'ambient';
  return fc.array(fc.oneof(
    // In ambient mode an AllowTo to a destination nothing isolates is refused (the CNI sees HBONE only): rarer there, so most cases compare.
    { arbitrary: fc.record({ kind: fc.constant('DefaultDeny' as const), ns, dirs: fc.constantFrom<('ingress' | 'egress')[]>(['ingress'], ['egress'], ['ingress', 'egress']), app: fc.option(app, { nil: undefined }) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('AllowDns' as const), ns, app: fc.option(app, { nil: undefined }) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('AllowFrom' as const), ns, app, exclusive: fc.constant(exclusive), peers: fc.array(exclusive ? fc.oneof(peer, exclusivePeerArb) : peer, { minLength: 1, maxLength: 2 }), ports }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('EgressToCidr' as const), ns, app, cidr: fc.constant('192.0.2.0/24'), except: fc.constant([]), ports }), weight: 3 },
    // Ambient refuses an AllowTo to anyone on TCP (mesh pods are reached on HBONE only: test/engine/first-fix.test.ts): not generated there.
    {
      arbitrary: allowToArb(fc.oneof(peer.filter(p => (cniSelectsAccounts || p.k !== 'serviceAccount') && !(ambient && p.k === 'anyone')), ...(exclusive ? [exclusivePeerArb] : [])),
        ports, cniSelectsAccounts, exclusive),
      weight: ambient ? 1 : 3,
    },
    // Ambient: an AllowTo from a whole namespace (a workload chosen by labels has no identity a destination's ztunnel could
    // check: refused) to namespaces something isolates on ingress (else refused), so that its HBONE egress is compared.
    ...(ambient ? [{
      arbitrary: allowToArb(fc.record({ k: fc.constant('namespace' as const), ns }), ports, cniSelectsAccounts)
        .map((allowTo): IntentSpec[] => {
          if (allowTo.kind !== 'AllowTo') return [allowTo];
          const { app: _app, exclusive: _exclusive, ...wholeNamespace } = allowTo;
          const isolations = allowTo.peers.flatMap((p): IntentSpec[] => (p.k === 'namespace' ? [{ kind: 'DefaultDeny', ns: p.ns, dirs: ['ingress'] }] : []));
          return [wholeNamespace, ...isolations];
        }),
      weight: 2,
    }] : []),
  ), { minLength: 1, maxLength: 6 }).map((specs) => specs.flat());
}

/** A MutualTls intent: a namespace, or a workload with an optional exception on one of the pods' ports. */
export interface MtlsSpec {
  readonly ns: string;
  readonly app?: string;
  readonly mode: 'STRICT' | 'PERMISSIVE';
  /** A port in the other mode (the only kind of exception MutualTls accepts). */
  readonly exceptionPort?: 8080 | 9090;
}

const mtlsMode = fc.constantFrom<'STRICT' | 'PERMISSIVE'>('STRICT', 'PERMISSIVE');
const mtlsIntent: fc.Arbitrary<MtlsSpec | undefined> = fc.option(fc.oneof(
  fc.record({ ns, mode: mtlsMode }),
  fc.record({ ns, app, mode: mtlsMode, exceptionPort: fc.option(fc.constantFrom<8080 | 9090>(8080, 9090), { nil: undefined }) }, { requiredKeys: ['ns', 'app', 'mode'] }),
), { nil: undefined, freq: 2 });

/**
 * An HTTP allowance on TCP 8080 from a service account, with GET /api/* and POST /orders. In ambient mode its pods name
 * their Service (the app), which the cluster binds to the namespace's waypoint.
 */
const httpIntent = fc.option(fc.record({ ns, app, sa: fc.constantFrom(...ACCOUNTS), from: ns }), { nil: undefined });

/** What one configuration's run counted. */
export interface IstioRunCounts {
  readonly compared: number;
  readonly refused: number;
  /** Compared cases in which some pod reaches a Service bound to a waypoint (ambient HTTP allowances): the Service rows are not vacuous. */
  readonly throughWaypoint: number;
}

/** Messages of the engine's guardrails (a synthesis error with a fix): the case is refused, not compared. */
const REFUSAL = /cannot express|could never|would let|although the intent denies/;

/**
 * Runs the property for one engine configuration: every generated case is either refused by the engine at
 * synthesis (a guardrail with a fix) or compared completely, with no difference allowed.
 */
export function checkIstioEquivalence(plane: DataPlane, cniName: CniName, options: { exclusive?: boolean; runs?: number } = {}): IstioRunCounts {
  const cni = CNIS[cniName];
  const exclusive = options.exclusive ?? false;
  let compared = 0;
  let refused = 0;
  let throughWaypoint = 0;
  const cases = fc.tuple(istioIntentsArb(cni.selectsAccounts, exclusive, plane), httpIntent, mtlsIntent, meshClusterArb(exclusive));
  fc.assert(fc.property(cases, ([specs, http, tls, mesh]) => {
    const chart = new Chart(Testing.app(), 'case');
    Engine.attach(chart, Engine.istio({ mode: plane === 'ambient' ? IstioMode.AMBIENT : IstioMode.SIDECAR, cni: cni.engine() }));
    buildIntents(chart, specs);
    if (http) {
      new AllowFrom(chart, 'http', {
        namespace: http.ns,
        to: plane === 'ambient' ? Workload.select({ app: http.app }, { service: http.app, servicePorts: SERVICE_PORTS }) : Workload.select({ app: http.app }),
        peers: [Peer.serviceAccount(http.sa, http.from)],
        ports: [Port.tcp(8080)],
        http: [HttpRule.get('/api/*'), HttpRule.post('/orders')],
      });
    }
    if (tls) {
      new MutualTls(chart, 'mtls', {
        namespace: tls.ns,
        ...(tls.app ? { workload: Workload.select({ app: tls.app }) } : {}),
        mode: MtlsMode[tls.mode],
        ...(tls.exceptionPort ? { portExceptions: [{ port: tls.exceptionPort, mode: MtlsMode[tls.mode === 'STRICT' ? 'PERMISSIVE' : 'STRICT'] }] } : {}),
      });
    }
    let actual: AnalysisPolicy[];
    try {
      actual = synthesizedPolicies(chart);
    } catch (e) {
      if (REFUSAL.test((e as Error).message)) {
        if (process.env.ISTIO_REFUSALS) process.stdout.write(`REFUSED ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 400)}\n`);
        refused++;
        return;
      }
      throw e;
    }
    compared++;
    const waypoint = plane === 'ambient' && http ? { ns: http.ns, service: http.app } : undefined;
    // The Service has an endpoint and the HTTP allowance a client (enrolled as chance has it), besides the random pods.
    const withService = !waypoint || !http ? mesh : {
      ...mesh,
      cluster: {
        ...mesh.cluster,
        pods: [...mesh.cluster.pods, { namespace: http.ns, app: http.app, sa: 'default', httpPort: 8080 }, { namespace: http.from, app: 'web', sa: http.sa, httpPort: 9090 }],
      },
      optOut: [...mesh.optOut, false, mesh.optOut[0]],
    };
    const cluster = toMeshCluster(withService, plane, proxyChecked(specs, http, cni.selectsAccounts), waypoint);
    const environment = peerAuthentications(withService, tls?.ns);
    const expected = [...istioIntentPolicies(chart), ...environment];
    const services = serviceDifferences(cluster, expected, [...actual, ...environment]);
    if (services.reached) throughWaypoint++;
    const diffs = [...reachabilityDifferenceList(cluster, expected, [...actual, ...environment]).map((d) => d.text), ...services.diffs];
    if (diffs.length) {
      throw new Error(`the Istio engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\n`
        + `intents:\n${describeIntents(specs)}\nhttp: ${JSON.stringify(http)}\nmtls: ${JSON.stringify(tls)}\nmesh: ${JSON.stringify({ ...mesh, cluster: undefined })}`);
    }
  }), { numRuns: options.runs ?? ISTIO_RUNS });
  // ISTIO_COUNTS=1 prints what was compared and refused (docs/ANALYSIS.md reports them); ISTIO_REFUSALS=1 also why each case was refused.
  if (process.env.ISTIO_COUNTS) process.stdout.write(`${plane} ${cniName}${exclusive ? ' exclusive' : ''}: compared ${compared}, refused ${refused}, through a waypoint ${throughWaypoint}\n`);
  return { compared, refused, throughWaypoint };
}
