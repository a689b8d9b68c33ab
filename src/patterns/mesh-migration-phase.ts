/** The phases of a `MeshMigration`, in the order a pipeline applies them (the seed's "network policies first, validated, then the mesh"). */
export enum MeshMigrationPhase {
  /** Mesh plumbing, mTLS PERMISSIVE, every policy observed only: Istio dry-run, and staged CNI policies where the CNI can stage (Calico). */
  PREPARE = 'prepare',
  /** CNI policies enforced (isolation, DNS, allowances at L4, egress); the mesh stays permissive: its policies observed only, mTLS PERMISSIVE. */
  NETWORK = 'network',
  /** Mesh policies enforced too; mTLS still PERMISSIVE, so clients outside the mesh keep working where allowed. */
  ENFORCE = 'enforce',
  /** mTLS STRICT: only mesh clients; needs every named workload enrolled in the mesh. */
  STRICT = 'strict',
}
