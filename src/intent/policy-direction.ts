/** A direction of traffic, seen from the pods a policy protects. */
export enum PolicyDirection {
  /** Connections the pods accept. */
  INGRESS = 'ingress',
  /** Connections the pods open. */
  EGRESS = 'egress',
}
