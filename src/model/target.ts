/**
 * What the user declared about the cluster an engine renders for (resolved and
 * validated by the engine factories): the addresses pods and Services use, and
 * the versions and settings that change what the rendered objects mean.
 * Undefined = not declared.
 */
export interface TargetModel {
  /** The cluster's pod CIDRs (every IP family it uses). */
  readonly podCidrs?: readonly string[];
  /** The cluster's Service (ClusterIP) CIDRs. */
  readonly serviceCidrs?: readonly string[];
  /** The user accepted CIDR peers that overlap pod or Service addresses, whose meaning differs by engine. */
  readonly acceptCidrsOverlappingPods: boolean;
  readonly kubernetesVersion?: VersionModel;
  readonly ciliumVersion?: VersionModel;
  /** The Cilium agent's `http-normalize-path` (Cilium's default: true). */
  readonly ciliumHttpNormalizePath: boolean;
  readonly istioVersion?: VersionModel;
  /** The ztunnel version (ambient); undefined = the Istio version, when declared. */
  readonly ztunnelVersion?: VersionModel;
  /** Istio's mesh `pathNormalization.normalization` (Istio's default: BASE). */
  readonly istioPathNormalization: IstioPathNormalizationModel;
  /** istiod runs with `AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true` (Istio's default: false). */
  readonly istioAmbientDryRun: boolean;
}

/** Istio's mesh path normalization settings (DEFAULT is BASE). */
export type IstioPathNormalizationModel = 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES';

/** A release version: major.minor.patch (a missing patch is 0). */
export interface VersionModel {
  readonly text: string;
  readonly parts: readonly [number, number, number];
}

/** Nothing declared: the vendors' defaults for settings, no versions, no addresses. */
export const UNDECLARED_TARGET: TargetModel = Object.freeze({
  acceptCidrsOverlappingPods: false,
  ciliumHttpNormalizePath: true,
  istioPathNormalization: 'BASE',
  istioAmbientDryRun: false,
});

/** Parses `1.24`, `1.24.2` (no leading `v`, no suffix); undefined when it is not one. */
export function parseVersion(text: string): VersionModel | undefined {
  const m = /^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) return undefined;
  return { text, parts: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] };
}

/** Whether `v` is at least `min` (e.g. `1.29.0`). */
export function versionAtLeast(v: VersionModel, min: string): boolean {
  const m = parseVersion(min)!;
  for (let i = 0; i < 3; i++) {
    if (v.parts[i] !== m.parts[i]) return v.parts[i] > m.parts[i];
  }
  return true;
}
