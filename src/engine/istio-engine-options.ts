import type { Engine } from './engine';
import type { IstioMode } from './istio-mode';

/** The waypoint of ambient mode: the proxy that enforces HTTP rules. */
export interface IstioWaypointOptions {
  /**
   * The waypoint Gateway's name in each namespace that needs one. Label the
   * Services whose workloads have HTTP rules `istio.io/use-waypoint: <name>`.
   * @default 'waypoint'
   */
  readonly name?: string;
  /**
   * The waypoint's service account: the identity its connections carry to
   * the destination's ztunnel, which must admit it.
   * @default - the waypoint's name (what Istio's deployment controller uses)
   */
  readonly serviceAccount?: string;
  /**
   * Render the waypoint Gateway. Set false when the waypoint is managed
   * elsewhere (e.g. `istioctl waypoint apply`); it must then have `name`.
   * @default true
   */
  readonly create?: boolean;
}

/** Options of the layered Istio engine. */
export interface IstioEngineOptions {
  /** The data plane: sidecars or ambient (ztunnel + waypoints). */
  readonly mode: IstioMode;
  /**
   * The CNI engine that enforces L3/L4 under Istio (default deny in both
   * directions, DNS, CIDR egress, UDP): `Engine.kubernetes()`,
   * `Engine.cilium()` or `Engine.calico()`. Istio alone authorizes only
   * connections into mesh proxies, so it is always layered on one.
   */
  readonly cni: Engine;
  /**
   * The mesh's SPIFFE trust domain, the first part of every principal
   * (`<trustDomain>/ns/<namespace>/sa/<account>`). Istio maps `cluster.local`
   * to the mesh's real trust domain and its aliases.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The waypoint (ambient mode only).
   * @default - a Gateway named `waypoint` in each namespace with HTTP rules
   */
  readonly waypoint?: IstioWaypointOptions;
  /**
   * The namespace istiod runs in (sidecars and waypoints fetch configuration
   * and certificates from it on TCP 15012).
   * @default 'istio-system'
   */
  readonly istiodNamespace?: string;
  /**
   * Labels of the istiod pods.
   * @default { app: 'istiod' }
   */
  readonly istiodLabels?: { [key: string]: string };
  /**
   * Opt into matching a peer chosen by pod labels AND a service account by
   * its service account only (Istio cannot see the client's labels). This
   * WIDENS the allowance to every pod running as that account.
   * @default false - such peers fail synthesis; use Peer.serviceAccount()
   */
  readonly matchPeersByServiceAccount?: boolean;
}
