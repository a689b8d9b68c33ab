/** The phases of a `MeshMigration`, in the order a pipeline applies them. */
export enum MeshMigrationPhase {
  /** Mesh plumbing, mTLS PERMISSIVE, every policy observed only (dry-run / staged). */
  PREPARE = 'prepare',
  /** Policies enforced; mTLS still PERMISSIVE, so clients outside the mesh keep working where allowed. */
  ENFORCE = 'enforce',
  /** mTLS STRICT: only mesh clients; needs every named workload enrolled in the mesh. */
  STRICT = 'strict',
}
