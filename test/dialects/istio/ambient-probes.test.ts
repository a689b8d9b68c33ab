import { Chart, Testing } from 'cdk8s';
import { DefaultDeny, Engine, IstioMode, PolicyDirection } from '../../../src';
import { ClusterModel, ipEndpoint, podEndpoint, ReachabilityAnalyzer } from '../../../src/analysis';
import { istioIntentPolicies } from '../../../src/analysis/intent/istio-intent-meaning';
import { synthesizedPolicies } from '../../../src/analysis/intent/synthesized-policies';
import { PROPERTY_TARGET } from '../../helpers/target';

// Ambient mode and the kubelet's health probes on every IP family. istio-cni's node agent SNATs a probe from the
// node to HOST_PROBE_SNAT_IP (default 169.254.7.127) for IPv4 and to HOST_PROBE_SNAT_IPV6 (default
// fd16:9254:7127:1337:ffff:ffff:ffff:ffff) for IPv6 (istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c
// cni/pkg/nodeagent/options.go, cni/pkg/iptables/iptables.go: the SNAT rules of istio-inpod-probes-v4 and -v6).
// So the CNI of a dual-stack cluster sees IPv6 probes from that address: a pod isolated on ingress that admits only
// the IPv4 one fails them. The expectations below are those addresses, read with the analyzer off the CNI layer
// of the rendered policies of each CNI (the probes never reach ztunnel: the same iptables.go accepts TCP from the
// SNAT address in ISTIO_PRERT before the redirect, so only the CNI decides them).

const IPV4_PROBE = '169.254.7.127';
const IPV6_PROBE = 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff';

const CNIS: [string, () => Engine][] = [
  ['Kubernetes NetworkPolicy', () => Engine.kubernetes({ target: PROPERTY_TARGET })],
  ['Calico', () => Engine.calico({ target: PROPERTY_TARGET })],
  ['Cilium', () => Engine.cilium({ target: PROPERTY_TARGET })],
];

/** `prod` isolated on ingress in ambient mode, nothing else allowed. */
function isolated(cni: () => Engine): Chart {
  const chart = new Chart(Testing.app(), 'probes');
  Engine.attach(chart, Engine.istio({ mode: IstioMode.AMBIENT, cni: cni() }));
  new DefaultDeny(chart, 'deny', { namespace: 'prod', directions: [PolicyDirection.INGRESS] });
  return chart;
}

/** One dual-stack ambient pod with a probed HTTP port. */
const cluster = ClusterModel.create({
  namespaces: [{ name: 'prod', labels: { 'istio.io/dataplane-mode': 'ambient' } }],
  pods: [{ namespace: 'prod', name: 'web', labels: { app: 'web' }, ips: ['10.244.0.10', 'fd00::a'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], mesh: { enrollment: 'ambient' } }],
});

function admits(chart: Chart, source: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP', meaning = false): boolean {
  const policies = (meaning ? istioIntentPolicies(chart) : synthesizedPolicies(chart)).filter((p) => p.layer === 'network');
  return new ReachabilityAnalyzer(cluster, policies).evaluate({ source: ipEndpoint(source), destination: podEndpoint('prod', 'web'), port, protocol }).allowed;
}

describe.each(CNIS)('an isolated ambient pod on %s', (_name, cni) => {
  test('admits the kubelet\'s IPv6 probe source (istio-cni HOST_PROBE_SNAT_IPV6) on TCP, as well as the IPv4 one', () => {
    const chart = isolated(cni);
    expect([admits(chart, IPV6_PROBE, 8080), admits(chart, IPV6_PROBE, 1), admits(chart, IPV6_PROBE, 65535)]).toEqual([true, true, true]);
    expect(admits(chart, IPV4_PROBE, 8080)).toBe(true);
  });

  test('admits only those two addresses and only TCP: the neighbours of the IPv6 probe address and UDP are still denied', () => {
    const chart = isolated(cni);
    expect(admits(chart, 'fd16:9254:7127:1337:ffff:ffff:ffff:fffe', 8080)).toBe(false);
    expect(admits(chart, 'fd16:9254:7127:1337::', 8080)).toBe(false);
    expect(admits(chart, '169.254.7.128', 8080)).toBe(false);
    expect(admits(chart, IPV6_PROBE, 53, 'UDP')).toBe(false);
  });

  test('and what the intent means on Istio (its CNI part) says the same of the IPv6 probe source', () => {
    const chart = isolated(cni);
    expect([admits(chart, IPV6_PROBE, 8080, 'TCP', true), admits(chart, IPV4_PROBE, 8080, 'TCP', true)]).toEqual([true, true]);
    expect(admits(chart, 'fd16:9254:7127:1337:ffff:ffff:ffff:fffe', 8080, 'TCP', true)).toBe(false);
  });
});
