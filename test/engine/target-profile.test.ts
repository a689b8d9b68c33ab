import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AllowFrom, DefaultDeny, EgressToCidr, Engine, HttpRule, IstioMode, IstioPathNormalization, Peer, PolicyDirection, PolicyStage, Port,
  TargetProfile, Workload,
} from '../../src';
import { overlappingRanges } from '../../src/validation/cidr-overlap';
import { errorOf, synthValid } from '../helpers/synth';

const CLUSTER: TargetProfile = { podCidrs: ['10.244.0.0/16', 'fd00:10:244::/64'], serviceCidrs: ['10.96.0.0/16'] };
const ENGINES: [string, (t?: TargetProfile) => Engine][] = [
  ['kubernetes', t => Engine.kubernetes({ target: t })],
  ['cilium', t => Engine.cilium({ target: t })],
  ['calico', t => Engine.calico({ target: t })],
  ['istio-sidecar-kubernetes', t => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes(), target: t })],
  ['istio-ambient-cilium', t => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium({ target: t }) })],
];

function chart(engine: Engine): Chart {
  const c = new Chart(Testing.app(), 'test', { namespace: 'production' });
  Engine.attach(c, engine);
  return c;
}

function egress(engine: Engine, cidr: string, exceptCidrs: string[] = []): Chart {
  const c = chart(engine);
  new EgressToCidr(c, 'out', { workload: Workload.select({ app: 'api' }), cidr, exceptCidrs, ports: [Port.tcp(443)], acknowledgeDnsBlocked: true });
  return c;
}

describe('CIDR peers and the cluster\'s pod and Service CIDRs (issue 13 item 6)', () => {
  describe.each(ENGINES)('on %s', (_name, engine) => {
    test('fails without declared pod and Service CIDRs, saying what to declare', () => {
      expect(errorOf(() => Testing.synth(egress(engine(), '203.0.113.0/24'))))
        .toMatch(/the CIDR peer\(s\) 203\.0\.113\.0\/24 cannot be checked .* does not declare podCidrs and serviceCidrs; .*Fix: declare the cluster's CIDRs on the engine, e\.g\. Engine\.\w+\(\{ target: \{ podCidrs: \['10\.244\.0\.0\/16'\], serviceCidrs/);
    });

    test('fails for a CIDR that overlaps the pod CIDR, naming it and the fix', () => {
      expect(errorOf(() => Testing.synth(egress(engine(CLUSTER), '10.0.0.0/8'))))
        .toContain('the CIDR peer 10.0.0.0/8 overlaps the pod CIDR 10.244.0.0/16 and the Service CIDR 10.96.0.0/16: Kubernetes NetworkPolicy, Calico and Istio match pod addresses inside a CIDR and Cilium never does');
    });

    test('fails for an ingress CIDR peer that overlaps an IPv6 pod CIDR', () => {
      const c = chart(engine(CLUSTER));
      new AllowFrom(c, 'in', { to: Workload.select({ app: 'api' }), peers: [Peer.ipv6('fd00::/16')], ports: [Port.tcp(443)] });
      expect(errorOf(() => Testing.synth(c))).toContain('the CIDR peer fd00::/16 overlaps the pod CIDR fd00:10:244::/64');
    });

    test('synthesizes a CIDR that excepts the cluster\'s ranges', () => {
      synthValid(egress(engine(CLUSTER), '0.0.0.0/0', ['10.244.0.0/16', '10.96.0.0/16']));
    });

    test('synthesizes an overlapping CIDR behind the opt-in that names the difference', () => {
      synthValid(egress(engine({ ...CLUSTER, acceptCidrsOverlappingPods: true }), '10.0.0.0/8'));
    });
  });

  test('an except that covers only part of the pod CIDR still overlaps it', () => {
    expect(errorOf(() => Testing.synth(egress(Engine.kubernetes({ target: CLUSTER }), '10.0.0.0/8', ['10.244.0.0/17', '10.96.0.0/16']))))
      .toContain('the CIDR peer 10.0.0.0/8 except 10.244.0.0/17, 10.96.0.0/16 overlaps the pod CIDR 10.244.0.0/16:');
  });

  test('the overlap is exact: it agrees with a brute-force walk over every address of a small space', () => {
    // 10.0.0.0/24 as the universe: blocks of prefix 24..30, excepts inside the block, ranges anywhere in it.
    const block = fc.tuple(fc.integer({ min: 24, max: 30 }), fc.nat(255)).map(([prefix, n]) => {
      const size = 2 ** (32 - prefix);
      const start = Math.floor(n / size) * size;
      return { text: `10.0.0.${start}/${prefix}`, first: start, last: start + size - 1 };
    });
    fc.assert(fc.property(block, fc.array(block, { maxLength: 3 }), fc.array(block, { minLength: 1, maxLength: 3 }), (cidr, excepts, ranges) => {
      const inside = excepts.filter(e => e.first >= cidr.first && e.last <= cidr.last);
      const expected = ranges.filter(r => {
        for (let a = r.first; a <= r.last; a++) {
          if (a >= cidr.first && a <= cidr.last && !inside.some(e => a >= e.first && a <= e.last)) return true;
        }
        return false;
      }).map(r => r.text);
      expect(overlappingRanges(cidr.text, inside.map(e => e.text), ranges.map(r => r.text))).toEqual(expected);
    }), { numRuns: 300 });
  });
});

describe('versions that would not honour the output (issue 13 item 6)', () => {
  const ranged = (engine: Engine) => {
    const c = chart(engine);
    new AllowFrom(c, 'in', { to: Workload.select({ app: 'api' }), peers: [Peer.namespace('x')], ports: [Port.tcpRange(8000, 8100)] });
    return c;
  };

  test('fails for port ranges on Kubernetes 1.24 with the version that is needed, and synthesizes on 1.25', () => {
    expect(errorOf(() => Testing.synth(ranged(Engine.kubernetes({ target: { kubernetesVersion: '1.24.9' } })))))
      .toContain('render as NetworkPolicy endPort, which Kubernetes 1.24.9 does not honour (it needs 1.25.0;');
    synthValid(ranged(Engine.kubernetes({ target: { kubernetesVersion: '1.25' } })));
  });

  test('fails for any Cilium output on Cilium 1.15, naming 1.16, and synthesizes on 1.16', () => {
    expect(errorOf(() => Testing.synth(ranged(Engine.cilium({ target: { ciliumVersion: '1.15.6' } })))))
      .toContain('the Cilium output needs Cilium 1.16.0 or later (every policy sets enableDefaultDeny, and port ranges use endPort), but the target declares Cilium 1.15.6');
    synthValid(ranged(Engine.cilium({ target: { ciliumVersion: '1.16.0' } })));
  });

  test('fails for the Cilium CNI layer of an Istio engine on Cilium 1.15 too', () => {
    const c = chart(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.cilium({ target: { ciliumVersion: '1.15' } }) }));
    new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS] });
    expect(errorOf(() => Testing.synth(c))).toContain('needs Cilium 1.16.0 or later');
  });

  test('fails for Istio output on Istio 1.21 (no security.istio.io/v1) and for ambient on 1.23', () => {
    const deny = (engine: Engine) => {
      const c = chart(engine);
      new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS] });
      return c;
    };
    expect(errorOf(() => Testing.synth(deny(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes(), target: { istioVersion: '1.21.6' } })))))
      .toContain('uses security.istio.io/v1, which Istio 1.21.6 does not serve (it needs 1.22.0)');
    expect(errorOf(() => Testing.synth(deny(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes(), target: { istioVersion: '1.23.0' } })))))
      .toContain('ambient mode with waypoints (Gateway API, targetRefs) needs Istio 1.24.0');
    synthValid(deny(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes(), target: { istioVersion: '1.24.2' } })));
  });

  describe('ambient dry-run (istio.io/dry-run on ztunnel policies)', () => {
    const audit = (target?: TargetProfile, mode = IstioMode.AMBIENT) => {
      const c = chart(Engine.istio({ mode, cni: Engine.kubernetes(), ...(target ? { target } : {}) }));
      new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS], stage: PolicyStage.AUDIT });
      return c;
    };
    test.each([
      ['nothing declared', undefined, 'and the target declares no Istio version'],
      ['the seed\'s Istio 1.24.2, which enforces it', { istioVersion: '1.24.2', istioAmbientDryRun: true }, 'is ENFORCED by Istio 1.24.2: istiod before 1.25.2 ignores istio.io/dry-run for ztunnel'],
      ['Istio 1.25.1, which enforces it', { istioVersion: '1.25.1' }, 'is ENFORCED by Istio 1.25.1'],
      ['Istio 1.25.2 to 1.28, which drop it', { istioVersion: '1.28.3', istioAmbientDryRun: true }, 'is dropped by Istio 1.28.3 (istiod 1.25.2 to 1.28 does not send dry-run policies to ztunnel)'],
      ['Istio 1.29 without istiod\'s flag', { istioVersion: '1.29.0' }, 'is dropped by istiod 1.29.0 unless it runs with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true'],
      ['an older ztunnel, which enforces it', { istioVersion: '1.29.1', ztunnelVersion: '1.28.2', istioAmbientDryRun: true }, 'is ENFORCED by ztunnel 1.28.2'],
    ])('fails with %s, naming the versions needed', (_name, target, message) => {
      const error = errorOf(() => Testing.synth(audit(target as TargetProfile | undefined)));
      expect(error).toContain(message);
      expect(error).toContain("Fix: run istiod and every ztunnel 1.29.0 or later, istiod with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true, and declare it (Engine.istio({ target: { istioVersion: '1.29.0', ztunnelVersion: '1.29.0', istioAmbientDryRun: true } }))");
    });

    test('synthesizes on istiod and ztunnel 1.29 with the flag, as a dry-run policy', () => {
      const objs = synthValid(audit({ istioVersion: '1.29.0', istioAmbientDryRun: true }));
      // The dry-run mark, and the intent's names every rendered object carries (issue 16 item 1).
      expect(objs.find(o => o.kind === 'AuthorizationPolicy').metadata.annotations)
        .toEqual({ 'istio.io/dry-run': 'true', 'zero-trust.cdk8s.io/construct-path': 'test/deny', 'zero-trust.cdk8s.io/intent': 'DefaultDeny' });
    });

    test('sidecar dry-run needs no version: Envoy honours it in every version', () => {
      synthValid(audit({ istioVersion: '1.24.2' }, IstioMode.SIDECAR));
      synthValid(audit(undefined, IstioMode.SIDECAR));
    });
  });
});

describe('HTTP path rules and the proxies\' path normalization (issue 13 item 5)', () => {
  const http = (engine: Engine, rule = HttpRule.get('/api/v1/*')) => {
    const c = chart(engine);
    new AllowFrom(c, 'api', {
      to: Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 8080 }] }), peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [rule],
    });
    return c;
  };

  test('Cilium with its default http-normalize-path=true matches the canonical path: synthesizes', () => {
    synthValid(http(Engine.cilium()));
  });

  test('fails on Cilium with http-normalize-path=false, naming the flag', () => {
    expect(errorOf(() => Testing.synth(http(Engine.cilium({ target: { ciliumHttpNormalizePath: false } })))))
      .toContain('with the agent flag http-normalize-path=false Cilium\'s proxy matches the raw path, so e.g. "/api//v1/x" would be denied where the intent allows it');
  });

  test.each([IstioMode.SIDECAR, IstioMode.AMBIENT])('fails on Istio (%s) with its default BASE: the issue\'s GET /api//v1/orders, and the setting to change', mode => {
    expect(errorOf(() => Testing.synth(http(Engine.istio({ mode, cni: Engine.cilium() })))))
      .toContain('Istio with the mesh\'s pathNormalization BASE (Istio\'s default) matches another path, so "/api//v1/orders" would be denied where the intent allows it; '
        + 'in: allow ingress of production/app=backend-api from [pods (all) with service account frontend in namespace production] on [TCP 8080] for HTTP [GET /api/v1/*]. '
        + 'Fix: set meshConfig.pathNormalization.normalization: DECODE_AND_MERGE_SLASHES in the mesh and declare it (Engine.istio({ target: { istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES } })).');
  });

  test('fails on Istio with MERGE_SLASHES: encoded slashes stay encoded, so ..%2F walks out of a prefix', () => {
    const target = { istioPathNormalization: IstioPathNormalization.MERGE_SLASHES };
    expect(errorOf(() => Testing.synth(http(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.cilium(), target })))))
      .toContain('"/api/v1/..%2Fadmin" allowed where it does not');
  });

  test('synthesizes on Istio with DECODE_AND_MERGE_SLASHES, and a rule without a path needs no setting', () => {
    const target = { istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES };
    synthValid(http(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.cilium(), target })));
    synthValid(http(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.cilium() }), HttpRule.method('GET')));
  });

  test('fails on Calico application layer policy (read through the Istio sidecars) with Istio\'s default', () => {
    expect(errorOf(() => Testing.synth(http(Engine.calico({ applicationLayerPolicy: true })))))
      .toContain('Calico application layer policy reads requests through the Istio sidecars, and with the mesh\'s pathNormalization BASE');
  });
});

describe('the target profile from untyped callers', () => {
  test.each([
    ['not an object', 'cluster', 'invalid target of Engine.kubernetes(): got "cluster"; expected a TargetProfile object'],
    ['an unknown setting', { podCidr: ['10.244.0.0/16'] }, 'invalid option "podCidr" of the target of Engine.kubernetes()'],
    ['an empty CIDR list', { podCidrs: [] }, 'invalid target.podCidrs of Engine.kubernetes(): got []; expected a list of 1 to 16 CIDR blocks'],
    ['a CIDR with host bits', { podCidrs: ['10.244.0.1/16'] }, 'invalid a CIDR in target.podCidrs of Engine.kubernetes(): got "10.244.0.1/16"'],
    ['a version with a "v"', { kubernetesVersion: 'v1.30' }, 'invalid target.kubernetesVersion of Engine.kubernetes(): got "v1.30"; expected a release version such as "1.24" or "1.24.2"'],
    ['a flag that is no boolean', { acceptCidrsOverlappingPods: 'yes' }, 'invalid target.acceptCidrsOverlappingPods of Engine.kubernetes(): got "yes"; expected true or false'],
    ['a path normalization that is no IstioPathNormalization', { istioPathNormalization: 'merge' }, 'invalid target.istioPathNormalization of Engine.kubernetes(): got "merge"'],
  ])('throws for %s', (_name, target, message) => {
    expect(errorOf(() => Engine.kubernetes({ target: target as any }))).toContain(message);
  });

  test('throws when Engine.istio() and its CNI engine declare different targets', () => {
    expect(errorOf(() => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes({ target: CLUSTER }), target: { ...CLUSTER, istioVersion: '1.29.0' } })))
      .toContain('invalid target of Engine.istio()');
  });

  test('throws for an unknown option of Engine.istio(), e.g. a misspelt target, instead of ignoring what it says', () => {
    expect(errorOf(() => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes(), targte: CLUSTER } as any)))
      .toContain('invalid option "targte" of Engine.istio()');
  });

  test('Engine.istio() uses its CNI engine\'s target when it declares none', () => {
    synthValid(egress(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes({ target: CLUSTER }) }), '203.0.113.0/24'));
  });
});
