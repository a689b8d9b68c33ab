import { HttpRuleModel, PeerModel, portToString, Statement, statementToString, TargetModel, VersionModel, versionAtLeast } from '../model';
import { overlappingRanges } from '../validation/cidr-overlap';

/** Which engine renders a statement: what the target checks need to know about it. */
export interface EngineKind {
  readonly family: 'kubernetes' | 'cilium' | 'calico' | 'istio';
  /** The engine factory, for messages (e.g. `Engine.cilium()`). */
  readonly factory: string;
  /** Istio: the data plane. */
  readonly mode?: 'sidecar' | 'ambient';
  /** Istio: the CNI engine underneath. */
  readonly cni?: EngineKind;
  /** Calico: HTTP rules through application layer policy (Istio sidecars). */
  readonly applicationLayerPolicy?: boolean;
  /** Istio: the mesh layer only observes (every AuthorizationPolicy dry-run) or renders none (MeshMigration phases). */
  readonly meshPolicies?: 'observe' | 'none';
}

/** The first Istio releases that honour what the rendered objects rely on (docs/TARGET-PROFILE.md cites each). */
export const ISTIO_V1_API = '1.22.0';
export const ISTIO_AMBIENT_WAYPOINTS = '1.24.0';
export const ISTIO_AMBIENT_DRY_RUN = '1.29.0';
export const ISTIO_DROPS_AMBIENT_DRY_RUN = '1.25.2';
export const KUBERNETES_END_PORT = '1.25.0';
export const CILIUM_FLOOR = '1.16.0';

const PROFILE = (factory: string, fields: string) => `${factory.replace(/\(\)$/, '')}({ target: { ${fields} } })`;

/**
 * Synthesis errors for output whose meaning depends on the cluster the engine
 * renders for (`TargetProfile`): CIDR peers that could match pods on one
 * engine and not another, and objects a declared version or setting would not
 * honour. Engine-independent rules (CIDRs) apply on every engine alike.
 */
export function targetProblems(s: Statement, kind: EngineKind, target: TargetModel): string[] {
  const out: string[] = [...cidrProblems(s, kind, target)];
  const families = kind.family === 'istio' ? [kind, kind.cni!] : [kind];
  for (const k of families) {
    if (k.family === 'kubernetes') out.push(...kubernetesProblems(s, kind, target));
    if (k.family === 'cilium') out.push(...ciliumProblems(s, kind, target));
  }
  if (kind.family === 'istio') out.push(...istioProblems(s, kind, target));
  if (kind.family === 'calico' && kind.applicationLayerPolicy) out.push(...pathNormalizationProblems(s, kind, target, 'Calico application layer policy reads requests through the Istio sidecars, and'));
  return out;
}

function cidrProblems(s: Statement, kind: EngineKind, target: TargetModel): string[] {
  if (s.kind !== 'allow' && s.kind !== 'allow-cluster' && s.kind !== 'cluster-rule') return [];
  const cidrs = s.peers.filter((p): p is Extract<PeerModel, { kind: 'cidr' }> => p.kind === 'cidr');
  if (!cidrs.length) return [];
  const why = 'Kubernetes NetworkPolicy, Calico and Istio match pod addresses inside a CIDR and Cilium never does, so a CIDR that overlaps pod (or Service) addresses would allow different traffic on different engines';
  if (!target.podCidrs || !target.serviceCidrs) {
    const missing = [!target.podCidrs ? 'podCidrs' : undefined, !target.serviceCidrs ? 'serviceCidrs' : undefined].filter(Boolean).join(' and ');
    return [`the CIDR peer(s) ${cidrs.map(c => c.cidr).join(', ')} cannot be checked against the cluster's pod and Service addresses: ${why}, and the engine's target does not declare ${missing}; in: ${statementToString(s)}. `
      + `Fix: declare the cluster's CIDRs on the engine, e.g. ${PROFILE(kind.factory, "podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12']")} (kubectl cluster-info dump | grep -m1 -E 'cluster-cidr|service-cluster-ip-range').`];
  }
  if (target.acceptCidrsOverlappingPods) return [];
  const out: string[] = [];
  for (const c of cidrs) {
    const pods = overlappingRanges(c.cidr, c.except, target.podCidrs);
    const services = overlappingRanges(c.cidr, c.except, target.serviceCidrs);
    if (!pods.length && !services.length) continue;
    const hit = [...pods.map(p => `the pod CIDR ${p}`), ...services.map(p => `the Service CIDR ${p}`)].join(' and ');
    out.push(`the CIDR peer ${c.except.length ? `${c.cidr} except ${c.except.join(', ')}` : c.cidr} overlaps ${hit}: ${why}; in: ${statementToString(s)}. `
      + `Fix: except the cluster's ranges (e.g. Peer.cidr('${c.cidr}', [${[...pods, ...services].map(x => `'${x}'`).join(', ')}])) and allow pods with Peer.namespace() or Peer.workload(); `
      + `or opt into the engine-dependent meaning with ${PROFILE(kind.factory, 'acceptCidrsOverlappingPods: true, ...')}.`);
  }
  return out;
}

function kubernetesProblems(s: Statement, kind: EngineKind, target: TargetModel): string[] {
  const v = target.kubernetesVersion;
  if (!v || versionAtLeast(v, KUBERNETES_END_PORT) || (s.kind !== 'allow' && s.kind !== 'allow-cluster')) return [];
  const ranges = s.ports.filter(p => p.protocol !== 'ANY' && p.endPort !== undefined);
  if (!ranges.length) return [];
  return [`the port range(s) ${ranges.map(portToString).join(', ')} render as NetworkPolicy endPort, which Kubernetes ${v.text} does not honour (it needs ${KUBERNETES_END_PORT}; older API servers drop the field and the rule allows the first port only); in: ${statementToString(s)}. `
    + `Fix: list the ports one by one (Port.tcp(8080), Port.tcp(8081)), or upgrade Kubernetes to ${KUBERNETES_END_PORT} or later and declare it (${PROFILE(kind.factory, `kubernetesVersion: '${KUBERNETES_END_PORT}'`)}).`];
}

function ciliumProblems(s: Statement, kind: EngineKind, target: TargetModel): string[] {
  const out: string[] = [];
  const v = target.ciliumVersion;
  if (v && !versionAtLeast(v, CILIUM_FLOOR)) {
    out.push(`the Cilium output needs Cilium ${CILIUM_FLOOR} or later (every policy sets enableDefaultDeny, and port ranges use endPort), but the target declares Cilium ${v.text}, which would ignore those fields; in: ${statementToString(s)}. `
      + `Fix: upgrade Cilium to ${CILIUM_FLOOR} or later and declare it (${PROFILE(kind.factory, `ciliumVersion: '${CILIUM_FLOOR}'`)}).`);
  }
  if (kind.family === 'cilium' && !target.ciliumHttpNormalizePath && pathRules(s).length) {
    out.push(`the HTTP path rule(s) ${pathRules(s).map(describeRule).join(', ')} match the normalized request path (dot segments resolved, slashes merged, %2F and %5C decoded: src/model/http-rule.ts), but with the agent flag http-normalize-path=false Cilium's proxy matches the raw path, so e.g. "/api//v1/x" would be denied where the intent allows it; in: ${statementToString(s)}. `
      + `Fix: run the Cilium agent with http-normalize-path=true (Cilium's default) and declare it (${PROFILE(kind.factory, 'ciliumHttpNormalizePath: true')}).`);
  }
  return out;
}

function istioProblems(s: Statement, kind: EngineKind, target: TargetModel): string[] {
  const out: string[] = [];
  const v = target.istioVersion;
  const where = `in: ${statementToString(s)}`;
  if (v && !versionAtLeast(v, ISTIO_V1_API)) {
    out.push(`the Istio output uses security.istio.io/v1, which Istio ${v.text} does not serve (it needs ${ISTIO_V1_API}); ${where}. Fix: upgrade Istio to ${ISTIO_V1_API} or later and declare it (${PROFILE(kind.factory, `istioVersion: '${ISTIO_V1_API}'`)}).`);
  } else if (v && kind.mode === 'ambient' && !versionAtLeast(v, ISTIO_AMBIENT_WAYPOINTS)) {
    out.push(`ambient mode with waypoints (Gateway API, targetRefs) needs Istio ${ISTIO_AMBIENT_WAYPOINTS} (ambient GA), but the target declares Istio ${v.text}; ${where}. Fix: upgrade Istio and declare it, or use IstioMode.SIDECAR.`);
  }
  const dryRun = kind.meshPolicies === 'observe' || (s.stage === 'audit' && kind.meshPolicies !== 'none');
  if (kind.mode === 'ambient' && dryRun && rendersZtunnelPolicy(s)) out.push(...ambientDryRunProblems(kind, target, where));
  out.push(...pathNormalizationProblems(s, kind, target, 'Istio'));
  return out;
}

/** Whether the Istio layer renders a selector (ztunnel) AuthorizationPolicy for the statement. */
function rendersZtunnelPolicy(s: Statement): boolean {
  return (s.kind === 'isolate' && s.directions.includes('ingress')) || (s.kind === 'allow' && s.direction === 'ingress');
}

/**
 * Ambient dry-run (istio.io/dry-run) by version, from istio/istio and istio/ztunnel source (docs/TARGET-PROFILE.md
 * cites the commits): istiod < 1.25.2 sends it to ztunnel as an enforced policy; 1.25.2-1.28 drops it;
 * 1.29+ sends it as dry-run only with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true, and ztunnel < 1.29
 * does not know the field and enforces it.
 */
function ambientDryRunProblems(kind: EngineKind, target: TargetModel, where: string): string[] {
  const istio = target.istioVersion;
  const ztunnel: VersionModel | undefined = target.ztunnelVersion ?? istio;
  const declare = PROFILE(kind.factory, `istioVersion: '${ISTIO_AMBIENT_DRY_RUN}', ztunnelVersion: '${ISTIO_AMBIENT_DRY_RUN}', istioAmbientDryRun: true`);
  const lead = 'an audit-stage (dry-run) AuthorizationPolicy in ambient mode';
  const fix = `Fix: run istiod and every ztunnel ${ISTIO_AMBIENT_DRY_RUN} or later, istiod with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true, and declare it (${declare}); or enforce the policy (stage: PolicyStage.ENFORCE), or use IstioMode.SIDECAR, whose proxies honour dry-run in every version`;
  if (!istio) {
    return [`${lead} is honoured only by istiod and ztunnel ${ISTIO_AMBIENT_DRY_RUN} or later with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true: older istiods send it to ztunnel as an ENFORCED policy (an ALLOW-nothing baseline then cuts the pods off) or drop it silently, and the target declares no Istio version; ${where}. ${fix}.`];
  }
  if (!versionAtLeast(istio, ISTIO_DROPS_AMBIENT_DRY_RUN)) {
    return [`${lead} is ENFORCED by Istio ${istio.text}: istiod before ${ISTIO_DROPS_AMBIENT_DRY_RUN} ignores istio.io/dry-run for ztunnel, so the observed policy would deny (an ALLOW-nothing baseline cuts the pods off); ${where}. ${fix}.`];
  }
  if (!versionAtLeast(istio, ISTIO_AMBIENT_DRY_RUN)) {
    return [`${lead} is dropped by Istio ${istio.text} (istiod ${ISTIO_DROPS_AMBIENT_DRY_RUN} to 1.28 does not send dry-run policies to ztunnel), so nothing would be observed; ${where}. ${fix}.`];
  }
  if (!target.istioAmbientDryRun) {
    return [`${lead} is dropped by istiod ${istio.text} unless it runs with AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true (default false), so nothing would be observed; the target does not declare istioAmbientDryRun; ${where}. ${fix}.`];
  }
  if (ztunnel && !versionAtLeast(ztunnel, ISTIO_AMBIENT_DRY_RUN)) {
    return [`${lead} is ENFORCED by ztunnel ${ztunnel.text}: ztunnel before ${ISTIO_AMBIENT_DRY_RUN} does not know the dry-run field istiod sends, so the observed policy would deny; ${where}. ${fix}.`];
  }
  return [];
}

function pathNormalizationProblems(s: Statement, kind: EngineKind, target: TargetModel, who: string): string[] {
  const rules = pathRules(s);
  if (!rules.length || target.istioPathNormalization === 'DECODE_AND_MERGE_SLASHES') return [];
  const example = target.istioPathNormalization === 'MERGE_SLASHES'
    ? '"/api%2Fv1/orders" would be denied where the intent allows it (it means "/api/v1/orders"), and "/api/v1/..%2Fadmin" allowed where it does not'
    : target.istioPathNormalization === 'BASE' ? '"/api//v1/orders" would be denied where the intent allows it' : '"/api/./v1/orders" would be denied where the intent allows it';
  return [`the HTTP path rule(s) ${rules.map(describeRule).join(', ')} match the normalized request path (dot segments resolved, slashes merged, %2F and %5C decoded: src/model/http-rule.ts); ${who} with the mesh's pathNormalization ${target.istioPathNormalization}${target.istioPathNormalization === 'BASE' ? ' (Istio\'s default)' : ''} matches another path, so ${example}; in: ${statementToString(s)}. `
    + `Fix: set meshConfig.pathNormalization.normalization: DECODE_AND_MERGE_SLASHES in the mesh and declare it (${PROFILE(kind.factory, 'istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES')}).`];
}

function pathRules(s: Statement): readonly HttpRuleModel[] {
  return s.kind === 'allow' && s.http ? s.http.filter(r => r.path !== undefined) : [];
}

function describeRule(r: HttpRuleModel): string {
  const path = r.path!.kind === 'exact' ? r.path!.value : `${r.path!.value}*`;
  return `${r.method ?? 'any method'} ${path}`;
}
