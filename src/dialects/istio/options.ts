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
/** The link-local address ambient mode SNATs the node's kubelet probes to. */
export const AMBIENT_PROBE_SOURCE = '169.254.7.127/32';
/** The pod label Istio puts on waypoint pods (and Gateway deployments) with the Gateway's name. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** The most ports one Istio `ports` list may spell out for a port range (Istio has no ranges). */
export const MAX_EXPANDED_RANGE = 256;
