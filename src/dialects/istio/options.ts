import { Dialect } from '../dialect';

/** The two Istio data planes. */
export type IstioModeModel = 'sidecar' | 'ambient';

/** Options of the layered Istio dialect (resolved and validated by `Engine.istio()`). */
export interface IstioDialectOptions {
  readonly mode: IstioModeModel;
  /** The CNI dialect that enforces L3/L4 (default deny, DNS, CIDR egress, the L4 part of allowances). */
  readonly cni: Dialect;
  /** The CNI engine's factory call, for messages (e.g. `Engine.kubernetes()`). */
  readonly cniFactory: string;
  /** SPIFFE trust domain of principals (`<trustDomain>/ns/<ns>/sa/<sa>`). */
  readonly trustDomain: string;
  /** Name of the waypoint Gateway in each namespace that needs one (ambient). */
  readonly waypointName: string;
  /** The waypoint's service account: its identity as seen by the destination ztunnel (ambient). */
  readonly waypointServiceAccount: string;
  /** Whether the engine renders the waypoint Gateway, or the user manages it. */
  readonly createWaypoint: boolean;
  /** The namespace istiod runs in. */
  readonly istiodNamespace: string;
  /** Labels of the istiod pods. */
  readonly istiodLabels: Readonly<Record<string, string>>;
  /** The user opted into matching peers that have pod labels AND a service account by the account only. */
  readonly matchPeersByServiceAccount: boolean;
  /**
   * What the Istio layer does with its AuthorizationPolicies, whatever the statements' stage: `observe` renders
   * every one dry-run and `none` renders none (the mesh permissive while the CNI layer enforces: a MeshMigration
   * phase). Undefined: as each statement's stage says.
   */
  readonly meshPolicies?: 'observe' | 'none';
}

/** istiod's xDS + certificate-signing port: every sidecar proxy (and waypoint) connects to it. */
export const ISTIOD_XDS_PORT = 15012;
/** HBONE: the mTLS tunnel port of ambient mode (ztunnel and waypoints). */
export const HBONE_PORT = 15008;
/**
 * The addresses ambient mode SNATs the node's kubelet probes to, one per IP family: istio-cni's node agent
 * rewrites the source of a probe from the host to `HOST_PROBE_SNAT_IP` (169.254.7.127) for IPv4 and to
 * `HOST_PROBE_SNAT_IPV6` (fd16:9254:7127:1337:ffff:ffff:ffff:ffff) for IPv6, and the pod's rules accept TCP
 * from exactly that source (istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c `cni/pkg/nodeagent/options.go`
 * defaults, `cni/pkg/iptables/iptables.go` the SNAT of `istio-inpod-probes-v4`/`-v6` and the ISTIO_PRERT accept).
 * Both are rendered: on an IPv6 or dual-stack cluster a pod that admits only the IPv4 one fails its IPv6 probes.
 */
export const AMBIENT_PROBE_SOURCES: readonly string[] = ['169.254.7.127/32', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128'];
/** The pod label Istio puts on waypoint pods (and Gateway deployments) with the Gateway's name. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** The most ports one Istio `ports` list may spell out for a port range (Istio has no ranges). */
export const MAX_EXPANDED_RANGE = 256;
