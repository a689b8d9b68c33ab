/** The API version of the ClusterNetworkPolicy objects the Kubernetes engine writes. */
export enum ClusterNetworkPolicyApiVersion {
  /** `policy.networking.k8s.io/v1alpha2`: network-policy-api v0.2.0, read by every current implementation. */
  V1ALPHA2 = 'v1alpha2',
  /**
   * `policy.networking.k8s.io/v1beta1`: the same schema, served by later
   * network-policy-api releases. Use it only when the cluster serves it and its
   * implementation reads it.
   */
  V1BETA1 = 'v1beta1',
}
