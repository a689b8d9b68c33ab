import { IstioPathNormalization } from './istio-path-normalization';
import { parseVersion, TargetModel, UNDECLARED_TARGET, VersionModel } from '../model/target';
import { InputProblem } from '../validation/input-error';
import { parseCidr } from '../validation/validators';

/**
 * The cluster an engine renders for: the addresses pods and Services use, and
 * the versions and settings that change what the rendered objects mean. Pass
 * the same profile to every engine of the app (`Engine.kubernetes({ target })`,
 * `Engine.istio({ mode, cni, target })`). What is not declared is either a
 * vendor default (settings) or unknown, and the engine fails synthesis for any
 * output whose meaning depends on an unknown (see docs/TARGET-PROFILE.md).
 */
export interface TargetProfile {
  /**
   * The cluster's pod CIDRs (every IP family it uses), e.g. `['10.244.0.0/16']`.
   * Needed by every CIDR peer (`EgressToCidr`, `Peer.cidr()`): Kubernetes
   * NetworkPolicy, Calico and Istio match pod addresses inside a CIDR, Cilium
   * never does, so a CIDR that overlaps pods would allow different traffic on
   * different engines.
   * @default - undeclared: CIDR peers fail synthesis
   */
  readonly podCidrs?: string[];
  /**
   * The cluster's Service (ClusterIP) CIDRs, e.g. `['10.96.0.0/12']`. Needed by
   * every CIDR peer, like `podCidrs`: engines see Service traffic after or
   * before address translation differently.
   * @default - undeclared: CIDR peers fail synthesis
   */
  readonly serviceCidrs?: string[];
  /**
   * Opt into CIDR peers that overlap the pod or Service CIDRs. This makes the
   * intent ENGINE-DEPENDENT: Kubernetes NetworkPolicy, Calico and Istio then
   * allow the pods whose addresses are inside, Cilium does not.
   * @default false - such CIDRs fail synthesis
   */
  readonly acceptCidrsOverlappingPods?: boolean;
  /**
   * The Kubernetes version, e.g. `'1.30'`: port ranges (`endPort`) need 1.25.
   * @default - undeclared: the Kubernetes engine assumes a version with every feature it renders
   */
  readonly kubernetesVersion?: string;
  /**
   * The Cilium version, e.g. `'1.18.2'`: the Cilium output needs 1.16
   * (`enableDefaultDeny`, `endPort`).
   * @default - undeclared: 1.16 or later is assumed (the documented floor)
   */
  readonly ciliumVersion?: string;
  /**
   * The Cilium agent flag `http-normalize-path`: its L7 proxy normalizes
   * paths (RFC 3986, merged slashes) and redirects paths with `%2F` / `%5C`
   * (cilium/cilium pkg/envoy/xds_server.go). HTTP path rules mean the
   * normalized path, so they need it on.
   * @default true - Cilium's default
   */
  readonly ciliumHttpNormalizePath?: boolean;
  /**
   * The Istio (istiod) version, e.g. `'1.24.2'`: `security.istio.io/v1`
   * needs 1.22, ambient waypoints 1.24, and ambient dry-run policies 1.29
   * with `istioAmbientDryRun`.
   * @default - undeclared: audit-stage (dry-run) policies in ambient mode fail synthesis
   */
  readonly istioVersion?: string;
  /**
   * The ztunnel version (ambient mode): dry-run policies need 1.29; older
   * ztunnels enforce them.
   * @default - the Istio version
   */
  readonly ztunnelVersion?: string;
  /**
   * The mesh's `meshConfig.pathNormalization.normalization`. HTTP path rules
   * mean the normalized path with `%2F` / `%5C` decoded, which only
   * `DECODE_AND_MERGE_SLASHES` gives.
   * @default IstioPathNormalization.BASE - Istio's default
   */
  readonly istioPathNormalization?: IstioPathNormalization;
  /**
   * istiod runs with `AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true`, so
   * that it sends dry-run policies to ztunnel as dry-run (Istio 1.29+).
   * @default false - Istio's default: istiod drops ambient dry-run policies
   */
  readonly istioAmbientDryRun?: boolean;
}

const KEYS = ['podCidrs', 'serviceCidrs', 'acceptCidrsOverlappingPods', 'kubernetesVersion', 'ciliumVersion', 'ciliumHttpNormalizePath',
  'istioVersion', 'ztunnelVersion', 'istioPathNormalization', 'istioAmbientDryRun'];
const BOOLEANS = ['acceptCidrsOverlappingPods', 'ciliumHttpNormalizePath', 'istioAmbientDryRun'];
const VERSIONS = ['kubernetesVersion', 'ciliumVersion', 'istioVersion', 'ztunnelVersion'];

/** Validates a target profile from any caller and resolves it (undefined = nothing declared). */
export function resolveTarget(factory: string, given: unknown, problems: InputProblem[]): TargetModel {
  if (given === undefined) return UNDECLARED_TARGET;
  const what = (k: string) => `target.${k} of ${factory}`;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    problems.push({ what: `target of ${factory}`, value: given, expected: 'a TargetProfile object', fix: "pass e.g. { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] }, or leave it out" });
    return UNDECLARED_TARGET;
  }
  const t = given as Record<string, unknown>;
  const before = problems.length;
  for (const [k, v] of Object.entries(t)) {
    if (!KEYS.includes(k)) {
      problems.push({ what: `option ${JSON.stringify(k)} of the target of ${factory}`, value: v, expected: `one of ${KEYS.join(', ')}`, fix: 'remove it: an unknown setting would be ignored, and with it what it says' });
    } else if (BOOLEANS.includes(k) && v !== undefined && typeof v !== 'boolean') {
      problems.push({ what: what(k), value: v, expected: 'true or false', fix: `write ${k}: true or false, or leave it out` });
    }
  }
  const cidrs = (k: 'podCidrs' | 'serviceCidrs'): string[] | undefined => {
    const v = t[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || v.length > 16) {
      problems.push({ what: what(k), value: v, expected: 'a list of 1 to 16 CIDR blocks', fix: `write e.g. ${k}: ['${k === 'podCidrs' ? '10.244.0.0/16' : '10.96.0.0/12'}']` });
      return undefined;
    }
    return v.map(c => parseCidr(`a CIDR in ${what(k)}`, c, problems)?.canonical).filter((c): c is string => c !== undefined);
  };
  const podCidrs = cidrs('podCidrs');
  const serviceCidrs = cidrs('serviceCidrs');
  const versions: Record<string, VersionModel | undefined> = {};
  for (const k of VERSIONS) {
    const v = t[k];
    if (v === undefined) continue;
    const parsed = typeof v === 'string' ? parseVersion(v) : undefined;
    if (!parsed) problems.push({ what: what(k), value: v, expected: 'a release version such as "1.24" or "1.24.2"', fix: 'write the major.minor[.patch] numbers only, without "v" or a suffix' });
    versions[k] = parsed;
  }
  const normalization = t.istioPathNormalization;
  if (normalization !== undefined && !Object.values(IstioPathNormalization).includes(normalization as IstioPathNormalization)) {
    problems.push({ what: what('istioPathNormalization'), value: normalization, expected: 'an IstioPathNormalization', fix: 'use the enum, e.g. IstioPathNormalization.DECODE_AND_MERGE_SLASHES' });
  }
  if (problems.length > before) return UNDECLARED_TARGET;
  return Object.freeze({
    ...(podCidrs ? { podCidrs } : {}),
    ...(serviceCidrs ? { serviceCidrs } : {}),
    acceptCidrsOverlappingPods: t.acceptCidrsOverlappingPods === true,
    ...(versions.kubernetesVersion ? { kubernetesVersion: versions.kubernetesVersion } : {}),
    ...(versions.ciliumVersion ? { ciliumVersion: versions.ciliumVersion } : {}),
    ciliumHttpNormalizePath: t.ciliumHttpNormalizePath !== false,
    ...(versions.istioVersion ? { istioVersion: versions.istioVersion } : {}),
    ...(versions.ztunnelVersion ? { ztunnelVersion: versions.ztunnelVersion } : {}),
    istioPathNormalization: (normalization as TargetModel['istioPathNormalization'] | undefined) ?? 'BASE',
    istioAmbientDryRun: t.istioAmbientDryRun === true,
  });
}
