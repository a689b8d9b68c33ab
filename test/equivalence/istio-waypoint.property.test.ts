import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { Engine, HttpRule, IstioMode, Peer, Port, Workload, ZeroTrustNamespace } from '../../src';
import { ConnectionSpace, parseCluster, podEndpoint, ReachabilityAnalyzer } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { PROPERTY_TARGET } from '../helpers/target';

/*
 * The library's ambient L7 output, read back, allows through the Service exactly what the intent means (issue 13
 * item 2). In ambient mode the HTTP rules go to the namespace's waypoint, bound to the Service the workload names
 * (AuthorizationPolicy targetRefs), and the endpoint's ztunnel admits the waypoint's identity on the ports; so a
 * connection addressed to the Service — client ztunnel → waypoint (HTTP, the client's identity) → the endpoint's
 * ztunnel (the waypoint's identity), the CNI seeing HBONE on 15008 at both steps — must be allowed iff the intent
 * allows the client the request on the endpoint pod. Both sides are compared on every Service port and on every
 * request class of the joint connection space of both policy sets (the classes are where any matcher of either
 * side can differ), on all three CNIs, with the enrolled cluster of the istio-production fixture — its Service as
 * the seed has it (each port equal to its target port), and a variant whose ports differ from their targets and
 * cross (80 → 8080, 8080 → 9090, 9090 → 9090): the waypoint matches the Service port (istio/ztunnel tunnels the
 * Service VIP and port to it, istio/istio's waypoint picks the filter chain and its RBAC filter matches
 * `destination_port` by that port: src/dialects/istio/waypoint-ports.ts), so an output that wrote the container
 * ports into the waypoint policy would deny requests to Service port 80 the intent allows, and admit to Service
 * port 8080 (→ 9090) requests the intent allows on 8080 only.
 */

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 60);
const CLUSTER_YAML = fs.readFileSync(path.join(__dirname, '..', 'analysis', 'istio', 'fixtures', 'ambient-waypoint-cluster.yaml'), 'utf8');
const SEED_PORTS = '[{ name: http, port: 8080, targetPort: http }, { name: metrics, port: 9090, targetPort: 9090 }]';
const CROSSED_PORTS = '[{ name: http, port: 80, targetPort: http }, { name: metrics, port: 9090, targetPort: 9090 }, { name: alt, port: 8080, targetPort: 9090 }]';
/** Each Service layout, with what the workload declares of it (`servicePorts`). */
const LAYOUTS = {
  'port = targetPort': { yaml: CLUSTER_YAML, servicePorts: [{ port: 8080 }, { port: 9090 }] },
  'ports crossing their targets': {
    yaml: replaceOnce(CLUSTER_YAML, SEED_PORTS, CROSSED_PORTS),
    servicePorts: [{ port: 80, targetPort: 8080 }, { port: 9090 }, { port: 8080, targetPort: 9090 }],
  },
};
type Layout = keyof typeof LAYOUTS;

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the fixture no longer has ${from}`);
  return text.replace(from, to);
}
const CNIS = {
  kubernetes: () => Engine.kubernetes({ target: PROPERTY_TARGET }),
  cilium: () => Engine.cilium({ target: PROPERTY_TARGET }),
  calico: () => Engine.calico({ target: PROPERTY_TARGET }),
};

type Method = 'get' | 'post' | 'put' | 'delete';
interface Allowance { peer: 'frontend' | 'prometheus' | 'monitoring'; ports: number[]; rules: [Method, string][] }

const allowance: fc.Arbitrary<Allowance> = fc.record({
  peer: fc.constantFrom<'frontend' | 'prometheus' | 'monitoring'>('frontend', 'prometheus', 'monitoring'),
  ports: fc.constantFrom([8080], [9090], [8080, 9090]),
  rules: fc.uniqueArray(fc.tuple(fc.constantFrom<Method>('get', 'post', 'put', 'delete'), fc.constantFrom('/api/v1/*', '/api/v1/orders', '/healthz', '/metrics')),
    { minLength: 1, maxLength: 3, selector: ([m, p]) => `${m} ${p}` }),
});

function build(cni: keyof typeof CNIS, layout: Layout, allowances: readonly Allowance[]): Chart {
  const app = new App();
  const chart = new Chart(app, 'production', { namespace: 'production' });
  const zone = new ZeroTrustNamespace(chart, 'zero-trust', { engine: Engine.istio({ mode: IstioMode.AMBIENT, cni: CNIS[cni]() }) });
  const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: LAYOUTS[layout].servicePorts });
  allowances.forEach((a, i) => zone.allowFrom(`allow-${i}`, {
    to: backend,
    peers: [a.peer === 'frontend' ? Peer.serviceAccount('frontend') : a.peer === 'prometheus' ? Peer.serviceAccount('prometheus', 'monitoring') : Peer.namespace('monitoring')],
    ports: a.ports.map((port) => Port.tcp(port)),
    http: a.rules.map(([method, p]) => HttpRule[method](p)),
  }));
  return chart;
}

describe('the ambient L7 output allows through the Service exactly what the intent means', () => {
  const cases = (Object.keys(CNIS) as (keyof typeof CNIS)[])
    .flatMap((cni) => (Object.keys(LAYOUTS) as Layout[]).map((layout): [keyof typeof CNIS, Layout] => [cni, layout]));
  test.each(cases)('with %s as the CNI, Service %s', (cni, layout) => {
    const cluster = parseCluster({ file: 'cluster.yaml', text: LAYOUTS[layout].yaml });
    /** The same pods outside the mesh: what the intent means is pod to pod at the application port, with no tunnel to see. */
    const unmeshed = parseCluster({ file: 'cluster.yaml', text: LAYOUTS[layout].yaml.replace(/, annotations: \{ ambient\.istio\.io\/redirection: enabled \}/g, '') });
    let allowed = 0;
    fc.assert(fc.property(fc.array(allowance, { minLength: 1, maxLength: 3 }), (allowances) => {
      const chart = build(cni, layout, allowances);
      const actual = new ReachabilityAnalyzer(cluster, synthesizedPolicies(chart));
      const intent = new ReachabilityAnalyzer(unmeshed, intentPolicies(chart));
      const service = cluster.findService('production', 'backend-api')!;
      const rules = [actual, intent].flatMap((analyzer) => analyzer.index.parts.flatMap((part) => part.rules));
      const space = ConnectionSpace.forRules(cluster, rules, [], service.ports.map((p) => ({ protocol: p.protocol, from: p.port, to: p.port })));
      const backend = cluster.findPod('production', 'backend-api')!;
      const diffs: string[] = [];
      for (const client of ['production/frontend', 'monitoring/prometheus']) {
        const [ns, name] = client.split('/');
        for (const servicePort of service.ports) {
          const portAtom = space.portAtomIndex(space.atomAt(servicePort.port, 'TCP'));
          const { first, count } = space.atomsOfPortAtom(portAtom);
          for (let atom = first; atom < first + count; atom++) {
            const { http } = space.exampleOf(atom);
            const target = backend.ports.find((p) => p.name === servicePort.targetPort || p.port === servicePort.targetPort)!.port;
            const want = intent.evaluate({ source: podEndpoint(ns, name), destination: podEndpoint('production', 'backend-api'), port: target, protocol: 'TCP', ...(http ? { http } : {}), mesh: { mtls: true } }).allowed;
            const got = actual.evaluateService(podEndpoint(ns, name), 'production', 'backend-api', servicePort.port, 'TCP', http);
            if (got.allowed) allowed++;
            if (want !== got.allowed) {
              diffs.push(`${client} → svc backend-api ${servicePort.port} ${http ? `${http.method} ${http.path}` : '(no request)'}: intent ${want ? 'allows' : 'denies'}, output ${got.allowed ? 'allows' : 'denies'}\n${got.explanation}`);
            }
          }
        }
      }
      expect(diffs).toEqual([]);
    }), { numRuns: RUNS });
    // Not vacuous: the generated intents allow requests through the Service.
    expect(allowed).toBeGreaterThan(0);
  });
});
