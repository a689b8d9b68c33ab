/**
 * How connections into a workload must be secured, for engines with a mesh
 * (Istio). CNI-only engines cannot require mutual TLS and fail synthesis.
 */
export enum MtlsMode {
  /** Only mutually authenticated mesh connections are accepted; plaintext clients are rejected. */
  STRICT = 'STRICT',
  /** Mesh and plaintext connections are both accepted (for migrations and clients outside the mesh). */
  PERMISSIVE = 'PERMISSIVE',
}
