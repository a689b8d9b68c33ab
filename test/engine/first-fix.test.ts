import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import {
  AllowDns, AllowFrom, AllowTo, DefaultDeny, EgressToFqdn, Engine, HttpRule, IstioMode, MtlsMode, MutualTls, Peer, PolicyDirection, PolicyStage,
  Port, Workload, ZeroTrustNamespace, ClusterDefaultDeny, EgressToCidr, IstioPathNormalization,
} from '../../src';
import { expectValidManifests } from '../helpers/schema';
import { TEST_TARGET, testEngine } from '../helpers/target';

/**
 * Every class of synthesis error, with its first suggested fix applied: the result must synthesize on
 * the same engine, or — where the engine cannot express the intent at all — the fix names an engine
 * that can, and the intent synthesizes there (39 classes). Each row: the error, the words of its first fix (the
 * text after "Fix:" up to the first ";"), and the app with that fix applied.
 */
interface Row {
  readonly name: string;
  readonly engine: () => Engine;
  readonly build: (chart: Chart, fixed: boolean) => void;
  /** What the error says. */
  readonly error: RegExp;
  /** What its first fix says: the change `build(chart, true)` makes. */
  readonly firstFix: RegExp;
  /** Where the fix applied synthesizes: the same engine unless the fix is to use another one. */
  readonly fixedEngine?: () => Engine;
  /** The fix renders nothing on this engine (an acknowledged absence), so there is no object to check. */
  readonly rendersNothing?: boolean;
  /** The output uses fields outside the open-source schemas we validate against (Calico Enterprise's domains). */
  readonly outsideSchemas?: boolean;
}

const web = Workload.select({ app: 'web' });
const sidecarCalico = () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() });
const ambientCalico = () => testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.calico() });
const sidecarKubernetes = () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.kubernetes() });

const ROWS: Row[] = [
  {
    name: 'a service account taken from a cdk8s-plus Deployment on Kubernetes NetworkPolicy',
    engine: () => Engine.kubernetes(),
    build: (c, fixed) => {
      // The Deployment lives in an app of its own, so that only the policies are synthesized (and validated) here.
      const workloads = new Chart(Testing.app(), 'workloads', { namespace: 'production' });
      const api = new kplus.Deployment(workloads, 'api', {
        containers: [{ image: 'api', portNumber: 80 }], serviceAccount: new kplus.ServiceAccount(workloads, 'api-sa'),
      });
      new AllowFrom(c, 'in', { to: web, peers: [Peer.fromPodSelector(api, { useWorkloadServiceAccount: !fixed })], ports: [Port.tcp(80)] });
    },
    error: /The service account is workloads-api-sa-\w+, the serviceAccount of Deployment workloads\/api \(taken by useWorkloadServiceAccount\)/,
    firstFix: /drop useWorkloadServiceAccount to select those pods by their labels only/,
  },
  {
    name: 'egress denied without DNS',
    engine: () => testEngine.kubernetes(),
    build: (c, fixed) => { new DefaultDeny(c, 'deny'); if (fixed) new AllowDns(c, 'allow-dns', { namespace: 'production' }); },
    error: /no AllowDns covers these pods/,
    firstFix: /add new AllowDns\(scope, 'allow-dns', \{ namespace: 'production' \}\)/,
  },
  {
    name: 'mutual TLS on a CNI engine',
    engine: () => testEngine.kubernetes(),
    build: (c, fixed) => { new MutualTls(c, 'mtls', { mode: MtlsMode.STRICT, ...(fixed ? { acknowledgeNoEncryption: true } : {}) }); },
    rendersNothing: true,
    error: /cannot express STRICT mutual TLS/,
    firstFix: /set acknowledgeNoEncryption: true on the MutualTls or ZeroTrustNamespace/,
  },
  {
    name: 'a ZeroTrustNamespace on a CNI engine',
    engine: () => testEngine.cilium(),
    build: (c, fixed) => { new ZeroTrustNamespace(c, 'zt', fixed ? { acknowledgeNoEncryption: true } : {}); },
    error: /cannot express STRICT mutual TLS/,
    firstFix: /set acknowledgeNoEncryption: true/,
  },
  {
    name: 'a service-account peer on Kubernetes NetworkPolicy',
    engine: () => testEngine.kubernetes(),
    build: (c, fixed) => {
      new AllowFrom(c, 'in', { to: web, peers: [Peer.workload(Workload.select({ app: 'api' }, { serviceAccount: 'api', ...(fixed ? { exclusiveServiceAccount: true } : {}) }))], ports: [Port.tcp(80)] });
    },
    error: /kubernetes engine cannot express service-account \(identity\) peers exactly/,
    firstFix: /declare it on the workload \(Workload.select\(\{...\}, \{ serviceAccount: '<account>', exclusiveServiceAccount: true \}\)\)/,
  },
  {
    name: 'a peer chosen by labels only on Istio',
    engine: sidecarCalico,
    build: (c, fixed) => {
      new AllowFrom(c, 'in', { to: web, peers: [Peer.workload(fixed ? Workload.select({ app: 'api' }, { serviceAccount: 'api', exclusiveServiceAccount: true }) : Workload.select({ app: 'api' }))], ports: [Port.tcp(80)] });
    },
    error: /pods chosen by labels have no identity in Istio/,
    firstFix: /name the account the workload runs as and declare that exactly these pods use it: Workload.select\(\{...\}, \{ serviceAccount: '<account>', exclusiveServiceAccount: true \}\)/,
  },
  {
    name: 'a peer chosen by labels and a service account on Istio',
    engine: sidecarKubernetes,
    build: (c, fixed) => {
      new AllowFrom(c, 'in', { to: web, peers: [Peer.workload(Workload.select({ app: 'api' }, { serviceAccount: 'api', ...(fixed ? { exclusiveServiceAccount: true } : {}) }))], ports: [Port.tcp(80)] });
    },
    error: /Istio checks the client's service account \(principal\) only/,
    firstFix: /if exactly these pods run as api, declare it on the workload \(exclusiveServiceAccount: true\)/,
  },
  {
    name: 'protected pods chosen by service account on Istio',
    engine: sidecarCalico,
    build: (c, fixed) => {
      new AllowFrom(c, 'in', { to: Workload.select({ app: 'web' }, { serviceAccount: 'web', ...(fixed ? { exclusiveServiceAccount: true } : {}) }), peers: [Peer.namespace('x')], ports: [Port.tcp(80)] });
    },
    error: /cannot express selecting the protected pods by service account/,
    firstFix: /declare it: Workload.select\(\{...\}, \{ serviceAccount: '<account>', exclusiveServiceAccount: true \}\)/,
  },
  {
    name: 'a peer chosen by namespace labels on Istio',
    engine: sidecarCalico,
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: web, peers: [fixed ? Peer.namespace('monitoring') : Peer.namespacesWithLabels({ team: 'monitoring' })], ports: [Port.tcp(80)] }); },
    error: /Istio sources match namespace names/,
    firstFix: /allow each namespace by name: Peer.namespace\('<name>'\)/,
  },
  {
    name: 'HTTP rules without the workload\'s Service in ambient mode',
    engine: ambientCalico,
    build: (c, fixed) => {
      new AllowFrom(c, 'in', { to: Workload.select({ app: 'web' }, fixed ? { service: 'web', servicePorts: [{ port: 80 }] } : {}), peers: [Peer.namespace('x')], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
    },
    error: /cannot express HTTP rules for pods without a Service/,
    firstFix: /name the Service that fronts the pods: Workload.select\(\{...\}, \{ service: '<service name>' \}\)/,
  },
  {
    name: 'an AllowTo in ambient mode towards a destination nothing isolates',
    engine: ambientCalico,
    build: (c, fixed) => {
      new AllowDns(c, 'dns');
      if (fixed) new DefaultDeny(c, 'id', { namespace: 'production' });
      new AllowTo(c, 'out', { workload: Workload.allPods({ serviceAccount: 'api' }), peers: [Peer.workload(web)], ports: [Port.tcp(80)] });
    },
    error: /whose ingress nothing isolates/,
    firstFix: /isolate the destination's ingress too \(new DefaultDeny\(scope, 'id', \{ namespace: 'production' \}\)/,
  },
  {
    name: 'a port range wider than Istio spells out',
    engine: sidecarCalico,
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: fixed ? [Port.tcpRange(1000, 1200), Port.tcpRange(1201, 1400)] : [Port.tcpRange(1000, 1400)] }); },
    error: /AuthorizationPolicy has no port ranges/,
    firstFix: /split the range/,
  },
  {
    name: 'STRICT mutual TLS into a port a CIDR may reach',
    engine: sidecarCalico,
    build: (c, fixed) => {
      new MutualTls(c, 'mtls', fixed ? { workload: web, mode: MtlsMode.STRICT, portExceptions: [{ port: 80, mode: MtlsMode.PERMISSIVE }] } : { mode: MtlsMode.STRICT });
      new AllowFrom(c, 'in', { to: web, peers: [Peer.cidr('192.0.2.0/24')], ports: [Port.tcp(80)] });
    },
    error: /rejects every client outside the mesh/,
    firstFix: /give the pods a PERMISSIVE exception for that port \(new MutualTls\(scope, 'id', \{ workload, mode: MtlsMode.STRICT, portExceptions: \[\{ port: 80, mode: MtlsMode.PERMISSIVE \}\] \}\)\)/,
  },
  {
    name: 'two namespace-wide mutual TLS requirements on Istio',
    engine: sidecarCalico,
    build: (c, fixed) => { new MutualTls(c, 'a', { mode: MtlsMode.STRICT }); if (!fixed) new MutualTls(c, 'b', { mode: MtlsMode.PERMISSIVE }); },
    error: /Istio would apply only one of the two PeerAuthentications/,
    firstFix: /keep one requirement per namespace or workload/,
  },
  {
    name: 'audit-stage egress on Istio over a CNI that cannot stage',
    engine: sidecarKubernetes,
    fixedEngine: sidecarCalico,
    build: c => { new DefaultDeny(c, 'deny', { directions: [PolicyDirection.EGRESS], stage: PolicyStage.AUDIT, acknowledgeDnsBlocked: true }); },
    error: /cannot express audit-only \(staged \/ dry-run\) policies/,
    firstFix: /layer Istio on a CNI with staged policies \(Engine.calico\(\)\)/,
  },
  {
    name: 'a cluster-wide default deny on Istio',
    engine: sidecarCalico,
    build: (c, fixed) => { if (fixed) new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS] }); else new ClusterDefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS] }); },
    error: /cannot express a cluster-wide default deny/,
    firstFix: /use DefaultDeny or ZeroTrustNamespace per namespace/,
  },
  {
    name: 'HTTP rules on Kubernetes NetworkPolicy',
    engine: () => testEngine.kubernetes(),
    fixedEngine: () => testEngine.cilium(),
    build: c => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: [Port.tcp(80)], http: [HttpRule.get('/')] }); },
    error: /cannot express L7 HTTP method and path rules/,
    firstFix: /use Engine.cilium\(\) or an Istio engine/,
  },
  {
    name: 'HTTP rules on Calico without application layer policy',
    engine: () => testEngine.calico(),
    fixedEngine: () => testEngine.calico({ applicationLayerPolicy: true }),
    build: c => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: [Port.tcp(80)], http: [HttpRule.get('/')] }); },
    error: /cannot express L7 HTTP method and path rules/,
    firstFix: /declare it with Engine.calico\(\{ applicationLayerPolicy: true \}\)/,
  },
  {
    name: 'DNS names on Kubernetes NetworkPolicy',
    engine: () => testEngine.kubernetes(),
    fixedEngine: () => testEngine.cilium(),
    build: c => { new AllowDns(c, 'dns'); new EgressToFqdn(c, 'out', { workload: web, names: ['api.example.com'], ports: [Port.tcp(443)] }); },
    error: /cannot express DNS-name \(FQDN\) egress/,
    firstFix: /use an engine that can enforce DNS names: Engine.cilium\(\)/,
  },
  {
    name: 'named ports on egress on Cilium',
    engine: () => testEngine.cilium(),
    build: (c, fixed) => { new AllowDns(c, 'dns'); new AllowTo(c, 'out', { workload: web, peers: [Peer.namespace('x')], ports: [fixed ? Port.tcp(8080) : Port.named('http')] }); },
    error: /cannot express named ports on egress/,
    firstFix: /use the port number \(Port.tcp\(8080\)\)/,
  },
  {
    name: 'a label key Cilium leaves out of identities',
    engine: () => testEngine.cilium(),
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: Workload.select(fixed ? { app: 'web' } : { 'pod-template-hash': 'x' }), peers: [Peer.namespace('x')], ports: [Port.tcp(80)] }); },
    error: /Cilium's default label filter leaves them out/,
    firstFix: /select the pods by labels Cilium keeps in identities, such as app/,
  },
  {
    name: 'DNS-name egress on Cilium without a DNS allowance to carry the DNS proxy rule',
    engine: () => testEngine.cilium(),
    build: (c, fixed) => {
      new DefaultDeny(c, 'deny', { acknowledgeDnsBlocked: true });
      if (fixed) new AllowDns(c, 'allow-dns', { namespace: 'production' });
      new EgressToFqdn(c, 'out', { workload: web, names: ['api.example.com'], ports: [Port.tcp(443)], acknowledgeDnsBlocked: true });
    },
    error: /needs the pods' DNS lookups to go through Cilium's DNS proxy/,
    firstFix: /add new AllowDns\(scope, 'allow-dns', \{ namespace: 'production' \}\) under the same engine/,
  },
  {
    name: 'a named port on Istio',
    engine: sidecarCalico,
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: [fixed ? Port.tcp(8080) : Port.named('http')] }); },
    error: /AuthorizationPolicy ports are numbers/,
    firstFix: /use the port number, e.g. Port.tcp\(8080\)/,
  },
  {
    name: 'HTTP rules on a UDP port on Istio',
    engine: sidecarCalico,
    build: (c, fixed) => {
      new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: fixed ? [Port.tcp(80)] : [Port.tcp(80), Port.udp(53)], http: [HttpRule.get('/')] });
      if (fixed) new AllowFrom(c, 'in-udp', { to: web, peers: [Peer.namespace('x')], ports: [Port.udp(53)] });
    },
    error: /cannot express HTTP rules on non-TCP ports/,
    firstFix: /list TCP ports only \(e.g. Port.tcp\(8080\)\) for an allowance with http, and allow other protocols in a separate AllowFrom/,
  },
  {
    name: 'HTTP rules on a port range on Cilium',
    engine: () => testEngine.cilium(),
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: [fixed ? Port.tcp(80) : Port.tcpRange(80, 90)], http: [HttpRule.get('/')] }); },
    error: /attaches HTTP rules only to TCP ports given one by one/,
    firstFix: /list the TCP ports the HTTP server listens on, e.g. Port.tcp\(8080\)/,
  },
  {
    name: 'pods in every namespace as an Istio peer',
    engine: sidecarCalico,
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: web, peers: [fixed ? Peer.namespace('apps') : Peer.pods({ allNamespaces: true, podLabels: { app: 'x' } })], ports: [Port.tcp(80)] }); },
    error: /an Istio rule for every namespace matches mesh identities only/,
    firstFix: /name the namespaces with Peer.namespace\('<name>'\)/,
  },
  {
    name: 'the API server without its addresses',
    engine: () => testEngine.kubernetes(),
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: web, peers: [fixed ? Peer.kubeApiServer(['172.20.0.1/32']) : Peer.kubeApiServer()], ports: [Port.tcp(443)] }); },
    error: /cannot express the Kubernetes API server as a peer without its addresses/,
    firstFix: /pass the API server endpoint addresses: Peer.kubeApiServer\(\["<address>\/32"\]\)/,
  },
  {
    name: 'a DNS wildcard on Calico Enterprise',
    engine: () => testEngine.calico({ enterprise: true }),
    outsideSchemas: true,
    build: (c, fixed) => { new AllowDns(c, 'dns'); new EgressToFqdn(c, 'out', { workload: web, names: [fixed ? 'api.example.com' : '*.example.com'], ports: [Port.tcp(443)] }); },
    error: /Calico Enterprise's "\*" matches one OR MORE labels/,
    firstFix: /list the exact names, or use Engine.cilium\(\)/,
  },
  {
    name: 'HTTP rules for clients outside the mesh in ambient mode',
    engine: ambientCalico,
    build: (c, fixed) => {
      new AllowFrom(c, 'in', { to: Workload.select({ app: 'web' }, { service: 'web', servicePorts: [{ port: 80 }] }), peers: [fixed ? Peer.namespace('x') : Peer.cidr('192.0.2.0/24')], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
    },
    error: /cannot express HTTP rules for clients outside the mesh/,
    firstFix: /allow mesh identities \(Peer.serviceAccount\(\), Peer.namespace\(\)\) for the HTTP rules/,
  },
  {
    name: 'an AllowTo in ambient mode towards pods bound to the waypoint',
    engine: ambientCalico,
    build: (c, fixed) => {
      new DefaultDeny(c, 'deny');
      new AllowDns(c, 'dns');
      const redis = Workload.select({ app: 'redis' }, { service: 'redis', servicePorts: [{ port: 80 }, { port: 6379 }] });
      new AllowFrom(c, 'web', { to: redis, peers: [Peer.serviceAccount('web')], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
      const backend = Workload.allPods({ serviceAccount: 'backend' });
      if (fixed) new AllowFrom(c, 'id', { to: redis, peers: [Peer.workload(backend)], ports: [Port.tcp(6379)] });
      else new AllowTo(c, 'out', { workload: backend, peers: [Peer.workload(Workload.select({ app: 'redis' }))], ports: [Port.tcp(6379)] });
    },
    error: /an egress allowance to pods whose Service is bound to the waypoint/,
    firstFix: /say it from the destination's side: new AllowFrom\(scope, 'id', \{ to: Workload.select\(\{...\}, \{ service: 'redis' \}\)/,
  },
  {
    name: 'a CIDR peer without declared pod and Service CIDRs',
    engine: () => Engine.kubernetes(),
    build: c => { new EgressToCidr(c, 'out', { workload: web, cidr: '203.0.113.0/24', ports: [Port.tcp(443)], acknowledgeDnsBlocked: true }); },
    error: /cannot be checked against the cluster's pod and Service addresses/,
    firstFix: /declare the cluster's CIDRs on the engine, e\.g\. Engine\.kubernetes\(\{ target: \{ podCidrs: \['10\.244\.0\.0\/16'\], serviceCidrs: \['10\.96\.0\.0\/12'\] \} \}\)/,
    fixedEngine: () => Engine.kubernetes({ target: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] } }),
  },
  {
    name: 'a CIDR peer that overlaps the pod CIDR',
    engine: () => testEngine.cilium(),
    build: (c, fixed) => {
      new EgressToCidr(c, 'out', { workload: web, cidr: '0.0.0.0/0', exceptCidrs: fixed ? ['10.244.0.0/16', '10.96.0.0/16'] : [], ports: [Port.tcp(443)], acknowledgeDnsBlocked: true });
    },
    error: /overlaps the pod CIDR 10\.244\.0\.0\/16 and the Service CIDR 10\.96\.0\.0\/16/,
    firstFix: /except the cluster's ranges \(e\.g\. Peer\.cidr\('0\.0\.0\.0\/0', \['10\.244\.0\.0\/16', '10\.96\.0\.0\/16'\]\)\)/,
  },
  {
    name: 'port ranges on a Kubernetes version without endPort',
    engine: () => Engine.kubernetes({ target: { kubernetesVersion: '1.24' } }),
    build: (c, fixed) => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: fixed ? [Port.tcp(8080), Port.tcp(8081)] : [Port.tcpRange(8080, 8081)] }); },
    error: /which Kubernetes 1\.24 does not honour \(it needs 1\.25\.0/,
    firstFix: /list the ports one by one/,
  },
  {
    name: 'Cilium output on a Cilium older than 1.16',
    engine: () => Engine.cilium({ target: { ciliumVersion: '1.15.7' } }),
    build: c => { new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS] }); },
    error: /needs Cilium 1\.16\.0 or later .* but the target declares Cilium 1\.15\.7/,
    firstFix: /upgrade Cilium to 1\.16\.0 or later and declare it \(Engine\.cilium\(\{ target: \{ ciliumVersion: '1\.16\.0' \} \}\)\)/,
    fixedEngine: () => Engine.cilium({ target: { ciliumVersion: '1.16.0' } }),
  },
  {
    name: 'HTTP path rules on Cilium with http-normalize-path=false',
    engine: () => Engine.cilium({ target: { ciliumHttpNormalizePath: false } }),
    build: c => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: [Port.tcp(80)], http: [HttpRule.get('/api/*')] }); },
    error: /with the agent flag http-normalize-path=false Cilium's proxy matches the raw path/,
    firstFix: /run the Cilium agent with http-normalize-path=true \(Cilium's default\) and declare it/,
    fixedEngine: () => Engine.cilium({ target: { ciliumHttpNormalizePath: true } }),
  },
  {
    name: 'HTTP path rules on Istio with its default path normalization',
    engine: () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.cilium() }),
    build: c => { new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: [Port.tcp(80)], http: [HttpRule.get('/api/*')] }); },
    error: /Istio with the mesh's pathNormalization BASE \(Istio's default\) matches another path/,
    firstFix: /set meshConfig\.pathNormalization\.normalization: DECODE_AND_MERGE_SLASHES in the mesh and declare it/,
    fixedEngine: () => Engine.istio({
      mode: IstioMode.SIDECAR, cni: Engine.cilium(), target: { istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES },
    }),
  },
  {
    name: 'ambient dry-run on the seed\'s Istio 1.24.2',
    engine: () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes(), target: { istioVersion: '1.24.2' } }),
    build: c => { new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS], stage: PolicyStage.AUDIT }); },
    error: /is ENFORCED by Istio 1\.24\.2/,
    firstFix: /run istiod and every ztunnel 1\.29\.0 or later, istiod with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true, and declare it/,
    fixedEngine: () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes(), target: { istioVersion: '1.29.0', ztunnelVersion: '1.29.0', istioAmbientDryRun: true } }),
  },
  {
    name: 'an ambient AllowTo to anyone on TCP',
    engine: ambientCalico,
    build: (c, fixed) => {
      new DefaultDeny(c, 'deny-x', { namespace: 'x', directions: [PolicyDirection.INGRESS] });
      const workload = Workload.allPods({ serviceAccount: 'backend' });
      const peers = fixed ? [Peer.cidr('0.0.0.0/0', [...TEST_TARGET.podCidrs!.slice(0, 1), ...TEST_TARGET.serviceCidrs!]), Peer.namespace('x')] : [Peer.anyone()];
      new AllowTo(c, 'out', { workload, peers, ports: [Port.tcp(443)], acknowledgeDnsBlocked: true });
    },
    error: /cannot express egress to anyone on TCP/,
    firstFix: /allow the addresses outside the cluster with a CIDR that excepts the pod and Service CIDRs/,
  },
  {
    name: 'the same object name from two intents',
    engine: () => testEngine.kubernetes(),
    build: (c, fixed) => {
      const other = new Chart(c.node.scope as App, 'other', { namespace: 'production' });
      Engine.attach(other, testEngine.kubernetes());
      new AllowFrom(c, 'in', { to: web, peers: [Peer.namespace('x')], ports: [Port.tcp(80)] });
      new AllowFrom(other, fixed ? 'in-too' : 'in', { to: web, peers: [Peer.namespace('y')], ports: [Port.tcp(81)] });
    },
    error: /would also be rendered by/,
    firstFix: /give one of the two constructs another id/,
  },
];

/** The text of an error's first fix: after "Fix:", up to the first ";". */
function firstFixOf(message: string): string {
  const at = message.indexOf('Fix:');
  return at < 0 ? '' : message.slice(at + 4).split(';')[0].trim();
}

function synth(engine: () => Engine, build: (chart: Chart, fixed: boolean) => void, fixed: boolean): any[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'production' });
  Engine.attach(chart, engine());
  build(chart, fixed);
  return app.charts.flatMap(c => Testing.synth(c));
}

describe('the first fix of every synthesis error', () => {
  test.each(ROWS.map(r => [r.name, r] as const))('for %s, applied, synthesizes', (_name, row) => {
    let message = '';
    try {
      synth(row.engine, row.build, false);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(row.error);
    // The error that names the problem carries the fix (several errors may be listed).
    const line = message.split('\n').find(l => row.error.test(l)) ?? '';
    expect(firstFixOf(line)).toMatch(row.firstFix);
    const objects = synth(row.fixedEngine ?? row.engine, row.build, true);
    expect(objects.length > 0).toBe(!row.rendersNothing);
    if (!row.outsideSchemas) expectValidManifests(objects);
  });

  test('covers the engine-less intent too: attaching an engine is the fix', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'production' });
    new AllowFrom(chart, 'in', { to: web, peers: [Peer.namespace('x')], ports: [Port.tcp(80)] });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(firstFixOf(message)).toMatch(/call Engine.attach\(chart, Engine.kubernetes\(\)\)/);
    Engine.attach(chart, testEngine.kubernetes());
    // A compiled app is final: the fix applies to the same code, synthesized again.
    const again = new Chart(Testing.app(), 'test', { namespace: 'production' });
    Engine.attach(again, testEngine.kubernetes());
    new AllowFrom(again, 'in', { to: web, peers: [Peer.namespace('x')], ports: [Port.tcp(80)] });
    expect(Testing.synth(again)).toHaveLength(1);
  });
});
