import { App, Chart } from 'cdk8s';
import { FlowQuery, isServiceSpec, PodSpec, ServiceSpec } from './flow-query';
import { ClusterModel, PodInput, ServiceInput, WaypointInput } from '../analysis/cluster/cluster-model';
import { MESH_LABELS } from '../analysis/cluster/mesh-facts';
import { GATEWAY_NAME_LABEL } from '../analysis/cluster/waypoint-binding';
import { ReachabilityAnalyzer } from '../analysis/engine/reachability-analyzer';
import { ServiceVerdict } from '../analysis/engine/service-paths';
import { Verdict } from '../analysis/engine/verdict';
import { istioDataPlaneMode, istioWaypoint, synthesizedPolicies } from '../analysis/intent/synthesized-policies';
import { AnalysisPolicy } from '../analysis/ir/analysis-policy';
import { FlowEndpoint, ipEndpoint, podEndpoint } from '../analysis/ir/flow';


/** What a jest matcher returns. */
export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** What a flow query is answered with: a pod or IP destination's verdict, or a Service's (per endpoint, hop by hop). */
export type FlowVerdict = Verdict | ServiceVerdict;

/** At most this many ports in a flow query's Service. */
const MAX_QUERY_SERVICE_PORTS = 100;

/**
 * Decides a flow against what the chart (or every chart of the app) synthesizes,
 * read back through the same parsers as manifests from anywhere, in a minimal
 * cluster made of the two pods of the query (dual-stack, each on its own node, so
 * no node-local exemption applies), enrolled in the mesh as `PodSpec.mesh` says (by default
 * as the app's Istio engine enrols workloads), so mTLS follows from the model. The verdict is the exact engine's (the set of
 * connections between the two endpoints); `evaluate` supplies the explanation and
 * must agree with it.
 *
 * A Service destination (`ServiceSpec`) adds the Service, its endpoint pod and, when it names one, its
 * waypoint (a ready Gateway with one pod) to that cluster, and is decided by the Service-path engine
 * (`ReachabilityAnalyzer.evaluateService`, every hop), checked against the exact set of connections from
 * the client pod to the Service (`serviceConnections`).
 */
export function checkFlow(scope: Chart | App, query: FlowQuery & { readonly to: ServiceSpec }): ServiceVerdict;
export function checkFlow(scope: Chart | App, query: FlowQuery & { readonly to: PodSpec | string }): Verdict;
export function checkFlow(scope: Chart | App, query: FlowQuery): FlowVerdict;
export function checkFlow(scope: Chart | App, query: FlowQuery): FlowVerdict {
  const pods: PodInput[] = [];
  const defaultMesh = istioDataPlaneMode(scope);
  const namespaces = new Map<string, Record<string, string>>();
  const podInput = (spec: PodSpec, name: string, ips: string[]): PodInput => {
    namespaces.set(spec.namespace, { ...(namespaces.get(spec.namespace) ?? {}), ...(spec.namespaceLabels ?? {}) });
    return {
      namespace: spec.namespace,
      name,
      labels: spec.labels ?? {},
      serviceAccountName: spec.serviceAccount ?? 'default',
      ips,
      ports: (spec.containerPorts ?? []).map(p => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
      nodeName: `${name}-node`,
      ...(spec.mesh ?? defaultMesh ? { mesh: { enrollment: spec.mesh ?? defaultMesh as 'sidecar' | 'ambient' } } : {}),
    };
  };
  const endpoint = (spec: PodSpec | string, name: string, ips: string[]): FlowEndpoint => {
    if (typeof spec === 'string') return ipEndpoint(spec);
    pods.push(podInput(spec, name, ips));
    return podEndpoint(spec.namespace, name);
  };
  const protocol = query.protocol ?? 'TCP';
  const http = query.method !== undefined || query.path !== undefined ? { method: query.method ?? 'GET', path: query.path ?? '/' } : undefined;
  if (http && (protocol !== 'TCP' || typeof http.method !== 'string' || typeof http.path !== 'string' || http.method === '')) {
    throw new Error(`cdk8s-zero-trust: ${describeQuery(query)}: an HTTP request needs protocol TCP, a non-empty string method and a string path`);
  }
  const source = endpoint(query.from, 'client', ['10.255.0.1', 'fd00:ffff::1']);
  const policies = synthesizedPolicies(scope);
  if (isServiceSpec(query.to)) {
    const to = query.to;
    const extra = serviceCluster(scope, query, to, policies, (spec, name, ips) => pods.push(podInput(spec, name, ips)));
    const cluster = ClusterModel.create({ namespaces: [...namespaces].map(([name, labels]) => ({ name, labels })), pods, ...extra });
    const analyzer = new ReachabilityAnalyzer(cluster, policies, { ipBlockMatchesPods: false });
    const verdict = analyzer.evaluateService(source, to.namespace, to.service, query.port, protocol, http);
    if (source.kind === 'pod') {
      const client = cluster.findPod(source.namespace, source.name)!;
      const exact = analyzer.serviceConnections(client, analyzer.service(to.namespace, to.service));
      const every = exact.every.contains(query.port, protocol, http);
      if (every !== verdict.allowed || exact.some.contains(query.port, protocol, http) !== verdict.allowedBySome) {
        throw new Error(`cdk8s-zero-trust: the exact engine and the explanation disagree on ${describeQuery(query)} (a bug; please report it)`);
      }
    }
    return verdict;
  }
  const destination = endpoint(query.to, 'server', ['10.255.0.2', 'fd00:ffff::2']);
  const cluster = ClusterModel.create({ namespaces: [...namespaces].map(([name, labels]) => ({ name, labels })), pods });
  const analyzer = new ReachabilityAnalyzer(cluster, policies, { ipBlockMatchesPods: false });
  const allowed = analyzer.connections(source, destination).contains(query.port, protocol, http);
  const verdict = analyzer.evaluate({ source, destination, port: query.port, protocol, ...(http ? { http } : {}) });
  if (verdict.allowed !== allowed) {
    throw new Error(`cdk8s-zero-trust: the exact engine and the explanation disagree on ${describeQuery(query)} (a bug; please report it)`);
  }
  return verdict;
}

/**
 * The Service of a query with what it needs in the cluster: its endpoint pod (added through `addPod`) and, when
 * the query names a waypoint, the waypoint's Gateway and pod. Fails, saying what to add, on an incomplete query.
 */
function serviceCluster(
  scope: Chart | App, query: FlowQuery, to: ServiceSpec, policies: readonly AnalysisPolicy[],
  addPod: (spec: PodSpec, name: string, ips: string[]) => void,
): { services: ServiceInput[]; waypoints?: WaypointInput[] } {
  const where = `${describeQuery(query)}: the Service`;
  const fail = (what: string, fix: string): never => {
    throw new Error(`cdk8s-zero-trust: ${where} ${what}; ${fix}`);
  };
  if (typeof to.service !== 'string' || typeof to.namespace !== 'string') {
    fail('needs its name and namespace', 'write to: { service: \'<name>\', namespace: \'<namespace>\', ports: [{ port: 80, targetPort: 8080 }], endpoint: { labels: { app: \'<app>\' } } }');
  }
  if (!Array.isArray(to.ports) || to.ports.length === 0 || to.ports.length > MAX_QUERY_SERVICE_PORTS) {
    fail(`needs its ports (1 to ${MAX_QUERY_SERVICE_PORTS}), as its spec.ports says`, 'add ports: [{ port: 80, targetPort: 8080 }] (targetPort defaults to port)');
  }
  const labels = to.endpoint?.labels;
  const selector = to.selector ?? labels;
  if (selector === undefined || Object.keys(selector).length === 0) {
    fail('needs the pods behind it: neither a selector nor endpoint labels are given', 'add endpoint: { labels: { app: \'<app>\' } } (the Service selects them), or selector: { ... }');
  }
  const chosen = selector as Record<string, string>;
  const endpointLabels = labels ?? chosen;
  const unmatched = Object.entries(chosen).filter(([k, v]) => endpointLabels[k] !== v);
  if (unmatched.length > 0) {
    fail(`selector ${formatLabels(chosen)} does not select its endpoint (labels ${formatLabels(endpointLabels)}), so it would have no endpoint`, 'give the endpoint the selector\'s labels, or leave selector out (it defaults to the endpoint\'s labels)');
  }
  const containerPorts = to.endpoint?.containerPorts ?? [];
  for (const p of to.ports) {
    if (typeof p.targetPort === 'string' && !containerPorts.some(c => c.name === p.targetPort && (c.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))) {
      fail(`port ${p.port} forwards to the named port ${JSON.stringify(p.targetPort)}, which its endpoint does not have`, `add endpoint: { containerPorts: [{ name: ${JSON.stringify(p.targetPort)}, port: <number> }] }, or give targetPort as a number`);
    }
  }
  const boundBy = policies.filter(p => p.waypointTargets?.some(t => t.kind === 'Service' && t.namespace === to.namespace && t.name === to.service));
  if (to.waypoint === undefined && boundBy.length > 0) {
    fail(`is named by the app's waypoint policies (${boundBy.slice(0, 3).map(p => p.ref.name).join(', ')}), and whether it is labelled istio.io/use-waypoint decides the path`,
      `say which waypoint takes it: waypoint: '${istioWaypoint(scope)?.name ?? 'waypoint'}' (the label's value, as the docs tell you to label it), or waypoint: 'none'`);
  }
  if (to.waypoint !== undefined && typeof to.waypoint !== 'string') fail('waypoint must be a string', 'write the istio.io/use-waypoint label\'s value, e.g. waypoint: \'waypoint\', or \'none\'');
  addPod({ ...(to.endpoint ?? {}), namespace: to.namespace, labels: endpointLabels }, 'server', ['10.255.0.2', 'fd00:ffff::2']);
  const service: ServiceInput = {
    namespace: to.namespace,
    name: to.service,
    ...(to.waypoint !== undefined ? { labels: { [MESH_LABELS.useWaypoint]: to.waypoint } } : {}),
    selector: chosen,
    ports: to.ports.map(p => ({ port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? 'TCP', ...(p.name !== undefined ? { name: p.name } : {}) })),
  };
  if (to.waypoint === undefined || to.waypoint === 'none') return { services: [service] };
  // The waypoint's one pod: a proxy, running as the account Istio's deployment controller gives it (the app's option).
  const engine = istioWaypoint(scope);
  const serviceAccount = engine && engine.name === to.waypoint ? engine.serviceAccount : to.waypoint;
  addPod({ namespace: to.namespace, labels: { [GATEWAY_NAME_LABEL]: to.waypoint }, serviceAccount, mesh: 'sidecar' }, 'waypoint', ['10.255.0.3', 'fd00:ffff::3']);
  return { services: [service], waypoints: [{ namespace: to.namespace, name: to.waypoint, waypointFor: 'service' }] };
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}}`;
}

function describeQuery(q: FlowQuery): string {
  const end = (s: PodSpec | ServiceSpec | string) => (typeof s === 'string' ? s : isServiceSpec(s) ? `svc ${s.namespace}/${s.service}`
    : `${s.namespace}/{${Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}}`);
  const request = q.method !== undefined || q.path !== undefined ? ` ${q.method ?? 'GET'} ${q.path ?? '/'}` : '';
  return `${end(q.from)} → ${end(q.to)} on ${q.port}/${q.protocol ?? 'TCP'}${request}`;
}

/** `expect(chart).toAllow(query)`: the synthesized policies allow the flow. */
export function toAllow(scope: Chart | App, query: FlowQuery): MatcherResult {
  const verdict = checkFlow(scope, query);
  return {
    pass: verdict.allowed,
    message: () => `expected ${describeQuery(query)} to be ${verdict.allowed ? 'denied' : 'allowed'}, but it is ${verdict.allowed ? 'allowed' : 'denied'}:\n${verdict.explanation}`,
  };
}

/** `expect(chart).toDeny(query)`: the synthesized policies deny the flow. */
export function toDeny(scope: Chart | App, query: FlowQuery): MatcherResult {
  const verdict = checkFlow(scope, query);
  return {
    pass: !verdict.allowed,
    message: () => `expected ${describeQuery(query)} to be ${verdict.allowed ? 'denied' : 'allowed'}, but it is ${verdict.allowed ? 'allowed' : 'denied'}:\n${verdict.explanation}`,
  };
}

/**
 * The matchers, for `expect.extend(zeroTrustMatchers)` in a jest setup file:
 *
 * ```ts
 * import { zeroTrustMatchers } from 'cdk8s-zero-trust/lib/testing';
 * expect.extend(zeroTrustMatchers);
 * expect(chart).toAllow({ from: { namespace: 'shop', labels: { app: 'web' } }, to: { namespace: 'shop', labels: { app: 'api' } }, port: 8080 });
 * ```
 */
export const zeroTrustMatchers = { toAllow, toDeny };

// The matchers' types for jest's global `expect` (@types/jest, as in a `cdk8s init typescript-app` project),
// shipped with the package: importing `cdk8s-zero-trust/lib/testing` is enough for
// `expect(chart).toAllow(...)` to type-check. A project-local `.d.ts` would be lost to the cdk8s
// template's `.gitignore` (`*.d.ts`). The type parameters are @types/jest's (`Matchers<R, T = {}>`), so
// the declarations merge.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> {
      /** The chart's (or app's) synthesized policies allow the flow: `expect(chart).toAllow({ from, to, port })`. */
      toAllow(query: FlowQuery): R;
      /** The chart's (or app's) synthesized policies deny the flow: `expect(chart).toDeny({ from, to, port })`. */
      toDeny(query: FlowQuery): R;
    }
  }
}
