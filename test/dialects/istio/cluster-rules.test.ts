import { ClusterDeny, Engine, IstioMode, Peer, PolicyDirection, Port } from '../../../src';
import { chartWith, errorOf, synthValid } from '../../helpers/synth';

describe('cluster-wide admin rules on an Istio engine', () => {
  test('fails with the fix of attaching the CNI engine to them: admin rules would decide the mesh\'s own connections', () => {
    const chart = chartWith(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.calico() }));
    new ClusterDeny(chart, 'no-metadata', { priority: 10, direction: PolicyDirection.EGRESS, peers: [Peer.cidr('169.254.169.254/32')], ports: [Port.allTraffic()] });
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('[test/no-metadata] the istio-ambient-calico engine cannot express a cluster-wide admin rule');
    expect(msg).toContain('Fix: attach the CNI engine itself');
  });
});
