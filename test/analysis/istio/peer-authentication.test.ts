import { ClusterModel, MeshEnrollment, parsePolicies, podEndpoint, PodInput, ReachabilityAnalyzer } from '../../../src/analysis';
import { errorOf } from '../../helpers/synth';

// The expectations below are written from Istio's documented and coded behaviour (research-13-16 §3,
// docs/ANALYSIS.md "The mesh"), never from the analyzer's output:
// - an HBONE tunnel is always mTLS: every meshed client to an ambient server, an ambient client to a
//   sidecar that listens HBONE (ztunnel sends HBONE to a workload istiod marks HBONE, whatever its
//   PeerAuthentication: `serviceregistry/ambient/workloads.go` `setTunnelProtocol`, ztunnel
//   `src/proxy/outbound.rs`; the sidecar's HBONE listener has no mTLS mode, `listener_inbound.go`);
// - otherwise a sidecar client uses Istio mTLS unless the server's port is DISABLE (`mtls_checker.go`),
//   also to a sidecar listening HBONE (`endpoint_builder.go`: HBONE only with PILOT_PREFER_SENDING_HBONE);
//   an ambient client sends plaintext to a sidecar without HBONE;
// - STRICT rejects what is not mTLS; a pod outside the mesh enforces nothing;
// - principals match only over mTLS.

type End = MeshEnrollment | 'sidecar+hbone';

function pod(name: string, end: End, extra: Partial<PodInput> = {}): PodInput {
  const mesh = end === 'sidecar+hbone' ? { enrollment: 'sidecar' as const, hbone: true } : { enrollment: end };
  return { namespace: 'prod', name, serviceAccountName: name, labels: { app: name }, ips: [`10.0.0.${10 + name.length}`], mesh, ...extra };
}

const pa = (name: string, spec: string, namespace = 'prod', meta = '') =>
  `---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: ${name}, namespace: ${namespace}${meta} }\nspec: ${spec}\n`;

/** Allows the client `client` into `server` by principal, on every port. */
const byPrincipal = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: server, namespace: prod }
spec:
  selector: { matchLabels: { app: server } }
  rules: [{ from: [{ source: { principals: [cluster.local/ns/prod/sa/client] } }] }]
`;

/** The verdict of both engines (they must agree), for client -> server on a TCP port. */
function decide(client: End, server: End, yaml: string, port = 8080): boolean {
  const cluster = ClusterModel.create({ namespaces: [{ name: 'prod' }], pods: [pod('client', client), pod('server', server)] });
  const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'mesh.yaml', text: yaml }));
  const flow = { source: podEndpoint('prod', 'client'), destination: podEndpoint('prod', 'server'), port, protocol: 'TCP' as const };
  const verdict = analyzer.evaluate(flow).allowed;
  expect(analyzer.connections(flow.source, flow.destination).contains(port, 'TCP')).toBe(verdict);
  expect(analyzer.connectivity().connections(flow.source, flow.destination).contains(port, 'TCP')).toBe(verdict);
  return verdict;
}

const ENDS: End[] = ['sidecar', 'sidecar+hbone', 'ambient', 'none'];

/** Istio's mTLS decision, written out from the rules above (not from the analyzer). */
function isMtls(client: End, server: End, mode: string): boolean {
  if (client === 'none' || server === 'none') return false;
  if (server === 'ambient' || (client === 'ambient' && server === 'sidecar+hbone')) return true;
  return client !== 'ambient' && mode !== 'DISABLE';
}

describe('mTLS decided per connection from enrollment and PeerAuthentication', () => {
  for (const mode of ['STRICT', 'PERMISSIVE', 'DISABLE']) {
    test(`${mode}: a principal matches exactly over mTLS, and ${mode === 'STRICT' ? 'plaintext is rejected' : 'plaintext is admitted where no policy needs an identity'}`, () => {
      const policy = pa('mtls', `{ mtls: { mode: ${mode} } }`);
      for (const client of ENDS) {
        for (const server of ENDS) {
          const mtls = isMtls(client, server, mode);
          const enforcing = server !== 'none';
          // The principal ALLOW: needs mTLS wherever a proxy enforces it.
          expect([client, server, decide(client, server, policy + byPrincipal)]).toEqual([client, server, !enforcing || mtls]);
          // STRICT alone: rejects plaintext at an enrolled server; PERMISSIVE and DISABLE admit it.
          const strictRejects = mode === 'STRICT' && enforcing && !mtls;
          expect([client, server, decide(client, server, policy)]).toEqual([client, server, !strictRejects]);
        }
      }
    });
  }

  test('portLevelMtls decides per container port: DISABLE on one port loses the identity there, STRICT elsewhere rejects plaintext', () => {
    const policy = pa('server', '{ selector: { matchLabels: { app: server } }, mtls: { mode: STRICT }, portLevelMtls: { "9090": { mode: DISABLE }, "8443": { mode: UNSET } } }');
    expect(decide('sidecar', 'sidecar', policy + byPrincipal, 8080)).toBe(true);
    expect(decide('sidecar', 'sidecar', policy + byPrincipal, 9090)).toBe(false); // plaintext to a DISABLE port: no principal
    expect(decide('none', 'sidecar', policy, 9090)).toBe(true);
    expect(decide('none', 'sidecar', policy, 8443)).toBe(false); // UNSET inherits the workload's STRICT
    expect(decide('none', 'sidecar', policy, 8080)).toBe(false);
  });

  // The known inconsistency of issue 13: the analyzer let the CNI see HBONE (TCP 15008) while it read the connection as
  // plaintext. Istio's source: ztunnel sends HBONE to a sidecar that listens HBONE whatever its PeerAuthentication,
  // and that listener authenticates the tunnel's peer; a sidecar client sends Istio mTLS (or plaintext to DISABLE) on
  // the application port, never HBONE, unless istiod runs with PILOT_PREFER_SENDING_HBONE.
  test('an ambient client reaches a sidecar listening HBONE through the tunnel with its identity, even on a DISABLE port, and the CNI sees TCP 15008', () => {
    const disable = pa('server', '{ selector: { matchLabels: { app: server } }, portLevelMtls: { "8080": { mode: DISABLE } } }');
    const cniAt = (port: number) => '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: server, namespace: prod }\n'
      + `spec: { podSelector: { matchLabels: { app: server } }, policyTypes: [Ingress], ingress: [{ ports: [{ port: ${port} }] }] }\n`;
    expect(decide('ambient', 'sidecar+hbone', disable + byPrincipal)).toBe(true);
    expect(decide('ambient', 'sidecar+hbone', disable + cniAt(15008))).toBe(true);
    expect(decide('ambient', 'sidecar+hbone', disable + cniAt(8080))).toBe(false);
    // A sidecar client: Istio mTLS on the application port, plaintext to the DISABLE port (no identity there).
    expect(decide('sidecar', 'sidecar+hbone', disable + cniAt(8080))).toBe(true);
    expect(decide('sidecar', 'sidecar+hbone', disable + cniAt(15008))).toBe(false);
    expect(decide('sidecar', 'sidecar+hbone', disable + byPrincipal)).toBe(false);
    expect(decide('sidecar', 'sidecar+hbone', byPrincipal)).toBe(true);
  });

  test('levels inherit: UNSET keeps the parent mode, a namespace policy overrides the mesh, a workload policy the namespace', () => {
    const mesh = pa('default', '{ mtls: { mode: STRICT } }', 'istio-system');
    expect(decide('none', 'sidecar', mesh)).toBe(false);
    expect(decide('none', 'sidecar', mesh + pa('ns', '{ mtls: { mode: UNSET } }'))).toBe(false);
    expect(decide('none', 'sidecar', mesh + pa('ns', '{}'))).toBe(false);
    expect(decide('none', 'sidecar', mesh + pa('ns', '{ mtls: { mode: PERMISSIVE } }'))).toBe(true);
    expect(decide('none', 'sidecar', mesh + pa('ns', '{ mtls: { mode: PERMISSIVE } }') + pa('w', '{ selector: { matchLabels: { app: server } }, mtls: { mode: STRICT } }'))).toBe(false);
    // An empty matchLabels is namespace level (istiod: `len(MatchLabels) == 0`).
    expect(decide('none', 'sidecar', mesh + pa('ns', '{ selector: { matchLabels: {} }, mtls: { mode: PERMISSIVE } }'))).toBe(true);
    // A workload policy for other pods changes nothing here.
    expect(decide('none', 'sidecar', pa('w', '{ selector: { matchLabels: { app: other } }, mtls: { mode: STRICT } }'))).toBe(true);
  });

  test('of several policies at one level the oldest counts, by creationTimestamp', () => {
    const older = pa('b', '{ mtls: { mode: STRICT } }', 'prod', ', creationTimestamp: "2026-01-01T00:00:00Z"');
    const newer = pa('a', '{ mtls: { mode: PERMISSIVE } }', 'prod', ', creationTimestamp: "2026-02-01T00:00:00Z"');
    expect(decide('none', 'sidecar', older + newer)).toBe(false);
    expect(decide('none', 'sidecar', newer.replace('2026-02-01', '2025-12-01') + older)).toBe(true);
  });

  test('UDP is never intercepted: STRICT does not reject it', () => {
    const cluster = ClusterModel.create({ namespaces: [{ name: 'prod' }], pods: [pod('client', 'none'), pod('server', 'sidecar')] });
    const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'm.yaml', text: pa('mtls', '{ mtls: { mode: STRICT } }') }));
    const connections = analyzer.connectivity().connections(podEndpoint('prod', 'client'), podEndpoint('prod', 'server'));
    expect([connections.contains(53, 'UDP'), connections.contains(53, 'TCP')]).toEqual([true, false]);
  });

  test('explain says the connection is plaintext and which PeerAuthentication rejects it', () => {
    const cluster = ClusterModel.create({ namespaces: [{ name: 'prod' }], pods: [pod('client', 'none'), pod('server', 'sidecar')] });
    const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'm.yaml', text: pa('mtls', '{ mtls: { mode: STRICT } }') + byPrincipal }));
    const verdict = analyzer.evaluate({ source: podEndpoint('prod', 'client'), destination: podEndpoint('prod', 'server'), port: 8080, protocol: 'TCP' });
    expect(verdict.explanation).toContain('[mesh] ingress at pod prod/server: mTLS STRICT (PeerAuthentication prod/mtls) rejects the plaintext connection '
      + '(client none, server sidecar, STRICT on port 8080) from pod prod/client before any AuthorizationPolicy runs');
  });
});

describe('PeerAuthentications the analyzer refuses', () => {
  const read = (yaml: string) => errorOf(() => parsePolicies({ file: 'pa.yaml', text: yaml }));

  test('fails on portLevelMtls without a workload selector, as Istio\'s validation does', () => {
    expect(read(pa('x', '{ portLevelMtls: { "80": { mode: STRICT } } }'))).toMatch(/spec\.portLevelMtls: Istio refuses portLevelMtls on a mesh\/namespace PeerAuthentication/);
  });

  test('fails on a selector policy in the root namespace, which istiod ignores', () => {
    expect(read(pa('x', '{ selector: { matchLabels: { app: a } }, mtls: { mode: STRICT } }', 'istio-system'))).toMatch(/spec\.selector: istiod ignores a PeerAuthentication with a workload selector in the root namespace/);
  });

  test('fails on an unknown mode and on a port key out of range', () => {
    expect(read(pa('x', '{ mtls: { mode: strict } }'))).toMatch(/spec\.mtls\.mode: expected UNSET, DISABLE, PERMISSIVE or STRICT, got "strict"/);
    expect(read(pa('x', '{ selector: { matchLabels: { a: b } }, portLevelMtls: { "0": { mode: STRICT } } }'))).toMatch(/spec\.portLevelMtls\.0: expected a port number 1-65535/);
  });

  test('throws when policies at one level disagree and no creationTimestamp says which is oldest', () => {
    const cluster = ClusterModel.create({ namespaces: [{ name: 'prod' }], pods: [pod('client', 'none'), pod('server', 'sidecar')] });
    const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'm.yaml', text: pa('a', '{ mtls: { mode: STRICT } }') + pa('b', '{ mtls: { mode: PERMISSIVE } }') }));
    expect(errorOf(() => analyzer.connectivity().connections(podEndpoint('prod', 'client'), podEndpoint('prod', 'server'))))
      .toMatch(/^PeerAuthentication prod\/a, PeerAuthentication prod\/b apply in namespace prod at the same level and disagree; istiod uses only the oldest/);
  });
});
