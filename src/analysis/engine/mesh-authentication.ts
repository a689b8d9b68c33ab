import { PolicyIndex } from './policy-index';
import { ResolvedEndpoint } from './rule-matching';
import { ClusterModel, ClusterPod, podId } from '../cluster/cluster-model';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy, Protocol } from '../ir/analysis-policy';
import { MtlsMode, PeerAuthenticationLevel, PeerAuthenticationSpec } from '../ir/peer-authentication';
import { formatPolicyRef } from '../ir/policy-ref';
import { matchesSelector, selectorFromLabelSelector } from '../ir/selector';

/** A pod's effective mTLS mode on one port, and the PeerAuthentication that set it (none: Istio's default). */
export interface EffectiveMtls {
  readonly mode: MtlsMode;
  /** `PeerAuthentication ns/name`, or undefined when no policy set the mode (PERMISSIVE by default). */
  readonly setBy?: string;
}

/** A pod's composed PeerAuthentication: the mode of every port. */
export interface PodMtlsProfile {
  readonly base: EffectiveMtls;
  /** Ports whose mode differs from `base` (from the workload policy's `portLevelMtls`), sorted. */
  readonly ports: readonly { readonly port: number; readonly mtls: EffectiveMtls }[];
  /** A key equal for pods with the same modes on every port (for grouping). */
  readonly key: string;
}

const DEFAULT: EffectiveMtls = { mode: 'PERMISSIVE' };

/**
 * The PeerAuthentications of a policy set, composed per pod as istiod composes them, and the
 * per-connection mTLS decision that follows from both ends' enrollment (docs/ANALYSIS.md, "The mesh").
 *
 * Composition (istio/istio `pilot/pkg/security/authn/policy_applier.go` `ComposePeerAuthentication`,
 * `pilot/pkg/model/authentication.go` `addPeerAuthentication`, @86c9f01fd735):
 * - levels mesh (root namespace, no selector) → namespace → workload (selector ⊆ pod labels); a
 *   level whose `mtls.mode` is UNSET (or absent) keeps its parent's mode; the mesh default is
 *   PERMISSIVE;
 * - several policies at one level for a pod: the oldest (`creationTimestamp`, then name, then
 *   namespace) alone counts; without timestamps the analyzer cannot tell which is oldest, so
 *   policies that disagree are an error;
 * - `portLevelMtls` only from the chosen workload policy, keyed by container port; an UNSET entry
 *   keeps the workload's (already inherited) mode.
 */
export class MeshAuthentication {
  /** The PeerAuthentications of an index (cached per index; profiles per pod object). */
  public static of(index: PolicyIndex): MeshAuthentication {
    let auth = cache.get(index);
    if (!auth) {
      auth = new MeshAuthentication(index.peerAuthentications);
      cache.set(index, auth);
    }
    return auth;
  }

  /** True if the policy set has PeerAuthentications. */
  public readonly present: boolean;
  /** Every port a `portLevelMtls` names (TCP atoms must keep them whole). */
  public readonly ports: readonly number[];
  private readonly byLevel: Record<PeerAuthenticationLevel, PeerAuthenticationSpec[]>;
  private readonly profiles = new Map<ClusterPod, PodMtlsProfile>();

  private constructor(policies: readonly AnalysisPolicy[]) {
    this.byLevel = { mesh: [], namespace: [], workload: [] };
    const ports = new Set<number>();
    for (const policy of policies) {
      const spec = policy.peerAuthentication;
      if (spec && policy.enforced) {
        this.byLevel[spec.level].push(spec);
        spec.portModes.forEach((entry) => ports.add(entry.port));
      }
    }
    this.present = Object.values(this.byLevel).some((list) => list.length > 0);
    this.ports = [...ports].sort((a, b) => a - b);
  }

  /** The pod's composed modes (computed once per pod). */
  public profile(pod: ClusterPod): PodMtlsProfile {
    let profile = this.profiles.get(pod);
    if (!profile) {
      profile = this.compose(pod);
      this.profiles.set(pod, profile);
    }
    return profile;
  }

  /** The pod's effective mode on a port. */
  public modeAt(pod: ClusterPod, port: number): EffectiveMtls {
    const profile = this.profile(pod);
    return profile.ports.find((entry) => entry.port === port)?.mtls ?? profile.base;
  }

  /**
   * Whether a connection to `destination` on a port is mutually authenticated, from both ends'
   * enrollment (`ClusterPod.mesh`); undefined when the cluster model does not say an end's enrollment.
   * Istio intercepts TCP only. An HBONE tunnel (`hboneBetween`) is always mTLS: ztunnel sends HBONE to
   * a workload whose tunnel protocol istiod sets to HBONE (ambient, or a sidecar listening HBONE:
   * `serviceregistry/ambient/workloads.go` `setTunnelProtocol`; ztunnel `src/proxy/outbound.rs`), and
   * neither side reads the destination's PeerAuthentication for it (the sidecar's HBONE listener has
   * no mTLS mode of its own, `listener_inbound.go` `buildInboundHBONEListeners`; ztunnel treats
   * DISABLE as not STRICT, `ambient/authorization.go`). Otherwise, to a sidecar: its client's sidecar
   * uses Istio mTLS (auto mTLS: the endpoint carries `security.istio.io/tlsMode: istio`) unless the
   * destination's port is DISABLE, which drops that metadata (`xds/endpoints/mtls_checker.go`
   * `checkMtlsEnabled`), so the connection is plaintext; an ambient client sends plaintext to a sidecar
   * that does not listen HBONE. Anything else is plaintext.
   */
  public mtlsOf(source: ResolvedEndpoint, destination: ClusterPod, port: number, protocol: Protocol): boolean | undefined {
    if (protocol !== 'TCP' || source.kind === 'external') {
      return false;
    }
    const from = source.pod.mesh;
    const to = destination.mesh;
    if (from === undefined || to === undefined) {
      return from?.enrollment === 'none' || to?.enrollment === 'none' ? false : undefined;
    }
    return connectionMtls(from.enrollment, to.enrollment, to.hbone === true, this.modeAt(destination, port).mode);
  }

  /**
   * The PeerAuthentication that makes the destination reject plaintext on a port (STRICT, TCP, a
   * proxy that enforces it), or undefined.
   * @throws AnalysisInputError when STRICT applies to a pod whose enrollment the model does not say
   */
  public strictAt(destination: ClusterPod, port: number, protocol: Protocol): EffectiveMtls | undefined {
    if (protocol !== 'TCP') {
      return undefined;
    }
    const mtls = this.modeAt(destination, port);
    if (mtls.mode !== 'STRICT') {
      return undefined;
    }
    requireEnrollment(destination, mtls);
    return destination.mesh?.enrollment === 'none' ? undefined : mtls;
  }

  private compose(pod: ClusterPod): PodMtlsProfile {
    const mesh = oldest(this.byLevel.mesh, 'mesh-wide');
    const namespace = oldest(this.byLevel.namespace.filter((spec) => spec.namespace === pod.namespace), `in namespace ${pod.namespace}`);
    const workload = pod.hostNetwork ? undefined : oldest(this.byLevel.workload.filter((spec) => spec.namespace === pod.namespace
      && matchesSelector(selectorFromLabelSelector(spec.selector ?? {}, undefined), pod.labels)), `selecting pod ${podId(pod)}`);
    let base = DEFAULT;
    for (const spec of [mesh, namespace, workload]) {
      if (spec?.mode !== undefined) {
        base = { mode: spec.mode, setBy: describe(spec) };
      }
    }
    const ports = (workload?.portModes ?? []).flatMap((entry) => (entry.mode === undefined || entry.mode === base.mode ? []
      : [{ port: entry.port, mtls: { mode: entry.mode, setBy: `${describe(workload as PeerAuthenticationSpec)} portLevelMtls ${entry.port}` } }]));
    const key = `${base.mode}${ports.map((entry) => `;${entry.port}=${entry.mtls.mode}`).join('')}`;
    return { base, ports, key };
  }
}

const cache = new WeakMap<PolicyIndex, MeshAuthentication>();

/** The mTLS decision for enrollments of both ends and the destination's mode on the port (see `mtlsOf`). */
export function connectionMtls(source: 'sidecar' | 'ambient' | 'none', destination: 'sidecar' | 'ambient' | 'none', destinationHbone: boolean, mode: MtlsMode): boolean {
  if (source === 'none' || destination === 'none') {
    return false;
  }
  if (tunnels(source, destination, destinationHbone)) {
    return true;
  }
  return source === 'sidecar' && mode !== 'DISABLE';
}

/**
 * Whether a meshed client reaches a meshed server through an HBONE tunnel: every client to an
 * ambient server; only an ambient client (ztunnel) to a sidecar that listens HBONE — a sidecar client
 * uses Istio mTLS on the application port towards an endpoint that supports it, and HBONE only with
 * istiod's `PILOT_PREFER_SENDING_HBONE` (default false; `xds/endpoints/endpoint_builder.go`
 * `buildEnvoyLbEndpoint`), which the analyzer assumes off.
 */
function tunnels(source: 'sidecar' | 'ambient', destination: 'sidecar' | 'ambient', destinationHbone: boolean): boolean {
  return destination === 'ambient' || (destinationHbone && source === 'ambient');
}

/**
 * Whether a connection between two pods travels in an HBONE tunnel, so that the CNI sees TCP 15008
 * between the pods (the application port travels inside, `outbound.rs` `build_request`): the client
 * is in the mesh and the server is an ambient pod (ztunnel), or the client is ambient and the server a
 * sidecar that listens HBONE (`networking.istio.io/tunnel: http`); see `tunnels`. Such a connection is
 * always mTLS (`mtlsOf`). TCP only: ztunnel captures no UDP. undefined when the model does not say
 * both ends' enrollment.
 */
export function hboneBetween(source: ClusterPod, destination: ClusterPod): boolean | undefined {
  if (source.mesh === undefined || destination.mesh === undefined) {
    return undefined;
  }
  const from = source.mesh.enrollment;
  const to = destination.mesh.enrollment;
  return !source.hostNetwork && from !== 'none' && to !== 'none' && tunnels(from, to, destination.mesh.hbone === true);
}

/** True if some pod of the cluster accepts HBONE (ambient, or a sidecar listening HBONE): then the CNI sees tunnels. */
export function clusterHasHbone(cluster: ClusterModel): boolean {
  let known = hboneClusters.get(cluster);
  if (known === undefined) {
    known = cluster.pods.some((pod) => pod.mesh?.enrollment === 'ambient' || pod.mesh?.hbone === true);
    hboneClusters.set(cluster, known);
  }
  return known;
}

const hboneClusters = new WeakMap<ClusterModel, boolean>();

/** `PeerAuthentication ns/name`. */
function describe(spec: PeerAuthenticationSpec): string {
  return formatPolicyRef({ kind: 'PeerAuthentication', namespace: spec.namespace, name: spec.name });
}

/**
 * The policy istiod uses among several at one level: the oldest by `creationTimestamp`, then name,
 * then namespace (`pilot/pkg/model/config.go` `sortConfigByCreationTime`).
 * @throws AnalysisInputError when policies that disagree lack the timestamps that decide
 */
function oldest(specs: readonly PeerAuthenticationSpec[], where: string): PeerAuthenticationSpec | undefined {
  if (specs.length <= 1) {
    return specs[0];
  }
  const sorted = [...specs].sort((a, b) => compare(a.createdAt ?? '', b.createdAt ?? '') || compare(a.name, b.name) || compare(a.namespace, b.namespace));
  const same = (a: PeerAuthenticationSpec, b: PeerAuthenticationSpec) => a.mode === b.mode
    && JSON.stringify(a.portModes) === JSON.stringify(b.portModes);
  if (sorted.some((spec) => spec.createdAt === undefined) && !sorted.every((spec) => same(spec, sorted[0]))) {
    throw new AnalysisInputError(`${sorted.map(describe).join(', ')} apply ${where} at the same level and disagree; istiod uses only the oldest (metadata.creationTimestamp), `
      + 'which the manifests do not say: keep one of them, or analyse the objects as the cluster has them (kubectl get peerauthentications -A -o yaml)');
  }
  return sorted[0];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Fails when STRICT applies to a pod whose enrollment the cluster model does not say. */
export function requireEnrollment(pod: ClusterPod, mtls: EffectiveMtls): void {
  if (pod.mesh === undefined) {
    throw new AnalysisInputError(`${mtls.setBy ?? 'a PeerAuthentication'} makes mTLS STRICT for pod ${podId(pod)}, whose place in the mesh the cluster model does not say, `
      + 'so whether its clients can connect is unknown: read the cluster from kubectl output (`kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml`), '
      + 'or give each pod its mesh enrollment (PodInput.mesh)');
  }
}
