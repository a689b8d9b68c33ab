import { Engine, IstioMode, MtlsMode, Peer, Port, Workload, ZeroTrustNamespace } from '../../src';
import { zeroTrustMatchers } from '../../src/testing';
import { chartWith } from '../helpers/synth';
import { TEST_TARGET } from '../helpers/target';

expect.extend(zeroTrustMatchers);

// Issue 13, "tried as a new user": the matchers refused ZeroTrustNamespace's STRICT PeerAuthentication, and
// with PERMISSIVE read a service-account allowance as denied (a flow query had no mTLS). The expectations are
// the intent's meaning in a mesh: the frontend's account reaches the backend on 8080, nobody else does, and a
// client outside the mesh (plaintext) has no identity — STRICT rejects it, PERMISSIVE admits it only where
// no identity is required.

const frontend = { namespace: 'production', labels: { app: 'frontend' }, serviceAccount: 'frontend' };
const other = { namespace: 'production', labels: { app: 'other' }, serviceAccount: 'other' };
const backend = { namespace: 'production', labels: { app: 'backend-api' }, serviceAccount: 'backend' };

function zeroTrust(mode: IstioMode, mtlsMode?: MtlsMode) {
  const chart = chartWith(Engine.istio({ mode, cni: Engine.kubernetes({ target: TEST_TARGET }) }));
  const ns = new ZeroTrustNamespace(chart, 'zt', mtlsMode ? { mtlsMode } : {});
  ns.allowFrom('frontend-to-backend', { to: Workload.select({ app: 'backend-api' }), peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
  return chart;
}

describe.each([IstioMode.SIDECAR, IstioMode.AMBIENT])('the matchers on ZeroTrustNamespace\'s Istio output (%s)', (mode) => {
  test('accept its default STRICT mTLS: the service-account allowance holds without any mTLS flag, and nothing else gets in', () => {
    const chart = zeroTrust(mode);
    expect(chart).toAllow({ from: frontend, to: backend, port: 8080 });
    expect(chart).toDeny({ from: other, to: backend, port: 8080 });
    expect(chart).toDeny({ from: frontend, to: backend, port: 9090 });
  });

  test('STRICT rejects the same client when it is outside the mesh: plaintext has no identity', () => {
    const result = zeroTrustMatchers.toAllow(zeroTrust(mode), { from: { ...frontend, mesh: 'none' }, to: backend, port: 8080 });
    expect(result.pass).toBe(false);
    expect(result.message()).toMatch(/mTLS STRICT \(PeerAuthentication production\/[^)]+\) rejects the plaintext connection/);
  });

  test('PERMISSIVE: the service-account allowance is read as allowed, and a plaintext client is still not the account', () => {
    const chart = zeroTrust(mode, MtlsMode.PERMISSIVE);
    expect(chart).toAllow({ from: frontend, to: backend, port: 8080 });
    expect(chart).toDeny({ from: { ...frontend, mesh: 'none' }, to: backend, port: 8080 });
  });
});

describe('the matchers\' mesh option', () => {
  test('throws on an enrollment that does not exist, from an untyped caller', () => {
    expect(() => zeroTrustMatchers.toAllow(zeroTrust(IstioMode.SIDECAR), { from: { ...frontend, mesh: 'sidecars' as never }, to: backend, port: 8080 }))
      .toThrow('Pod production/client: mesh.enrollment: expected one of sidecar, ambient, none, got "sidecars"');
  });
});
