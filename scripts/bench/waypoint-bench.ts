// The cost of Service-addressed connections through ambient waypoints (docs/PERFORMANCE.md, "Services and
// waypoints"): an ambient mesh of N namespaces, each with the library's L7 output for one Service bound to the
// namespace's waypoint (ZeroTrustNamespace, Engine.istio ambient on Cilium), E endpoint pods, C client pods and
// one waypoint pod; `reach`'s Service rows (every pod to every waypoint-bound Service, exact per endpoint and
// request class) measured in this process after the pod-to-pod connectivity, which is timed apart.
//
//   ts-node --project scripts/tsconfig.json scripts/bench/waypoint-bench.ts [--namespaces N] [--endpoints E] [--clients C]
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { Engine, HttpRule, IstioMode, IstioPathNormalization, Peer, Port, Workload, ZeroTrustNamespace } from '../../src';
import { parseCluster, parsePolicies, ReachabilityAnalyzer } from '../../src/analysis';
import { connectionFocus } from '../../src/cli/port-selection';
import { serviceReport } from '../../src/cli/service-report';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const namespaces = flag('namespaces', 20);
const endpoints = flag('endpoints', 3);
const clients = flag('clients', 5);
const target = { podCidrs: ['10.0.0.0/8'], serviceCidrs: ['172.16.0.0/16'], istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES };

const app = new App();
const docs: string[] = [];
let ip = 0;
const nextIp = () => { ip++; return `10.${Math.floor(ip / 65536) % 256}.${Math.floor(ip / 256) % 256}.${ip % 256}`; };
const ambient = 'annotations: { ambient.istio.io/redirection: enabled }';
for (let n = 0; n < namespaces; n++) {
  const ns = `team-${n}`;
  const chart = new Chart(app, ns, { namespace: ns });
  const zone = new ZeroTrustNamespace(chart, 'zt', { engine: Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium({ target }) }) });
  zone.allowFrom('clients-to-api', {
    to: Workload.select({ app: 'api' }, { service: 'api' }),
    peers: [Peer.serviceAccount('client')],
    ports: [Port.tcp(8080)],
    http: [HttpRule.get('/api/v1/*'), HttpRule.post('/api/v1/orders')],
  });
  docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }`);
  for (let e = 0; e < endpoints; e++) {
    docs.push(`apiVersion: v1\nkind: Pod\nmetadata: { name: api-${e}, namespace: ${ns}, labels: { app: api }, ${ambient} }\n`
      + `spec: { serviceAccountName: api, containers: [{ name: app, ports: [{ containerPort: 8080 }] }] }\nstatus: { podIP: ${nextIp()} }`);
  }
  for (let c = 0; c < clients; c++) {
    docs.push(`apiVersion: v1\nkind: Pod\nmetadata: { name: client-${c}, namespace: ${ns}, labels: { app: client }, ${ambient} }\n`
      + `spec: { serviceAccountName: client, containers: [{ name: app }] }\nstatus: { podIP: ${nextIp()} }`);
  }
  docs.push(`apiVersion: v1\nkind: Pod\nmetadata: { name: waypoint-0, namespace: ${ns}, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }\n`
    + `spec: { serviceAccountName: waypoint, containers: [{ name: istio-proxy }] }\nstatus: { podIP: ${nextIp()} }`);
  docs.push(`apiVersion: v1\nkind: Service\nmetadata: { name: api, namespace: ${ns}, labels: { istio.io/use-waypoint: waypoint } }\nspec: { selector: { app: api }, ports: [{ port: 8080 }] }`);
  docs.push(`apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: waypoint, namespace: ${ns} }\n`
    + `spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }\nstatus: { addresses: [{ value: 172.16.0.${n % 250 + 1} }] }`);
}
const output = Yaml.stringify(...app.charts.flatMap((chart) => Testing.synth(chart)));
const cluster = parseCluster({ file: 'cluster.yaml', text: docs.join('\n---\n') });
const policies = parsePolicies({ file: 'out.yaml', text: output }, { ignoreOtherKinds: true });
const analyzer = new ReachabilityAnalyzer(cluster, policies);
let t = process.hrtime.bigint();
const connectivity = analyzer.connectivity();
connectivity.blocks();
const podMs = Number(process.hrtime.bigint() - t) / 1e6;
t = process.hrtime.bigint();
const report = serviceReport(analyzer, connectivity.universe, connectionFocus({}));
const serviceMs = Number(process.hrtime.bigint() - t) / 1e6;
const allowed = report.rows.reduce((sum, row) => sum + row.entries.reduce((n, entry) => n + entry.sources.length, 0), 0);
console.log(`| ${namespaces} | ${cluster.pods.length} | ${policies.length} | ${report.rows.length} | ${allowed} | ${podMs.toFixed(0)} ms | ${serviceMs.toFixed(0)} ms |`);
