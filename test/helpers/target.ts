import { CalicoEngineOptions, CiliumEngineOptions, Engine, IstioEngineOptions, IstioPathNormalization, KubernetesEngineOptions, TargetProfile } from '../../src';

/**
 * The cluster the unit tests render for: a kubeadm-like pod CIDR and a Service CIDR outside every CIDR the
 * tests use as a peer, Istio recent enough for ambient dry-run with istiod's flag on, and the
 * mesh's path normalization that HTTP path rules need (docs/TARGET-PROFILE.md).
 */
export const TEST_TARGET: TargetProfile = {
  podCidrs: ['10.244.0.0/16', 'fd00:10:244::/64'],
  serviceCidrs: ['10.96.0.0/16'],
  istioVersion: '1.29.0',
  istioAmbientDryRun: true,
  istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES,
};

/**
 * The cluster of the generated clusters in test/equivalence (cluster-gen.ts): pods at 10.244.0.x and fd00::x,
 * kube-dns at 10.244.1.2, Services in 10.96.0.0/16.
 */
export const PROPERTY_TARGET: TargetProfile = { ...TEST_TARGET, podCidrs: ['10.244.0.0/16', 'fd00::/64'] };

/**
 * PROPERTY_TARGET with the opt-in for CIDR peers that overlap pods: for the properties whose generated CIDRs cover
 * pod addresses on purpose (cluster-intent-gen.ts), comparing engines on the engine-dependent meaning they name.
 */
export const OVERLAPPING_TARGET: TargetProfile = { ...PROPERTY_TARGET, acceptCidrsOverlappingPods: true };

/** The engine factories with a target (TEST_TARGET unless the options name one). */
export const testEngine = {
  kubernetes: (options: KubernetesEngineOptions = {}, target: TargetProfile = TEST_TARGET) => Engine.kubernetes({ target, ...options }),
  cilium: (options: CiliumEngineOptions = {}, target: TargetProfile = TEST_TARGET) => Engine.cilium({ target, ...options }),
  calico: (options: CalicoEngineOptions = {}, target: TargetProfile = TEST_TARGET) => Engine.calico({ target, ...options }),
  /** Istio inherits its CNI engine's target; pass a testEngine CNI. */
  istio: (options: IstioEngineOptions) => Engine.istio(options),
};
