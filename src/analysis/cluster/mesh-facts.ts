import { AnalysisInputError } from '../ir/analysis-input-error';
import { Protocol } from '../ir/analysis-policy';

/**
 * How a pod takes part in the Istio mesh:
 * - `sidecar`: an `istio-proxy` container (injected) intercepts its inbound and outbound TCP;
 * - `ambient`: istio-cni redirects its TCP through the node's ztunnel (HBONE, port 15008);
 * - `none`: no proxy — its traffic is plaintext and no Istio policy is enforced at it.
 */
export type MeshEnrollment = 'sidecar' | 'ambient' | 'none';

/** The enrollments, in a stable order. */
export const MESH_ENROLLMENTS: readonly MeshEnrollment[] = ['sidecar', 'ambient', 'none'];

/** What the cluster snapshot says about one pod's place in the mesh. */
export interface PodMesh {
  readonly enrollment: MeshEnrollment;
  /**
   * A sidecar that also accepts HBONE (label `networking.istio.io/tunnel: http`, set by the injector
   * only when the proxy runs with `ISTIO_META_ENABLE_HBONE=true`): ambient clients reach it over
   * mTLS; without it they send plaintext to the application port.
   * @default false
   */
  readonly hbone?: boolean;
}

/** One port of a Service. `targetPort` is a container port number or name. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly targetPort: number | string;
}

/** A Service of the cluster model (`kubectl get services -o yaml`). */
export interface ClusterService {
  readonly namespace: string;
  readonly name: string;
  /** Own keys only; `istio.io/use-waypoint` binds the Service to a waypoint. */
  readonly labels: Readonly<Record<string, string>>;
  /** `spec.selector`; undefined for a Service without selector (its endpoints are managed by hand). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
}

/** What traffic a waypoint handles (`istio.io/waypoint-for`, default `service`). */
export type WaypointFor = 'service' | 'workload' | 'all' | 'none';

/** The values of `istio.io/waypoint-for`. */
export const WAYPOINT_FOR_VALUES: readonly WaypointFor[] = ['service', 'workload', 'all', 'none'];

/** A Gateway with `gatewayClassName: istio-waypoint`: an ambient waypoint proxy. */
export interface ClusterWaypoint {
  readonly namespace: string;
  readonly name: string;
  readonly waypointFor: WaypointFor;
  /**
   * istiod uses a Gateway as a waypoint only once it has `status.addresses` (a ready pod);
   * a binding to a waypoint that is not ready sends traffic directly ([IST] `ambient/waypoints.go`).
   */
  readonly ready: boolean;
}

/** The labels and annotations Istio's enrollment reads, by name. */
export const MESH_LABELS = {
  injection: 'istio-injection',
  revision: 'istio.io/rev',
  inject: 'sidecar.istio.io/inject',
  dataplaneMode: 'istio.io/dataplane-mode',
  redirection: 'ambient.istio.io/redirection',
  tunnel: 'networking.istio.io/tunnel',
  useWaypoint: 'istio.io/use-waypoint',
  useWaypointNamespace: 'istio.io/use-waypoint-namespace',
  waypointFor: 'istio.io/waypoint-for',
} as const;

/** The facts of one pod the enrollment is decided from, as kubectl prints them. */
export interface PodMeshEvidence {
  /** `namespace/name`, for errors. */
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
  /** A container `istio-proxy` in `spec.containers`, or a native sidecar `istio-proxy` init container. */
  readonly hasProxyContainer: boolean;
  /** The annotation `ambient.istio.io/redirection`, when present. */
  readonly redirection?: string;
}

/**
 * Decides a pod's enrollment from what the snapshot shows happened, not from what labels would ask for:
 *
 * 1. A host-network pod is never enrolled (the injector skips it, `pkg/kube/inject/inject.go`
 *    `injectRequired`; istio-cni never captures it, `cni/pkg/util/podutil.go` `PodRedirectionEnabled`).
 * 2. A pod with an `istio-proxy` container (or native-sidecar init container) has a sidecar: the
 *    injection webhook runs only on pod CREATE (`mutatingwebhook.yaml`), so the container is the
 *    fact and the labels only say what would happen to a new pod.
 * 3. A pod annotated `ambient.istio.io/redirection: enabled` is captured by ztunnel: istio-cni
 *    writes it once the in-pod redirection is in place, and istiod gives the workload the HBONE
 *    tunnel from exactly this annotation (`ambient/workloads.go` `setTunnelProtocol`). `pending`
 *    (partly enrolled) is an error: the pod is neither in nor out.
 * 4. Otherwise: no proxy, whatever the labels say (a pod created before its namespace was labelled
 *    keeps running unmeshed until it is restarted; an ambient label without the annotation means the
 *    CNI did not capture it).
 *
 * `istio.io/rev` on the namespace or pod must name a revision in `revisions`: the analyzer evaluates
 * one control plane (one root namespace and trust domain), and a revision it does not know may be
 * another mesh.
 *
 * @throws AnalysisInputError for an unknown revision or a `pending` redirection
 */
export function decideEnrollment(evidence: PodMeshEvidence, revisions: readonly string[]): PodMesh {
  for (const [where, labels] of [['namespace', evidence.namespaceLabels], ['pod', evidence.labels]] as const) {
    const revision = labels[MESH_LABELS.revision];
    if (revision !== undefined && !revisions.includes(revision)) {
      throw new AnalysisInputError(`Pod ${evidence.id}: the ${where} label ${MESH_LABELS.revision}=${JSON.stringify(revision)} names an Istio revision the analyzer cannot place `
        + `(known: ${revisions.join(', ')}); if that revision is installed with the same mesh config (root namespace istio-system, the trust domain given), `
        + `pass --istio-revision ${revision}`);
    }
  }
  if (evidence.hostNetwork) {
    return { enrollment: 'none' };
  }
  if (evidence.hasProxyContainer) {
    return { enrollment: 'sidecar', ...(evidence.labels[MESH_LABELS.tunnel] === 'http' ? { hbone: true } : {}) };
  }
  if (evidence.redirection === 'enabled') {
    return { enrollment: 'ambient' };
  }
  if (evidence.redirection !== undefined) {
    throw new AnalysisInputError(`Pod ${evidence.id}: annotation ${MESH_LABELS.redirection}=${JSON.stringify(evidence.redirection)}: expected "enabled" (captured by ztunnel) `
      + 'or no annotation; a pod whose ambient enrollment is not complete is neither in the mesh nor out of it: take the snapshot again once istio-cni has finished');
  }
  return { enrollment: 'none' };
}

/** Checks a `PodInput.mesh` given by a caller. */
export function checkPodMesh(where: string, mesh: PodMesh): PodMesh {
  if (typeof mesh !== 'object' || mesh === null || !MESH_ENROLLMENTS.includes(mesh.enrollment)) {
    throw new AnalysisInputError(`${where}: mesh.enrollment: expected one of ${MESH_ENROLLMENTS.join(', ')}, got ${JSON.stringify((mesh as PodMesh | null)?.enrollment)}`);
  }
  if (mesh.hbone !== undefined && typeof mesh.hbone !== 'boolean') {
    throw new AnalysisInputError(`${where}: mesh.hbone: expected true or false, got ${JSON.stringify(mesh.hbone)}`);
  }
  if (mesh.hbone && mesh.enrollment !== 'sidecar') {
    throw new AnalysisInputError(`${where}: mesh.hbone: only a sidecar has an HBONE listener to declare (ambient pods always use HBONE), got enrollment ${mesh.enrollment}`);
  }
  return mesh.hbone ? { enrollment: mesh.enrollment, hbone: true } : { enrollment: mesh.enrollment };
}
