import { Chart, Testing } from 'cdk8s';
import { istioChart } from './support';
import {
  AllowDns, AllowFrom, ClusterDefaultDeny, DefaultDeny, EgressToCidr, Engine, HttpRule, IstioMode, LabelExpression, MtlsMode, MutualTls, Peer,
  PolicyStage, Port, Workload,
} from '../../../src';
import { errorOf, synthValid } from '../../helpers/synth';

const backend = Workload.select({ app: 'backend-api' });
const web = Workload.select({ app: 'web' }, { service: 'web', servicePorts: [{ port: 80 }, { port: 8080 }] });
const SIDECAR = 'istio-sidecar-kubernetes';
const AMBIENT = 'istio-ambient-kubernetes';

/** The synthesis error of a chart. */
function failure(chart: Chart): string {
  return errorOf(() => Testing.synth(chart));
}

describe('the Istio engine fails synthesis, with a fix, for', () => {
  test('a peer chosen by pod labels only: it has no identity; give the workload a service account', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(Workload.select({ app: 'frontend' }))], ports: [Port.tcp(8080)] });
    expect(failure(chart)).toContain(`[test/in] the ${SIDECAR} engine cannot express pods app=frontend in namespace production (pods chosen by labels have no identity in Istio: the destination proxy only sees the client's service account (mTLS principal) and namespace); `
      + 'in: allow ingress of production/app=backend-api from [pods app=frontend in namespace production] on [TCP 8080]. '
      + 'Fix: name the account the workload runs as and declare that exactly these pods use it: Workload.select({...}, { serviceAccount: \'<account>\', exclusiveServiceAccount: true }) '
      + '(Istio then checks the account, engines without identities keep the labels); or allow the identity with Peer.serviceAccount(\'<account>\', \'production\'), or the whole namespace with Peer.namespace(\'production\').');
  });

  test('a peer chosen by labels AND a service account, unless the user opts into matching the account only', () => {
    const peer = Peer.workload(Workload.select({ app: 'frontend' }, { serviceAccount: 'frontend' }));
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'in', { to: backend, peers: [peer], ports: [Port.tcp(8080)] });
    expect(failure(chart)).toContain(`the ${SIDECAR} engine cannot express pods app=frontend with service account frontend in namespace production exactly (Istio checks the client's service account (principal) only; it cannot also check the pod labels); `
      + 'in: allow ingress of production/app=backend-api from [pods app=frontend with service account frontend in namespace production] on [TCP 8080]. '
      + 'Fix: if exactly these pods run as frontend, declare it on the workload (exclusiveServiceAccount: true); else select the peer by identity only with Peer.serviceAccount(\'frontend\', \'production\'), or opt into the approximation with Engine.istio({ matchPeersByServiceAccount: true }), which widens the policy: every pod running as service account frontend in production matches, whatever its labels.');
    const opted = istioChart(IstioMode.SIDECAR, Engine.kubernetes(), { matchPeersByServiceAccount: true });
    new AllowFrom(opted, 'in', { to: backend, peers: [peer], ports: [Port.tcp(8080)] });
    expect(synthValid(opted).find(o => o.kind === 'AuthorizationPolicy').spec.rules[0].from).toEqual([{ source: { principals: ['cluster.local/ns/production/sa/frontend'] } }]);
  });

  test.each([
    ['namespace labels', Peer.namespacesWithLabels({ team: 'ops' }), 'Istio sources match namespace names (`namespaces`), never namespace labels'],
    ['every namespace', Peer.pods({ allNamespaces: true }), 'an Istio rule for every namespace matches mesh identities only'],
    ['the API server without addresses', Peer.kubeApiServer(), 'Istio has no identity for the API server'],
  ])('a peer by %s (on Cilium, which can select all of them at L4)', (_what, peer, reason) => {
    const chart = istioChart(IstioMode.SIDECAR, Engine.cilium());
    new AllowFrom(chart, 'in', { to: backend, peers: [peer], ports: [Port.tcp(8080)] });
    expect(failure(chart)).toContain(reason);
  });

  test('protected pods chosen by service account or by set-based requirements: Istio selectors have matchLabels only', () => {
    const bySa = istioChart(IstioMode.SIDECAR, Engine.cilium());
    new AllowFrom(bySa, 'in', { to: Workload.select({ app: 'b' }, { serviceAccount: 'b' }), peers: [Peer.namespace('x')], ports: [Port.tcp(80)] });
    expect(failure(bySa)).toContain('[test/in] the istio-sidecar-cilium engine cannot express selecting the protected pods by service account (Istio selects workloads by pod labels only (selector.matchLabels)); in: allow ingress of production/app=b (sa b) from [pods (all) in namespace x] on [TCP 80]. '
      + 'Fix: if exactly these pods run as the account, declare it: Workload.select({...}, { serviceAccount: \'<account>\', exclusiveServiceAccount: true }), and Istio selects them by their labels; else select the protected pods by their labels only.');
    const byExpr = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(byExpr, 'deny', { pods: Workload.select({ app: 'b' }, { expressions: [LabelExpression.exists('tier')] }), acknowledgeDnsBlocked: true });
    expect(failure(byExpr)).toContain(`[test/deny] the ${SIDECAR} engine cannot express set-based label requirements on the protected pods (Istio selectors have matchLabels only, no matchExpressions)`);
  });

  test('named ports and huge ranges: AuthorizationPolicy ports are numbers, without ranges', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'named', { to: backend, peers: [Peer.namespace('x')], ports: [Port.named('http')] });
    new AllowFrom(chart, 'range', { to: backend, peers: [Peer.namespace('x')], ports: [Port.tcpRange(1000, 2000)] });
    const message = failure(chart);
    expect(message).toContain(`[test/named] the ${SIDECAR} engine cannot express TCP http (AuthorizationPolicy ports are numbers: Istio does not resolve container port names)`);
    expect(message).toContain(`[test/range] the ${SIDECAR} engine cannot express TCP 1000-2000 (AuthorizationPolicy has no port ranges; the engine spells a range out, up to 256 ports)`);
  });

  test('an allowance the waypoint enforces without the Service\'s ports: the waypoint matches Service ports, the intent names container ports', () => {
    const chart = istioChart(IstioMode.AMBIENT);
    new AllowFrom(chart, 'in', { to: Workload.select({ app: 'api' }, { service: 'api' }), peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [HttpRule.get('/')] });
    expect(failure(chart)).toContain(`[test/in] the ${AMBIENT} engine cannot express an allowance on TCP 8080 to the pods of Service production/api, which is bound to the waypoint, without the Service's ports `
      + '(the waypoint matches AuthorizationPolicy ports against the Service port the client connects to (ztunnel tunnels the Service VIP and port to it, and its filter chains are per Service port), '
      + 'while the allowance names container ports, and a Service may forward port 80 to 8080); in: allow ingress of production/app=api from [pods (all) with service account frontend in namespace production] on [TCP 8080] for HTTP [GET /]. '
      + 'Fix: declare the Service\'s TCP ports as its spec.ports says: Workload.select({...}, { service: \'api\', servicePorts: [{ port: 80, targetPort: 8080 }] }) — { port: 8080 } where the port equals its targetPort.');
  });

  test('HTTP rules on a container port no declared Service port forwards to: only connections to the Service pass the waypoint', () => {
    const chart = istioChart(IstioMode.AMBIENT);
    const api = Workload.select({ app: 'api' }, { service: 'api', servicePorts: [{ port: 80, targetPort: 8080 }] });
    new AllowFrom(chart, 'in', { to: api, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080), Port.tcp(9090)], http: [HttpRule.get('/')] });
    expect(failure(chart)).toContain(`[test/in] the ${AMBIENT} engine cannot express HTTP rules on TCP 9090 of the pods of Service production/api, which no port of the Service forwards to (its ports: 80→8080) `
      + '(in ambient mode only the waypoint enforces HTTP rules, and only connections addressed to the Service pass it; a connection to the pod IP on these ports is denied); ');
    expect(failure(chart)).toContain('Fix: list the Service port that forwards to the container port in servicePorts, or allow only ports the Service serves.');
  });

  test('two declarations of one Service\'s ports that differ: the waypoint policies of both come from one list', () => {
    const chart = istioChart(IstioMode.AMBIENT);
    new AllowFrom(chart, 'a', { to: Workload.select({ app: 'api' }, { service: 'api', servicePorts: [{ port: 80, targetPort: 8080 }] }), peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [HttpRule.get('/')] });
    new AllowFrom(chart, 'b', { to: Workload.select({ app: 'api' }, { service: 'api', servicePorts: [{ port: 8080 }] }), peers: [Peer.serviceAccount('worker')], ports: [Port.tcp(8080)], http: [HttpRule.post('/')] });
    const message = failure(chart);
    expect(message).toContain(`[test/a] the ${AMBIENT} engine cannot express two declarations of the ports of Service production/api (80→8080; and 8080 from test/b)`);
    expect(message).toContain(`[test/b] the ${AMBIENT} engine cannot express two declarations of the ports of Service production/api (8080; and 80→8080 from test/a)`);
    expect(message).toContain('Fix: declare the same servicePorts on every Workload that names the Service (one Workload object, reused, says it once).');
  });

  test('HTTP rules on non-TCP ports, which no mesh proxy sees', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.namespace('x')], ports: [Port.tcp(80), Port.udp(80)], http: [HttpRule.get('/')] });
    expect(failure(chart)).toContain(`[test/in] the ${SIDECAR} engine cannot express HTTP rules on non-TCP ports (HTTP runs over TCP, and UDP, SCTP or "all traffic" never pass the mesh proxy that checks the rules, so the CNI would allow them whole)`);
  });

  test('service-account peers on UDP with a CNI that cannot select accounts (Istio does not see UDP)', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.serviceAccount('x')], ports: [Port.udp(53)] });
    expect(failure(chart)).toContain(`[test/in] the kubernetes CNI layer of the ${SIDECAR} engine cannot express service-account (identity) peers exactly`);
    const onCilium = istioChart(IstioMode.SIDECAR, Engine.cilium());
    new AllowFrom(onCilium, 'in', { to: backend, peers: [Peer.serviceAccount('x')], ports: [Port.udp(53)] });
    // The CNI decides UDP with the account; Istio only isolates the pods (ALLOW nothing: no TCP without an allowance).
    const objs = synthValid(onCilium);
    expect(objs.map(o => o.kind)).toEqual(['CiliumNetworkPolicy', 'AuthorizationPolicy']);
    expect(objs[1].spec).toEqual({ selector: { matchLabels: { app: 'backend-api' } } });
  });

  describe('ambient mode', () => {
    test('HTTP rules for pods without a Service: only a waypoint enforces them, and it binds by Service', () => {
      const chart = istioChart(IstioMode.AMBIENT);
      new AllowFrom(chart, 'in', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [HttpRule.get('/')] });
      expect(failure(chart)).toContain(`[test/in] the ${AMBIENT} engine cannot express HTTP rules for pods without a Service (in ambient mode only a waypoint enforces HTTP rules, and waypoint policies bind to a Service (targetRefs); a selector policy with HTTP rules would make ztunnel deny everything); `
        + 'in: allow ingress of production/app=backend-api from [pods (all) with service account frontend in namespace production] on [TCP 8080] for HTTP [GET /]. '
        + 'Fix: name the Service that fronts the pods: Workload.select({...}, { service: \'<service name>\' }), and label that Service istio.io/use-waypoint=waypoint.');
    });

    test('HTTP rules for clients outside the mesh, which never pass the waypoint', () => {
      const chart = istioChart(IstioMode.AMBIENT);
      new AllowFrom(chart, 'in', { to: web, peers: [Peer.cidr('10.0.0.0/8')], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
      expect(failure(chart)).toContain(`[test/in] the ${AMBIENT} engine cannot express HTTP rules for clients outside the mesh (10.0.0.0/8) (in ambient mode HTTP rules are enforced by the waypoint, and clients outside the mesh never pass through it, so they could only be denied)`);
    });

    test('an egress allowance the CNI must widen to HBONE while the destination also admits anyone on other ports', () => {
      const chart = istioChart(IstioMode.AMBIENT, Engine.cilium());
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowFrom(chart, 'api', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
      new AllowFrom(chart, 'public', { to: backend, peers: [Peer.anyone()], ports: [Port.tcp(443)] });
      expect(failure(chart)).toContain('[test/api] in ambient mode the CNI sees every mesh connection as HBONE (TCP 15008), so it cannot limit which ports production/(all) (sa frontend) opens to production/app=backend-api; '
        + 'production/app=backend-api also admits anyone on TCP 443 (test/public), so those pods could connect there although the intent denies their egress; '
        + 'in: allow egress of production/(all) (sa frontend) to [pods app=backend-api in namespace production] on [TCP 8080]. '
        + 'Fix: allow those ports to these pods explicitly with an AllowFrom (whose egress side then covers them), or use IstioMode.SIDECAR, or admit mesh identities (Peer.serviceAccount(), Peer.namespace()) instead of anyone.');
    });

    test('...which passes once the model allows that egress too', () => {
      const chart = istioChart(IstioMode.AMBIENT, Engine.cilium());
      new DefaultDeny(chart, 'deny');
      new AllowDns(chart, 'dns');
      new AllowFrom(chart, 'api', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080), Port.tcp(443)] });
      new AllowFrom(chart, 'public', { to: backend, peers: [Peer.anyone()], ports: [Port.tcp(443)] });
      expect(synthValid(chart).length).toBeGreaterThan(0);
    });
  });

  test('a source-side allowance the Kubernetes CNI renders without the account while the destination admits anyone on those ports', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new AllowFrom(chart, 'api', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
    new AllowFrom(chart, 'public', { to: backend, peers: [Peer.anyone()], ports: [Port.tcp(8080)] });
    expect(failure(chart)).toContain('[test/api] the kubernetes CNI cannot select pods by service account, so this egress allowance is rendered for every pod matching the labels of production/(all) (sa frontend), whatever its account; '
      + 'production/app=backend-api also admits anyone on TCP 8080 (test/public)');
    // Cilium selects by account: exact, no guard needed.
    const cilium = istioChart(IstioMode.SIDECAR, Engine.cilium());
    new DefaultDeny(cilium, 'deny');
    new AllowDns(cilium, 'dns');
    new AllowFrom(cilium, 'api', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
    new AllowFrom(cilium, 'public', { to: backend, peers: [Peer.anyone()], ports: [Port.tcp(8080)] });
    expect(synthValid(cilium).length).toBeGreaterThan(0);
  });

  describe('mutual TLS', () => {
    test('STRICT into a port a plaintext peer is allowed on: the allowance could never be used', () => {
      const chart = istioChart(IstioMode.SIDECAR);
      new MutualTls(chart, 'mtls', { mode: MtlsMode.STRICT });
      new AllowFrom(chart, 'lb', { to: backend, peers: [Peer.cidr('10.0.0.0/8')], ports: [Port.tcp(80)] });
      expect(failure(chart)).toContain('[test/lb] STRICT mutual TLS (require STRICT mTLS into production/(all), from test/mtls) rejects every client outside the mesh, so 10.0.0.0/8 could never connect on port 80; '
        + 'in: allow ingress of production/app=backend-api from [10.0.0.0/8] on [TCP 80]. '
        + 'Fix: give the pods a PERMISSIVE exception for that port (new MutualTls(scope, \'id\', { workload, mode: MtlsMode.STRICT, portExceptions: [{ port: 80, mode: MtlsMode.PERMISSIVE }] })), use MtlsMode.PERMISSIVE for these pods, or allow mesh identities (Peer.serviceAccount(), Peer.namespace()) instead.');
    });

    test('...which a workload-level PERMISSIVE exception for that port resolves', () => {
      const chart = istioChart(IstioMode.SIDECAR);
      new MutualTls(chart, 'mtls', { mode: MtlsMode.STRICT });
      new MutualTls(chart, 'backend-mtls', { workload: backend, mode: MtlsMode.STRICT, portExceptions: [{ port: 80, mode: MtlsMode.PERMISSIVE }] });
      new AllowFrom(chart, 'lb', { to: backend, peers: [Peer.cidr('172.16.0.0/12')], ports: [Port.tcp(80)] });
      const pa = synthValid(chart).filter(o => o.kind === 'PeerAuthentication');
      expect(pa.map(o => o.spec)).toEqual([
        { mtls: { mode: 'STRICT' } },
        { selector: { matchLabels: { app: 'backend-api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 80: { mode: 'PERMISSIVE' } } },
      ]);
    });

    test('two namespace-wide requirements: Istio applies only one', () => {
      const chart = istioChart(IstioMode.SIDECAR);
      new MutualTls(chart, 'mtls', { mode: MtlsMode.STRICT });
      new MutualTls(chart, 'again', { mode: MtlsMode.PERMISSIVE });
      expect(failure(chart)).toContain('[test/again] namespace production already has an mTLS requirement (require STRICT mTLS into production/(all), from test/mtls); Istio would apply only one of the two PeerAuthentications. In: require PERMISSIVE mTLS into production/(all). '
        + 'Fix: keep one requirement per namespace or workload (a workload-level MutualTls overrides the namespace\'s for its pods).');
    });

    test('port exceptions for a whole namespace: portLevelMtls needs a selector', () => {
      const chart = istioChart(IstioMode.SIDECAR);
      new MutualTls(chart, 'mtls', { mode: MtlsMode.STRICT, portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }] });
      expect(failure(chart)).toContain(`[test/mtls] the ${SIDECAR} engine cannot express per-port mTLS exceptions for a whole namespace (PeerAuthentication portLevelMtls only takes effect with a workload selector)`);
    });

    test('on a CNI-only engine', () => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      Engine.attach(chart, Engine.kubernetes());
      new MutualTls(chart, 'mtls', { mode: MtlsMode.STRICT });
      expect(failure(chart)).toContain('[test/mtls] the kubernetes engine cannot express STRICT mutual TLS (only mesh connections accepted) (a CNI network policy filters connections but cannot require or verify mutual TLS; node-level encryption (WireGuard, IPsec) is a cluster setting and proves no workload identity); '
        + 'in: require STRICT mTLS into production/(all). Fix: set acknowledgeNoEncryption: true on the MutualTls or ZeroTrustNamespace to accept that this engine does not encrypt traffic '
        + '(the requirement then renders nothing here, and is still enforced on Istio); for mutual TLS, layer Istio on this CNI: Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes() }).');
    });
  });

  test('audit-stage egress on a CNI that cannot stage: Istio observes ingress only', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'deny', { stage: PolicyStage.AUDIT });
    expect(failure(chart)).toContain(`[test/deny] the kubernetes CNI layer of the ${SIDECAR} engine cannot express audit-only (staged / dry-run) policies (NetworkPolicy has no audit or staged mode: it is always enforced); in: deny all egress+ingress of production/(all) (audit only). `
      + 'Fix: Istio observes ingress only: layer Istio on a CNI with staged policies (Engine.calico()), audit only the ingress side (DefaultDeny with directions: [PolicyDirection.INGRESS]), or set stage: PolicyStage.ENFORCE.');
  });

  test('a cluster-wide default deny: mesh plumbing is per namespace', () => {
    const chart = istioChart(IstioMode.SIDECAR, Engine.calico());
    new ClusterDefaultDeny(chart, 'cluster', { acknowledgeDnsBlocked: true });
    expect(failure(chart)).toContain('the istio-sidecar-calico engine cannot express a cluster-wide default deny (the mesh plumbing (istiod, HBONE, probes) and the Istio baseline are rendered per namespace');
  });

  test('an egress allowance of pods chosen by service account on the Kubernetes CNI (no Istio at the destination)', () => {
    const chart = istioChart(IstioMode.SIDECAR);
    new AllowDns(chart, 'dns');
    new EgressToCidr(chart, 'rds', { workload: Workload.select({ app: 'x' }, { serviceAccount: 'x' }), cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
    expect(failure(chart)).toContain(`[test/rds] the kubernetes CNI layer of the ${SIDECAR} engine cannot express selecting the protected pods by service account exactly`);
  });
});
