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
 * side can differ), on all three CNIs, with the enrolled cluster of the istio-production fixture.
 */

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 60);
const CLUSTER_YAML = fs.readFileSync(path.join(__dirname, '..', 'analysis', 'istio', 'fixtures', 'ambient-waypoint-cluster.yaml'), 'utf8');
const cluster = parseCluster({ file: 'cluster.yaml', text: CLUSTER_YAML });
/** The same pods outside the mesh: what the intent means is pod to pod at the application port, with no tunnel to see. */
const unmeshed = parseCluster({ file: 'cluster.yaml', text: CLUSTER_YAML.replace(/, annotations: \{ ambient\.istio\.io\/redirection: enabled \}/g, '') });
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

function build(cni: keyof typeof CNIS, allowances: readonly Allowance[]): Chart {
  const app = new App();
  const chart = new Chart(app, 'production', { namespace: 'production' });
  const zone = new ZeroTrustNamespace(chart, 'zero-trust', { engine: Engine.istio({ mode: IstioMode.AMBIENT, cni: CNIS[cni]() }) });
  const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api' });
  allowances.forEach((a, i) => zone.allowFrom(`allow-${i}`, {
    to: backend,
    peers: [a.peer === 'frontend' ? Peer.serviceAccount('frontend') : a.peer === 'prometheus' ? Peer.serviceAccount('prometheus', 'monitoring') : Peer.namespace('monitoring')],
    ports: a.ports.map((port) => Port.tcp(port)),
    http: a.rules.map(([method, p]) => HttpRule[method](p)),
  }));
  return chart;
}

describe('the ambient L7 output allows through the Service exactly what the intent means', () => {
  test.each(Object.keys(CNIS) as (keyof typeof CNIS)[])('with %s as the CNI', (cni) => {
    let allowed = 0;
    fc.assert(fc.property(fc.array(allowance, { minLength: 1, maxLength: 3 }), (allowances) => {
      const chart = build(cni, allowances);
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
