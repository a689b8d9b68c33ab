import { App, Chart } from 'cdk8s';
import { FlowQuery, PodSpec } from './flow-query';
import { ClusterModel, PodInput } from '../analysis/cluster/cluster-model';
import { ReachabilityAnalyzer } from '../analysis/engine/reachability-analyzer';
import { Verdict } from '../analysis/engine/verdict';
import { istioDataPlaneMode, synthesizedPolicies } from '../analysis/intent/synthesized-policies';
import { FlowEndpoint, ipEndpoint, podEndpoint } from '../analysis/ir/flow';

/** What a jest matcher returns. */
export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/**
 * Decides a flow against what the chart (or every chart of the app) synthesizes,
 * read back through the same parsers as manifests from anywhere, in a minimal
 * cluster made of the two pods of the query (dual-stack, each on its own node, so
 * no node-local exemption applies), enrolled in the mesh as `PodSpec.mesh` says (by default
 * as the app's Istio engine enrols workloads), so mTLS follows from the model. The verdict is the exact engine's (the set of
 * connections between the two endpoints); `evaluate` supplies the explanation and
 * must agree with it.
 */
export function checkFlow(scope: Chart | App, query: FlowQuery): Verdict {
  const pods: PodInput[] = [];
  const defaultMesh = istioDataPlaneMode(scope);
  const namespaces = new Map<string, Record<string, string>>();
  const endpoint = (spec: PodSpec | string, name: string, ips: string[]): FlowEndpoint => {
    if (typeof spec === 'string') return ipEndpoint(spec);
    namespaces.set(spec.namespace, { ...(namespaces.get(spec.namespace) ?? {}), ...(spec.namespaceLabels ?? {}) });
    pods.push({
      namespace: spec.namespace,
      name,
      labels: spec.labels ?? {},
      serviceAccountName: spec.serviceAccount ?? 'default',
      ips,
      ports: (spec.containerPorts ?? []).map(p => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
      nodeName: `${name}-node`,
      ...(spec.mesh ?? defaultMesh ? { mesh: { enrollment: spec.mesh ?? defaultMesh as 'sidecar' | 'ambient' } } : {}),
    });
    return podEndpoint(spec.namespace, name);
  };
  const source = endpoint(query.from, 'client', ['10.255.0.1', 'fd00:ffff::1']);
  const destination = endpoint(query.to, 'server', ['10.255.0.2', 'fd00:ffff::2']);
  const cluster = ClusterModel.create({ namespaces: [...namespaces].map(([name, labels]) => ({ name, labels })), pods });
  const analyzer = new ReachabilityAnalyzer(cluster, synthesizedPolicies(scope), { ipBlockMatchesPods: false });
  const protocol = query.protocol ?? 'TCP';
  const http = query.method !== undefined || query.path !== undefined ? { method: query.method ?? 'GET', path: query.path ?? '/' } : undefined;
  if (http && (protocol !== 'TCP' || typeof http.method !== 'string' || typeof http.path !== 'string' || http.method === '')) {
    throw new Error(`cdk8s-zero-trust: ${describeQuery(query)}: an HTTP request needs protocol TCP, a non-empty string method and a string path`);
  }
  const allowed = analyzer.connections(source, destination).contains(query.port, protocol, http);
  const verdict = analyzer.evaluate({ source, destination, port: query.port, protocol, ...(http ? { http } : {}) });
  if (verdict.allowed !== allowed) {
    throw new Error(`cdk8s-zero-trust: the exact engine and the explanation disagree on ${describeQuery(query)} (a bug; please report it)`);
  }
  return verdict;
}

function describeQuery(q: FlowQuery): string {
  const end = (s: PodSpec | string) => (typeof s === 'string' ? s : `${s.namespace}/{${Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}}`);
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
