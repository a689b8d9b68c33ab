/** The Istio data plane an Istio engine renders for. */
export enum IstioMode {
  /** An Envoy sidecar in every pod enforces identity, mTLS and HTTP rules. */
  SIDECAR = 'sidecar',
  /**
   * The node's ztunnel enforces identity and mTLS (L4); HTTP rules need a
   * waypoint proxy, which the engine renders and binds policies to by Service.
   */
  AMBIENT = 'ambient',
}
